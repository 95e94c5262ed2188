//! `evaluate_indexed`: the engine over an [`AccountIndex`] instead of an [`super::EvalContext`], with the
//! same result. The digest answers whether a rule fires without reading the account's sessions: travel
//! walks the located sessions latest first, velocity and novelty count per-key tallies, and the stream and
//! distance rules compare the active sessions' facts. A rule that fires is then judged by its usual check
//! (for its evidence): over the active sessions, or, when it needs the history, over the full view; a rule
//! that trusts networks is always judged by the usual scan.

use chrono::{DateTime, TimeDelta, Utc};
use std::net::IpAddr;

use super::concurrent::counts_state;
use super::context::RuleSession;
use super::evidence::{Finding, Violation};
use super::index::{AccountIndex, Facts, Top2};
use super::model::Rule;
use super::net;
use super::params::{
    ConcurrentParams, ConcurrentTranscodesParams, RuleKind, SimultaneousParams, TravelParams, VelocityParams,
};
use super::travel::{self, MIN_TRAVEL_GAP};
use super::velocity::{Counted, counted_key};
use super::view::{View, hash, located, public_country};
use super::{check, fold};
use crate::geo::min_distance_km;
use crate::media::{PlaybackState, StreamDecision};

/// Judges `session` against every rule, in the order of `rules`, with the account's sessions from `index`:
/// exactly what [`super::evaluate`] returns for [`AccountIndex::context`]`(session)`. Scheduled rules are
/// skipped, as there.
#[must_use]
pub fn evaluate_indexed(
    rules: &[Rule],
    session: &RuleSession,
    index: &AccountIndex,
    now: DateTime<Utc>,
) -> Vec<Violation> {
    let s = session;
    let parts = index.parts();
    let mut q = Query { index, cur: s, hash: 0, device: std::cell::OnceCell::new() };
    q.warm();
    q.hash = hash(s);
    // The full view (built only when a rule needs the history scanned) and the view without history.
    let mut full: Option<View<'_>> = None;
    let mut light: Option<View<'_>> = None;
    let mut out = Vec::new();
    for rule in rules {
        if matches!(rule.kind, RuleKind::AccountInactivity(_))
            || !rule.applies_to(s.server_id, &s.user_id)
            || !rule.problems().is_empty()
        {
            continue;
        }
        let finding = if View::filters(rule, parts.settings) {
            View::new(rule, parts, s).and_then(|view| check(rule, &view, now))
        } else {
            let fast = match &rule.kind {
                RuleKind::ImpossibleTravel(p) => Fast::Found(q.travel(p)),
                RuleKind::DeviceVelocity(p) => q.velocity(p, now),
                RuleKind::NewDevice(_) => q.new_device(),
                RuleKind::NewCountry(_) => q.new_country(),
                RuleKind::SimultaneousLocations(p) => q.simultaneous(p),
                RuleKind::ConcurrentStreams(p) => q.concurrent(p),
                RuleKind::ConcurrentTranscodes(p) => q.transcodes(p),
                // These look at the judged session only.
                RuleKind::GeoRestriction(_) | RuleKind::PausedTooLong(_) | RuleKind::TranscodeResolution(_) => {
                    Fast::Active
                }
                RuleKind::AccountInactivity(_) => Fast::Found(None),
            };
            match fast {
                Fast::Found(finding) => finding,
                Fast::Active => check(rule, light.get_or_insert_with(|| q.light()), now),
                Fast::Scan => check(rule, full.get_or_insert_with(|| View::unfiltered(parts, s)), now),
            }
        };
        out.extend(finding.map(|f| f.into_violation(rule, s.server_id, &s.user_id, Some(&s.session_key))));
    }
    fold::fold_novelty(&mut out);
    out
}

/// What the digest says about one rule: its finding, or which view its check needs.
enum Fast {
    Found(Option<Finding>),
    /// The check reads the judged and the active sessions only.
    Active,
    /// The check reads the history.
    Scan,
}

/// One evaluation over an index: the judged session and its own entry in the index (left out, as the view
/// leaves it out).
struct Query<'a> {
    index: &'a AccountIndex,
    cur: &'a RuleSession,
    /// The hash of the judged session's key ([`super::view::hash`]).
    hash: u64,
    /// The judged session's device tally, once looked up.
    device: std::cell::OnceCell<Option<u32>>,
}

/// What makes two streams one for concurrent streams ([`super::concurrent`]): a household network, an
/// address (IPv6: its /64), a device, or the session; `u32::MAX` is the judged session's own.
#[derive(PartialEq, Eq)]
enum StreamKey {
    Household(usize),
    Network(IpAddr),
    Device(u32),
    Session(u32),
}

impl<'a> Query<'a> {
    /// Reads one value from each table of the digest and each string of the judged session the rules will
    /// compare, before anything depends on them: the memory accesses then overlap instead of following one
    /// another (an account's digest is usually not in cache). Only a hint; the values are not used.
    fn warm(&self) {
        let d = &self.index.digest;
        let c = self.cur;
        let first = |s: Option<&str>| s.and_then(|s| s.as_bytes().first().copied());
        std::hint::black_box((
            d.active.first().map(|f| f.entry),
            d.travel.first().map(|f| f.entry),
            d.devices.first().map(|t| t.known),
            d.countries.first().map(|t| t.known),
            d.addresses.first().map(|t| t.code as u8),
            first(Some(&c.session_key)),
            first(c.device_id.as_deref()),
            first(c.country.as_deref()),
            first(c.location.as_ref().and_then(|l| l.city.as_deref())),
        ));
    }

    /// Whether an entry (its key's hash and index) is the judged session's, which the view leaves out.
    fn is_skip(&self, hash: u64, entry: u32) -> bool {
        hash == self.hash && {
            let e = &self.index.digest.entries[entry as usize];
            e.server_id == self.cur.server_id && e.key.is(&self.cur.session_key)
        }
    }

    /// The active sessions other than the judged one.
    fn active(&self) -> impl Iterator<Item = &'a Facts> {
        self.index.digest.active.iter().filter(move |f| !self.is_skip(f.hash, f.entry))
    }

    /// The view of the judged and the active sessions, without the history.
    fn light(&self) -> View<'a> {
        let active = self.active().map(|f| self.index.session(f.entry)).collect();
        View { ctx: self.index.parts(), current: self.cur, active, history: Vec::new() }
    }

    /// The judged session's device among the index's device tallies; `None` when it has no device key or
    /// the account never used it.
    fn device(&self) -> Option<u32> {
        *self.device.get_or_init(|| {
            let key = self.cur.device_key()?;
            let i = self.index.digest.devices.iter().position(|t| t.name.is(key))?;
            u32::try_from(i).ok()
        })
    }

    /// Impossible travel: the latest located session no longer streaming, started no later than this one,
    /// of another device when the rule skips the same device; then [`travel::judge`]'s tests, and the
    /// judgement itself when they pass.
    fn travel(&self, p: &TravelParams) -> Option<Finding> {
        let cur = self.cur;
        let here = located(cur)?;
        let device = if p.skip_same_device { self.device() } else { None };
        let prev = self.index.digest.travel.iter().find(|f| {
            !self.is_skip(f.hash, f.entry) && f.started_at <= cur.started_at && device.is_none_or(|id| f.device != id)
        })?;
        if prev.same_place(cur) {
            return None;
        }
        let (point, accuracy) = prev.located?;
        let km = min_distance_km(point, accuracy, here.point, here.accuracy_km);
        if km <= 0.0 || km < p.min_distance_km {
            return None;
        }
        let gap = (cur.started_at - prev.last_seen_at).max(MIN_TRAVEL_GAP);
        let hours = gap.num_milliseconds() as f64 / 3_600_000.0;
        if km / hours <= p.max_speed_kmh {
            return None;
        }
        travel::judge(p, cur, self.index.session(prev.entry))
    }

    /// Simultaneous locations: another active session located far away, not in the same place nor on the
    /// same device.
    fn simultaneous(&self, p: &SimultaneousParams) -> Fast {
        let cur = self.cur;
        let Some(here) = located(cur).filter(|_| cur.is_active()) else { return Fast::Found(None) };
        let device = self.device();
        let far = self.active().any(|f| {
            let Some((point, accuracy)) = f.located else { return false };
            if f.same_place(cur) || device.is_some_and(|id| f.device == id) {
                return false;
            }
            let km = min_distance_km(here.point, here.accuracy_km, point, accuracy);
            km > 0.0 && km > p.min_distance_km
        });
        if far { Fast::Active } else { Fast::Found(None) }
    }

    /// Concurrent streams: the distinct streams among the judged and the counted active sessions.
    fn concurrent(&self, p: &ConcurrentParams) -> Fast {
        let cur = self.cur;
        if !counts_state(p, cur.state) {
            return Fast::Found(None);
        }
        let settings = self.index.settings();
        let key = |ip: Option<IpAddr>, device: Option<u32>, session: u32| match ip {
            Some(ip) if p.group_by_network => match settings.household_networks.iter().position(|n| n.contains(&ip)) {
                Some(i) => StreamKey::Household(i),
                None => StreamKey::Network(net::velocity_key(ip)),
            },
            _ => match device {
                Some(d) => StreamKey::Device(d),
                None => StreamKey::Session(session),
            },
        };
        // The judged session's device, when the account never used it, is a device of its own.
        let mine = cur.device_key().map(|_| self.device().unwrap_or(u32::MAX));
        let mut keys = Keys::default();
        keys.add(key(cur.ip, mine, u32::MAX));
        for f in self.active().filter(|f| counts_state(p, f.state)) {
            let device = (f.device != super::index::NO_DEVICE).then_some(f.device);
            keys.add(key(f.ip, device, f.entry));
        }
        let n = u32::try_from(keys.len()).unwrap_or(u32::MAX);
        if n <= settings.max_streams.unwrap_or(p.max_streams) { Fast::Found(None) } else { Fast::Active }
    }

    /// Concurrent transcodes: the judged and the active sessions transcoding video.
    fn transcodes(&self, p: &ConcurrentTranscodesParams) -> Fast {
        let transcoding = |state: PlaybackState, decision: StreamDecision| {
            state != PlaybackState::Stopped && decision == StreamDecision::Transcode
        };
        if !transcoding(self.cur.state, self.cur.decision) {
            return Fast::Found(None);
        }
        let n = 1 + self.active().filter(|f| transcoding(f.state, f.decision)).count();
        if n as u32 <= p.max_transcodes { Fast::Found(None) } else { Fast::Active }
    }

    /// Device velocity: counts the keys seen within the window; a count over the limit is scanned for its
    /// evidence.
    fn velocity(&self, p: &VelocityParams, now: DateTime<Utc>) -> Fast {
        let Some(mine) = counted_key(p.count, self.cur) else { return Fast::Found(None) };
        let since = now - TimeDelta::hours(i64::from(p.window_hours));
        let d = &self.index.digest;
        let seen = |last: &Top2| last.without(|h, e| self.is_skip(h, e)).is_some_and(|at| at >= since);
        let (n, mine_seen) = match mine {
            Counted::Ip(code) => count(d.addresses.iter().map(|t| (&t.last, t.code == code)), seen),
            Counted::Device(k) => count(d.devices.iter().map(|t| (&t.last, t.name.is(k))), seen),
        };
        let n = n + usize::from(!mine_seen);
        if n as u64 <= u64::from(p.max_distinct) { Fast::Found(None) } else { Fast::Scan }
    }

    /// New device: a device known or used by a session started before is not new.
    fn new_device(&self) -> Fast {
        if self.cur.device_key().is_none() {
            return Fast::Found(None);
        }
        match self.device().map(|i| &self.index.digest.devices[i as usize]) {
            Some(t) if t.known || self.started_before(&t.first) => Fast::Found(None),
            _ => Fast::Scan,
        }
    }

    /// New country: a country known or streamed from by a session started before is not new.
    fn new_country(&self) -> Fast {
        let Some(country) = public_country(self.cur) else { return Fast::Found(None) };
        match self.index.digest.countries.iter().find(|t| t.name.is_ignoring_case(country)) {
            Some(t) if t.known || self.started_before(&t.first) => Fast::Found(None),
            _ => Fast::Scan,
        }
    }

    /// Some other session of the key started no later than the judged one.
    fn started_before(&self, first: &Top2) -> bool {
        first.without(|h, e| self.is_skip(h, e)).is_some_and(|at| at <= self.cur.started_at)
    }
}

/// The distinct stream keys, the first few without allocating.
#[derive(Default)]
struct Keys {
    few: [Option<StreamKey>; 8],
    more: Vec<StreamKey>,
}

impl Keys {
    fn add(&mut self, k: StreamKey) {
        if self.few.iter().flatten().chain(&self.more).any(|x| *x == k) {
            return;
        }
        match self.few.iter_mut().find(|x| x.is_none()) {
            Some(free) => *free = Some(k),
            None => self.more.push(k),
        }
    }

    fn len(&self) -> usize {
        self.few.iter().flatten().count() + self.more.len()
    }
}

/// How many keys are `seen`, and whether the judged session's (flagged `true`) is among them.
fn count<'t>(keys: impl Iterator<Item = (&'t Top2, bool)>, seen: impl Fn(&Top2) -> bool) -> (usize, bool) {
    keys.filter(|(last, _)| seen(last)).fold((0, false), |(n, found), (_, mine)| (n + 1, found || mine))
}
