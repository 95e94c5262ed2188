//! Account rules: inactivity (scheduled: last activity against `now`), a device the account never used
//! before, and a country it never streamed from before. An account with no history yet has nothing to be
//! new against, so its first device and country never fire; a new device at a place the account already
//! streams from is the household's, and never fires either.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

use super::context::AccountActivity;
use super::evidence::{Finding, Measure, SessionEvidence, Unit};
use super::params::InactivityParams;
use super::view::{View, device_label, public_country, same_place};

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
    let known_devices = || v.ctx.known_devices.iter().map(|d| d.trim()).filter(|d| !d.is_empty());
    let used_before = || v.history.iter().filter(|s| s.started_at <= cur.started_at).filter_map(|s| s.device_key());
    // Most sessions come from a known device: answer that without building the set.
    let mut any = false;
    for d in known_devices().chain(used_before()) {
        if d == device {
            return None;
        }
        any = true;
    }
    // A new device where the account already streams (same address, /24, /64, or ASN + city) is the
    // household's new TV, not someone else.
    if !any || v.history.iter().any(|s| s.started_at <= cur.started_at && same_place(s, cur)) {
        return None;
    }
    let known: BTreeSet<&str> = known_devices().chain(used_before()).collect();
    Some(Finding {
        summary: format!("one account streamed from a device it never used before: {}", device_label(cur)),
        measured: Measure::label(device),
        threshold: Measure::label(format!("{} known devices", known.len())),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: format!("device:{device}"),
    })
}

pub(crate) fn new_country(v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    let country = public_country(cur)?;
    let known_countries = || v.ctx.known_countries.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let streamed_before =
        || v.history.iter().filter(|s| s.started_at <= cur.started_at).filter_map(|s| public_country(s));
    let mut any = false;
    for c in known_countries().chain(streamed_before()) {
        if c.eq_ignore_ascii_case(country) {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    let country = country.to_ascii_uppercase();
    let known: BTreeSet<String> = known_countries().chain(streamed_before()).map(str::to_ascii_uppercase).collect();
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
