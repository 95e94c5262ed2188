//! Unreachable servers, the down timeout, and restoring the tracker after a restart or kill -9.

use super::*;

#[test]
fn a_server_unreachable_for_less_than_the_timeout_then_back_continues_the_same_play() {
    let a = || play("1", "alice", "dune");
    let (tracker, events) = run(vec![
        snap(0, vec![a()]),
        snap(60, vec![a().at_secs(60)]),
        down(70),
        tick(5 * MIN),
        down(10 * MIN),
        tick(29 * MIN),
        snap(30 * MIN, vec![a().at_secs(30 * 60)]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/dune",
            "t60 progress alice/dune Playing at 60s",
            "t1800 progress alice/dune Playing at 1800s"
        ]
    );
    assert_eq!(started(&events), 1, "no duplicate start on return");
    assert_eq!(tracker.unreachable_since(), None);
    let open = &tracker.active_plays()[0];
    assert_eq!((open.started_at, open.last_seen_at, open.played_ms), (t(0), t(30 * MIN), 30 * 60_000));
}

#[test]
fn plays_that_ended_during_an_outage_close_at_their_last_sighting_when_the_server_returns() {
    let (_, events) = run(vec![
        snap(0, vec![play("1", "alice", "dune"), play("2", "bob", "alien")]),
        snap(60, vec![play("1", "alice", "dune").at_secs(60), play("2", "bob", "alien").at_secs(60)]),
        down(120),
        snap(10 * MIN, vec![play("1", "alice", "dune").at_secs(600)]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/dune",
            "t0 started bob/alien",
            "t60 progress alice/dune Playing at 60s",
            "t60 progress bob/alien Playing at 60s",
            "t60 stopped bob/alien Ended played 60s paused 0s at 60s short",
            "t600 progress alice/dune Playing at 600s",
        ]
    );
}

#[test]
fn the_down_timeout_closes_plays_at_their_last_sighting_only_once_it_is_exceeded() {
    // (observations after a play last seen at t60 and a first failure at t120, expected story tail)
    let timeout = 30 * MIN;
    let cases: [(&str, Vec<Observation>, Vec<&str>); 4] = [
        ("exactly the timeout keeps the play open", vec![tick(120 + timeout)], vec![]),
        (
            "one second more closes it on a tick",
            vec![tick(120 + timeout + 1)],
            vec!["t60 stopped alice/dune ServerDownTimeout played 60s paused 0s at 60s short"],
        ),
        (
            "one second more closes it on a failed poll",
            vec![down(120 + timeout + 1)],
            vec!["t60 stopped alice/dune ServerDownTimeout played 60s paused 0s at 60s short"],
        ),
        (
            "a good answer in between restarts the measure",
            vec![snap(20 * MIN, vec![play("1", "alice", "dune").at_secs(60)]), down(21 * MIN), tick(120 + timeout + 1)],
            vec![],
        ),
    ];
    for (name, tail, expected) in cases {
        let mut observations = vec![
            snap(0, vec![play("1", "alice", "dune")]),
            snap(60, vec![play("1", "alice", "dune").at_secs(60)]),
            down(120),
        ];
        observations.extend(tail);
        let (tracker, events) = run(observations);
        let story = story(&events);
        assert_eq!(&story[2..], expected.as_slice(), "{name}");
        assert_eq!(tracker.active_plays().len(), usize::from(expected.is_empty()), "{name}");
    }
}

#[test]
fn after_a_down_timeout_a_returning_play_starts_again_and_resumes_the_closed_one() {
    let (_, events) = run(vec![
        snap(0, vec![play("1", "alice", "dune")]),
        down(60),
        tick(60 + 31 * MIN),
        tick(60 + 40 * MIN),
        snap(HOUR, vec![play("1", "alice", "dune").at_secs(3_600)]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t0 started alice/dune",
            "t0 stopped alice/dune ServerDownTimeout played 0s paused 0s at 0s short",
            "t3600 started alice/dune resuming alice/dune",
        ]
    );
}

#[test]
fn a_single_failed_poll_never_ends_a_play_even_with_a_zero_or_negative_timeout() {
    for down_timeout in [TimeDelta::zero(), TimeDelta::seconds(-5)] {
        let config = TrackerConfig { down_timeout, ..TrackerConfig::default() };
        let mut tracker = ServerTracker::new();
        let events = run_with(&mut tracker, &config, vec![snap(0, vec![play("1", "alice", "dune")]), down(60)]);
        assert_eq!(story(&events), ["t0 started alice/dune"], "{down_timeout}");
    }
}

#[test]
fn a_restored_tracker_continues_the_listed_plays_and_ends_the_others_at_their_last_sighting() {
    let a = || play("1", "alice", "dune");
    let b = || play("2", "bob", "alien");
    let (before, events) =
        run(vec![snap(0, vec![a(), b()]), snap(60, vec![a().at_secs(60).paused(), b().at_secs(60)])]);
    let names: BTreeMap<_, _> =
        before.active_plays().iter().map(|p| (p.id, p.key().user_id + "/" + &p.key().item_key)).collect();
    assert_eq!(started(&events), 2);

    // kill -9: only the persisted rows survive, as JSON here.
    let rows = serde_json::to_string(before.active_plays()).expect("active plays serialize");
    let rows: Vec<ActivePlay> = serde_json::from_str(&rows).expect("active plays deserialize");
    let mut after = ServerTracker::restore(rows);
    assert_eq!(after.active_plays(), before.active_plays());

    let events = after.apply(snap(5 * MIN, vec![a().at_secs(60)]), &TrackerConfig::default());
    assert_eq!(
        story_with(&names, &events),
        ["t60 stopped bob/alien Ended played 60s paused 0s at 60s short", "t300 resumed alice/dune at 60s"]
    );
    let alice = &after.active_plays()[0];
    assert_eq!(
        (alice.id, alice.started_at, alice.played_ms, alice.paused_ms),
        (before.active_plays()[0].id, t(0), 60_000, 240_000)
    );
}

#[test]
fn restoring_keeps_the_first_of_two_rows_for_the_same_play() {
    let (before, _) = run(vec![snap(0, vec![play("1", "alice", "dune")])]);
    let mut twin = before.active_plays()[0].clone();
    twin.id = PlayId(42);
    let restored = ServerTracker::restore(vec![before.active_plays()[0].clone(), twin]);
    assert_eq!(restored.active_plays(), before.active_plays());
}

#[test]
fn the_whole_tracker_round_trips_through_serde_with_its_resume_memory() {
    let (before, _) =
        run(vec![snap(0, vec![play("1", "alice", "dune")]), snap(60, vec![play("2", "bob", "alien")]), down(70)]);
    let json = serde_json::to_string(&before).expect("tracker serializes");
    let mut after: ServerTracker = serde_json::from_str(&json).expect("tracker deserializes");
    assert_eq!(after, before);
    let events = after.apply(snap(HOUR, vec![play("5", "alice", "dune")]), &TrackerConfig::default());
    let TrackerEvent::Started { resumes, .. } = &events[1] else { panic!("expected a start, got {events:#?}") };
    assert!(resumes.is_some(), "the stop remembered before the restart links the new play");
}

#[test]
fn restoring_with_recent_stops_keeps_resume_chains_across_a_restart() {
    let (before, events) = run(vec![snap(0, vec![play("1", "alice", "dune")]), snap(60, vec![])]);
    let TrackerEvent::Stopped { summary, .. } = &events[1] else { panic!("expected a stop, got {events:#?}") };
    let recent = vec![RecentStop {
        play: summary.play,
        user_id: "alice".to_owned(),
        item_key: "dune".to_owned(),
        ended_at: summary.ended_at,
        watched: summary.watched,
    }];
    let mut after = ServerTracker::restore_with_recent(before.active_plays().to_vec(), recent);
    let events = after.apply(snap(HOUR, vec![play("9", "alice", "dune")]), &TrackerConfig::default());
    let TrackerEvent::Started { resumes, .. } = &events[0] else { panic!("expected a start, got {events:#?}") };
    assert_eq!(*resumes, Some(summary.play));
    // Without the recent stops, the same start links nothing.
    let mut bare = ServerTracker::restore(before.active_plays().to_vec());
    let events = bare.apply(snap(HOUR, vec![play("9", "alice", "dune")]), &TrackerConfig::default());
    assert!(matches!(&events[0], TrackerEvent::Started { resumes: None, .. }));
}
