//! Offline detection: the rule engine run over a time-ordered stream of session updates of many
//! accounts, entirely in memory (`sightline replay`, backtests). Per account it keeps the active
//! sessions, the stopped ones within the longest rule window, and when each device and country was
//! first used; it judges a session when it starts or its address changes (and a paused one on every
//! update, so "paused too long" can fire), and groups violations into incidents like the live store:
//! one incident per `condition_key`, opened by the first violation and updated by repeats.
//! Deterministic and pure: time comes from the updates, nothing is read or written.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::media::PlaybackState;
use sightline_domain::rules::{
    EvalContext, Evidence, Rule, RuleKind, RuleSession, RuleType, Severity, UserSettings, Violation, evaluate, net,
};
use std::collections::BTreeMap;

/// The shortest history kept per account: the default device-velocity window.
const MIN_LOOK_BACK: TimeDelta = TimeDelta::hours(24);

/// How often (in input time) every account is pruned, not only the one being updated.
const SWEEP_EVERY: TimeDelta = TimeDelta::hours(1);

/// One sighting of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUpdate {
    /// When it was seen; updates must come in this order.
    pub at: DateTime<Utc>,
    /// The media server's name, for the report.
    pub server_name: String,
    pub state: PlaybackState,
    /// The session as seen now, already located. The replayer sets its state, start, last sighting and
    /// pause start from the sequence of updates.
    pub session: RuleSession,
}

/// An incident opened or updated by one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentUpdate {
    /// Numbered from 1 in the order incidents open.
    pub incident: u64,
    pub opened: bool,
    /// How many violations the incident has collected, this one included.
    pub occurrences: u32,
    pub ts: DateTime<Utc>,
    pub server: String,
    pub user: String,
    /// The rule kind, see [`rule_kind`].
    pub rule: &'static str,
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub summary: String,
    /// The session keys of the violation's evidence sessions, the judged one first.
    pub sessions: Vec<String>,
    pub evidence: Evidence,
}

/// Why an update was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("out of time order: {at} is before {last}")]
    OutOfOrder { at: DateTime<Utc>, last: DateTime<Utc> },
}

/// The snake_case name of a rule kind in replay output; both transcode rules are `transcode_limit`.
#[must_use]
pub fn rule_kind(kind: RuleType) -> &'static str {
    match kind {
        RuleType::ImpossibleTravel => "impossible_travel",
        RuleType::SimultaneousLocations => "simultaneous_locations",
        RuleType::DeviceVelocity => "device_velocity",
        RuleType::ConcurrentStreams => "concurrent_streams",
        RuleType::GeoRestriction => "geo_restriction",
        RuleType::AccountInactivity => "inactivity",
        RuleType::NewDevice => "new_device",
        RuleType::NewCountry => "new_country",
        RuleType::PausedTooLong => "paused_too_long",
        RuleType::TranscodeResolution | RuleType::ConcurrentTranscodes => "transcode_limit",
    }
}

/// What is remembered about one account.
#[derive(Default)]
struct Account {
    /// Playing, paused or buffering sessions.
    active: Vec<RuleSession>,
    /// Stopped sessions, in the order they stopped, none older than the look-back.
    recent: Vec<RuleSession>,
    /// Device key → when a session first started on it.
    devices: BTreeMap<String, DateTime<Utc>>,
    /// Country code → when a session from it first started.
    countries: BTreeMap<String, DateTime<Utc>>,
}

impl Account {
    /// Forgets stopped sessions last seen before `cutoff`, and ends active ones not seen since then
    /// (their stop was never reported).
    fn prune(&mut self, cutoff: DateTime<Utc>) {
        let stale: Vec<RuleSession> = self.active.extract_if(.., |s| s.last_seen_at < cutoff).collect();
        for mut s in stale {
            s.state = PlaybackState::Stopped;
            s.paused_since = None;
            self.stop(s);
        }
        let n = self.recent.partition_point(|s| s.last_seen_at < cutoff);
        self.recent.drain(..n);
    }

    fn stop(&mut self, session: RuleSession) {
        // Stops arrive in time order, except stale sessions ended at their older last sighting.
        let at = self.recent.partition_point(|s| s.last_seen_at <= session.last_seen_at);
        self.recent.insert(at, session);
    }

    fn remember(&mut self, s: &RuleSession) {
        if let Some(d) = s.device_key() {
            self.devices.entry(d.to_owned()).or_insert(s.started_at);
        }
        if let Some(c) = s.country_code() {
            self.countries.entry(c).or_insert(s.started_at);
        }
    }
}

struct Incident {
    number: u64,
    occurrences: u32,
}

/// Which rules an evaluation runs.
#[derive(Clone, Copy)]
enum Judge {
    All,
    /// Only the rules that depend on time passing (paused too long).
    Timed,
}

/// The in-memory engine loop. Feed it updates in time order with [`Replayer::apply`].
pub struct Replayer {
    rules: Vec<Rule>,
    timed_rules: Vec<Rule>,
    look_back: TimeDelta,
    last: Option<DateTime<Utc>>,
    last_sweep: Option<DateTime<Utc>>,
    accounts: BTreeMap<(ServerId, String), Account>,
    incidents: BTreeMap<String, Incident>,
    opened: u64,
    updated: u64,
    violations: u64,
}

impl Replayer {
    /// A replayer judging with `rules` (invalid or disabled ones never fire, as in [`evaluate`]). History
    /// is kept for the longest device-velocity window of the enabled rules, at least 24 h.
    #[must_use]
    pub fn new(rules: Vec<Rule>) -> Self {
        let longest = rules
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| match &r.kind {
                RuleKind::DeviceVelocity(p) => Some(TimeDelta::hours(i64::from(p.window_hours))),
                _ => None,
            })
            .max()
            .unwrap_or(MIN_LOOK_BACK);
        let timed_rules =
            rules.iter().filter(|r| r.enabled && matches!(r.kind, RuleKind::PausedTooLong(_))).cloned().collect();
        Self {
            rules,
            timed_rules,
            look_back: longest.max(MIN_LOOK_BACK),
            last: None,
            last_sweep: None,
            accounts: BTreeMap::new(),
            incidents: BTreeMap::new(),
            opened: 0,
            updated: 0,
            violations: 0,
        }
    }

    /// Applies one update and returns the incidents it opened or updated.
    pub fn apply(&mut self, update: SessionUpdate) -> Result<Vec<IncidentUpdate>, ReplayError> {
        self.step(update, true)
    }

    /// Applies one update as history only: the account's state changes, nothing is judged.
    pub fn observe(&mut self, update: SessionUpdate) -> Result<(), ReplayError> {
        self.step(update, false).map(|_| ())
    }

    /// Incidents opened so far.
    #[must_use]
    pub fn incidents_opened(&self) -> u64 {
        self.opened
    }

    /// Updates of already open incidents so far.
    #[must_use]
    pub fn incidents_updated(&self) -> u64 {
        self.updated
    }

    /// Violations found so far (each opened or updated an incident).
    #[must_use]
    pub fn violations(&self) -> u64 {
        self.violations
    }

    fn step(&mut self, update: SessionUpdate, judging: bool) -> Result<Vec<IncidentUpdate>, ReplayError> {
        let at = update.at;
        if let Some(last) = self.last
            && at < last
        {
            return Err(ReplayError::OutOfOrder { at, last });
        }
        self.last = Some(at);
        self.sweep(at);
        let SessionUpdate { server_name, state, session: mut s, .. } = update;
        let key = (s.server_id, s.user_id.clone());
        let account = self.accounts.entry(key.clone()).or_default();
        account.prune(at - self.look_back);
        let previous = account.active.iter().position(|a| a.session_key == s.session_key);
        s.state = state;
        s.last_seen_at = at;
        let judge = match previous {
            None if state == PlaybackState::Stopped => {
                // Seen only as it ended: it tells where and on what the account streamed, nothing more.
                s.started_at = at;
                s.paused_since = None;
                account.remember(&s);
                account.stop(s);
                return Ok(Vec::new());
            }
            None => {
                s.started_at = at;
                s.paused_since = (state == PlaybackState::Paused).then_some(at);
                Some(Judge::All)
            }
            Some(i) => {
                let before = account.active.remove(i);
                s.started_at = before.started_at;
                s.paused_since = match state {
                    PlaybackState::Paused => before.paused_since.or(Some(at)),
                    _ => None,
                };
                if state == PlaybackState::Stopped {
                    account.stop(s);
                    return Ok(Vec::new());
                }
                if before.ip.map(net::canonical) != s.ip.map(net::canonical) {
                    Some(Judge::All)
                } else if state == PlaybackState::Paused {
                    Some(Judge::Timed)
                } else {
                    None
                }
            }
        };
        let mut out = Vec::new();
        let session = match judge.filter(|_| judging) {
            Some(which) => {
                let (session, violations) = self.judge(&key, s, which, at);
                out = violations.into_iter().map(|v| self.record(v, at, &server_name)).collect();
                session
            }
            None => s,
        };
        let account = self.accounts.entry(key).or_default();
        if previous.is_none() {
            account.remember(&session);
        }
        account.active.push(session);
        Ok(out)
    }

    /// Evaluates `session` against the account's state, lending the state to the engine without copying.
    fn judge(
        &mut self,
        key: &(ServerId, String),
        session: RuleSession,
        which: Judge,
        at: DateTime<Utc>,
    ) -> (RuleSession, Vec<Violation>) {
        let rules = match which {
            Judge::All => &self.rules,
            Judge::Timed => &self.timed_rules,
        };
        let account = self.accounts.entry(key.clone()).or_default();
        if rules.is_empty() {
            return (session, Vec::new());
        }
        let before = |first: &DateTime<Utc>| *first < session.started_at;
        let known_devices = account.devices.iter().filter(|(_, t)| before(t)).map(|(d, _)| d.clone()).collect();
        let known_countries = account.countries.iter().filter(|(_, t)| before(t)).map(|(c, _)| c.clone()).collect();
        let context = EvalContext {
            session,
            active: std::mem::take(&mut account.active),
            recent: std::mem::take(&mut account.recent),
            known_devices,
            known_countries,
            settings: UserSettings::default(),
        };
        let violations = evaluate(rules, &context, at);
        account.active = context.active;
        account.recent = context.recent;
        (context.session, violations)
    }

    fn record(&mut self, v: Violation, at: DateTime<Utc>, server_name: &str) -> IncidentUpdate {
        self.violations += 1;
        let (number, occurrences, opened) = match self.incidents.get_mut(&v.condition_key) {
            Some(incident) => {
                incident.occurrences = incident.occurrences.saturating_add(1);
                self.updated += 1;
                (incident.number, incident.occurrences, false)
            }
            None => {
                self.opened += 1;
                self.incidents.insert(v.condition_key.clone(), Incident { number: self.opened, occurrences: 1 });
                (self.opened, 1, true)
            }
        };
        IncidentUpdate {
            incident: number,
            opened,
            occurrences,
            ts: at,
            server: server_name.to_owned(),
            user: v.user_id,
            rule: rule_kind(v.kind),
            rule_id: v.rule_id.0,
            rule_name: v.rule_name,
            severity: v.severity,
            summary: v.summary,
            sessions: v.evidence.sessions.iter().map(|s| s.session_key.clone()).collect(),
            evidence: v.evidence,
        }
    }

    /// Prunes every account once per [`SWEEP_EVERY`] of input time, so accounts that stopped streaming do
    /// not keep their last day in memory.
    fn sweep(&mut self, at: DateTime<Utc>) {
        if self.last_sweep.is_some_and(|t| at - t < SWEEP_EVERY) {
            return;
        }
        self.last_sweep = Some(at);
        let cutoff = at - self.look_back;
        for account in self.accounts.values_mut() {
            account.prune(cutoff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::GeoDatabases;
    use crate::geo::session::to_session_geo;
    use chrono::TimeZone;
    use sightline_domain::media::StreamDecision;
    use sightline_domain::rules::{AddressClass, PausedParams, default_rules};
    use std::net::IpAddr;
    use std::sync::LazyLock;

    const LONDON: &str = "81.2.69.142";
    const LONDON_SAME_24: &str = "81.2.69.160";
    const LINKOPING: &str = "89.160.20.112";

    static GEO: LazyLock<GeoDatabases> = LazyLock::new(|| {
        GeoDatabases::open_dir(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geoip")))
    });

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("a valid time") + TimeDelta::minutes(minutes)
    }

    /// An update of `user`'s session `key` on server 1 from `ip` (located in MaxMind's test databases).
    fn seen(minutes: i64, user: &str, key: &str, state: PlaybackState, ip: &str, device: &str) -> SessionUpdate {
        let ip: IpAddr = ip.parse().expect("an address");
        let geo = to_session_geo(GEO.lookup(ip));
        let session = RuleSession {
            server_id: ServerId(1),
            user_id: user.to_owned(),
            session_key: key.to_owned(),
            play_id: None,
            started_at: t(minutes),
            last_seen_at: t(minutes),
            state,
            paused_since: None,
            ip: Some(ip),
            address_class: AddressClass::of(Some(ip), false),
            device_id: Some(device.to_owned()),
            player: None,
            product: Some("Plex for iOS".to_owned()),
            platform: None,
            decision: StreamDecision::DirectPlay,
            source_resolution: None,
            resolution: None,
            country: geo.country_code,
            location: geo.location,
        };
        SessionUpdate { at: t(minutes), server_name: "Plex".to_owned(), state, session }
    }

    fn play(minutes: i64, key: &str, ip: &str, device: &str) -> SessionUpdate {
        seen(minutes, "alice", key, PlaybackState::Playing, ip, device)
    }

    fn stop(minutes: i64, key: &str, ip: &str, device: &str) -> SessionUpdate {
        seen(minutes, "alice", key, PlaybackState::Stopped, ip, device)
    }

    fn replay(rules: Vec<Rule>, updates: Vec<SessionUpdate>) -> Vec<IncidentUpdate> {
        let mut replayer = Replayer::new(rules);
        updates.into_iter().flat_map(|u| replayer.apply(u).expect("in time order")).collect()
    }

    fn rules(kinds: &[&str]) -> Vec<Rule> {
        default_rules().into_iter().filter(|r| kinds.contains(&rule_kind(r.kind.rule_type()))).collect()
    }

    #[test]
    fn the_test_databases_place_london_and_linkoping() {
        let london = to_session_geo(GEO.lookup(LONDON.parse().expect("ip")));
        let linkoping = to_session_geo(GEO.lookup(LINKOPING.parse().expect("ip")));
        assert_eq!(london.country_code.as_deref(), Some("GB"));
        assert_eq!(linkoping.country_code.as_deref(), Some("SE"));
        assert!(london.location.is_some() && linkoping.location.is_some());
    }

    #[test]
    fn london_and_linkoping_at_once_open_one_simultaneous_incident_that_repeats_update() {
        let out = replay(
            default_rules(),
            vec![
                play(0, "s1", LONDON, "tv"),
                play(5, "s2", LINKOPING, "phone"),
                play(10, "s1", LONDON, "tv"),
                play(10, "s2", LINKOPING, "phone"),
                stop(20, "s2", LINKOPING, "phone"),
                play(30, "s3", LINKOPING, "phone"),
                play(40, "s4", LINKOPING, "laptop"),
            ],
        );
        assert!(out.iter().all(|u| u.incident == 1 && u.rule == "simultaneous_locations"), "{out:#?}");
        assert_eq!(out.len(), 3, "{out:#?}");
        assert!(out[0].opened && !out[1].opened && !out[2].opened);
        assert_eq!(out.iter().map(|u| u.occurrences).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(out[0].sessions, ["s2", "s1"]);
        assert_eq!((out[0].ts, out[0].server.as_str(), out[0].user.as_str()), (t(5), "Plex", "alice"));
        assert_eq!(out[0].rule_id, "default-simultaneous-locations");
        assert_eq!(out[0].severity, Severity::High);
        assert!(out[0].summary.contains("London") && out[0].summary.contains("Linköping"), "{}", out[0].summary);
        assert_eq!(out[0].evidence.sessions.len(), 2);
    }

    #[test]
    fn a_binge_of_six_episodes_from_one_place_opens_nothing() {
        let mut updates = Vec::new();
        for episode in 0..6 {
            let key = format!("e{episode}");
            updates.push(play(episode * 45, &key, LONDON, "tv"));
            updates.push(seen(episode * 45 + 20, "alice", &key, PlaybackState::Paused, LONDON, "tv"));
            updates.push(play(episode * 45 + 22, &key, LONDON, "tv"));
            updates.push(stop(episode * 45 + 44, &key, LONDON, "tv"));
        }
        assert_eq!(replay(default_rules(), updates), []);
    }

    #[test]
    fn a_traveller_in_linkoping_twelve_hours_after_london_is_no_impossible_travel() {
        let trip = |hours_later: i64| {
            let later = hours_later * 60;
            replay(
                default_rules(),
                vec![
                    play(0, "s1", LONDON, "phone"),
                    stop(60, "s1", LONDON, "phone"),
                    play(60 + later, "s2", LINKOPING, "laptop"),
                ],
            )
        };
        let kinds = |out: Vec<IncidentUpdate>| out.iter().map(|u| u.rule).collect::<Vec<_>>();
        assert!(!kinds(trip(12)).contains(&"impossible_travel"), "{:?}", kinds(trip(12)));
        // The same trip within the hour is impossible.
        assert!(kinds(trip(0)).contains(&"impossible_travel"), "{:?}", kinds(trip(0)));
    }

    #[test]
    fn another_address_of_the_same_24_is_the_same_place() {
        let out = replay(
            default_rules(),
            vec![
                play(0, "s1", LONDON, "tv"),
                play(5, "s2", LONDON_SAME_24, "phone"),
                play(10, "s1", LONDON_SAME_24, "tv"),
                stop(50, "s1", LONDON_SAME_24, "tv"),
                play(55, "s3", LONDON, "laptop"),
            ],
        );
        assert_eq!(out, []);
    }

    #[test]
    fn the_same_input_gives_the_same_output() {
        let input = || {
            vec![
                play(0, "s1", LONDON, "tv"),
                seen(1, "bob", "b1", PlaybackState::Playing, LINKOPING, "tv"),
                play(5, "s2", LINKOPING, "phone"),
                seen(6, "bob", "b2", PlaybackState::Playing, LONDON, "phone"),
                stop(20, "s2", LINKOPING, "phone"),
                play(25, "s3", "2001:480::1", "laptop"),
            ]
        };
        let first = replay(default_rules(), input());
        assert!(first.len() >= 2, "{first:#?}");
        assert_eq!(first, replay(default_rules(), input()));
        assert_eq!(first.iter().filter(|u| u.user == "bob").count(), 1, "accounts are judged apart");
    }

    #[test]
    fn an_address_change_is_judged_again() {
        let out = replay(
            rules(&["simultaneous_locations"]),
            vec![
                play(0, "s1", LONDON, "tv"),
                play(5, "s2", LONDON_SAME_24, "phone"),
                play(9, "s2", LINKOPING, "phone"),
            ],
        );
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!((out[0].ts, out[0].rule), (t(9), "simultaneous_locations"));
    }

    #[test]
    fn a_stream_paused_too_long_is_flagged_on_a_later_update_and_stays_one_incident() {
        let mut paused = default_rules();
        for r in &mut paused {
            r.enabled = matches!(r.kind, RuleKind::PausedTooLong(_));
            r.kind = match r.kind {
                RuleKind::PausedTooLong(_) => RuleKind::PausedTooLong(PausedParams { max_paused_minutes: 60 }),
                ref k => k.clone(),
            };
        }
        let pause = |m| seen(m, "alice", "s1", PlaybackState::Paused, LONDON, "tv");
        let out = replay(paused, vec![play(0, "s1", LONDON, "tv"), pause(10), pause(40), pause(70), pause(90)]);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert!(out.iter().all(|u| u.rule == "paused_too_long" && u.incident == 1));
        assert_eq!((out[0].ts, out[0].opened, out[1].opened), (t(70), true, false));
    }

    #[test]
    fn a_session_never_reported_stopped_ends_after_a_day() {
        let out = replay(
            rules(&["simultaneous_locations"]),
            vec![play(0, "s1", LONDON, "tv"), play(25 * 60, "s2", LINKOPING, "phone")],
        );
        assert_eq!(out, []);
        let out = replay(
            rules(&["simultaneous_locations"]),
            vec![
                play(0, "s1", LONDON, "tv"),
                play(23 * 60, "s1", LONDON, "tv"),
                play(25 * 60, "s2", LINKOPING, "phone"),
            ],
        );
        assert_eq!(out.len(), 1, "seen within the day, it is still streaming: {out:#?}");
    }

    #[test]
    fn updates_out_of_time_order_are_refused_and_change_nothing() {
        let mut replayer = Replayer::new(default_rules());
        replayer.apply(play(10, "s1", LONDON, "tv")).expect("first");
        assert_eq!(
            replayer.apply(play(5, "s2", LINKOPING, "phone")),
            Err(ReplayError::OutOfOrder { at: t(5), last: t(10) })
        );
        assert_eq!(replayer.apply(play(11, "s3", LONDON, "phone")).expect("in order"), []);
    }

    #[test]
    fn observed_updates_are_history_but_judge_nothing() {
        let mut replayer = Replayer::new(rules(&["simultaneous_locations", "new_device"]));
        replayer.observe(play(0, "s1", LONDON, "tv")).expect("in order");
        replayer.observe(play(1, "s2", LINKOPING, "phone")).expect("in order");
        assert_eq!(replayer.incidents_opened(), 0);
        let out = replayer.apply(play(2, "s3", LINKOPING, "laptop")).expect("in order");
        assert_eq!(out.iter().map(|u| u.rule).collect::<Vec<_>>(), ["simultaneous_locations"]);
        assert_eq!((replayer.incidents_opened(), replayer.violations()), (1, 1));
    }

    #[test]
    fn every_rule_kind_has_one_of_the_ten_names() {
        let names = [
            "impossible_travel",
            "simultaneous_locations",
            "device_velocity",
            "concurrent_streams",
            "geo_restriction",
            "inactivity",
            "new_device",
            "new_country",
            "paused_too_long",
            "transcode_limit",
        ];
        for r in default_rules() {
            assert!(names.contains(&rule_kind(r.kind.rule_type())), "{:?}", r.kind);
        }
        assert_eq!(rule_kind(RuleType::ConcurrentTranscodes), "transcode_limit");
        assert_eq!(rule_kind(RuleType::AccountInactivity), "inactivity");
    }
}
