//! One rule's view of an evaluation context: the judged session and the account's other sessions,
//! de-duplicated, sorted, and without those from the rule's trusted (and household) networks. Also the
//! "where is this session" helpers shared by the distance rules.
//!
//! Building a view is the engine's main cost, so rules that trust no network share one view per
//! evaluation, and duplicates are found with a small open-addressing table instead of a tree of keys.

use super::context::{AddressClass, EvalContext, Location, RuleSession, UserSettings};
use super::model::Rule;
use super::net;
use crate::ids::ServerId;

/// What an evaluation knows about the account besides the judged session: the parts of an
/// [`EvalContext`], borrowed from it or from an [`super::AccountIndex`].
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub active: &'a [RuleSession],
    pub recent: &'a [RuleSession],
    pub known_devices: &'a [String],
    pub known_countries: &'a [String],
    pub settings: &'a UserSettings,
}

impl<'a> Parts<'a> {
    pub fn of(ctx: &'a EvalContext) -> Self {
        Self {
            active: &ctx.active,
            recent: &ctx.recent,
            known_devices: &ctx.known_devices,
            known_countries: &ctx.known_countries,
            settings: &ctx.settings,
        }
    }
}

pub(crate) struct View<'a> {
    pub ctx: Parts<'a>,
    pub current: &'a RuleSession,
    /// The account's other active sessions, sorted by start.
    pub active: Vec<&'a RuleSession>,
    /// Every other session known (recent and active), sorted by start.
    pub history: Vec<&'a RuleSession>,
}

pub(crate) type Key<'a> = (ServerId, &'a str);

pub(crate) fn key(s: &RuleSession) -> Key<'_> {
    (s.server_id, s.session_key.as_str())
}

pub(crate) fn sort_by_start(list: &mut [&RuleSession]) {
    // Keys are unique after de-duplication, so this order is total; input is usually sorted already,
    // which the stable sort handles in one pass.
    list.sort_by(|a, b| by_start(a, b));
}

/// The order of a view's lists: by start, then by key.
pub(crate) fn by_start(a: &RuleSession, b: &RuleSession) -> std::cmp::Ordering {
    a.started_at.cmp(&b.started_at).then_with(|| key(a).cmp(&key(b)))
}

/// An FxHash-style hash of a session's key: cheap, and collisions are resolved by comparing keys.
pub(crate) fn hash(s: &RuleSession) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let bytes = s.session_key.as_bytes();
    let mut h = mix(0, s.server_id.0.cast_unsigned());
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder().iter().enumerate().fold(0, |w, (i, b)| w | (u64::from(*b) << (8 * i)));
    mix(h, rest ^ ((bytes.len() as u64) << 56))
}

/// The newest sighting of each session, found through an open-addressing table of indices.
struct Sightings<'a> {
    /// `(sighting, hash, already listed as active)`.
    entries: Vec<(&'a RuleSession, u64, bool)>,
    /// Index + 1 into `entries`; 0 is empty.
    slots: Vec<u32>,
    shift: u32,
}

impl<'a> Sightings<'a> {
    fn with_capacity(n: usize) -> Self {
        let bits = (2 * n).max(8).next_power_of_two().trailing_zeros();
        Self { entries: Vec::with_capacity(n), slots: vec![0; 1 << bits], shift: 64 - bits }
    }

    /// The slot holding `s`'s key, or the empty slot where it belongs.
    fn slot(&self, s: &RuleSession, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => return i,
                n => {
                    let (e, eh, _) = self.entries[n as usize - 1];
                    if eh == h && key(e) == key(s) {
                        return i;
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Keeps `s` unless a newer sighting of its session is known; a later one wins a tie.
    fn add(&mut self, s: &'a RuleSession) {
        let h = hash(s);
        let i = self.slot(s, h);
        match self.slots[i] {
            0 => {
                self.entries.push((s, h, false));
                self.slots[i] = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
            }
            n => {
                let entry = &mut self.entries[n as usize - 1];
                if s.last_seen_at >= entry.0.last_seen_at {
                    entry.0 = s;
                }
            }
        }
    }

    /// The newest sighting of `s`'s session, the first time it is asked for.
    fn take_active(&mut self, s: &RuleSession) -> Option<&'a RuleSession> {
        match self.slots[self.slot(s, hash(s))] {
            0 => None,
            n => {
                let entry = &mut self.entries[n as usize - 1];
                (!entry.2).then(|| {
                    entry.2 = true;
                    entry.0
                })
            }
        }
    }
}

impl<'a> View<'a> {
    /// Whether the rule leaves some sessions out (trusted or household networks), so it needs a view of
    /// its own; the other rules share [`View::unfiltered`].
    pub fn filters(rule: &Rule, settings: &UserSettings) -> bool {
        !rule.exceptions.networks.is_empty()
            || (rule.exceptions.household_networks && !settings.household_networks.is_empty())
    }

    /// The view of a rule that trusts no network.
    pub fn unfiltered(ctx: Parts<'a>, current: &'a RuleSession) -> Self {
        Self::build(ctx, current, |_| false)
    }

    /// `None` when the judged session itself comes from a trusted network: the rule does not look at it.
    pub fn new(rule: &Rule, ctx: Parts<'a>, current: &'a RuleSession) -> Option<Self> {
        if !Self::filters(rule, ctx.settings) {
            return Some(Self::unfiltered(ctx, current));
        }
        let household = &ctx.settings.household_networks;
        let trusted = |s: &RuleSession| s.ip.is_some_and(|ip| rule.exceptions.trusts(ip, household));
        if trusted(current) {
            return None;
        }
        Some(Self::build(ctx, current, trusted))
    }

    fn build(ctx: Parts<'a>, current: &'a RuleSession, trusted: impl Fn(&RuleSession) -> bool) -> Self {
        let me = key(current);
        // The newest sighting of each session wins; the active list is the freshest source on a tie.
        let mut seen = Sightings::with_capacity(ctx.recent.len() + ctx.active.len());
        for s in ctx.recent.iter().chain(ctx.active) {
            if key(s) != me && !trusted(s) {
                seen.add(s);
            }
        }
        let mut active = Vec::new();
        for s in ctx.active {
            if s.is_active()
                && key(s) != me
                && let Some(newest) = seen.take_active(s)
                && newest.is_active()
            {
                active.push(newest);
            }
        }
        let mut history: Vec<&RuleSession> = seen.entries.iter().map(|e| e.0).collect();
        sort_by_start(&mut active);
        sort_by_start(&mut history);
        Self { ctx, current, active, history }
    }

    /// Whether a session of `history` is one of the other active sessions: the view holds one sighting per
    /// session, so the same reference.
    pub fn is_active(&self, s: &RuleSession) -> bool {
        self.active.iter().any(|a| std::ptr::eq(*a, s))
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

/// The session's country code as written (trimmed, not empty; compare ignoring ASCII case) when its
/// address is public: the same choice as [`RuleSession::country_code`], without allocating.
pub(crate) fn public_country(s: &RuleSession) -> Option<&str> {
    if s.address_class != AddressClass::Public || s.ip.is_some_and(|ip| !net::is_public(ip)) {
        return None;
    }
    s.country
        .as_deref()
        .or_else(|| s.location.as_ref().and_then(|l| l.country.as_deref()))
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// Whether the session's device key ([`RuleSession::device_key`]) is `device`, a key already trimmed and not
/// empty; trims only when the raw name is longer, which is rare.
pub(crate) fn is_device(s: &RuleSession, device: &str) -> bool {
    let Some(raw) = s.device_id.as_deref().or(s.player.as_deref()) else { return false };
    match raw.len().cmp(&device.len()) {
        // Ids of one account's devices often differ only at one end: look there before comparing all.
        std::cmp::Ordering::Equal => {
            raw.as_bytes().first() == device.as_bytes().first()
                && raw.as_bytes().last() == device.as_bytes().last()
                && raw == device
        }
        std::cmp::Ordering::Greater => raw.trim() == device,
        std::cmp::Ordering::Less => false,
    }
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
