//! The trust planner: pure functions from an account's stored trust, the policy and a moment to its
//! new state and the history rows that explain each change (recovery first, then the incident or
//! override). The arithmetic is `sightline_domain::rules::trust`'s; nothing here reads a clock.

use crate::store::{NewTrustChange, TrustChangeKind, TrustPlan, TrustState};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::rules::Severity;
use sightline_domain::rules::trust::{MAX_SCORE, TrustPolicy, apply_incident, recover};

/// The actor of penalties for incidents.
pub const DETECTION_ACTOR: &str = "detection";
/// The actor of recoveries.
pub const RECOVERY_ACTOR: &str = "system";

/// The incident that opened, as the history names it.
#[derive(Debug, Clone, Copy)]
pub struct OpenedIncident<'a> {
    pub id: i64,
    pub rule_name: &'a str,
    pub severity: Severity,
    /// The rule's own penalty (`RuleActions::trust_penalty`), instead of the policy's for the severity.
    pub penalty: Option<u8>,
}

/// An account never scored: the policy's start, incident-free from `now`.
#[must_use]
pub fn fresh(policy: &TrustPolicy, now: DateTime<Utc>) -> TrustState {
    TrustState { score: policy.start.min(MAX_SCORE), clean_since: now }
}

/// The whole incident-free days since the stretch began, applied: the anchor moves by those days
/// (the part of a day left over keeps counting), and a row explains any points regained.
#[must_use]
pub fn recovery(policy: &TrustPolicy, state: TrustState, now: DateTime<Utc>) -> (TrustState, Option<NewTrustChange>) {
    let days = (now - state.clean_since).num_days();
    if days < 1 {
        return (state, None);
    }
    let at = state.clean_since + TimeDelta::days(days);
    let after = recover(policy, state.score, days);
    let next = TrustState { score: after, clean_since: at };
    if after == state.score {
        return (next, None);
    }
    let plural = if days == 1 { "" } else { "s" };
    let reason = format!("Recovered +{} after {days} incident-free day{plural}", after - state.score);
    (next, Some(change(at, TrustChangeKind::Recovery, state.score, after, reason, None, RECOVERY_ACTOR)))
}

/// The score at `now`, counting recovery not yet written; the policy's start when never scored.
#[must_use]
pub fn current(policy: &TrustPolicy, state: Option<TrustState>, now: DateTime<Utc>) -> u8 {
    state.map_or(policy.start.min(MAX_SCORE), |s| recovery(policy, s, now).0.score)
}

/// Writes the recovery due at `now`, if any.
#[must_use]
pub fn recovery_plan(policy: &TrustPolicy, stored: Option<TrustState>, now: DateTime<Utc>) -> Option<TrustPlan> {
    let state = stored?;
    let (next, row) = recovery(policy, state, now);
    (next != state).then(|| TrustPlan { state: next, changes: row.into_iter().collect() })
}

/// Recovery due, then the incident's penalty; the incident-free stretch restarts at `now`.
#[must_use]
pub fn incident_plan(
    policy: &TrustPolicy,
    stored: Option<TrustState>,
    incident: OpenedIncident<'_>,
    now: DateTime<Utc>,
) -> TrustPlan {
    let (state, recovered) = recovery(policy, stored.unwrap_or_else(|| fresh(policy, now)), now);
    let after = match incident.penalty {
        Some(points) => state.score.min(MAX_SCORE).saturating_sub(points),
        None => apply_incident(policy, state.score, incident.severity),
    };
    let reason = format!(
        "Incident #{} opened: {} ({}), \u{2212}{}",
        incident.id,
        incident.rule_name,
        incident.severity.as_str(),
        state.score - after
    );
    let row = change(now, TrustChangeKind::Incident, state.score, after, reason, Some(incident.id), DETECTION_ACTOR);
    TrustPlan {
        state: TrustState { score: after, clean_since: now },
        changes: recovered.into_iter().chain([row]).collect(),
    }
}

/// Recovery due, then the owner's score; the incident-free stretch restarts at `now`.
#[must_use]
pub fn override_plan(
    policy: &TrustPolicy,
    stored: Option<TrustState>,
    score: u8,
    actor: &str,
    why: &str,
    now: DateTime<Utc>,
) -> TrustPlan {
    let score = score.min(MAX_SCORE);
    let (state, recovered) = recovery(policy, stored.unwrap_or_else(|| fresh(policy, now)), now);
    let reason = format!("Set to {score} by {}: {why}", actor_name(actor));
    let row = change(now, TrustChangeKind::Override, state.score, score, reason, None, actor);
    TrustPlan { state: TrustState { score, clean_since: now }, changes: recovered.into_iter().chain([row]).collect() }
}

/// A principal label as people read it: `user:owner` is "owner", `api-key:ci` is "API key ci".
#[must_use]
pub fn actor_name(actor: &str) -> String {
    if let Some(user) = actor.strip_prefix("user:") {
        user.to_owned()
    } else if let Some(key) = actor.strip_prefix("api-key:") {
        format!("API key {key}")
    } else {
        actor.to_owned()
    }
}

fn change(
    at: DateTime<Utc>,
    kind: TrustChangeKind,
    score_before: u8,
    score_after: u8,
    reason: String,
    incident_id: Option<i64>,
    actor: &str,
) -> NewTrustChange {
    NewTrustChange { at, kind, score_before, score_after, reason, incident_id, actor: actor.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().expect("valid time") + TimeDelta::hours(hours)
    }

    fn incident(id: i64, severity: Severity) -> OpenedIncident<'static> {
        OpenedIncident { id, rule_name: "Simultaneous locations", severity, penalty: None }
    }

    #[test]
    fn an_incident_on_a_new_account_costs_its_severity_from_the_start() {
        let policy = TrustPolicy::default();
        let plan = incident_plan(&policy, None, incident(12, Severity::High), t(0));
        assert_eq!(plan.state, TrustState { score: 80, clean_since: t(0) });
        assert_eq!(plan.changes.len(), 1);
        let row = &plan.changes[0];
        assert_eq!(row.reason, "Incident #12 opened: Simultaneous locations (high), \u{2212}20");
        assert_eq!((row.score_before, row.score_after, row.incident_id), (100, 80, Some(12)));
        assert_eq!((row.kind, row.actor.as_str()), (TrustChangeKind::Incident, DETECTION_ACTOR));
    }

    #[test]
    fn a_rule_s_own_penalty_replaces_the_severity_s() {
        let policy = TrustPolicy::default();
        let own = OpenedIncident { penalty: Some(7), ..incident(4, Severity::Critical) };
        let plan = incident_plan(&policy, None, own, t(0));
        assert_eq!(plan.state.score, 93, "7, not the critical 40");
        assert!(plan.changes[0].reason.ends_with("(critical), \u{2212}7"), "{}", plan.changes[0].reason);
        let free = OpenedIncident { penalty: Some(0), ..incident(5, Severity::High) };
        let plan = incident_plan(&policy, Some(TrustState { score: 60, clean_since: t(0) }), free, t(1));
        assert_eq!(plan.state, TrustState { score: 60, clean_since: t(1) }, "no points lost; the stretch restarts");
    }

    #[test]
    fn the_penalty_shown_is_what_was_lost_when_the_score_hits_zero() {
        let policy = TrustPolicy::default();
        let stored = TrustState { score: 15, clean_since: t(0) };
        let plan = incident_plan(&policy, Some(stored), incident(3, Severity::Critical), t(1));
        assert_eq!(plan.state.score, 0);
        assert!(plan.changes[0].reason.ends_with("(critical), \u{2212}15"), "{}", plan.changes[0].reason);
    }

    #[test]
    fn recovery_counts_whole_days_and_carries_the_rest_of_a_day() {
        let policy = TrustPolicy { recovery_per_day: 2, ..TrustPolicy::default() };
        let stored = TrustState { score: 50, clean_since: t(0) };
        assert_eq!(recovery_plan(&policy, Some(stored), t(23)), None, "not a whole day yet");
        let plan = recovery_plan(&policy, Some(stored), t(24 * 3 + 5)).expect("due");
        assert_eq!(plan.state, TrustState { score: 56, clean_since: t(72) }, "the 5 hours keep counting");
        assert_eq!(plan.changes[0].reason, "Recovered +6 after 3 incident-free days");
        assert_eq!((plan.changes[0].at, plan.changes[0].kind), (t(72), TrustChangeKind::Recovery));
        let one = recovery_plan(&policy, Some(plan.state), t(24 * 4 + 5)).expect("due");
        assert_eq!(one.changes[0].reason, "Recovered +2 after 1 incident-free day");
        assert_eq!(current(&policy, Some(stored), t(24 * 4 + 5)), 58);
    }

    #[test]
    fn recovery_stops_at_the_maximum_and_writes_no_row_without_a_change() {
        let policy = TrustPolicy::default();
        let near = TrustState { score: 99, clean_since: t(0) };
        let plan = recovery_plan(&policy, Some(near), t(24 * 5)).expect("due");
        assert_eq!(plan.changes[0].reason, "Recovered +1 after 5 incident-free days");
        let full = TrustState { score: 100, clean_since: t(0) };
        let plan = recovery_plan(&policy, Some(full), t(24 * 5)).expect("the anchor moves");
        assert!(plan.changes.is_empty());
        assert_eq!(recovery_plan(&policy, None, t(24 * 5)), None, "an unscored account has nothing to recover");
    }

    #[test]
    fn a_change_first_writes_the_recovery_due_then_restarts_the_stretch() {
        let policy = TrustPolicy::default();
        let stored = TrustState { score: 70, clean_since: t(0) };
        let plan = incident_plan(&policy, Some(stored), incident(4, Severity::Low), t(24 * 2 + 1));
        let rows: Vec<(u8, u8)> = plan.changes.iter().map(|c| (c.score_before, c.score_after)).collect();
        assert_eq!(rows, [(70, 72), (72, 67)]);
        assert_eq!(plan.state, TrustState { score: 67, clean_since: t(49) });
    }

    #[test]
    fn an_override_sets_the_score_and_names_the_owner() {
        let policy = TrustPolicy::default();
        let stored = TrustState { score: 40, clean_since: t(0) };
        let plan = override_plan(&policy, Some(stored), 80, "user:owner", "known traveller", t(2));
        assert_eq!(plan.state, TrustState { score: 80, clean_since: t(2) });
        assert_eq!(plan.changes[0].reason, "Set to 80 by owner: known traveller");
        assert_eq!((plan.changes[0].kind, plan.changes[0].actor.as_str()), (TrustChangeKind::Override, "user:owner"));
        assert_eq!(actor_name("api-key:ci"), "API key ci");
    }
}
