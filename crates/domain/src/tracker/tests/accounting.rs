//! What a finished play records: watched and short flags at their boundaries, resume chains,
//! positions past the end, clocks that go backwards, and the played + paused ≤ wall-time invariant.

use super::*;

#[test]
fn watched_and_short_flags_hold_at_their_boundaries() {
    // (last position in ms of a 10 000 s item, seconds of playing time, watched, short)
    let cases = [
        (8_500_000, 120, true, false),
        (8_499_999, 120, false, false),
        (10_000_000, 119, true, true),
        (0, 121, false, false),
    ];
    for (position_ms, played_secs, watched, short) in cases {
        let mut last = play("1", "alice", "dune");
        last.media.duration_ms = Some(10_000_000);
        last.position_ms = Some(position_ms);
        let (_, events) = run(vec![
            snap(0, vec![play("1", "alice", "dune")]),
            snap(played_secs, vec![last]),
            snap(played_secs + 5, vec![]),
        ]);
        let summary = summaries(&events)[0];
        assert_eq!((summary.watched, summary.short), (watched, short), "{position_ms} ms after {played_secs} s");
        assert_eq!(summary.played_ms, u64::try_from(played_secs).expect("positive") * 1_000);
    }
}

#[test]
fn paused_time_does_not_count_towards_a_short_play() {
    let a = || play("1", "alice", "dune");
    let (_, events) = run(vec![
        snap(0, vec![a()]),
        snap(60, vec![a().at_secs(60).paused()]),
        snap(HOUR, vec![a().at_secs(60).paused()]),
        snap(HOUR + 1, vec![]),
    ]);
    let summary = summaries(&events)[0];
    assert_eq!((summary.played_ms, summary.paused_ms, summary.short), (60_000, (HOUR as u64 - 60) * 1_000, true));
}

#[test]
fn an_item_without_a_duration_is_never_watched() {
    let mut live = play("1", "alice", "news");
    live.media.duration_ms = None;
    live.position_ms = Some(9_999_999);
    let (_, events) = run(vec![snap(0, vec![live]), snap(10, vec![])]);
    assert!(!summaries(&events)[0].watched);
}

#[test]
fn a_new_play_resumes_the_last_unwatched_one_of_the_same_user_and_item_inside_the_window() {
    // (the first play's last position in seconds, gap in seconds between its last sighting and the new start, who starts, resumes?)
    let cases = [
        ("inside the window", 600, 6 * HOUR, "alice", true),
        ("one second outside the window", 600, 6 * HOUR + 1, "alice", false),
        ("after a watched play", 5_500, MIN, "alice", false),
        ("another user", 600, MIN, "bob", false),
    ];
    for (name, position_secs, gap, user, resumes) in cases {
        let first = play("1", "alice", "dune").at_secs(position_secs);
        let (_, events) = run(vec![
            snap(0, vec![first.clone()]),
            snap(10, vec![first]),
            snap(20, vec![]),
            snap(10 + gap, vec![play("2", user, "dune").at_secs(position_secs)]),
        ]);
        let first_id = events[0].play();
        let TrackerEvent::Started { resumes: link, .. } = events.last().expect("a start") else {
            panic!("{name}: {events:#?}")
        };
        assert_eq!(*link, resumes.then_some(first_id), "{name}");
    }
}

#[test]
fn a_resume_chain_links_each_play_to_the_one_before_it() {
    let (_, events) = run(vec![
        snap(0, vec![play("1", "alice", "dune")]),
        snap(10, vec![]),
        snap(HOUR, vec![play("2", "alice", "dune")]),
        snap(HOUR + 10, vec![]),
        snap(2 * HOUR, vec![play("3", "alice", "dune")]),
        snap(2 * HOUR + 10, vec![]),
    ]);
    let links: Vec<_> = summaries(&events).iter().map(|s| s.resumes).collect();
    let ids: Vec<_> = summaries(&events).iter().map(|s| s.play).collect();
    assert_eq!(links, [None, Some(ids[0]), Some(ids[1])]);
}

#[test]
fn a_position_beyond_the_duration_counts_as_the_duration() {
    let mut over = play("1", "alice", "dune");
    over.position_ms = Some(DURATION_MS + 90_000);
    let (tracker, events) = run(vec![snap(0, vec![play("1", "alice", "dune")]), snap(10, vec![over.clone()])]);
    assert_eq!(tracker.active_plays()[0].session.position_ms, Some(DURATION_MS));
    assert_eq!(story(&events)[1], "t10 progress alice/dune Playing at 6000s");
    let (_, events) = run(vec![snap(0, vec![over]), snap(10, vec![])]);
    let summary = summaries(&events)[0];
    assert_eq!((summary.position_ms, summary.watched), (Some(DURATION_MS), true));
}

#[test]
fn a_clock_going_backwards_adds_no_time_and_never_a_negative_duration() {
    let a = || play("1", "alice", "dune");
    let (tracker, events) = run(vec![
        snap(HOUR, vec![a()]),
        snap(HOUR + 60, vec![a().at_secs(60)]),
        // The host clock is set back an hour: states still apply, durations do not grow.
        snap(60, vec![a().at_secs(90).paused()]),
        snap(120, vec![a().at_secs(90)]),
        snap(HOUR + 120, vec![a().at_secs(150)]),
        snap(0, vec![play("2", "bob", "alien")]),
    ]);
    assert_eq!(
        story(&events),
        [
            "t3600 started alice/dune",
            "t3660 progress alice/dune Playing at 60s",
            "t3660 paused alice/dune at 90s",
            "t3660 resumed alice/dune at 90s",
            "t3720 progress alice/dune Playing at 150s",
            "t3720 stopped alice/dune Ended played 120s paused 0s at 150s",
            "t3720 started bob/alien",
        ],
        "stale observations are applied at the newest time seen"
    );
    let bob = &tracker.active_plays()[0];
    assert_eq!(bob.started_at, t(HOUR + 120), "a play never starts before the previous events");
}

#[test]
fn played_plus_paused_never_exceeds_wall_time_over_a_long_random_run() {
    // A fixed linear congruential generator: varied, and the same on every run.
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let states = [PlaybackState::Playing, PlaybackState::Paused, PlaybackState::Buffering, PlaybackState::Stopped];
    let mut at = 0_i64;
    let mut observations = Vec::new();
    for _ in 0..2_000 {
        at += i64::try_from(next(400)).expect("small") - 60;
        let observation = match next(10) {
            0 => down(at),
            1 => tick(at),
            _ => {
                let sessions = (0..next(4))
                    .map(|i| {
                        let user = ["alice", "bob", "carol"][usize::try_from(next(3)).expect("small")];
                        play(&i.to_string(), user, "dune")
                            .at_secs(next(7_000))
                            .state(states[usize::try_from(next(4)).expect("small")])
                    })
                    .collect();
                snap(at, sessions)
            }
        };
        observations.push(observation);
    }
    let config = TrackerConfig { down_timeout: TimeDelta::minutes(5), ..TrackerConfig::default() };
    let mut tracker = ServerTracker::new();
    let events = run_with(&mut tracker, &config, observations);
    let finished = summaries(&events);
    assert!(finished.len() > 100, "the run exercises the tracker");
    for s in finished {
        let wall = u64::try_from((s.ended_at - s.started_at).num_milliseconds()).expect("never negative");
        assert!(s.played_ms + s.paused_ms <= wall, "{s:#?}");
        assert!(s.position_ms <= s.duration_ms, "{s:#?}");
    }
    let starts = started(&events);
    let stops = events.iter().filter(|e| matches!(e, TrackerEvent::Stopped { .. })).count();
    assert_eq!(starts, stops + tracker.active_plays().len(), "every play stops exactly once");
}

#[test]
fn config_validation_names_the_field_out_of_range() {
    let with = |f: fn(&mut TrackerConfig)| {
        let mut config = TrackerConfig::default();
        f(&mut config);
        config.validate().map_err(TrackerConfigError::field)
    };
    assert_eq!(TrackerConfig::default().validate(), Ok(()));
    assert_eq!(with(|c| c.watched_fraction = 1.0), Ok(()));
    assert_eq!(with(|c| c.watched_fraction = f64::MIN_POSITIVE), Ok(()));
    assert_eq!(with(|c| c.resume_window = TimeDelta::zero()), Ok(()));
    for bad in [0.0, -0.1, 1.000_001, f64::NAN, f64::INFINITY] {
        let mut config = TrackerConfig { watched_fraction: bad, ..TrackerConfig::default() };
        assert_eq!(config.validate(), Err(TrackerConfigError::WatchedFraction), "{bad}");
        config.watched_fraction = 0.5;
        assert_eq!(config.validate(), Ok(()));
    }
    assert_eq!(with(|c| c.down_timeout = TimeDelta::zero()), Err("down_timeout"));
    assert_eq!(with(|c| c.resume_window = TimeDelta::seconds(-1)), Err("resume_window"));
    assert_eq!(
        TrackerConfigError::WatchedFraction.to_string(),
        "watched_fraction: must be a number greater than 0 and at most 1"
    );
}

#[test]
fn an_unchecked_nan_fraction_marks_nothing_watched() {
    let config = TrackerConfig { watched_fraction: f64::NAN, ..TrackerConfig::default() };
    assert!(!config.is_watched(Some(DURATION_MS), Some(DURATION_MS)));
}
