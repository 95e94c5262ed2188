//! What the engine returns: a `Violation` with a plain-language summary, the measured value against the
//! threshold, every session involved, and a condition key that groups repeats into one incident.
//! Also the number and duration formatting the summaries share.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

use super::context::{AddressClass, RuleSession};
use super::model::{Rule, RuleId, Severity};
use super::params::RuleType;
use crate::geo::LatLon;
use crate::ids::ServerId;

/// The unit of a measured value or threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Kmh,
    Km,
    Hours,
    Streams,
    Addresses,
    Devices,
    Transcodes,
    Days,
    Minutes,
}

impl Unit {
    /// The symbol or word written after a number.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Kmh => "km/h",
            Self::Km => "km",
            Self::Hours => "h",
            Self::Streams => "streams",
            Self::Addresses => "addresses",
            Self::Devices => "devices",
            Self::Transcodes => "transcodes",
            Self::Days => "days",
            Self::Minutes => "min",
        }
    }
}

/// A measured value or a threshold: a number with a unit, or a label (a country, a device, a resolution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Measure {
    Amount { value: f64, unit: Unit },
    Label { text: String },
}

impl Measure {
    #[must_use]
    pub fn amount(value: f64, unit: Unit) -> Self {
        Self::Amount { value, unit }
    }

    #[must_use]
    pub fn label(text: impl Into<String>) -> Self {
        Self::Label { text: text.into() }
    }
}

/// A further number behind a violation ("distance", "time_between").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub name: String,
    pub measure: Measure,
}

/// Where a session was placed, as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceEvidence {
    pub point: LatLon,
    pub accuracy_km: f64,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
}

/// One session involved in a violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEvidence {
    pub server_id: ServerId,
    pub session_key: String,
    pub play_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<IpAddr>,
    pub address_class: AddressClass,
    pub location: Option<PlaceEvidence>,
    pub country: Option<String>,
    pub asn: Option<u32>,
    pub asn_org: Option<String>,
    pub device_id: Option<String>,
    pub player: Option<String>,
    pub product: Option<String>,
    pub platform: Option<String>,
}

impl From<&RuleSession> for SessionEvidence {
    fn from(s: &RuleSession) -> Self {
        let loc = s.location.as_ref();
        Self {
            server_id: s.server_id,
            session_key: s.session_key.clone(),
            play_id: s.play_id.clone(),
            started_at: s.started_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            address_class: s.address_class,
            location: loc.map(|l| PlaceEvidence {
                point: l.point,
                accuracy_km: l.accuracy_km,
                city: l.city.clone(),
                region: l.region.clone(),
                country: l.country.clone(),
            }),
            country: s.country_code(),
            asn: loc.and_then(|l| l.asn),
            asn_org: loc.and_then(|l| l.asn_org.clone()),
            device_id: s.device_id.clone(),
            player: s.player.clone(),
            product: s.product.clone(),
            platform: s.platform.clone(),
        }
    }
}

/// The numbers and sessions behind a violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub measured: Measure,
    pub threshold: Measure,
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Every session involved, the judged one first.
    pub sessions: Vec<SessionEvidence>,
}

/// One rule matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub rule_id: RuleId,
    pub rule_name: String,
    pub kind: RuleType,
    pub severity: Severity,
    pub server_id: ServerId,
    pub user_id: String,
    /// The judged session's key; `None` for scheduled rules (account inactivity).
    pub session_key: Option<String>,
    /// One sentence for people, with the numbers.
    pub summary: String,
    pub evidence: Evidence,
    /// Equal for repeats of one condition (same rule, account and cause), so the backend can keep one
    /// incident open while the condition lasts instead of one alert per session.
    pub condition_key: String,
}

/// What a rule check found, before the rule's identity is attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub summary: String,
    pub measured: Measure,
    pub threshold: Measure,
    pub facts: Vec<Fact>,
    pub sessions: Vec<SessionEvidence>,
    /// What distinguishes this condition within the rule and account ("" when the account is enough).
    pub key_part: String,
}

impl Finding {
    pub(crate) fn into_violation(
        self,
        rule: &Rule,
        server_id: ServerId,
        user_id: &str,
        session_key: Option<&str>,
    ) -> Violation {
        let mut condition_key = format!("{}|{}|{}", rule.id, server_id, user_id);
        if !self.key_part.is_empty() {
            condition_key.push('|');
            condition_key.push_str(&self.key_part);
        }
        Violation {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            kind: rule.kind.rule_type(),
            severity: rule.severity,
            server_id,
            user_id: user_id.to_owned(),
            session_key: session_key.map(str::to_owned),
            summary: self.summary,
            evidence: Evidence {
                measured: self.measured,
                threshold: self.threshold,
                facts: self.facts,
                sessions: self.sessions,
            },
            condition_key,
        }
    }
}

pub(crate) fn fact(name: &str, value: f64, unit: Unit) -> Fact {
    Fact { name: name.to_owned(), measure: Measure::amount(value, unit) }
}

/// A whole number with thousands separators: 17000.4 → "17,000". Non-finite values read "∞".
#[must_use]
pub fn fmt_int(value: f64) -> String {
    if !value.is_finite() {
        return "∞".to_owned();
    }
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration as people say it: "45 min", "2 h", "2.5 h", "3 days".
#[must_use]
pub fn fmt_duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes().max(0);
    if minutes < 60 {
        return format!("{} min", minutes.max(if d > TimeDelta::zero() { 1 } else { 0 }));
    }
    if minutes < 48 * 60 {
        let tenths = (minutes * 10 + 30) / 60;
        return if tenths % 10 == 0 {
            format!("{} h", tenths / 10)
        } else {
            format!("{}.{} h", tenths / 10, tenths % 10)
        };
    }
    format!("{} days", minutes / (24 * 60))
}

/// How a session's place is named in summaries: the located place, else the country, else the address.
pub(crate) fn place_name(s: &RuleSession) -> String {
    if let Some(p) = s.location.as_ref().and_then(|l| l.place()) {
        return p.to_owned();
    }
    if let Some(c) = s.country_code() {
        return c;
    }
    s.ip.map_or_else(|| "an unknown place".to_owned(), |ip| ip.to_string())
}
