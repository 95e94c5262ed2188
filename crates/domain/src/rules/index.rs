//! `AccountIndex`: one account's sessions (the parts of an [`EvalContext`] besides the judged session) kept
//! with a digest of what the rules ask of them, so [`super::evaluate_indexed`] answers most rules without
//! scanning the history: the newest sighting of each session, the active ones, the located sessions no
//! longer streaming ordered latest first (impossible travel), and per device, country and public address
//! the earliest start and latest sighting (new device, new country, device velocity).
//!
//! The sessions are kept as given, every sighting of them, so a rule the digest cannot answer (one that
//! trusts networks, or one that fires and needs its evidence) is judged by the usual scan over the same
//! data. The digest is rebuilt when the sessions change; it is a pure function of them.

use chrono::{DateTime, Utc};

use super::context::{EvalContext, RuleSession, UserSettings};
use super::params::VelocityCount;
use super::travel;
use super::velocity::{Counted, counted_key};
use super::view::{Parts, hash, key, located, public_country, sort_by_start};
use crate::ids::ServerId;

/// One account's sessions and the digest of them. Equivalent, for [`super::evaluate_indexed`], to the
/// [`EvalContext`] with the same `active`, `recent`, known devices and countries, and settings
/// ([`AccountIndex::context`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountIndex {
    active: Vec<RuleSession>,
    recent: Vec<RuleSession>,
    known_devices: Vec<String>,
    known_countries: Vec<String>,
    settings: UserSettings,
    pub(crate) digest: Digest,
}

/// A sighting: an index into `recent`, or into `active` with the top bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sighting(u32);

const ACTIVE_BIT: u32 = 1 << 31;

/// One session (server, session key) of the account: its newest sighting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub hash: u64,
    pub newest: Sighting,
    /// Some sighting in the active list is playing or paused.
    pub listed_active: bool,
}

/// The two extreme values of a time among the entries (earliest or latest), so the extreme without any
/// one entry (the judged session's) is known too.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Top2 {
    best: Option<(DateTime<Utc>, u32)>,
    next: Option<(DateTime<Utc>, u32)>,
}

impl Top2 {
    fn push(&mut self, at: DateTime<Utc>, entry: u32, better: impl Fn(DateTime<Utc>, DateTime<Utc>) -> bool) {
        match self.best {
            Some((b, _)) if !better(at, b) => {
                if self.next.is_none_or(|(n, _)| better(at, n)) {
                    self.next = Some((at, entry));
                }
            }
            _ => {
                self.next = self.best;
                self.best = Some((at, entry));
            }
        }
    }

    fn push_min(&mut self, at: DateTime<Utc>, entry: u32) {
        self.push(at, entry, |a, b| a < b);
    }

    fn push_max(&mut self, at: DateTime<Utc>, entry: u32) {
        self.push(at, entry, |a, b| a > b);
    }

    /// The extreme time among the entries other than `skip`.
    pub fn without(&self, skip: Option<u32>) -> Option<DateTime<Utc>> {
        match self.best {
            Some((_, e)) if Some(e) == skip => self.next.map(|n| n.0),
            best => best.map(|b| b.0),
        }
    }
}

/// What the account's sessions say about one device key, country or public address.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tally {
    /// The device key (trimmed) or the country code (trimmed, upper case); empty for addresses.
    pub name: Box<str>,
    /// The velocity key of an address ([`super::velocity::ip_code`]).
    pub code: u128,
    /// Listed in the known devices or countries.
    pub known: bool,
    /// The earliest starts.
    pub first: Top2,
    /// The latest sightings.
    pub last: Top2,
}

impl Tally {
    fn new(name: Box<str>, code: u128) -> Self {
        Self { name, code, known: false, first: Top2::default(), last: Top2::default() }
    }
}

/// A located session that is no longer streaming: what impossible travel compares with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub started_at: DateTime<Utc>,
    /// Index into `devices`, or `NO_DEVICE`.
    pub device: u32,
    pub entry: u32,
}

pub(crate) const NO_DEVICE: u32 = u32::MAX;

/// The facts derived from the sessions.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Digest {
    pub entries: Vec<Entry>,
    /// Index + 1 into `entries`; 0 is empty.
    slots: Vec<u32>,
    shift: u32,
    /// The entries that are active sessions, sorted by start.
    pub active: Vec<u32>,
    /// Located entries that are not active, latest first ([`travel::recency`]).
    pub travel: Vec<Candidate>,
    pub devices: Vec<Tally>,
    pub countries: Vec<Tally>,
    pub addresses: Vec<Tally>,
}

impl AccountIndex {
    /// The index of an account's sessions: `active` and `recent` as in [`EvalContext`].
    #[must_use]
    pub fn new(
        active: Vec<RuleSession>,
        recent: Vec<RuleSession>,
        known_devices: Vec<String>,
        known_countries: Vec<String>,
        settings: UserSettings,
    ) -> Self {
        let mut index =
            Self { active, recent, known_devices, known_countries, settings, digest: Digest::default() };
        index.rebuild();
        index
    }

    /// The index of a context's account, and the judged session.
    #[must_use]
    pub fn from_context(ctx: EvalContext) -> (RuleSession, Self) {
        let index = Self::new(ctx.active, ctx.recent, ctx.known_devices, ctx.known_countries, ctx.settings);
        (ctx.session, index)
    }

    /// The equivalent evaluation context for judging `session`.
    #[must_use]
    pub fn context(&self, session: RuleSession) -> EvalContext {
        EvalContext {
            session,
            active: self.active.clone(),
            recent: self.recent.clone(),
            known_devices: self.known_devices.clone(),
            known_countries: self.known_countries.clone(),
            settings: self.settings.clone(),
        }
    }

    /// The account's active sessions as given.
    #[must_use]
    pub fn active(&self) -> &[RuleSession] {
        &self.active
    }

    /// The account's recent sessions as given.
    #[must_use]
    pub fn recent(&self) -> &[RuleSession] {
        &self.recent
    }

    #[must_use]
    pub fn settings(&self) -> &UserSettings {
        &self.settings
    }

    /// Adds a sighting to the recent sessions (a play seen or stopped), as pushing it onto
    /// [`EvalContext::recent`].
    pub fn push_recent(&mut self, s: RuleSession) {
        self.recent.push(s);
        self.rebuild();
    }

    /// Adds a sighting to the active sessions, as pushing it onto [`EvalContext::active`].
    pub fn push_active(&mut self, s: RuleSession) {
        self.active.push(s);
        self.rebuild();
    }

    /// A stream ended: drops its sightings from the active sessions. Returns whether there were any.
    pub fn remove_active(&mut self, server_id: ServerId, session_key: &str) -> bool {
        let before = self.active.len();
        self.active.retain(|s| key(s) != (server_id, session_key));
        let removed = self.active.len() != before;
        if removed {
            self.rebuild();
        }
        removed
    }

    /// Drops the recent sightings last seen before `before` (older than the longest rule window).
    pub fn prune_recent(&mut self, before: DateTime<Utc>) {
        let n = self.recent.len();
        self.recent.retain(|s| s.last_seen_at >= before);
        if self.recent.len() != n {
            self.rebuild();
        }
    }

    /// Replaces the known devices and countries and the account's settings.
    pub fn set_account(&mut self, known_devices: Vec<String>, known_countries: Vec<String>, settings: UserSettings) {
        self.known_devices = known_devices;
        self.known_countries = known_countries;
        self.settings = settings;
        self.rebuild();
    }

    pub(crate) fn parts(&self) -> Parts<'_> {
        Parts {
            active: &self.active,
            recent: &self.recent,
            known_devices: &self.known_devices,
            known_countries: &self.known_countries,
            settings: &self.settings,
        }
    }

    pub(crate) fn get(&self, s: Sighting) -> &RuleSession {
        if s.0 & ACTIVE_BIT == 0 { &self.recent[s.0 as usize] } else { &self.active[(s.0 & !ACTIVE_BIT) as usize] }
    }

    /// The newest sighting of an entry.
    pub(crate) fn session(&self, entry: u32) -> &RuleSession {
        self.get(self.digest.entries[entry as usize].newest)
    }

    /// The entry of `s`'s session (server, session key), if the account has it.
    pub(crate) fn find(&self, s: &RuleSession) -> Option<u32> {
        let d = &self.digest;
        let h = hash(s);
        let i = self.slot(h, s)?;
        (d.slots[i] != 0).then(|| d.slots[i] - 1)
    }

    /// The slot holding `s`'s key, or the empty slot where it belongs; `None` when the table is empty.
    fn slot(&self, h: u64, s: &RuleSession) -> Option<usize> {
        let d = &self.digest;
        if d.slots.is_empty() {
            return None;
        }
        let mask = d.slots.len() - 1;
        let mut i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> d.shift) as usize;
        loop {
            match d.slots[i] {
                0 => return Some(i),
                n => {
                    let e = &d.entries[n as usize - 1];
                    if e.hash == h && key(self.get(e.newest)) == key(s) {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn rebuild(&mut self) {
        let n = self.recent.len() + self.active.len();
        let bits = (2 * n).max(8).next_power_of_two().trailing_zeros();
        self.digest = Digest { slots: vec![0; 1 << bits], shift: 64 - bits, ..Digest::default() };
        let sightings = (0..self.recent.len())
            .map(|i| Sighting(u32::try_from(i).unwrap_or(u32::MAX)))
            .chain((0..self.active.len()).map(|i| Sighting(u32::try_from(i).unwrap_or(0) | ACTIVE_BIT)));
        for sighting in sightings.collect::<Vec<_>>() {
            self.add(sighting);
        }
        self.derive();
    }

    /// Keeps a sighting unless a newer one of its session is known; a later one wins a tie (as in the view).
    fn add(&mut self, sighting: Sighting) {
        let s = self.get(sighting);
        let listed_active = sighting.0 & ACTIVE_BIT != 0 && s.is_active();
        let seen = s.last_seen_at;
        let h = hash(s);
        let Some(i) = self.slot(h, s) else { return };
        match self.digest.slots[i] {
            0 => {
                let d = &mut self.digest;
                d.entries.push(Entry { hash: h, newest: sighting, listed_active });
                d.slots[i] = u32::try_from(d.entries.len()).unwrap_or(u32::MAX);
            }
            n => {
                let e = n as usize - 1;
                let newer = seen >= self.get(self.digest.entries[e].newest).last_seen_at;
                let entry = &mut self.digest.entries[e];
                if newer {
                    entry.newest = sighting;
                }
                entry.listed_active |= listed_active;
            }
        }
    }

    /// The facts rules ask for, from the entries.
    fn derive(&mut self) {
        let n = self.digest.entries.len();
        let mut active: Vec<u32> = Vec::new();
        let mut travel: Vec<u32> = Vec::new();
        let mut devices: Vec<Tally> = Vec::new();
        let mut countries: Vec<Tally> = Vec::new();
        let mut addresses: Vec<Tally> = Vec::new();
        let mut device_of = vec![NO_DEVICE; n];
        for (i, e) in self.digest.entries.iter().enumerate() {
            let id = u32::try_from(i).unwrap_or(u32::MAX);
            let s = self.get(e.newest);
            let is_active = e.listed_active && s.is_active();
            if is_active {
                active.push(id);
            } else if located(s).is_some() {
                travel.push(id);
            }
            if let Some(d) = s.device_key() {
                let t = intern(&mut devices, |t| &*t.name == d, || Tally::new(d.into(), 0));
                device_of[i] = t;
                let t = &mut devices[t as usize];
                t.first.push_min(s.started_at, id);
                t.last.push_max(s.last_seen_at, id);
            }
            if let Some(c) = public_country(s) {
                let t = intern(&mut countries, |t| t.name.eq_ignore_ascii_case(c), || {
                    Tally::new(c.to_ascii_uppercase().into(), 0)
                });
                countries[t as usize].first.push_min(s.started_at, id);
            }
            if let Some(Counted::Ip(code)) = counted_key(VelocityCount::Ips, s) {
                let t = intern(&mut addresses, |t| t.code == code, || Tally::new("".into(), code));
                addresses[t as usize].last.push_max(s.last_seen_at, id);
            }
        }
        for d in self.known_devices.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
            let t = intern(&mut devices, |t| &*t.name == d, || Tally::new(d.into(), 0));
            devices[t as usize].known = true;
        }
        for c in self.known_countries.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let t = intern(&mut countries, |t| t.name.eq_ignore_ascii_case(c), || {
                Tally::new(c.to_ascii_uppercase().into(), 0)
            });
            countries[t as usize].known = true;
        }
        let mut sorted: Vec<&RuleSession> = active.iter().map(|&e| self.session(e)).collect();
        sort_by_start(&mut sorted);
        let order: Vec<u32> = sorted.iter().filter_map(|s| self.find(s)).collect();
        travel.sort_by(|&a, &b| travel::recency(self.session(b), self.session(a)));
        let travel = travel
            .into_iter()
            .map(|e| Candidate { started_at: self.session(e).started_at, device: device_of[e as usize], entry: e })
            .collect();
        let d = &mut self.digest;
        d.active = order;
        d.travel = travel;
        d.devices = devices;
        d.countries = countries;
        d.addresses = addresses;
    }
}

/// The index of the tally `is` finds, adding `new()` at the end when none does.
fn intern(list: &mut Vec<Tally>, is: impl Fn(&Tally) -> bool, new: impl FnOnce() -> Tally) -> u32 {
    let i = list.iter().position(is).unwrap_or_else(|| {
        list.push(new());
        list.len() - 1
    });
    u32::try_from(i).unwrap_or(u32::MAX)
}
