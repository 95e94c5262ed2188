//! Detection through the simulator with the default rules and MaxMind's test databases: one account in
//! London and Linköping at once is one incident and one live alert (no travel, new-device or
//! new-country noise beside it), and the built-in demo scenario flags its sharer and not its traveller.

use crate::detect_helpers::{
    LONDON, add_server, app_with_geoip, carol, incidents, london_then_linkoping, one_account_sim,
};
use serde_json::Value;
use sightline_backend::hub::{Received, Subscription};
use sightline_domain::LiveEvent;
use sightline_simulator::{Scenario, ServerKind, SimOptions, Simulator};
use std::time::Duration;

/// Incident events published until `quiet` passes without one.
async fn incident_events(live: &mut Subscription, quiet: Duration) -> Vec<(i64, bool)> {
    let mut seen = Vec::new();
    while let Ok(received) = tokio::time::timeout(quiet, live.recv()).await {
        match received {
            Received::Event(LiveEvent::Incident { id, opened, .. }) => seen.push((id, opened)),
            Received::Event(_) => {}
            Received::Lagged(n) => panic!("the test subscriber lagged by {n} events"),
            Received::Closed => break,
        }
    }
    seen
}

#[tokio::test]
async fn london_and_linkoping_at_once_raise_one_incident_and_one_live_alert() {
    let sim = one_account_sim(ServerKind::Plex, "Plex").await;
    let (app, key) = app_with_geoip().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    add_server(&app, &key, "plex", "Plex", plex.base_url(), plex.token()).await;
    let mut live = app.running.ctx.hub.subscribe();
    // Sightline sees London first, then Linköping joins on another device.
    london_then_linkoping(&app, plex).await;

    // Several polls and notifications later, still one alert.
    let events = incident_events(&mut live, Duration::from_secs(4)).await;
    assert_eq!(events.len(), 1, "one live alert: {events:?}");
    assert!(events[0].1, "the alert opens the incident");
    let found = incidents(&app, &key).await;
    assert_eq!(found.len(), 1, "{found:#?}");
    let violation = &found[0]["violation"];
    assert_eq!(violation["kind"], "simultaneous_locations");
    assert_eq!(found[0]["id"].as_i64(), Some(events[0].0));
    let evidence = violation["evidence"].to_string();
    for needle in ["81.2.69.142", "89.160.20.112", "London", "Linköping", "29518"] {
        assert!(evidence.contains(needle), "{needle} in {evidence}");
    }
    // The second country and device are part of this incident, not incidents of their own.
    let facts: Vec<&str> =
        violation["evidence"]["facts"].as_array().expect("facts").iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(facts.contains(&"new_country") && facts.contains(&"new_device"), "{facts:?}");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn the_demo_scenario_flags_its_sharer_and_not_its_traveller() {
    let mut scenario = Scenario::builtin();
    scenario.looping = false;
    scenario.speed = 30.0; // the traveller's second stream starts 4 min in: 8 s here
    let sim = Simulator::start(scenario, SimOptions::default()).await.expect("simulator starts");
    let (app, key) = app_with_geoip().await;
    for s in sim.servers() {
        add_server(&app, &key, s.kind().as_str(), s.name(), s.base_url(), s.token()).await;
    }
    let ivy_from_boxford = || {
        app.running.ctx.ingest.board.now_playing().iter().any(|p| {
            p.session.user.name == "ivy" && p.session.client_ip.is_some_and(|ip| ip.to_string() == "2.125.160.216")
        })
    };
    let mut waited = 0;
    while !ivy_from_boxford() && waited < 300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(ivy_from_boxford(), "the traveller's second stream was seen");
    tokio::time::sleep(Duration::from_secs(2)).await;

    let found = incidents(&app, &key).await;
    let accounts = app.running.ctx.store.accounts(sightline_domain::ServerId(1)).await.expect("accounts");
    let name_of = |id: &Value| accounts.iter().find(|a| id == a.external_id.as_str()).map(|a| a.name.clone());
    let flagged: Vec<(Option<String>, String)> =
        found.iter().map(|i| (name_of(&i["violation"]["user_id"]), i["violation"]["kind"].to_string())).collect();
    assert!(!found.is_empty(), "the sharer is flagged");
    assert!(flagged.iter().all(|(name, _)| name.as_deref() == Some("carol")), "only carol is flagged: {flagged:?}");
    assert!(
        found.iter().any(|i| i["violation"]["kind"] == "simultaneous_locations"),
        "carol streams from Linköping and London at once: {flagged:?}"
    );
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn three_tvs_of_one_household_raise_nothing_when_the_household_counts_once() {
    use sightline_domain::rules::{ConcurrentParams, RuleKind};
    let sim = one_account_sim(ServerKind::Plex, "Plex").await;
    let (app, key) = app_with_geoip().await;
    let ctx = &app.running.ctx;
    // Two streams at once at most, and one household counts once.
    let set_concurrent = |group_by_network: bool| async move {
        let mut rules = ctx.store.rules().await.expect("rules");
        let rule = rules.iter_mut().find(|r| matches!(r.kind, RuleKind::ConcurrentStreams(_))).expect("a rule");
        rule.kind =
            RuleKind::ConcurrentStreams(ConcurrentParams { max_streams: 2, group_by_network, count_paused: false });
        let now = sightline_backend::clock::now();
        sightline_backend::rules_admin::save(ctx, "test", rule.clone(), now).await.expect("saves");
    };
    set_concurrent(true).await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    add_server(&app, &key, "plex", "Plex", plex.base_url(), plex.token()).await;
    let mut live = ctx.hub.subscribe();

    for (n, tv) in ["apple_tv", "roku", "android_tv"].into_iter().enumerate() {
        plex.start_stream(&carol(LONDON, tv)).expect("starts");
        let mut waited = 0;
        while ctx.ingest.board.now_playing().len() <= n && waited < 100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
    }
    assert_eq!(ctx.ingest.board.now_playing().len(), 3, "three TVs streaming");
    let events = incident_events(&mut live, Duration::from_secs(3)).await;
    assert!(events.is_empty(), "no alert for one household: {events:?}");
    assert!(incidents(&app, &key).await.is_empty());

    // Counted one by one, a fourth TV on the same address is too many.
    set_concurrent(false).await;
    plex.start_stream(&carol(LONDON, "fire_tv")).expect("starts");
    let events = incident_events(&mut live, Duration::from_secs(3)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let found = incidents(&app, &key).await;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["violation"]["kind"], "concurrent_streams");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
