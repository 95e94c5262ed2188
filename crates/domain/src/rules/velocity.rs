//! Device velocity: flags an account that used more distinct addresses (IPv6 counted per /64) or devices
//! than `max_distinct` within the window ending now. Only public addresses count: LAN, CGNAT and relay
//! addresses are not the viewer's location.

use chrono::TimeDelta;
use std::collections::BTreeSet;

use super::context::{AddressClass, RuleSession};
use super::evidence::{Finding, Measure, SessionEvidence, Unit, fmt_int};
use super::net;
use super::params::{VelocityCount, VelocityParams};
use super::view::View;

fn counted_key(count: VelocityCount, s: &RuleSession) -> Option<String> {
    match count {
        VelocityCount::Ips => {
            s.ip.filter(|ip| s.address_class == AddressClass::Public && net::is_public(*ip)).map(net::velocity_label)
        }
        VelocityCount::Devices => s.device_key().map(str::to_owned),
    }
}

pub(crate) fn check(p: &VelocityParams, v: &View<'_>, now: chrono::DateTime<chrono::Utc>) -> Option<Finding> {
    let since = now - TimeDelta::hours(i64::from(p.window_hours));
    let in_window = |s: &&RuleSession| s.last_seen_at >= since;
    let sessions: Vec<&RuleSession> =
        std::iter::once(v.current).chain(v.history.iter().copied().filter(in_window)).collect();
    let mut keys = BTreeSet::new();
    let mut involved = Vec::new();
    for s in sessions {
        if let Some(k) = counted_key(p.count, s) {
            keys.insert(k);
            involved.push(SessionEvidence::from(s));
        }
    }
    // The judged session must itself count, or it did not cause the condition.
    counted_key(p.count, v.current)?;
    let n = keys.len();
    if n as u64 <= u64::from(p.max_distinct) {
        return None;
    }
    let (what, unit) = match p.count {
        VelocityCount::Ips => ("addresses", Unit::Addresses),
        VelocityCount::Devices => ("devices", Unit::Devices),
    };
    let summary = format!(
        "one account used {n} different {what} within {} h: {n} > {}",
        p.window_hours,
        fmt_int(f64::from(p.max_distinct)),
    );
    Some(Finding {
        summary,
        measured: Measure::amount(n as f64, unit),
        threshold: Measure::amount(f64::from(p.max_distinct), unit),
        facts: vec![super::evidence::fact("window_hours", f64::from(p.window_hours), Unit::Hours)],
        sessions: involved,
        key_part: String::new(),
    })
}
