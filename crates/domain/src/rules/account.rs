//! Account rules: inactivity (scheduled: last activity against `now`), a device the account never used
//! before, and a country it never streamed from before. An account with no history yet has nothing to be
//! new against, so its first device and country never fire.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

use super::context::{AccountActivity, AddressClass, RuleSession};
use super::evidence::{Finding, Measure, SessionEvidence, Unit};
use super::params::InactivityParams;
use super::view::{View, device_label};

pub(crate) fn inactivity(p: &InactivityParams, a: &AccountActivity, now: DateTime<Utc>) -> Option<Finding> {
    let (since, never) = match (a.last_activity_at, a.first_seen_at) {
        (Some(t), _) => (t, false),
        (None, Some(t)) => (t, true),
        (None, None) => return None,
    };
    let days = (now - since).num_days();
    if days < i64::from(p.max_inactive_days) {
        return None;
    }
    let summary = if never {
        format!(
            "this account has never streamed since it was first seen {days} days ago: {days} ≥ {} days",
            p.max_inactive_days
        )
    } else {
        format!("this account has not streamed for {days} days: {days} ≥ {} days", p.max_inactive_days)
    };
    Some(Finding {
        summary,
        measured: Measure::amount(days as f64, Unit::Days),
        threshold: Measure::amount(f64::from(p.max_inactive_days), Unit::Days),
        facts: Vec::new(),
        sessions: Vec::new(),
        key_part: String::new(),
    })
}

pub(crate) fn new_device(v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    let device = cur.device_key()?;
    let mut known: BTreeSet<&str> = v.ctx.known_devices.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).collect();
    known.extend(v.history.iter().filter(|s| s.started_at <= cur.started_at).filter_map(|s| s.device_key()));
    if known.is_empty() || known.contains(device) {
        return None;
    }
    Some(Finding {
        summary: format!("one account streamed from a device it never used before: {}", device_label(cur)),
        measured: Measure::label(device),
        threshold: Measure::label(format!("{} known devices", known.len())),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: format!("device:{device}"),
    })
}

fn public_country(s: &RuleSession) -> Option<String> {
    if s.address_class != AddressClass::Public || s.ip.is_some_and(|ip| !super::net::is_public(ip)) {
        return None;
    }
    s.country_code()
}

pub(crate) fn new_country(v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    let country = public_country(cur)?;
    let mut known: BTreeSet<String> =
        v.ctx.known_countries.iter().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect();
    known.extend(v.history.iter().filter(|s| s.started_at <= cur.started_at).filter_map(|s| public_country(s)));
    if known.is_empty() || known.contains(&country) {
        return None;
    }
    let list: Vec<&str> = known.iter().map(String::as_str).collect();
    Some(Finding {
        summary: format!(
            "one account streamed from a country it never streamed from before: {country} (known: {})",
            list.join(", ")
        ),
        measured: Measure::label(country.clone()),
        threshold: Measure::label(format!("known: {}", list.join(", "))),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: format!("country:{country}"),
    })
}
