//! Trust through the store and detection: penalties by severity when an incident opens (not when it
//! is updated), recovery rows per whole incident-free day, overrides, history order, the policy.

use super::*;
use crate::detect::judge;
use crate::store::TrustChangeKind;
use crate::test_ctx::{context, only_one_stream_allowed, stream, t0};
use chrono::Duration;
use sightline_domain::rules::{Evidence, Measure, RuleId, RuleType, Severity, Unit};

fn violation(server: ServerId, user: &str, name: &str, severity: Severity) -> Violation {
    Violation {
        rule_id: RuleId(format!("rule-{name}")),
        rule_name: name.to_owned(),
        kind: RuleType::ConcurrentStreams,
        severity,
        server_id: server,
        user_id: user.to_owned(),
        session_key: None,
        summary: format!("{name} happened"),
        evidence: Evidence {
            measured: Measure::amount(2.0, Unit::Streams),
            threshold: Measure::amount(1.0, Unit::Streams),
            facts: Vec::new(),
            sessions: Vec::new(),
        },
        condition_key: format!("{server}/{user}/{name}"),
    }
}

/// Records a violation as detection does and applies the penalty when it opened an incident.
async fn open(ctx: &AppContext, v: &Violation, now: DateTime<Utc>) -> (i64, u8) {
    let (incident, opened) = ctx.store.record_violation(v, now).await.expect("records");
    assert!(opened, "a new condition opens an incident");
    (incident.id, on_incident_opened(ctx, &incident, v, now).await.expect("penalises"))
}

fn reasons(history: &[TrustChange]) -> Vec<&str> {
    history.iter().map(|c| c.reason.as_str()).collect()
}

#[tokio::test]
async fn each_severity_costs_its_penalty_and_the_history_says_why() {
    let (_dir, ctx, server) = context().await;
    assert_eq!(score(&ctx, server, "alice", t0()).await.expect("reads").score, 100);
    let mut scores = Vec::new();
    for (i, severity) in [Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().enumerate() {
        let v = violation(server, "alice", &format!("Rule {i}"), severity);
        scores.push(open(&ctx, &v, t0() + Duration::minutes(i as i64)).await.1);
    }
    assert_eq!(scores, [95, 85, 65, 25]);
    let history = history(&ctx, server, "alice", 10).await.expect("reads");
    assert_eq!(history.len(), 4);
    assert_eq!(
        history[0].reason,
        format!("Incident #{} opened: Rule 3 (critical), \u{2212}40", history[0].incident_id.expect("an incident"))
    );
    assert!(history.iter().all(|c| c.kind == TrustChangeKind::Incident && c.actor == plan::DETECTION_ACTOR));
    assert!(
        history.windows(2).all(|w| w[0].id > w[1].id && w[0].score_before == w[1].score_after),
        "newest first, chained"
    );
    let view = score(&ctx, server, "alice", t0()).await.expect("reads");
    assert_eq!((view.score, view.band, view.scored), (25, TrustBand::Bad, true));
    assert!(!score(&ctx, server, "bob", t0()).await.expect("reads").scored);
    assert_eq!(scores_now(&ctx).await, HashMap::from([((server, "alice".to_owned()), 25)]));
}

async fn scores_now(ctx: &AppContext) -> HashMap<(ServerId, String), u8> {
    scores(ctx, t0()).await.expect("reads")
}

#[tokio::test]
async fn only_opening_an_incident_costs_trust_not_its_repeats() {
    let (_dir, ctx, server) = context().await;
    only_one_stream_allowed(&ctx).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    assert_eq!(judge(&ctx, &second, t0()).await.expect("judges"), 1);
    assert_eq!(score(&ctx, server, "alice", t0()).await.expect("reads").score, 90, "medium: -10");
    for minutes in 1..4 {
        assert_eq!(judge(&ctx, &second, t0() + Duration::minutes(minutes)).await.expect("judges"), 1);
    }
    assert_eq!(score(&ctx, server, "alice", t0()).await.expect("reads").score, 90, "updates cost nothing");
    assert_eq!(history(&ctx, server, "alice", 10).await.expect("reads").len(), 1);

    // Once dismissed, a recurrence is a new incident and costs again.
    let id = ctx.store.incidents(1).await.expect("reads")[0].id;
    ctx.store.set_incident_status(id, "dismissed", t0()).await.expect("dismisses");
    judge(&ctx, &second, t0() + Duration::minutes(5)).await.expect("judges");
    assert_eq!(score(&ctx, server, "alice", t0()).await.expect("reads").score, 80);
}

#[tokio::test]
async fn whole_incident_free_days_recover_with_one_row_each_time_it_is_written() {
    let (_dir, ctx, server) = context().await;
    open(&ctx, &violation(server, "alice", "Travel", Severity::High), t0()).await;
    let day = Duration::days(1);
    assert_eq!(recover_due(&ctx, t0() + Duration::hours(23)).await.expect("recovers"), 0);
    assert_eq!(
        score(&ctx, server, "alice", t0() + day * 5).await.expect("reads").score,
        85,
        "reads count pending days"
    );
    assert_eq!(history(&ctx, server, "alice", 10).await.expect("reads").len(), 1, "reading writes nothing");

    let later = t0() + day * 3 + Duration::hours(1);
    assert_eq!(recover_due(&ctx, later).await.expect("recovers"), 1);
    assert_eq!(recover_due(&ctx, later).await.expect("recovers"), 0, "nothing more is due");
    let history = history(&ctx, server, "alice", 10).await.expect("reads");
    assert_eq!(history[0].reason, "Recovered +3 after 3 incident-free days");
    assert_eq!(
        (history[0].kind, history[0].at, history[0].score_after),
        (TrustChangeKind::Recovery, t0() + day * 3, 83)
    );
    assert_eq!(recover_due(&ctx, t0() + day * 4).await.expect("recovers"), 1);
    assert_eq!(
        super::history(&ctx, server, "alice", 1).await.expect("reads")[0].reason,
        "Recovered +1 after 1 incident-free day"
    );
}

#[tokio::test]
async fn an_override_resets_the_score_after_writing_the_recovery_due_and_later_incidents_start_from_it() {
    let (_dir, ctx, server) = context().await;
    open(&ctx, &violation(server, "alice", "Travel", Severity::Critical), t0()).await;
    let at = t0() + Duration::days(2) + Duration::hours(3);
    let view = set_override(&ctx, "user:owner", server, "alice", 80, "  known traveller ", at).await.expect("sets");
    assert_eq!((view.score, view.incident_free_since), (80, Some(at)));
    open(&ctx, &violation(server, "alice", "Velocity", Severity::Low), at + Duration::hours(1)).await;
    let history = history(&ctx, server, "alice", 10).await.expect("reads");
    let kinds: Vec<TrustChangeKind> = history.iter().map(|c| c.kind).collect();
    use TrustChangeKind::{Incident, Override, Recovery};
    assert_eq!(kinds, [Incident, Override, Recovery, Incident], "newest first");
    assert_eq!(
        reasons(&history)[1..3],
        ["Set to 80 by owner: known traveller", "Recovered +2 after 2 incident-free days"]
    );
    assert_eq!((history[1].score_before, history[1].actor.as_str()), (62, "user:owner"));
    assert_eq!(history[0].score_after, 75);
    let audit = ctx.store.recent_audit(5).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "trust_override" && e.detail.contains("known traveller")));
}

#[tokio::test]
async fn overrides_need_a_reason_a_valid_score_and_a_known_account() {
    let (_dir, ctx, server) = context().await;
    let field = |r: Result<TrustView, TrustError>| match r {
        Err(TrustError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    };
    assert_eq!(field(set_override(&ctx, "user:owner", server, "alice", 101, "why", t0()).await), "score");
    assert_eq!(field(set_override(&ctx, "user:owner", server, "alice", 50, "  ", t0()).await), "reason");
    assert_eq!(field(set_override(&ctx, "user:owner", server, "alice", 50, &"x".repeat(201), t0()).await), "reason");
    let unknown = set_override(&ctx, "user:owner", server, "nobody", 50, "why", t0()).await;
    assert!(matches!(unknown, Err(TrustError::NotFound)), "{unknown:?}");
    assert!(history(&ctx, server, "alice", 10).await.expect("reads").is_empty());
}

#[tokio::test]
async fn the_policy_is_stored_validated_and_used_for_the_next_change() {
    let (_dir, ctx, server) = context().await;
    assert_eq!(policy(&ctx).await.expect("reads"), TrustPolicy::default());
    let bad = TrustPolicy { penalty_high: 101, ..TrustPolicy::default() };
    let err = set_policy(&ctx, "user:owner", bad, t0()).await;
    assert!(matches!(err, Err(TrustError::Invalid { field: "penalty_high", .. })), "{err:?}");
    let strict = TrustPolicy { penalty_high: 50, recovery_per_day: 0, ..TrustPolicy::default() };
    set_policy(&ctx, "user:owner", strict, t0()).await.expect("stores");
    assert_eq!(policy(&ctx).await.expect("reads"), strict);
    assert_eq!(open(&ctx, &violation(server, "alice", "Travel", Severity::High), t0()).await.1, 50);
    assert_eq!(recover_due(&ctx, t0() + Duration::days(10)).await.expect("runs"), 0, "recovery switched off");
}
