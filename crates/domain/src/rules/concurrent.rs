//! Concurrent streams: flags an account playing more streams at once than its limit (the account's own
//! override, else the rule's). Optionally streams from one address (IPv6: one /64) or one household network
//! count once, and paused streams count or not. Two sessions of one device count once (a reconnect leaves
//! a stale twin behind).

use std::collections::BTreeSet;

use super::context::RuleSession;
use super::evidence::{Finding, Measure, SessionEvidence, Unit};
use super::net;
use super::params::ConcurrentParams;
use super::view::View;
use crate::media::PlaybackState;

fn counts(p: &ConcurrentParams, s: &RuleSession) -> bool {
    match s.state {
        PlaybackState::Playing | PlaybackState::Buffering => true,
        PlaybackState::Paused => p.count_paused,
        PlaybackState::Stopped => false,
    }
}

fn stream_key(p: &ConcurrentParams, v: &View<'_>, s: &RuleSession) -> String {
    if p.group_by_network
        && let Some(ip) = s.ip
    {
        let household = &v.ctx.settings.household_networks;
        if let Some(i) = household.iter().position(|n| n.contains(&ip)) {
            return format!("household:{i}");
        }
        return format!("network:{}", net::velocity_label(ip));
    }
    match s.device_key() {
        Some(d) => format!("device:{d}"),
        None => format!("session:{}:{}", s.server_id, s.session_key),
    }
}

pub(crate) fn check(p: &ConcurrentParams, v: &View<'_>) -> Option<Finding> {
    if !counts(p, v.current) {
        return None;
    }
    let streams: Vec<&RuleSession> =
        std::iter::once(v.current).chain(v.active.iter().copied().filter(|s| counts(p, s))).collect();
    let keys: BTreeSet<String> = streams.iter().map(|s| stream_key(p, v, s)).collect();
    let n = keys.len() as u32;
    let limit = v.ctx.settings.max_streams.unwrap_or(p.max_streams);
    if n <= limit {
        return None;
    }
    let grouped = if (n as usize) < streams.len() {
        format!(" ({} sessions; streams from one network or device count once)", streams.len())
    } else {
        String::new()
    };
    let own = if v.ctx.settings.max_streams.is_some() { "this account's limit " } else { "" };
    let summary = format!("one account is playing {n} streams at once{grouped}: {n} > {own}{limit}");
    Some(Finding {
        summary,
        measured: Measure::amount(f64::from(n), Unit::Streams),
        threshold: Measure::amount(f64::from(limit), Unit::Streams),
        facts: Vec::new(),
        sessions: streams.into_iter().map(SessionEvidence::from).collect(),
        key_part: String::new(),
    })
}
