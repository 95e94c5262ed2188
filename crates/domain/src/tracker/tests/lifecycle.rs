//! Tracker lifecycle: starts, pauses, resumes, progress, quality, stops, media changes under one
//! session key, Plex key reuse, duplicate listings and determinism.

use super::*;

#[test]
fn a_play_starts_pauses_resumes_and_stops_with_its_paused_time() {
    let a = || play("1", "alice", "dune");
    let (tracker, events) = run(vec![
        snap(0, vec![a()]),
        snap(60, vec![a().at_secs(60).paused()]),
        snap(360, vec![a().at_secs(60)]),
        snap(420, vec![a().at_secs(120)]),
        snap(480, vec![]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/dune",
            "t60 paused alice/dune at 60s",
            "t360 resumed alice/dune at 60s",
            "t420 progress alice/dune Playing at 120s",
            "t420 stopped alice/dune Ended played 120s paused 300s at 120s",
        ]
    );
    assert!(tracker.active_plays().is_empty());
    let summary = summaries(&events)[0];
    assert_eq!((summary.started_at, summary.ended_at, summary.last_seen_at), (t(0), t(420), t(420)));
}

#[test]
fn progress_is_reported_only_when_the_position_or_the_state_changes() {
    let a = || play("1", "alice", "dune");
    let (_, events) = run(vec![
        snap(0, vec![a().at_secs(10)]),
        snap(10, vec![a().at_secs(10)]),
        snap(20, vec![a().at_secs(10).state(PlaybackState::Buffering)]),
        snap(30, vec![a().at_secs(10).state(PlaybackState::Buffering)]),
        snap(40, vec![a().at_secs(25)]),
    ]);
    assert_eq!(
        story(&events),
        ["t0 started alice/dune", "t20 progress alice/dune Buffering at 10s", "t40 progress alice/dune Playing at 25s"]
    );
}

#[test]
fn a_poll_without_a_position_keeps_the_last_known_one() {
    let a = || play("1", "alice", "dune");
    let mut blank = a();
    blank.position_ms = None;
    let (tracker, events) = run(vec![snap(0, vec![a().at_secs(30)]), snap(10, vec![blank])]);
    assert_eq!(story(&events), ["t0 started alice/dune"]);
    assert_eq!(tracker.active_plays()[0].session.position_ms, Some(30_000));
}

#[test]
fn a_quality_change_is_reported_once_with_the_new_stream() {
    let a = || play("1", "alice", "dune");
    let mut transcoded = a();
    transcoded.quality.resolution = Some(VideoResolution::Hd720);
    transcoded.quality.bitrate_kbps = Some(4_000);
    transcoded.decision = PlaybackDecision::new(Some(StreamDecision::Transcode), None, None, true);
    let (_, events) = run(vec![snap(0, vec![a()]), snap(10, vec![transcoded.clone()]), snap(20, vec![transcoded])]);
    assert_eq!(
        story(&events),
        ["t0 started alice/dune", "t10 quality alice/dune 720p Transcode 4000kbps"],
        "the position did not move, so no progress either"
    );
}

#[test]
fn a_new_item_under_the_same_session_key_stops_the_old_play_and_starts_a_new_one() {
    let (tracker, events) = run(vec![
        snap(0, vec![play("7", "alice", "ep1")]),
        snap(1_500, vec![play("7", "alice", "ep1").at_secs(1_500)]),
        snap(1_510, vec![play("7", "alice", "ep2").at_secs(5)]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/ep1",
            "t1500 progress alice/ep1 Playing at 1500s",
            "t1500 stopped alice/ep1 MediaChanged played 1500s paused 0s at 1500s",
            "t1510 started alice/ep2",
        ]
    );
    assert_eq!(tracker.active_plays().len(), 1);
}

#[test]
fn a_session_key_reused_by_another_user_is_a_different_play() {
    // Plex restarted and handed sessionKey 12 to bob while alice's play was still open.
    let (tracker, events) =
        run(vec![snap(0, vec![play("12", "alice", "dune")]), snap(600, vec![play("12", "bob", "dune").at_secs(30)])]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/dune",
            "t0 stopped alice/dune SessionKeyReused played 0s paused 0s at 0s short",
            "t600 started bob/dune"
        ]
    );
    assert_eq!(tracker.active_plays()[0].session.user.id, "bob");
}

#[test]
fn an_empty_answer_ends_every_play_at_its_last_seen_time_not_at_the_answer_time() {
    let (_, events) = run(vec![
        snap(0, vec![play("1", "alice", "dune"), play("2", "bob", "alien")]),
        snap(30, vec![play("1", "alice", "dune").at_secs(30), play("2", "bob", "alien").at_secs(30)]),
        snap(90, vec![]),
    ]);
    let ends: Vec<_> = summaries(&events).iter().map(|s| (s.ended_at, s.last_seen_at, s.played_ms)).collect();
    assert_eq!(ends, [(t(30), t(30), 30_000), (t(30), t(30), 30_000)]);
    assert!(events.iter().all(|e| !matches!(e, TrackerEvent::Stopped { reason, .. } if *reason != StopReason::Ended)));
}

#[test]
fn a_server_listing_the_same_play_twice_starts_it_once() {
    let a = play("1", "alice", "dune");
    let (tracker, events) = run(vec![snap(0, vec![a.clone(), a.clone()]), snap(10, vec![a.clone(), a])]);
    assert_eq!(story(&events), ["t0 started alice/dune"]);
    assert_eq!(tracker.active_plays().len(), 1);
}

#[test]
fn a_play_that_stops_and_starts_again_at_the_same_instant_gets_a_new_id() {
    let a = || play("1", "alice", "dune");
    let (_, events) = run(vec![snap(0, vec![a()]), snap(0, vec![]), snap(0, vec![a()])]);
    let ids: Vec<_> = events.iter().map(TrackerEvent::play).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], ids[1], "the stop is about the first play");
    assert_ne!(ids[0], ids[2], "the restart is another play with its own id");
}

#[test]
fn the_same_observations_give_identical_events_and_ids() {
    let observations = || {
        vec![
            snap(0, vec![play("1", "alice", "dune"), play("2", "bob", "alien")]),
            snap(60, vec![play("1", "alice", "dune").at_secs(60).paused(), play("2", "bob", "alien").at_secs(60)]),
            down(90),
            tick(600),
            snap(700, vec![play("1", "alice", "dune").at_secs(60), play("3", "carol", "heat")]),
            snap(800, vec![play("3", "alice", "dune").at_secs(200)]),
            down(900),
            tick(900 + 31 * MIN),
        ]
    };
    let (first_tracker, first) = run(observations());
    let (second_tracker, second) = run(observations());
    assert!(first.len() > 8, "the scenario exercises the tracker: {:#?}", story(&first));
    assert_eq!(first, second);
    assert_eq!(first_tracker, second_tracker);
    let expected_id = PlayId::derive(&PlayKey::of(&play("1", "alice", "dune")), t(0), 0);
    assert_eq!(first[0].play(), expected_id, "ids derive from identity and start only");
}

#[test]
fn play_ids_fit_a_signed_64_bit_column() {
    for n in 0..1_000 {
        let id = PlayId::derive(&PlayKey::of(&play(&n.to_string(), "alice", "dune")), t(n), 0);
        assert!(i64::try_from(id.0).is_ok(), "{id}");
    }
}
