//! Concurrent streams: flags an account playing more streams at once than its limit (the account's own
//! override, else the rule's). Optionally streams from one address (IPv6: one /64) or one household network
//! count once, and paused streams count or not. Two sessions of one device count once (a reconnect leaves
//! a stale twin behind).

use std::net::IpAddr;

use super::context::RuleSession;
use super::evidence::{Finding, Measure, SessionEvidence, Unit};
use super::net;
use super::params::ConcurrentParams;
use super::view::View;
use crate::ids::ServerId;
use crate::media::PlaybackState;

fn counts(p: &ConcurrentParams, s: &RuleSession) -> bool {
    counts_state(p, s.state)
}

/// Whether a stream in this state counts against the limit.
pub(crate) fn counts_state(p: &ConcurrentParams, state: PlaybackState) -> bool {
    match state {
        PlaybackState::Playing | PlaybackState::Buffering => true,
        PlaybackState::Paused => p.count_paused,
        PlaybackState::Stopped => false,
    }
}

/// What makes two sessions one stream: a household network, an address (IPv6: its /64), a device, or
/// else the session itself.
#[derive(PartialEq, Eq)]
enum StreamKey<'a> {
    Household(usize),
    Network(IpAddr),
    Device(&'a str),
    Session(ServerId, &'a str),
}

fn stream_key<'a>(p: &ConcurrentParams, v: &View<'_>, s: &'a RuleSession) -> StreamKey<'a> {
    if p.group_by_network
        && let Some(ip) = s.ip
    {
        let household = &v.ctx.settings.household_networks;
        if let Some(i) = household.iter().position(|n| n.contains(&ip)) {
            return StreamKey::Household(i);
        }
        return StreamKey::Network(net::velocity_key(ip));
    }
    match s.device_key() {
        Some(d) => StreamKey::Device(d),
        None => StreamKey::Session(s.server_id, &s.session_key),
    }
}

pub(crate) fn check(p: &ConcurrentParams, v: &View<'_>) -> Option<Finding> {
    if !counts(p, v.current) {
        return None;
    }
    let streams = || std::iter::once(v.current).chain(v.active.iter().copied().filter(|s| counts(p, s)));
    let mut keys: Vec<StreamKey<'_>> = Vec::new();
    for s in streams() {
        let k = stream_key(p, v, s);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let n = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    let limit = v.ctx.settings.max_streams.unwrap_or(p.max_streams);
    if n <= limit {
        return None;
    }
    let streams: Vec<&RuleSession> = streams().collect();
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
