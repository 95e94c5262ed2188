//! The pure enforcement decisions: only the judged stream is a target, each action starts once per
//! incident and stream (again after a skip or failure), cooldowns hold for exactly their length.

use super::*;
use crate::store::actions::IncidentAction;
use chrono::{TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{
    AddressClass, Evidence, Measure, RuleId, RuleType, SessionEvidence, Severity, StopAction, Unit,
};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time") + TimeDelta::seconds(secs)
}

fn session(key: &str, play: Option<&str>, server: i64) -> SessionEvidence {
    SessionEvidence {
        server_id: ServerId(server),
        session_key: key.to_owned(),
        play_id: play.map(str::to_owned),
        started_at: t(0),
        last_seen_at: t(0),
        ip: None,
        address_class: AddressClass::Unknown,
        location: None,
        country: None,
        asn: None,
        asn_org: None,
        device_id: None,
        player: None,
        product: None,
        platform: None,
    }
}

fn violation(judged: Option<&str>, sessions: Vec<SessionEvidence>) -> Violation {
    Violation {
        rule_id: RuleId("r1".into()),
        rule_name: "Concurrent streams".into(),
        kind: RuleType::ConcurrentStreams,
        severity: Severity::Medium,
        server_id: ServerId(1),
        user_id: "u1".into(),
        session_key: judged.map(str::to_owned),
        summary: "3 streams".into(),
        evidence: Evidence {
            measured: Measure::amount(3.0, Unit::Streams),
            threshold: Measure::amount(2.0, Unit::Streams),
            facts: Vec::new(),
            sessions,
        },
        condition_key: "r1|1|u1".into(),
    }
}

fn row(action: ActionKind, status: ActionStatus, play: &str) -> IncidentAction {
    IncidentAction {
        id: 1,
        incident_id: 1,
        action,
        dry_run: false,
        status,
        detail: String::new(),
        play_id: Some(play.to_owned()),
        due_at: None,
        created_at: t(0),
        at: t(0),
    }
}

fn both() -> RuleActions {
    RuleActions {
        message_client: Some(" One stream at a time ".into()),
        stop_stream: Some(StopAction { delay_secs: 30, message: Some("Stopped".into()) }),
        ..RuleActions::default()
    }
}

#[test]
fn the_target_is_the_judged_stream_and_nothing_else() {
    let sessions = vec![session("k3", Some("p3"), 1), session("k1", Some("p1"), 1), session("k2", Some("p2"), 1)];
    let v = violation(Some("k3"), sessions.clone());
    assert_eq!(target_play(&v).as_deref(), Some("p3"));
    assert!(involves(&v, "p1") && involves(&v, "p3"));
    assert!(!involves(&v, "p9"), "a stream outside the evidence is never involved");
    assert_eq!(target_play(&violation(None, sessions.clone())), None, "scheduled rules have no stream");
    assert_eq!(target_play(&violation(Some("k3"), vec![session("k3", None, 1)])), None, "no play id");
    let elsewhere = violation(Some("k3"), vec![session("k3", Some("p3"), 2)]);
    assert_eq!(target_play(&elsewhere), None, "the same key on another server is another stream");
}

#[test]
fn each_action_starts_once_per_stream_and_again_after_a_skip() {
    let actions = both();
    let planned = plan(&actions, &[], "p3");
    assert_eq!(
        planned,
        [
            Planned::Message("One stream at a time".into()),
            Planned::Stop { delay_secs: 30, message: Some("Stopped".into()) }
        ]
    );
    let started = [
        row(ActionKind::MessageClient, ActionStatus::Done, "p3"),
        row(ActionKind::StopStream, ActionStatus::Scheduled, "p3"),
    ];
    assert_eq!(plan(&actions, &started, "p3"), [], "both already started for this stream");
    assert_eq!(plan(&actions, &started, "p4").len(), 2, "a new stream of the same incident");
    let skipped = [
        row(ActionKind::StopStream, ActionStatus::Skipped, "p3"),
        row(ActionKind::MessageClient, ActionStatus::Failed, "p3"),
    ];
    assert_eq!(plan(&actions, &skipped, "p3").len(), 2, "the condition came back: try again");
    assert_eq!(plan(&RuleActions::default(), &[], "p3"), [], "default actions reach no viewer");
}

#[test]
fn a_cooldown_holds_for_exactly_its_length() {
    assert_eq!(cooldown_until(None, 600, t(0)), None);
    assert_eq!(cooldown_until(Some(t(0)), 0, t(1)), None, "no cooldown");
    assert_eq!(cooldown_until(Some(t(0)), 600, t(599)), Some(t(600)));
    assert_eq!(cooldown_until(Some(t(0)), 600, t(600)), None);
    assert_eq!(
        cooldown_detail(t(0), 600, t(90)),
        "not stopped: the account was stopped 1 min 30 s ago and the rule waits 10 min between stops"
    );
}

#[test]
fn schedules_say_when() {
    assert_eq!(scheduled_detail(30, false), "stop the stream in 30 s unless the condition ends");
    assert_eq!(scheduled_detail(0, true), "stop the stream now unless the condition ends (dry run)");
}
