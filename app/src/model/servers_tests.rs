//! Tests of the servers page's view-model rules: health merging, statuses, test sentences.

use super::*;
use chrono::TimeZone as _;
use sightline_domain::live::FeedKind;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).single().expect("a valid test instant")
}

fn health(status: ServerStatus, since: i64, last_ok: Option<i64>) -> ServerHealth {
    ServerHealth {
        server: ServerId(1),
        status,
        since: at(since),
        code: None,
        reason: None,
        feed: Some(FeedKind::Polling),
        last_ok_at: last_ok.map(at),
        active_streams: 0,
    }
}

#[test]
fn the_newer_report_wins_and_ties_go_to_the_live_one() {
    let old = health(ServerStatus::Connecting, 0, None);
    let new = health(ServerStatus::Down, 10, None);
    assert_eq!(current_health(true, Some(&old), Some(&new)), Some(new.clone()));
    assert_eq!(current_health(true, Some(&new), Some(&old)), Some(new.clone()));
    let mut live = new.clone();
    live.active_streams = 3;
    assert_eq!(current_health(true, Some(&new), Some(&live)), Some(live));
    // Same status since the same time: the later successful answer is the newer report.
    let polled = health(ServerStatus::Up, 0, Some(30));
    let earlier = health(ServerStatus::Up, 0, Some(20));
    assert_eq!(current_health(true, Some(&polled), Some(&earlier)), Some(polled));
}

#[test]
fn missing_reports_fall_back_to_whatever_exists() {
    let h = health(ServerStatus::Up, 0, Some(1));
    assert_eq!(current_health(true, None, Some(&h)), Some(h.clone()));
    assert_eq!(current_health(true, Some(&h), None), Some(h));
    assert_eq!(current_health(true, None, None), None);
    assert_eq!(shown_status(true, None), ServerStatus::Connecting);
    assert_eq!(shown_status(false, None), ServerStatus::Disabled);
}

#[test]
fn reports_that_contradict_the_enabled_flag_are_ignored() {
    let up = health(ServerStatus::Up, 50, Some(50));
    let disabled = health(ServerStatus::Disabled, 60, None);
    // Just disabled: an "up" report from before the toggle must not show.
    assert_eq!(current_health(false, Some(&disabled), Some(&up)), Some(disabled.clone()));
    assert_eq!(current_health(false, None, Some(&up)), None);
    // Just enabled again: the old "disabled" report must not show.
    assert_eq!(current_health(true, None, Some(&disabled)), None);
    assert_eq!(shown_status(true, current_health(true, None, Some(&disabled)).as_ref()), ServerStatus::Connecting);
}

#[test]
fn test_outcomes_read_as_sentences() {
    let ok = TestOutcome::Connected { name: Some("Basement".into()), version: Some("10.9.11".into()) };
    assert_eq!(ok.sentence(), "Connected to Basement (version 10.9.11)");
    assert!(ok.is_ok());
    let anonymous = TestOutcome::Connected { name: None, version: Some(" ".into()) };
    assert_eq!(anonymous.sentence(), "Connected to the server");
    let failed = TestOutcome::Failed { code: "bad_token".into(), message: "the media server refused the token".into() };
    assert_eq!(failed.sentence(), "The media server refused the token");
    assert!(!failed.is_ok());
}

#[test]
fn tokens_never_print() {
    let t = TokenInput::new("hunter2");
    assert_eq!(format!("{t:?}"), "TokenInput(***)");
    assert!(!t.is_empty());
    assert_eq!(t.into_inner(), "hunter2");
    assert!(TokenInput::default().is_empty());
}

#[test]
fn tokens_travel_as_plain_strings() {
    let t: TokenInput = serde_json::from_str("\"abc\"").expect("a JSON string");
    assert_eq!(serde_json::to_string(&t).expect("serialises"), "\"abc\"");
}

#[test]
fn statuses_map_to_badge_classes() {
    assert_eq!(status_class(ServerStatus::Up), "ok");
    assert_eq!(status_class(ServerStatus::AuthFailed), "bad");
    assert_eq!(status_class(ServerStatus::Connecting), "warn");
    assert_eq!(status_class(ServerStatus::Disabled), "off");
    assert_eq!(capitalize(""), "");
    assert_eq!(fmt_utc(at(0)), "2023-11-14 22:13:20 UTC");
}
