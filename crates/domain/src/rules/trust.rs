//! The trust score of an account, as pure arithmetic: it starts at 100, drops by a configurable penalty per
//! incident according to its severity, recovers a configurable amount per whole incident-free day, stays
//! within 0..=100, and a manual override resets it at a point in time. Time is always a parameter.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::model::Severity;
use super::validate::{Problem, RuleError};

/// The highest (and default starting) score.
pub const MAX_SCORE: u8 = 100;

/// How incidents cost and time heals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustPolicy {
    /// The score of a new account. Default 100.
    pub start: u8,
    /// Penalty per incident of each severity. Defaults 5, 10, 20 and 40: Tracearr's low/warning/high
    /// penalties, plus critical at twice high.
    pub penalty_low: u8,
    pub penalty_medium: u8,
    pub penalty_high: u8,
    pub penalty_critical: u8,
    /// Points regained per whole day without an incident. Default 1: a high-severity incident heals in
    /// about three weeks.
    pub recovery_per_day: u8,
}

impl Default for TrustPolicy {
    fn default() -> Self {
        Self {
            start: MAX_SCORE,
            penalty_low: 5,
            penalty_medium: 10,
            penalty_high: 20,
            penalty_critical: 40,
            recovery_per_day: 1,
        }
    }
}

impl TrustPolicy {
    /// The penalty for one incident.
    #[must_use]
    pub fn penalty(&self, severity: Severity) -> u8 {
        match severity {
            Severity::Low => self.penalty_low,
            Severity::Medium => self.penalty_medium,
            Severity::High => self.penalty_high,
            Severity::Critical => self.penalty_critical,
        }
    }

    /// Every value must be within 0..=100.
    pub fn validate(&self) -> Result<(), RuleError> {
        let fields = [
            ("start", self.start),
            ("penalty_low", self.penalty_low),
            ("penalty_medium", self.penalty_medium),
            ("penalty_high", self.penalty_high),
            ("penalty_critical", self.penalty_critical),
            ("recovery_per_day", self.recovery_per_day),
        ];
        match fields.into_iter().find(|(_, v)| *v > MAX_SCORE) {
            Some((field, _)) => Err(RuleError { field, problem: Problem::TooLarge { max: u32::from(MAX_SCORE) } }),
            None => Ok(()),
        }
    }
}

/// An incident counted against an account (one per incident, not per violation row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustIncident {
    pub at: DateTime<Utc>,
    pub severity: Severity,
}

/// A score set by hand at a point in time; incidents before it no longer count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustOverride {
    pub at: DateTime<Utc>,
    pub score: u8,
}

/// How the UI colours a score: at least 80 good, at least 50 caution, else bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustBand {
    Good,
    Caution,
    Bad,
}

/// The band of a score.
#[must_use]
pub fn band(score: u8) -> TrustBand {
    match score {
        80.. => TrustBand::Good,
        50..=79 => TrustBand::Caution,
        _ => TrustBand::Bad,
    }
}

/// The score after one incident, never below 0.
#[must_use]
pub fn apply_incident(policy: &TrustPolicy, score: u8, severity: Severity) -> u8 {
    score.min(MAX_SCORE).saturating_sub(policy.penalty(severity))
}

/// The score after `days` whole incident-free days, never above 100.
#[must_use]
pub fn recover(policy: &TrustPolicy, score: u8, days: i64) -> u8 {
    let gained = i64::from(policy.recovery_per_day).saturating_mul(days.max(0));
    (i64::from(score.min(MAX_SCORE)).saturating_add(gained)).min(i64::from(MAX_SCORE)) as u8
}

fn whole_days(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).max(TimeDelta::zero()).num_days()
}

/// The score at `now`: from `policy.start` at `since` (when the account was first seen), or from the latest
/// manual override not after `now`, replaying the incidents after that point in time order. Each gap
/// between events recovers by its whole days. Incidents after `now` are ignored, so the result is the
/// same whatever order the incidents are given in.
#[must_use]
pub fn trust_score(
    policy: &TrustPolicy,
    since: DateTime<Utc>,
    incidents: &[TrustIncident],
    overrides: &[TrustOverride],
    now: DateTime<Utc>,
) -> u8 {
    let latest = overrides.iter().filter(|o| o.at <= now).max_by_key(|o| (o.at, o.score));
    let (mut last, mut score, after_override) = match latest {
        Some(o) => (o.at, o.score.min(MAX_SCORE), true),
        None => (since, policy.start.min(MAX_SCORE), false),
    };
    let mut events: Vec<&TrustIncident> =
        incidents.iter().filter(|i| i.at <= now && if after_override { i.at > last } else { i.at >= last }).collect();
    events.sort_by_key(|i| (i.at, i.severity));
    for incident in events {
        score = recover(policy, score, whole_days(last, incident.at));
        score = apply_incident(policy, score, incident.severity);
        last = incident.at;
    }
    recover(policy, score, whole_days(last, now))
}
