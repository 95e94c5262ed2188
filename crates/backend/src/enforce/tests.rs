//! Rule actions through the store, without a media server: a stop still waiting when Sightline stops
//! is skipped with the reason, no new action starts once it is stopping, a restart abandons what
//! the last run left scheduled, and a rule's own trust penalty replaces the policy's.

use super::*;
use crate::detect::judge;
use crate::store::actions::{ActionKind, ActionStatus};
use crate::test_ctx::{context, only_one_stream_allowed, stream, t0};
use chrono::Duration;
use sightline_domain::rules::{RuleActions, StopAction};

/// The one-stream rule with `actions`.
async fn with_actions(ctx: &AppContext, actions: RuleActions) {
    only_one_stream_allowed(ctx).await;
    let mut rule = ctx.store.rules().await.expect("rules").into_iter().find(|r| r.enabled).expect("the rule");
    rule.actions = actions;
    crate::rules_admin::save(ctx, "test", rule, t0()).await.expect("saves");
}

fn stop_in_an_hour() -> RuleActions {
    RuleActions { stop_stream: Some(StopAction { delay_secs: 3_600, message: None }), ..RuleActions::default() }
}

#[tokio::test]
async fn a_stop_still_waiting_at_shutdown_is_skipped_with_the_reason() {
    let (_dir, ctx, server) = context().await;
    with_actions(&ctx, stop_in_an_hour()).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    assert_eq!(judge(&ctx, &second, t0()).await.expect("judges"), 1);
    let incident = ctx.store.incidents(1).await.expect("reads")[0].id;
    let rows = ctx.store.incident_actions(incident).await.expect("reads");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].action, rows[0].status), (ActionKind::StopStream, ActionStatus::Scheduled));
    assert_eq!(rows[0].play_id.as_deref(), Some("b"), "the judged stream, not the first one");
    assert_eq!(rows[0].due_at, Some(t0() + Duration::hours(1)));
    assert_eq!(ctx.enforce.in_flight(), 1);

    ctx.enforce.shutdown();
    ctx.enforce.wait().await;
    let rows = ctx.store.incident_actions(incident).await.expect("reads");
    assert_eq!(
        (rows[0].status, rows[0].detail.as_str()),
        (ActionStatus::Skipped, "not stopped: Sightline stopped before the delay ended")
    );

    // A new stream of the account during the shutdown: recorded, not started.
    let third = stream(&ctx, server, "alice", "c", "192.0.2.44", t0());
    judge(&ctx, &third, t0() + Duration::seconds(1)).await.expect("judges");
    let rows = ctx.store.incident_actions(incident).await.expect("reads");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[1].status, rows[1].detail.as_str()), (ActionStatus::Skipped, "not done: Sightline was stopping"));
    assert_eq!(ctx.enforce.in_flight(), 0);
}

#[tokio::test]
async fn a_restart_abandons_what_the_last_run_left_scheduled() {
    let (_dir, ctx, server) = context().await;
    with_actions(&ctx, stop_in_an_hour()).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    judge(&ctx, &second, t0()).await.expect("judges");
    let later = t0() + Duration::minutes(5);
    assert_eq!(recover(&ctx, later).await.expect("recovers"), 1);
    assert_eq!(recover(&ctx, later).await.expect("recovers"), 0, "once");
    let incident = ctx.store.incidents(1).await.expect("reads")[0].id;
    let row = ctx.store.incident_actions(incident).await.expect("reads").remove(0);
    assert_eq!((row.status, row.detail.as_str(), row.at), (ActionStatus::Skipped, RESTARTED, later));
    ctx.enforce.shutdown();
    ctx.enforce.wait().await;
    let row = ctx.store.incident_actions(incident).await.expect("reads").remove(0);
    assert_eq!(row.detail, RESTARTED, "the abandoned row keeps its reason");
}

#[tokio::test]
async fn default_actions_record_nothing_and_the_rule_s_own_penalty_replaces_the_policy_s() {
    let (_dir, ctx, server) = context().await;
    with_actions(&ctx, RuleActions { trust_penalty: Some(3), ..RuleActions::default() }).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    judge(&ctx, &second, t0()).await.expect("judges");
    let incident = ctx.store.incidents(1).await.expect("reads")[0].id;
    assert!(ctx.store.incident_actions(incident).await.expect("reads").is_empty(), "no message, no stop");
    assert_eq!(ctx.enforce.in_flight(), 0);
    let score = crate::trust::score(&ctx, server, "alice", t0()).await.expect("reads").score;
    assert_eq!(score, 97, "3 points, not the medium severity's 10");
}
