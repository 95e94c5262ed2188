//! `AccountIndex`: one account's sessions (the parts of an [`EvalContext`] besides the judged session) kept
//! with a digest of what the rules ask of them, so [`super::evaluate_indexed`] answers most rules without
//! reading the sessions: the newest sighting of each session, the active ones and the located ones no
//! longer streaming (latest first, for impossible travel) as compact [`Facts`], and per device, country and
//! public address the earliest start and latest sighting (new device, new country, device velocity).
//!
//! The sessions are kept as given, every sighting, so a rule the digest cannot answer (one that trusts
//! networks, or one that fires and needs its evidence) is judged by the usual scan over the same data. The
//! digest is a function of the sessions: a new play is added to it in place (a few µs); any other change
//! rebuilds it (about 50 µs for 100 sessions).

use chrono::{DateTime, Utc};

use super::context::{EvalContext, RuleSession, UserSettings};
use super::params::VelocityCount;
use super::travel;
use super::velocity::{Counted, counted_key};
use super::view::{Parts, by_start, hash, key, located, public_country, sort_by_start};
use crate::ids::ServerId;

mod facts;

pub(crate) use facts::{Facts, Name, Top2};

/// One account's sessions and the digest of them. Equivalent, for [`super::evaluate_indexed`], to the
/// [`EvalContext`] with the same `active`, `recent`, known devices and countries, and settings
/// ([`AccountIndex::context`]).
#[derive(Debug, Clone)]
pub struct AccountIndex {
    active: Vec<RuleSession>,
    recent: Vec<RuleSession>,
    known_devices: Vec<String>,
    known_countries: Vec<String>,
    settings: UserSettings,
    pub(crate) digest: Digest,
}

/// Equal when they hold the same sessions, known devices and countries, and settings (the digest follows).
impl PartialEq for AccountIndex {
    fn eq(&self, other: &Self) -> bool {
        self.active == other.active
            && self.recent == other.recent
            && self.known_devices == other.known_devices
            && self.known_countries == other.known_countries
            && self.settings == other.settings
    }
}

/// A sighting: an index into `recent`, or into `active` with the top bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sighting(u32);

const ACTIVE_BIT: u32 = 1 << 31;

/// One session (server, session key) of the account and its newest sighting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub hash: u64,
    pub server_id: ServerId,
    pub key: Name,
    pub newest: Sighting,
    /// Some sighting in the active list is playing or paused.
    pub listed_active: bool,
}

/// What the sessions say about one device key (trimmed).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeviceTally {
    pub name: Name,
    /// Listed in the known devices.
    pub known: bool,
    /// The earliest starts.
    pub first: Top2,
    /// The latest sightings.
    pub last: Top2,
}

/// What the sessions say about one country (trimmed, compared ignoring ASCII case).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountryTally {
    pub name: Name,
    /// Listed in the known countries.
    pub known: bool,
    /// The earliest starts.
    pub first: Top2,
}

/// What the sessions say about one public address, by its velocity key ([`super::velocity::ip_code`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AddressTally {
    pub code: u128,
    /// The latest sightings.
    pub last: Top2,
}

pub(crate) const NO_DEVICE: u32 = u32::MAX;

/// The facts derived from the sessions.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Digest {
    pub entries: Vec<Entry>,
    /// Index + 1 into `entries`; 0 is empty.
    slots: Vec<u32>,
    shift: u32,
    /// The active sessions, sorted by start.
    pub active: Vec<Facts>,
    /// The located sessions that are not active, latest first ([`travel::recency`]).
    pub travel: Vec<Facts>,
    pub devices: Vec<DeviceTally>,
    pub countries: Vec<CountryTally>,
    pub addresses: Vec<AddressTally>,
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
        let mut index = Self { active, recent, known_devices, known_countries, settings, digest: Digest::default() };
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
        let i = u32::try_from(self.recent.len()).unwrap_or(u32::MAX);
        self.recent.push(s);
        self.observe(Sighting(i));
    }

    /// Adds a sighting to the active sessions, as pushing it onto [`EvalContext::active`].
    pub fn push_active(&mut self, s: RuleSession) {
        let i = u32::try_from(self.active.len()).unwrap_or(u32::MAX);
        self.active.push(s);
        self.observe(Sighting(i | ACTIVE_BIT));
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
        get(&self.recent, &self.active, s)
    }

    /// The newest sighting of an entry.
    pub(crate) fn session(&self, entry: u32) -> &RuleSession {
        self.get(self.digest.entries[entry as usize].newest)
    }

    /// The entry of `s`'s session (server, session key), if the account has it.
    fn find(&self, s: &RuleSession) -> Option<u32> {
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
                    if e.hash == h && e.server_id == s.server_id && e.key.is(&s.session_key) {
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

    /// Adds the sighting just pushed to the digest: in place when it is the first of its session and the
    /// table has room (a new play), else by rebuilding the digest.
    fn observe(&mut self, sighting: Sighting) {
        // Sightings are numbered with 31 bits per list.
        if self.recent.len() > ACTIVE_BIT as usize || self.active.len() > ACTIVE_BIT as usize {
            self.rebuild();
            return;
        }
        let s = self.get(sighting);
        let h = hash(s);
        let fits = (self.digest.entries.len() + 1) * 2 <= self.digest.slots.len()
            && self.slot(h, s).is_some_and(|i| self.digest.slots[i] == 0);
        if !fits {
            self.rebuild();
            return;
        }
        self.add(sighting);
        let e = u32::try_from(self.digest.entries.len() - 1).unwrap_or(u32::MAX);
        let s = get(&self.recent, &self.active, sighting);
        let d = &mut self.digest;
        let listed_active = d.entries[e as usize].listed_active;
        let device = tally(&mut d.devices, &mut d.countries, &mut d.addresses, s, (e, h));
        let facts = Facts::of(s, (e, h), device);
        let other = |f: &Facts| get(&self.recent, &self.active, d.entries[f.entry as usize].newest);
        if listed_active && s.is_active() {
            let at = d.active.partition_point(|f| by_start(other(f), s).is_lt());
            d.active.insert(at, facts);
        } else if located(s).is_some() {
            let at = d.travel.partition_point(|f| travel::recency(other(f), s).is_gt());
            d.travel.insert(at, facts);
        }
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
                let (server_id, key) = (s.server_id, Name::new(&s.session_key));
                let d = &mut self.digest;
                d.entries.push(Entry { hash: h, server_id, key, newest: sighting, listed_active });
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
        let mut devices: Vec<DeviceTally> = Vec::new();
        let mut countries: Vec<CountryTally> = Vec::new();
        let mut addresses: Vec<AddressTally> = Vec::new();
        let mut device_of = vec![NO_DEVICE; n];
        for (i, e) in self.digest.entries.iter().enumerate() {
            let id = (u32::try_from(i).unwrap_or(u32::MAX), e.hash);
            let s = self.get(e.newest);
            if e.listed_active && s.is_active() {
                active.push(id.0);
            } else if located(s).is_some() {
                travel.push(id.0);
            }
            device_of[i] = tally(&mut devices, &mut countries, &mut addresses, s, id);
        }
        for d in self.known_devices.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
            let t = device_tally(&mut devices, d);
            devices[t as usize].known = true;
        }
        for c in self.known_countries.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let t = country_tally(&mut countries, c);
            countries[t as usize].known = true;
        }
        let facts = |e: u32| {
            let entry = &self.digest.entries[e as usize];
            Facts::of(self.get(entry.newest), (e, entry.hash), device_of[e as usize])
        };
        let mut sorted: Vec<&RuleSession> = active.iter().map(|&e| self.session(e)).collect();
        sort_by_start(&mut sorted);
        let active: Vec<Facts> = sorted.iter().filter_map(|s| self.find(s)).map(facts).collect();
        travel.sort_by(|&a, &b| travel::recency(self.session(b), self.session(a)));
        let travel: Vec<Facts> = travel.into_iter().map(facts).collect();
        // Exact copies, allocated one after the other, so one account's digest sits in one stretch of memory.
        let d = &mut self.digest;
        d.entries = d.entries.clone();
        d.slots = d.slots.clone();
        d.active = active.clone();
        d.travel = travel.clone();
        d.devices = devices.clone();
        d.countries = countries.clone();
        d.addresses = addresses.clone();
    }
}

fn get<'s>(recent: &'s [RuleSession], active: &'s [RuleSession], s: Sighting) -> &'s RuleSession {
    if s.0 & ACTIVE_BIT == 0 { &recent[s.0 as usize] } else { &active[(s.0 & !ACTIVE_BIT) as usize] }
}

fn device_tally(devices: &mut Vec<DeviceTally>, d: &str) -> u32 {
    intern(
        devices,
        |t| t.name.is(d),
        || DeviceTally { name: Name::new(d), known: false, first: Top2::default(), last: Top2::default() },
    )
}

fn country_tally(countries: &mut Vec<CountryTally>, c: &str) -> u32 {
    intern(
        countries,
        |t| t.name.is_ignoring_case(c),
        || CountryTally { name: Name::new(c), known: false, first: Top2::default() },
    )
}

/// Counts an entry's session (`id`: its index and key hash) in the device, country and address tallies;
/// returns its device tally, or [`NO_DEVICE`].
fn tally(
    devices: &mut Vec<DeviceTally>,
    countries: &mut Vec<CountryTally>,
    addresses: &mut Vec<AddressTally>,
    s: &RuleSession,
    id: (u32, u64),
) -> u32 {
    let mut device = NO_DEVICE;
    if let Some(d) = s.device_key() {
        device = device_tally(devices, d);
        let t = &mut devices[device as usize];
        t.first.push_min(s.started_at, id);
        t.last.push_max(s.last_seen_at, id);
    }
    if let Some(c) = public_country(s) {
        let t = country_tally(countries, c);
        countries[t as usize].first.push_min(s.started_at, id);
    }
    if let Some(Counted::Ip(code)) = counted_key(VelocityCount::Ips, s) {
        let t = intern(addresses, |t| t.code == code, || AddressTally { code, last: Top2::default() });
        addresses[t as usize].last.push_max(s.last_seen_at, id);
    }
    device
}

/// The index of the tally `is` finds, adding `new()` at the end when none does.
fn intern<T>(list: &mut Vec<T>, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> u32 {
    let i = list.iter().position(is).unwrap_or_else(|| {
        list.push(new());
        list.len() - 1
    });
    u32::try_from(i).unwrap_or(u32::MAX)
}
