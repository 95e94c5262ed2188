//! One rule's view of an evaluation context: the judged session and the account's other sessions,
//! de-duplicated, sorted, and without those from the rule's trusted (and household) networks. Also the
//! "where is this session" helpers shared by the distance rules.

use std::collections::BTreeMap;

use super::context::{AddressClass, EvalContext, Location, RuleSession};
use super::model::Rule;
use super::net;
use crate::ids::ServerId;

pub(crate) struct View<'a> {
    pub ctx: &'a EvalContext,
    pub current: &'a RuleSession,
    /// The account's other active sessions, sorted by start.
    pub active: Vec<&'a RuleSession>,
    /// Every other session known (recent and active), sorted by start.
    pub history: Vec<&'a RuleSession>,
}

type Key<'a> = (ServerId, &'a str);

fn key(s: &RuleSession) -> Key<'_> {
    (s.server_id, s.session_key.as_str())
}

fn sort_by_start(list: &mut [&RuleSession]) {
    list.sort_by(|a, b| a.started_at.cmp(&b.started_at).then_with(|| key(a).cmp(&key(b))));
}

impl<'a> View<'a> {
    /// `None` when the judged session itself comes from a trusted network: the rule does not look at it.
    pub fn new(rule: &Rule, ctx: &'a EvalContext) -> Option<Self> {
        let household = &ctx.settings.household_networks;
        let trusted = |s: &RuleSession| s.ip.is_some_and(|ip| rule.exceptions.trusts(ip, household));
        let current = &ctx.session;
        if trusted(current) {
            return None;
        }
        let me = key(current);
        // The newest sighting of each session wins; the active list is the freshest source on a tie.
        let mut by_key: BTreeMap<Key<'a>, &'a RuleSession> = BTreeMap::new();
        for s in ctx.recent.iter().chain(&ctx.active) {
            if key(s) == me || trusted(s) {
                continue;
            }
            let entry = by_key.entry(key(s)).or_insert(s);
            if s.last_seen_at >= entry.last_seen_at {
                *entry = s;
            }
        }
        let active_keys: Vec<Key<'a>> =
            ctx.active.iter().filter(|s| s.is_active()).map(key).filter(|k| *k != me).collect();
        let mut active: Vec<&RuleSession> =
            by_key.iter().filter(|(k, s)| active_keys.contains(k) && s.is_active()).map(|(_, s)| *s).collect();
        let mut history: Vec<&RuleSession> = by_key.into_values().collect();
        sort_by_start(&mut active);
        sort_by_start(&mut history);
        Some(Self { ctx, current, active, history })
    }
}

/// The session's location when it may be used for distances: a public address with valid coordinates
/// and a finite accuracy radius.
pub(crate) fn located(s: &RuleSession) -> Option<&Location> {
    if s.address_class != AddressClass::Public || s.ip.is_some_and(|ip| !net::is_public(ip)) {
        return None;
    }
    s.location.as_ref().filter(|l| l.point.is_valid() && l.accuracy_km.is_finite())
}

/// Same address, same IPv4 /24 or IPv6 /64, or same ASN and city: the same place, whatever GeoIP says.
pub(crate) fn same_place(a: &RuleSession, b: &RuleSession) -> bool {
    if let (Some(x), Some(y)) = (a.ip, b.ip)
        && net::same_prefix(x, y)
    {
        return true;
    }
    match (a.location.as_ref(), b.location.as_ref()) {
        (Some(la), Some(lb)) => match (la.asn, lb.asn, la.city.as_deref(), lb.city.as_deref()) {
            (Some(x), Some(y), Some(ca), Some(cb)) => x == y && ca.trim().eq_ignore_ascii_case(cb.trim()),
            _ => false,
        },
        _ => false,
    }
}

/// Both sessions name the same device.
pub(crate) fn same_device(a: &RuleSession, b: &RuleSession) -> bool {
    matches!((a.device_key(), b.device_key()), (Some(x), Some(y)) if x == y)
}

/// The label of a session's device in summaries.
pub(crate) fn device_label(s: &RuleSession) -> String {
    let name = s.player.as_deref().or(s.device_id.as_deref()).unwrap_or("an unnamed device");
    match (s.product.as_deref(), s.platform.as_deref()) {
        (Some(p), Some(os)) => format!("\"{name}\" ({p}, {os})"),
        (Some(x), None) | (None, Some(x)) => format!("\"{name}\" ({x})"),
        (None, None) => format!("\"{name}\""),
    }
}
