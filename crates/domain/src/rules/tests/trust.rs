//! Trust-score arithmetic: penalties, recovery, clamping, overrides and order independence.

use super::*;
use crate::rules::trust::*;

const DAY: i64 = 24 * 60;

fn incident(day: i64, severity: Severity) -> TrustIncident {
    TrustIncident { at: t(day * DAY), severity }
}

#[test]
fn a_new_account_scores_the_start_value() {
    let p = TrustPolicy::default();
    assert_eq!(trust_score(&p, t(0), &[], &[], t(0)), 100);
    assert_eq!(trust_score(&p, t(0), &[], &[], t(365 * DAY)), 100);
    let custom = TrustPolicy { start: 70, ..p };
    assert_eq!(trust_score(&custom, t(0), &[], &[], t(0)), 70);
}

#[test]
fn each_severity_costs_its_penalty() {
    let p = TrustPolicy::default();
    let cases = [(Severity::Low, 95), (Severity::Medium, 90), (Severity::High, 80), (Severity::Critical, 60)];
    for (severity, want) in cases {
        assert_eq!(trust_score(&p, t(0), &[incident(1, severity)], &[], t(DAY + 60)), want, "{severity:?}");
    }
}

#[test]
fn whole_incident_free_days_recover_and_the_score_never_exceeds_100() {
    let p = TrustPolicy::default();
    let hits = [incident(0, Severity::High)];
    assert_eq!(trust_score(&p, t(0), &hits, &[], t(DAY - 1)), 80);
    assert_eq!(trust_score(&p, t(0), &hits, &[], t(5 * DAY)), 85);
    assert_eq!(trust_score(&p, t(0), &hits, &[], t(400 * DAY)), 100);
    let fast = TrustPolicy { recovery_per_day: 10, ..p };
    assert_eq!(trust_score(&fast, t(0), &hits, &[], t(DAY)), 90);
    let none = TrustPolicy { recovery_per_day: 0, ..p };
    assert_eq!(trust_score(&none, t(0), &hits, &[], t(400 * DAY)), 80);
}

#[test]
fn recovery_counts_only_days_between_incidents() {
    let p = TrustPolicy::default();
    // 100 → 80 (day 0) → +3 → 83 → 63 (day 3) → +2 at day 5.
    let hits = [incident(0, Severity::High), incident(3, Severity::High)];
    assert_eq!(trust_score(&p, t(0), &hits, &[], t(5 * DAY)), 65);
}

#[test]
fn the_score_never_drops_below_zero() {
    let p = TrustPolicy::default();
    let hits: Vec<TrustIncident> = (0..10).map(|_| incident(0, Severity::Critical)).collect();
    assert_eq!(trust_score(&p, t(0), &hits, &[], t(0)), 0);
    assert_eq!(apply_incident(&p, 3, Severity::Low), 0);
    assert_eq!(recover(&p, 99, 5), 100);
    assert_eq!(recover(&p, 50, -5), 50);
}

#[test]
fn a_manual_override_resets_the_score_and_forgets_earlier_incidents() {
    let p = TrustPolicy::default();
    let hits = [incident(0, Severity::Critical), incident(1, Severity::Critical), incident(10, Severity::Low)];
    let overrides = [TrustOverride { at: t(5 * DAY), score: 50 }, TrustOverride { at: t(2 * DAY), score: 10 }];
    // Latest override (50 at day 5) + 5 days recovery − 5 (day 10) + 2 days.
    assert_eq!(trust_score(&p, t(0), &hits, &overrides, t(12 * DAY)), 52);
    // An override in the future is not applied yet.
    let future = [TrustOverride { at: t(100 * DAY), score: 100 }];
    assert_eq!(trust_score(&p, t(0), &hits[..2], &future, t(DAY)), 21);
}

#[test]
fn incident_order_does_not_matter_and_future_incidents_are_ignored() {
    let p = TrustPolicy::default();
    let a = [incident(1, Severity::Low), incident(4, Severity::High), incident(2, Severity::Medium)];
    let mut b = a;
    b.reverse();
    assert_eq!(trust_score(&p, t(0), &a, &[], t(6 * DAY)), trust_score(&p, t(0), &b, &[], t(6 * DAY)));
    let with_future = [incident(1, Severity::Low), incident(30, Severity::Critical)];
    assert_eq!(trust_score(&p, t(0), &with_future, &[], t(2 * DAY)), 96);
}

#[test]
fn policies_and_bands_are_checked() {
    assert_eq!(TrustPolicy::default().validate(), Ok(()));
    let bad = TrustPolicy { penalty_high: 101, ..TrustPolicy::default() };
    assert_eq!(bad.validate().map_err(|e| (e.field, e.code())), Err(("penalty_high", "too_large")));
    assert_eq!(
        (band(100), band(80), band(79), band(50), band(49)),
        (TrustBand::Good, TrustBand::Good, TrustBand::Caution, TrustBand::Caution, TrustBand::Bad)
    );
}
