//! Detection end to end: the default rules are installed on first start, and one account streaming
//! from England and Melbourne at once (simulated Jellyfin, MaxMind's test City database) opens
//! incidents with their evidence; the same condition stays one incident, which the owner can
//! acknowledge and dismiss.

use crate::detect_helpers::{add_server, app_with_geoip, incidents, one_account_scenario};
use serde_json::{Value, json};
use sightline_simulator::{DeviceRef, Scenario, ServerKind, SimOptions, Simulator, StreamSpec};
use std::time::Duration;

#[tokio::test]
async fn two_places_at_once_open_one_incident_per_condition_with_evidence() {
    let sim = Simulator::start(
        Scenario::from_toml_str(&one_account_scenario("jellyfin", "Jelly")).expect("parses"),
        SimOptions::manual(),
    )
    .await
    .expect("simulator starts");
    let (app, key) = app_with_geoip().await;
    let rules = app.running.ctx.store.rules().await.expect("rules");
    assert_eq!(rules, sightline_domain::rules::default_rules(), "the defaults are installed on first start");

    let jelly = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    add_server(&app, &key, "jellyfin", "Jelly", jelly.base_url(), jelly.token()).await;

    let mut home = StreamSpec::new("carol", "film");
    home.ip = "2.125.160.216".parse().expect("ip"); // Boxford, England
    jelly.start_stream(&home).expect("starts");
    let mut away = StreamSpec::new("carol", "film");
    away.ip = "214.0.1.1".parse().expect("ip"); // Melbourne
    away.device = DeviceRef::Preset("iphone".into());
    jelly.start_stream(&away).expect("starts");

    let mut found = Vec::new();
    for _ in 0..150 {
        found = incidents(&app, &key).await;
        if found.iter().any(|i| i["violation"]["kind"] == "simultaneous_locations") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let simultaneous = found
        .iter()
        .find(|i| i["violation"]["kind"] == "simultaneous_locations")
        .unwrap_or_else(|| panic!("no simultaneous-locations incident in {found:#?}"));
    assert_eq!(simultaneous["status"], "open");
    let evidence = simultaneous["violation"]["evidence"].to_string();
    assert!(evidence.contains("2.125.160.216") && evidence.contains("214.0.1.1"), "{evidence}");
    assert!(simultaneous["violation"]["summary"].as_str().is_some_and(|s| !s.is_empty()));

    // Keep streaming for a few polls: still one incident for that condition.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let later = incidents(&app, &key).await;
    let same: Vec<_> = later.iter().filter(|i| i["violation"]["kind"] == "simultaneous_locations").collect();
    assert_eq!(same.len(), 1, "{later:#?}");

    // The owner acknowledges, then dismisses it; bad input and unknown ids are refused.
    let id = same[0]["id"].as_i64().expect("an id");
    let patch = |id: i64, body: Value| {
        app.client.patch(app.url(&format!("/api/v1/incidents/{id}"))).bearer_auth(&key).json(&body).send()
    };
    let res = patch(id, json!({ "status": "acknowledged" })).await.expect("req");
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.expect("json")["status"], "acknowledged");
    assert_eq!(patch(id, json!({ "status": "gone" })).await.expect("req").status(), 422);
    assert_eq!(patch(id + 1000, json!({ "status": "dismissed" })).await.expect("req").status(), 404);
    assert_eq!(patch(id, json!({ "status": "dismissed" })).await.expect("req").status(), 200);
    let audit = app.running.ctx.store.recent_audit(5).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "incident_status" && e.detail.contains("dismissed")));
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
