//! Stopping streams through the simulator and ingestion: the REST stop (a read-only key is refused,
//! a full key stops the stream, a client without remote control is refused with nothing sent), and a
//! rule's actions: a delayed stop that ends the play, a dismissal within the delay that cancels it, a
//! cooldown that prevents a second stop, a dry run that calls nothing, and a message alone.

use crate::detect_helpers::{LONDON, add_server, app_with_geoip, carol, incidents, one_account_sim, wait_for};
use crate::helpers::TestApp;
use serde_json::{Value, json};
use sightline_backend::AppContext;
use sightline_backend::store::actions::{ActionKind, ActionStatus, IncidentAction};
use sightline_domain::rules::{ConcurrentParams, RuleActions, RuleKind, StopAction};
use sightline_simulator::{ServerHandle, ServerKind, SimHandle, StreamSpec};

/// A simulator with one account on one server of `kind`, and a Sightline following it.
async fn setup(kind: ServerKind) -> (SimHandle, TestApp, String) {
    let name = format!("{kind:?}");
    let sim = one_account_sim(kind, &name).await;
    let (app, key) = app_with_geoip().await;
    let server = sim.first(kind).expect("server");
    add_server(&app, &key, kind.as_str(), &name, server.base_url(), server.token()).await;
    (sim, app, key)
}

/// Starts a stream and waits until Sightline shows `n` streams.
async fn start_and_see(ctx: &AppContext, server: &ServerHandle, spec: &StreamSpec, n: usize) {
    server.start_stream(spec).expect("starts");
    assert!(wait_for(10, async || ctx.ingest.board.now_playing().len() == n).await, "Sightline sees {n} streams");
}

/// One stream at a time per account, with `actions`.
async fn one_stream_at_a_time(ctx: &AppContext, actions: RuleActions) {
    let mut rules = ctx.store.rules().await.expect("rules");
    let rule = rules.iter_mut().find(|r| matches!(r.kind, RuleKind::ConcurrentStreams(_))).expect("a rule");
    rule.kind =
        RuleKind::ConcurrentStreams(ConcurrentParams { max_streams: 1, group_by_network: false, count_paused: true });
    rule.actions = actions;
    sightline_backend::rules_admin::save(ctx, "test", rule.clone(), sightline_backend::clock::now())
        .await
        .expect("saves");
}

fn stop_after(delay_secs: u32) -> RuleActions {
    RuleActions {
        stop_stream: Some(StopAction { delay_secs, message: Some("One stream at a time".into()) }),
        ..RuleActions::default()
    }
}

/// The concurrent-streams incident, once it exists.
async fn concurrent_incident(app: &TestApp, key: &str) -> i64 {
    let mut id = None;
    let found = wait_for(10, async || {
        id = incidents(app, key)
            .await
            .iter()
            .find(|i| i["violation"]["kind"] == "concurrent_streams")
            .and_then(|i| i["id"].as_i64());
        id.is_some()
    })
    .await;
    assert!(found, "the concurrent-streams incident opens");
    id.expect("found")
}

/// Carol starts two streams in London, one after the other, each seen by Sightline; returns
/// the concurrent-streams incident this opens.
async fn two_streams_one_incident(app: &TestApp, key: &str, server: &ServerHandle) -> i64 {
    let ctx = &app.running.ctx;
    start_and_see(ctx, server, &carol(LONDON, "apple_tv"), 1).await;
    start_and_see(ctx, server, &carol(LONDON, "iphone"), 2).await;
    concurrent_incident(app, key).await
}

/// The incident's actions once none is still scheduled.
async fn settled_actions(ctx: &AppContext, incident: i64) -> Vec<IncidentAction> {
    let mut rows = Vec::new();
    let settled = wait_for(15, async || {
        rows = ctx.store.incident_actions(incident).await.expect("actions");
        !rows.is_empty() && rows.iter().all(|r| r.status != ActionStatus::Scheduled)
    })
    .await;
    assert!(settled, "the actions finish: {rows:#?}");
    rows
}

#[tokio::test]
async fn the_rest_stop_needs_a_full_key_stops_the_stream_and_the_play_ends() {
    let (sim, app, key) = setup(ServerKind::Plex).await;
    let ctx = app.running.ctx.clone();
    let plex = sim.first(ServerKind::Plex).expect("plex");
    start_and_see(&ctx, plex, &carol(LONDON, "apple_tv"), 1).await;
    let stream = ctx.ingest.board.now_playing().remove(0);
    let path = format!("/api/v1/sessions/{}/{}/stop", stream.server.id, stream.play);
    let read_only = ctx.auth.create_api_key("viewer", true, sightline_backend::clock::now()).await.expect("key").1;

    let post = |bearer: String, body: Value| app.client.post(app.url(&path)).bearer_auth(bearer).json(&body).send();
    let refused = post(read_only, json!({ "message": "bye" })).await.expect("request");
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.expect("json")["error"], "read_only_key");
    assert!(plex.requests().is_empty(), "a read-only key reaches no media server");

    let too_long = post(key.clone(), json!({ "message": "x".repeat(501) })).await.expect("request");
    assert_eq!(too_long.status(), 422);
    let stopped = post(key.clone(), json!({ "message": "Please use your own account" })).await.expect("request");
    assert_eq!(stopped.status(), 200);
    let outcome: Value = stopped.json().await.expect("json");
    assert_eq!((outcome["status"].as_str(), outcome["message_shown"].as_bool()), (Some("stopped"), Some(true)));
    assert!(outcome["detail"].as_str().is_some_and(|d| d.starts_with("Stopped carol playing Shared Film on Plex")));
    let calls = plex.requests();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].query_param("sessionId"), stream.session.control.map(|c| c.session_id));
    assert_eq!(calls[0].query_param("reason").as_deref(), Some("Please use your own account"));
    assert!(wait_for(10, async || ctx.ingest.board.now_playing().is_empty()).await, "ingestion sees the play end");
    let audit = ctx.store.recent_audit(20).await.expect("audit");
    let entry = audit.iter().find(|e| e.action == "stream_stop").expect("audited");
    assert_eq!(entry.actor, "api-key:detect");
    assert!(entry.detail.contains(&stream.play), "{}", entry.detail);

    let gone = post(key, json!({})).await.expect("request");
    assert_eq!(gone.status(), 404, "the stream is no longer live");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_client_without_remote_control_is_refused_over_rest_and_sent_nothing() {
    let (sim, app, key) = setup(ServerKind::Jellyfin).await;
    let ctx = app.running.ctx.clone();
    let jellyfin = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    start_and_see(&ctx, jellyfin, &StreamSpec { remote_control: false, ..carol(LONDON, "roku") }, 1).await;
    let stream = ctx.ingest.board.now_playing().remove(0);
    let path = format!("/api/v1/sessions/{}/{}/stop", stream.server.id, stream.play);
    let res = app.client.post(app.url(&path)).bearer_auth(&key).json(&json!({})).send().await.expect("request");
    assert_eq!(res.status(), 409);
    let outcome: Value = res.json().await.expect("json");
    assert_eq!((outcome["status"].as_str(), outcome["code"].as_str()), (Some("refused"), Some("no_remote_control")));
    assert!(jellyfin.requests().is_empty(), "no command was sent");
    assert_eq!(ctx.ingest.board.now_playing().len(), 1, "still playing");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_rule_stops_the_violating_stream_after_its_delay_and_its_play_ends() {
    let (sim, app, key) = setup(ServerKind::Plex).await;
    let ctx = app.running.ctx.clone();
    one_stream_at_a_time(&ctx, stop_after(1)).await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    start_and_see(&ctx, plex, &carol(LONDON, "apple_tv"), 1).await;
    let first = ctx.ingest.board.now_playing().remove(0).play;
    start_and_see(&ctx, plex, &carol(LONDON, "iphone"), 2).await;
    let second = ctx.ingest.board.now_playing().into_iter().find(|p| p.play != first).expect("the second stream");

    let incident = concurrent_incident(&app, &key).await;
    let rows = settled_actions(&ctx, incident).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let stop = &rows[0];
    assert_eq!(
        (stop.action, stop.status, stop.dry_run),
        (ActionKind::StopStream, ActionStatus::Done, false),
        "{stop:#?}"
    );
    assert_eq!(stop.play_id.as_deref(), Some(second.play.as_str()), "the stream that broke the rule");
    assert!(stop.due_at.is_some_and(|due| due > stop.created_at));
    let calls = plex.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].query_param("sessionId"), second.session.control.map(|c| c.session_id));
    assert_eq!(calls[0].query_param("reason").as_deref(), Some("One stream at a time"));
    assert!(wait_for(10, async || ctx.ingest.board.stream(second.server.id, &second.play).is_none()).await);
    assert!(ctx.ingest.board.stream(second.server.id, &first).is_some(), "the first stream plays on");
    let audit = ctx.store.recent_audit(50).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "stream_stop" && e.actor.starts_with("rule:")), "audited");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn dismissing_the_incident_within_the_delay_skips_the_stop() {
    let (sim, app, key) = setup(ServerKind::Plex).await;
    let ctx = app.running.ctx.clone();
    one_stream_at_a_time(&ctx, stop_after(5)).await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let incident = two_streams_one_incident(&app, &key, plex).await;
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/incidents/{incident}")))
        .bearer_auth(&key)
        .json(&json!({ "status": "dismissed" }))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);

    let rows = settled_actions(&ctx, incident).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(
        (rows[0].status, rows[0].detail.as_str()),
        (ActionStatus::Skipped, "not stopped: the incident was dismissed")
    );
    assert!(plex.requests().is_empty(), "nothing was called");
    assert_eq!(ctx.ingest.board.now_playing().len(), 2, "both streams play on");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_second_violation_within_the_cooldown_is_not_stopped_again() {
    let (sim, app, key) = setup(ServerKind::Plex).await;
    let ctx = app.running.ctx.clone();
    one_stream_at_a_time(&ctx, RuleActions { cooldown_secs: 3_600, ..stop_after(0) }).await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let incident = two_streams_one_incident(&app, &key, plex).await;
    assert_eq!(settled_actions(&ctx, incident).await[0].status, ActionStatus::Done);
    assert!(wait_for(10, async || ctx.ingest.board.now_playing().len() == 1).await, "the second stream ended");

    // The account starts another second stream right away: the incident recurs, no stop follows.
    start_and_see(&ctx, plex, &carol(LONDON, "roku"), 2).await;
    let mut rows = Vec::new();
    let recorded = wait_for(10, async || {
        rows = ctx.store.incident_actions(incident).await.expect("actions");
        rows.len() == 2
    })
    .await;
    assert!(recorded, "the recurrence is recorded: {rows:#?}");
    assert_eq!(rows[1].status, ActionStatus::Skipped, "{rows:#?}");
    assert!(rows[1].detail.contains("the rule waits 1 h between stops"), "{}", rows[1].detail);
    assert_eq!(plex.requests().len(), 1, "one stop only");
    assert_eq!(ctx.ingest.board.now_playing().len(), 2, "the new stream plays on");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_dry_run_records_what_it_would_do_and_calls_nothing() {
    let (sim, app, key) = setup(ServerKind::Jellyfin).await;
    let ctx = app.running.ctx.clone();
    // The owner hears of each action too (here only of actions, through a webhook on loopback).
    let inbox = sightline_simulator::inbox::Inbox::start(0).await.expect("inbox");
    let hook = json!({"kind": "webhook", "name": "Actions", "events": ["action_taken"], "allow_private": true,
                      "config": {"url": inbox.webhook_url(), "secret": "actions-secret-0123456789"}});
    let res = app.client.post(app.url("/api/v1/notifications/destinations")).bearer_auth(&key).json(&hook).send();
    assert_eq!(res.await.expect("req").status(), 201);
    let actions = RuleActions { dry_run: true, message_client: Some("Please stop sharing".into()), ..stop_after(1) };
    one_stream_at_a_time(&ctx, actions).await;
    let jellyfin = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let incident = two_streams_one_incident(&app, &key, jellyfin).await;
    let rows = settled_actions(&ctx, incident).await;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().all(|r| r.dry_run && r.status == ActionStatus::Done), "{rows:#?}");
    let message = rows.iter().find(|r| r.action == ActionKind::MessageClient).expect("the message");
    assert!(
        message.detail.starts_with("dry run: would have shown “Please stop sharing” to carol"),
        "{}",
        message.detail
    );
    let stop = rows.iter().find(|r| r.action == ActionKind::StopStream).expect("the stop");
    assert!(stop.detail.starts_with("dry run: would have stopped carol playing Shared Film"), "{}", stop.detail);
    assert!(jellyfin.requests().is_empty(), "nothing was sent");
    let streams = ctx.ingest.board.now_playing();
    assert_eq!(streams.len(), 2);
    let last_stop = ctx.store.last_stop_of_account(streams[0].server.id, &streams[0].session.user.id).await;
    assert_eq!(last_stop.expect("reads"), None, "a dry run arms no cooldown");
    let told = inbox.wait_for(2, std::time::Duration::from_secs(10)).await;
    let texts: Vec<Value> = told.iter().filter_map(sightline_simulator::inbox::Delivery::json).collect();
    assert_eq!(texts.len(), 2, "one notice per action: {texts:#?}");
    assert!(texts.iter().all(|t| t["event"] == "action_taken" && t["vars"]["user"] == "carol"), "{texts:#?}");
    assert!(texts.iter().any(|t| t["vars"]["reason"].as_str().is_some_and(|r| r.contains("would have stopped"))));
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_rule_message_reaches_a_jellyfin_viewer_and_the_stream_plays_on() {
    let (sim, app, key) = setup(ServerKind::Jellyfin).await;
    let ctx = app.running.ctx.clone();
    one_stream_at_a_time(
        &ctx,
        RuleActions { message_client: Some("One stream at a time".into()), ..RuleActions::default() },
    )
    .await;
    let jellyfin = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let incident = two_streams_one_incident(&app, &key, jellyfin).await;
    let rows = settled_actions(&ctx, incident).await;
    assert_eq!(
        (rows.len(), rows[0].action, rows[0].status),
        (1, ActionKind::MessageClient, ActionStatus::Done),
        "{rows:#?}"
    );
    let calls = jellyfin.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].path.ends_with("/Message") && calls[0].body.contains("One stream at a time"));
    assert_eq!(ctx.ingest.board.now_playing().len(), 2, "a message stops nothing");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
