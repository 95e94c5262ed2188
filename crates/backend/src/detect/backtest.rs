//! Backtesting rules on stored history: which incidents a rule set would have opened over a period,
//! found by replaying the stored plays (start and stop, in time order) through the offline engine
//! ([`super::offline::Replayer`]). Pure: the caller loads the plays; nothing is written to the store.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::media::PlaybackState;
use sightline_domain::rules::{Evidence, Rule, Severity};
use std::collections::BTreeMap;

use super::offline::{IncidentUpdate, Replayer, SessionUpdate};
use super::sessions::from_facts;
use crate::store::PlayFacts;

/// The most incidents a report lists; the counts cover all of them.
pub const MAX_INCIDENTS: usize = 500;

/// One stored play and whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestPlay {
    pub server_id: ServerId,
    pub server_name: String,
    pub user_id: String,
    pub facts: PlayFacts,
}

/// An incident the rules would have opened, with every repeat folded in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestIncident {
    /// Numbered from 1 in the order they would have opened.
    pub incident: u64,
    pub server: String,
    pub user: String,
    /// The rule kind ([`super::offline::rule_kind`]).
    pub rule: &'static str,
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// How many violations it collected.
    pub occurrences: u32,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The latest violation's summary, sessions and evidence.
    pub summary: String,
    pub sessions: Vec<String>,
    pub evidence: Evidence,
}

/// What a rule set would have flagged over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Plays that started within the period, each judged as it started.
    pub plays_examined: u64,
    /// Plays that started before the period: history only.
    pub plays_before: u64,
    /// Incidents that would have opened.
    pub incidents_total: u64,
    /// Violations found (the first of each incident and every repeat).
    pub violations: u64,
    /// The first [`MAX_INCIDENTS`] incidents, in the order they would have opened.
    pub incidents: Vec<BacktestIncident>,
    /// More incidents opened than are listed.
    pub truncated: bool,
}

/// One start or stop, ordered by time, stops first on a tie (one play ending as the next begins is
/// not two at once), then by account and play so the order never depends on the input's.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct EventKey {
    at: DateTime<Utc>,
    is_start: bool,
    server_id: ServerId,
    user_id: String,
    session_key: String,
    play_key: i64,
}

/// Replays `plays` with `rules` and reports the incidents of plays that started in `from..to`. Plays that
/// started before `from` are history (they may still be streaming, and make devices, countries and places
/// known); plays that started at or after `to`, and anything after `to`, are left out. For a true
/// picture, pass the plays from at least a day before `from`.
#[must_use]
pub fn backtest(rules: &[Rule], plays: Vec<BacktestPlay>, from: DateTime<Utc>, to: DateTime<Utc>) -> BacktestReport {
    let mut events: Vec<(EventKey, usize)> = Vec::with_capacity(plays.len() * 2);
    let (mut plays_examined, mut plays_before) = (0, 0);
    for (i, play) in plays.iter().enumerate() {
        let f = &play.facts;
        if f.started_at >= to {
            continue;
        }
        if f.started_at < from {
            plays_before += 1;
        } else {
            plays_examined += 1;
        }
        let key = |at, is_start| EventKey {
            at,
            is_start,
            server_id: play.server_id,
            user_id: play.user_id.clone(),
            session_key: f.session_key.clone(),
            play_key: f.play_key,
        };
        events.push((key(f.started_at, true), i));
        let stopped_at = f.last_seen_at.max(f.started_at);
        if f.ended && stopped_at <= to {
            events.push((key(stopped_at, false), i));
        }
    }
    events.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let mut replayer = Replayer::new(rules.to_vec());
    let mut listed: BTreeMap<u64, BacktestIncident> = BTreeMap::new();
    for (event, i) in events {
        let play = &plays[i];
        let session = from_facts(play.server_id, &play.user_id, &play.facts);
        let state = if event.is_start { PlaybackState::Playing } else { PlaybackState::Stopped };
        let update = SessionUpdate { at: event.at, server_name: play.server_name.clone(), state, session };
        // Events are sorted, so the replayer never refuses one.
        let found = if event.is_start && event.at >= from {
            replayer.apply(update).unwrap_or_default()
        } else {
            replayer.observe(update).map(|()| Vec::new()).unwrap_or_default()
        };
        for u in found {
            fold(&mut listed, u);
        }
    }
    let incidents_total = replayer.incidents_opened();
    BacktestReport {
        from,
        to,
        plays_examined,
        plays_before,
        incidents_total,
        violations: replayer.violations(),
        truncated: incidents_total > MAX_INCIDENTS as u64,
        incidents: listed.into_values().collect(),
    }
}

/// Adds one incident update to the listed incidents (the first [`MAX_INCIDENTS`] only).
fn fold(listed: &mut BTreeMap<u64, BacktestIncident>, u: IncidentUpdate) {
    if u.incident > MAX_INCIDENTS as u64 {
        return;
    }
    match listed.get_mut(&u.incident) {
        Some(i) => {
            i.occurrences = u.occurrences;
            i.last_at = u.ts;
            i.summary = u.summary;
            i.sessions = u.sessions;
            i.evidence = u.evidence;
        }
        None => {
            listed.insert(
                u.incident,
                BacktestIncident {
                    incident: u.incident,
                    server: u.server,
                    user: u.user,
                    rule: u.rule,
                    rule_id: u.rule_id,
                    rule_name: u.rule_name,
                    severity: u.severity,
                    occurrences: u.occurrences,
                    first_at: u.ts,
                    last_at: u.ts,
                    summary: u.summary,
                    sessions: u.sessions,
                    evidence: u.evidence,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use sightline_domain::rules::default_rules;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("a valid time") + TimeDelta::minutes(minutes)
    }

    /// Where the stored plays were: address, city, country, coordinates, accuracy, ASN.
    type Place = (&'static str, &'static str, &'static str, f64, f64, f64, u32);
    const LONDON: Place = ("81.2.69.142", "London", "GB", 51.5142, -0.0931, 10.0, 20_712);
    const LINKOPING: Place = ("89.160.20.112", "Linköping", "SE", 58.4167, 15.6167, 76.0, 29_518);

    /// A stored play of `user` on server 1 from `start` to `end` minutes (`None`: still streaming).
    fn play(user: &str, key: i64, place: Place, device: &str, start: i64, end: Option<i64>) -> BacktestPlay {
        let (ip, city, country, lat, lon, accuracy, asn) = place;
        BacktestPlay {
            server_id: ServerId(1),
            server_name: "Plex".to_owned(),
            user_id: user.to_owned(),
            facts: PlayFacts {
                play_key: key,
                session_key: format!("{user}-{key}"),
                started_at: t(start),
                last_seen_at: t(end.unwrap_or(start)),
                ended: end.is_some(),
                ip: Some(ip.to_owned()),
                address_class: Some("public".to_owned()),
                device_id: Some(device.to_owned()),
                player: None,
                product: Some("Plex Web".to_owned()),
                platform: None,
                country_code: Some(country.to_owned()),
                city: Some(city.to_owned()),
                region: None,
                latitude: Some(lat),
                longitude: Some(lon),
                accuracy_km: Some(accuracy),
                asn: Some(asn),
                asn_org: None,
            },
        }
    }

    #[test]
    fn one_account_in_two_places_twice_is_one_incident_with_two_occurrences() {
        let plays = vec![
            play("alice", 1, LONDON, "tv", 0, Some(120)),
            play("alice", 2, LINKOPING, "phone", 10, Some(100)),
            play("alice", 3, LONDON, "tv", 400, Some(500)),
            play("alice", 4, LINKOPING, "phone", 410, Some(460)),
            play("bob", 5, LINKOPING, "tv", 20, Some(80)),
        ];
        let report = backtest(&default_rules(), plays, t(0), t(24 * 60));
        assert_eq!((report.plays_examined, report.plays_before), (5, 0));
        assert_eq!((report.incidents_total, report.violations, report.truncated), (1, 2, false));
        let incident = &report.incidents[0];
        assert_eq!((incident.incident, incident.rule, incident.user.as_str()), (1, "simultaneous_locations", "alice"));
        assert_eq!((incident.occurrences, incident.first_at, incident.last_at), (2, t(10), t(410)));
        assert_eq!(incident.sessions, ["alice-4", "alice-3"]);
        assert_eq!((incident.server.as_str(), incident.severity), ("Plex", Severity::High));
    }

    #[test]
    fn plays_before_the_period_are_history_and_are_not_reported() {
        let before = vec![
            play("alice", 1, LONDON, "tv", -600, Some(-500)),
            play("alice", 2, LINKOPING, "phone", -580, Some(-520)),
        ];
        let report = backtest(&default_rules(), before.clone(), t(0), t(60));
        assert_eq!((report.plays_examined, report.plays_before, report.incidents_total), (0, 2, 0));

        // A play that began before the period and still streams is someone elsewhere at once.
        let mut plays = before;
        plays.push(play("alice", 3, LONDON, "tv", -10, None));
        plays.push(play("alice", 4, LINKOPING, "phone", 15, Some(50)));
        let report = backtest(&default_rules(), plays, t(0), t(60));
        assert_eq!((report.plays_examined, report.plays_before, report.incidents_total), (1, 3, 1));
        assert_eq!(report.incidents[0].rule, "simultaneous_locations");
    }

    #[test]
    fn plays_from_the_end_of_the_period_on_are_left_out() {
        let plays = vec![play("alice", 1, LONDON, "tv", 0, None), play("alice", 2, LINKOPING, "phone", 60, Some(90))];
        let report = backtest(&default_rules(), plays, t(0), t(60));
        assert_eq!((report.plays_examined, report.incidents_total), (1, 0));
    }

    #[test]
    fn one_play_ending_as_the_next_begins_is_not_two_at_once() {
        let plays =
            vec![play("alice", 1, LONDON, "tv", 0, Some(600)), play("alice", 2, LINKOPING, "phone", 600, Some(650))];
        let report = backtest(&default_rules(), plays, t(0), t(24 * 60));
        assert!(report.incidents.iter().all(|i| i.rule != "simultaneous_locations"), "{:#?}", report.incidents);
    }

    #[test]
    fn the_input_order_does_not_matter() {
        let plays = vec![
            play("alice", 1, LONDON, "tv", 0, Some(120)),
            play("alice", 2, LINKOPING, "phone", 10, Some(100)),
            play("bob", 3, LINKOPING, "tv", 5, Some(50)),
            play("bob", 4, LONDON, "phone", 30, Some(60)),
        ];
        let mut reversed = plays.clone();
        reversed.reverse();
        let a = backtest(&default_rules(), plays, t(0), t(600));
        assert_eq!(a.incidents_total, 2);
        assert_eq!(a, backtest(&default_rules(), reversed, t(0), t(600)));
    }

    #[test]
    fn the_list_stops_at_five_hundred_incidents_and_says_so() {
        let plays: Vec<BacktestPlay> = (0..MAX_INCIDENTS as i64 + 20)
            .flat_map(|n| {
                let user = format!("user{n}");
                [play(&user, 2 * n, LONDON, "tv", n, Some(n + 60)), play(&user, 2 * n + 1, LINKOPING, "phone", n, None)]
            })
            .collect();
        let report = backtest(&default_rules(), plays, t(0), t(24 * 60));
        assert_eq!(report.incidents_total, MAX_INCIDENTS as u64 + 20);
        assert_eq!(report.incidents.len(), MAX_INCIDENTS);
        assert!(report.truncated);
        assert_eq!(report.incidents.last().map(|i| i.incident), Some(MAX_INCIDENTS as u64));
    }
}
