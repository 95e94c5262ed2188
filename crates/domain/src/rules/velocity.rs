//! Device velocity: flags an account that used more distinct addresses (IPv6 counted per /64) or devices
//! than `max_distinct` within the window ending now. Only public addresses count: LAN, CGNAT and relay
//! addresses are not the viewer's location.

use chrono::TimeDelta;
use std::net::IpAddr;

use super::context::{AddressClass, RuleSession};
use super::evidence::{Finding, Measure, SessionEvidence, Unit, fmt_int};
use super::net;
use super::params::{VelocityCount, VelocityParams};
use super::view::View;

/// What is counted: an address key ([`net::velocity_key`] as one integer, equal exactly when the labels
/// people read are equal) or a device key. Compared without formatting, so a session that does not fire
/// costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Counted<'a> {
    Ip(u128),
    Device(&'a str),
}

/// [`net::velocity_key`] as one integer: an IPv4 address in the low bits with bit 32 set, or an IPv6 /64
/// in the high bits, never equal to each other.
pub(crate) fn ip_code(ip: IpAddr) -> u128 {
    match net::canonical(ip) {
        IpAddr::V4(v4) => u128::from(u32::from(v4)) | (1 << 32),
        IpAddr::V6(v6) => u128::from(v6) & !u128::from(u64::MAX),
    }
}

pub(crate) fn counted_key(count: VelocityCount, s: &RuleSession) -> Option<Counted<'_>> {
    match count {
        VelocityCount::Ips => {
            let ip = s.ip?;
            (s.address_class == AddressClass::Public && net::is_public(ip)).then(|| Counted::Ip(ip_code(ip)))
        }
        VelocityCount::Devices => s.device_key().map(Counted::Device),
    }
}

pub(crate) fn check(p: &VelocityParams, v: &View<'_>, now: chrono::DateTime<chrono::Utc>) -> Option<Finding> {
    // The judged session must itself count, or it did not cause the condition.
    counted_key(p.count, v.current)?;
    let since = now - TimeDelta::hours(i64::from(p.window_hours));
    let sessions = || std::iter::once(v.current).chain(v.history.iter().copied().filter(|s| s.last_seen_at >= since));
    // The distinct keys. Accounts have few, so a short list scanned in order beats a tree (and a binary
    // search, whose branches mispredict); past 16 keys the list is kept sorted and searched.
    let mut keys: Vec<Counted<'_>> = Vec::new();
    for s in sessions() {
        let Some(k) = counted_key(p.count, s) else { continue };
        if keys.len() < 16 {
            if !keys.contains(&k) {
                keys.push(k);
                if keys.len() == 16 {
                    keys.sort_unstable();
                }
            }
        } else if let Err(i) = keys.binary_search(&k) {
            keys.insert(i, k);
        }
    }
    let n = keys.len();
    if n as u64 <= u64::from(p.max_distinct) {
        return None;
    }
    let involved: Vec<SessionEvidence> =
        sessions().filter(|s| counted_key(p.count, s).is_some()).map(SessionEvidence::from).collect();
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
