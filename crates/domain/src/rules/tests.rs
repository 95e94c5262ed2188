//! Rule-engine tests: shared builders here, one file per rule family under `tests/`. Sessions are built
//! in code around a fixed base time; no clock is read.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::net::IpAddr;

use super::*;
use crate::geo::LatLon;
use crate::ids::ServerId;
use crate::media::{PlaybackState, StreamDecision, VideoResolution};

mod account;
mod actions;
mod concurrent;
mod describe;
mod engine;
mod geo_restriction;
mod index;
mod net;
mod playback;
mod properties;
mod simultaneous;
mod travel;
mod trust;
mod validate;
mod velocity;

/// splitmix64: small and deterministic, so a failing generated case can be replayed.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// True `percent` times in a hundred.
    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

pub(super) const PARIS: (&str, f64, f64) = ("Paris", 48.8566, 2.3522);
pub(super) const VERSAILLES: (&str, f64, f64) = ("Versailles", 48.8049, 2.1204);
pub(super) const LYON: (&str, f64, f64) = ("Lyon", 45.7640, 4.8357);
pub(super) const LONDON: (&str, f64, f64) = ("London", 51.5074, -0.1278);
pub(super) const SYDNEY: (&str, f64, f64) = ("Sydney", -33.8688, 151.2093);
pub(super) const NYC: (&str, f64, f64) = ("New York", 40.7128, -74.0060);
pub(super) const LA: (&str, f64, f64) = ("Los Angeles", 34.0522, -118.2437);
pub(super) const TOKYO: (&str, f64, f64) = ("Tokyo", 35.6762, 139.6503);

/// The base time plus `minutes`.
pub(super) fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("a valid base time") + TimeDelta::minutes(minutes)
}

pub(super) fn hours(h: i64) -> i64 {
    h * 60
}

pub(super) fn ip(s: &str) -> IpAddr {
    s.parse().expect("a valid test address")
}

/// A playing session of account "alice" on server 1, started and last seen at t(0), with no address.
pub(super) fn session(key: &str) -> RuleSession {
    RuleSession {
        server_id: ServerId(1),
        user_id: "alice".to_owned(),
        session_key: key.to_owned(),
        play_id: None,
        started_at: t(0),
        last_seen_at: t(0),
        state: PlaybackState::Playing,
        paused_since: None,
        ip: None,
        address_class: AddressClass::Unknown,
        device_id: Some(format!("device-{key}")),
        player: Some(format!("Player {key}")),
        product: Some("Plex for LG".to_owned()),
        platform: Some("webOS".to_owned()),
        decision: StreamDecision::DirectPlay,
        source_resolution: Some(VideoResolution::Hd1080),
        resolution: Some(VideoResolution::Hd1080),
        country: None,
        location: None,
    }
}

/// Builders over [`RuleSession`], so each test reads as a sentence.
pub(super) trait Build: Sized {
    fn with_ip(self, addr: &str) -> Self;
    fn relayed(self) -> Self;
    fn in_city(self, city: (&str, f64, f64), country: &str) -> Self;
    fn accuracy(self, km: f64) -> Self;
    fn asn(self, asn: u32) -> Self;
    fn device(self, id: &str) -> Self;
    fn no_device(self) -> Self;
    fn started(self, minutes: i64) -> Self;
    fn seen(self, minutes: i64) -> Self;
    fn span(self, start: i64, seen: i64) -> Self {
        self.started(start).seen(seen)
    }
    fn paused_at(self, minutes: i64) -> Self;
    fn stopped(self) -> Self;
    fn transcoding(self, source: VideoResolution) -> Self;
}

impl Build for RuleSession {
    fn with_ip(mut self, addr: &str) -> Self {
        self.ip = Some(ip(addr));
        self.address_class = AddressClass::of(self.ip, false);
        self
    }
    fn relayed(mut self) -> Self {
        self.address_class = AddressClass::Relay;
        self
    }
    fn in_city(mut self, (city, lat, lon): (&str, f64, f64), country: &str) -> Self {
        self.country = Some(country.to_owned());
        self.location = Some(Location {
            point: LatLon::new(lat, lon),
            accuracy_km: 0.0,
            city: Some(city.to_owned()),
            region: None,
            country: Some(country.to_owned()),
            asn: None,
            asn_org: None,
        });
        self
    }
    fn accuracy(mut self, km: f64) -> Self {
        if let Some(l) = self.location.as_mut() {
            l.accuracy_km = km;
        }
        self
    }
    fn asn(mut self, asn: u32) -> Self {
        if let Some(l) = self.location.as_mut() {
            l.asn = Some(asn);
            l.asn_org = Some(format!("AS{asn} Net"));
        }
        self
    }
    fn device(mut self, id: &str) -> Self {
        self.device_id = Some(id.to_owned());
        self
    }
    fn no_device(mut self) -> Self {
        self.device_id = None;
        self.player = None;
        self
    }
    fn started(mut self, minutes: i64) -> Self {
        self.started_at = t(minutes);
        if self.last_seen_at < self.started_at {
            self.last_seen_at = self.started_at;
        }
        self
    }
    fn seen(mut self, minutes: i64) -> Self {
        self.last_seen_at = t(minutes);
        self
    }
    fn paused_at(mut self, minutes: i64) -> Self {
        self.state = PlaybackState::Paused;
        self.paused_since = Some(t(minutes));
        self
    }
    fn stopped(mut self) -> Self {
        self.state = PlaybackState::Stopped;
        self
    }
    fn transcoding(mut self, source: VideoResolution) -> Self {
        self.decision = StreamDecision::Transcode;
        self.source_resolution = Some(source);
        self
    }
}

pub(super) fn ctx(session: RuleSession, active: Vec<RuleSession>, recent: Vec<RuleSession>) -> EvalContext {
    EvalContext {
        session,
        active,
        recent,
        known_devices: Vec::new(),
        known_countries: Vec::new(),
        settings: UserSettings::default(),
    }
}

/// An enabled, high-severity rule with id "r1" covering every account.
pub(super) fn rule(kind: RuleKind) -> Rule {
    Rule {
        id: RuleId("r1".to_owned()),
        name: "Test rule".to_owned(),
        kind,
        severity: Severity::High,
        scope: Scope::All,
        enabled: true,
        exceptions: Exceptions::default(),
        actions: RuleActions::default(),
    }
}

pub(super) fn run(rule: &Rule, context: &EvalContext, now: DateTime<Utc>) -> Vec<Violation> {
    evaluate(std::slice::from_ref(rule), context, now)
}

pub(super) fn amount(m: &Measure) -> f64 {
    match m {
        Measure::Amount { value, .. } => *value,
        Measure::Label { text } => panic!("expected an amount, got {text}"),
    }
}

pub(super) fn keys(v: &Violation) -> Vec<&str> {
    v.evidence.sessions.iter().map(|s| s.session_key.as_str()).collect()
}

pub(super) fn travel() -> Rule {
    rule(RuleKind::ImpossibleTravel(TravelParams::default()))
}

pub(super) fn simultaneous() -> Rule {
    rule(RuleKind::SimultaneousLocations(SimultaneousParams::default()))
}

pub(super) fn concurrent(max_streams: u32, group_by_network: bool, count_paused: bool) -> Rule {
    rule(RuleKind::ConcurrentStreams(ConcurrentParams { max_streams, group_by_network, count_paused }))
}
