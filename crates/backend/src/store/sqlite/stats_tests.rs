//! The statistics rollups on a real SQLite file: the triggers agree with a direct query over
//! `plays` after starts, running upserts, stops and replayed stops; periods, servers and top lists.

use super::*;
use crate::store::{PlayStore, PlayWrite};
use chrono::{DateTime, Duration, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamDecision,
    StreamQuality,
};
use sightline_domain::tracker::{ActivePlay, PlayId, PlaySummary, StopReason};

use super::super::test_fixture::{add_server, store, t0};

/// What one fixture play is.
struct Fixture {
    id: u64,
    user: &'static str,
    media_type: MediaType,
    title: &'static str,
    show: Option<&'static str>,
    platform: Option<&'static str>,
    transcode: bool,
    kbps: Option<u32>,
}

fn session(f: &Fixture) -> MediaSession {
    let decision = if f.transcode { StreamDecision::Transcode } else { StreamDecision::DirectPlay };
    MediaSession {
        session_key: format!("s{}", f.id),
        upstream_session_id: None,
        user: SessionUser { id: f.user.to_owned(), name: f.user.to_uppercase(), thumb: None },
        media: MediaItem {
            media_type: f.media_type,
            item_key: format!("item-{}", f.id),
            title: f.title.to_owned(),
            grandparent_title: f.show.map(str::to_owned),
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: (f.media_type == MediaType::Movie).then_some(1999),
            duration_ms: Some(3_600_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer { platform: f.platform.map(str::to_owned), ..SessionPlayer::default() },
        client_ip: None,
        is_local: Some(true),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(Some(decision), None, Some(decision), false),
        bandwidth_kbps: f.kbps,
    }
}

fn active(f: &Fixture, at: DateTime<Utc>, played_ms: u64) -> PlayWrite {
    PlayWrite::Active(Box::new(ActivePlay {
        id: PlayId(f.id),
        started_at: at,
        last_seen_at: at + Duration::milliseconds(i64::try_from(played_ms).expect("test value")),
        played_ms,
        paused_ms: 0,
        resumes: None,
        session: session(f),
    }))
}

fn stopped(f: &Fixture, at: DateTime<Utc>, played_ms: u64) -> PlayWrite {
    let end = at + Duration::milliseconds(i64::try_from(played_ms).expect("test value"));
    PlayWrite::Stopped {
        summary: PlaySummary {
            play: PlayId(f.id),
            started_at: at,
            ended_at: end,
            last_seen_at: end,
            played_ms,
            paused_ms: 0,
            position_ms: Some(played_ms),
            duration_ms: Some(3_600_000),
            watched: false,
            short: false,
            resumes: None,
        },
        reason: StopReason::Ended,
        session: Box::new(session(f)),
    }
}

/// Starts, updates twice and stops `f` at `at`, then replays its stop with `final_ms`.
async fn full_play(s: &SqliteStore, server: ServerId, f: &Fixture, at: DateTime<Utc>, final_ms: u64) {
    s.write_plays(server, &[active(f, at, 0)], at).await.expect("start");
    s.write_plays(server, &[active(f, at, 60_000)], at).await.expect("progress");
    s.write_plays(server, &[active(f, at, 120_000)], at).await.expect("progress");
    s.write_plays(server, &[stopped(f, at, 1_000)], at).await.expect("stop");
    // The same stop written again with corrected totals (a replay after restart): only the delta counts.
    s.write_plays(server, &[stopped(f, at, final_ms)], at).await.expect("stop again");
}

fn movie(id: u64, user: &'static str, title: &'static str) -> Fixture {
    Fixture {
        id,
        user,
        media_type: MediaType::Movie,
        title,
        show: None,
        platform: Some("Android"),
        transcode: false,
        kbps: Some(8_000),
    }
}

fn episode(id: u64, user: &'static str, show: &'static str) -> Fixture {
    Fixture {
        id,
        user,
        media_type: MediaType::Episode,
        title: "Pilot",
        show: Some(show),
        platform: None,
        transcode: true,
        kbps: None,
    }
}

fn all() -> StatsFilter {
    StatsFilter { from: None, to: t0() + Duration::days(30), server: None }
}

/// Totals straight from `plays`, per (UTC hour, platform, decision), for ended plays.
async fn direct(s: &SqliteStore) -> Vec<(i64, String, String, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT started_at / 3600000, COALESCE(platform, ''), decision, COUNT(*), SUM(played_ms), \
         SUM(COALESCE(bandwidth_kbps, 0) * played_ms) FROM plays WHERE ended_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .fetch_all(&s.reader)
    .await
    .expect("test value")
}

async fn rolled(s: &SqliteStore) -> Vec<(i64, String, String, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT hour, platform, decision, SUM(plays), SUM(played_ms), SUM(bits) FROM stats_hourly \
         GROUP BY 1, 2, 3 HAVING SUM(plays) > 0 ORDER BY 1, 2, 3",
    )
    .fetch_all(&s.reader)
    .await
    .expect("test value")
}

#[tokio::test]
async fn rollups_match_a_direct_query_and_count_each_play_once() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    full_play(&s, den, &movie(1, "alice", "Heat"), t0(), 5_400_000).await;
    full_play(&s, den, &movie(2, "bob", "Heat"), t0() + Duration::minutes(20), 600_000).await;
    full_play(&s, den, &episode(3, "alice", "Severance"), t0() + Duration::hours(3), 1_800_000).await;
    // Still running: not counted yet.
    s.write_plays(den, &[active(&movie(4, "carol", "Alien"), t0(), 90_000)], t0()).await.expect("active");

    let expected = direct(&s).await;
    assert_eq!(expected.len(), 2, "{expected:?}");
    assert_eq!(rolled(&s).await, expected);
    let heat_hour = expected.iter().find(|r| r.1 == "Android").expect("test value");
    assert_eq!((heat_hour.3, heat_hour.4), (2, 6_000_000));
    assert_eq!(heat_hour.5, 8_000 * 6_000_000);

    let r = s.stats_rollup(&all(), 10).await.expect("rollup");
    assert_eq!(r.hours.iter().map(|h| h.plays).sum::<u64>(), 3);
    assert_eq!(r.hours[0].bytes, 8_000 * 6_000_000 / 8);
    assert_eq!(r.movies.len(), 1);
    assert_eq!((r.movies[0].title.as_str(), r.movies[0].year, r.movies[0].plays), ("Heat", Some(1999), 2));
    assert_eq!((r.shows[0].title.as_str(), r.shows[0].year, r.shows[0].plays), ("Severance", None, 1));
    assert_eq!(r.users.iter().map(|u| (u.name.as_str(), u.plays)).collect::<Vec<_>>(), [("ALICE", 2), ("BOB", 1)]);
    assert_eq!(r.users[0].server_name, "Den");
    let decisions: Vec<_> = r.decisions.iter().map(|d| (d.label.as_str(), d.plays)).collect();
    assert_eq!(decisions, [("direct_play", 2), ("transcode", 1)]);
    assert_eq!(r.platforms.iter().map(|d| d.label.as_str()).collect::<Vec<_>>(), ["Android", ""]);
    // Heat (alice) runs 12:00–13:30 and overlaps bob's 12:20–12:30: two streams in slot 12:15.
    let peak = r.slots.iter().map(|x| x.streams).max();
    assert_eq!(peak, Some(2));
    assert_eq!(r.slots.iter().filter(|x| x.streams == 2).count(), 1);
}

#[tokio::test]
async fn deleting_plays_takes_their_totals_out() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let loft = add_server(&s, "Loft").await;
    full_play(&s, den, &movie(1, "alice", "Heat"), t0(), 600_000).await;
    full_play(&s, loft, &movie(1, "bob", "Ran"), t0(), 600_000).await;
    sqlx::query("DELETE FROM plays WHERE server_id = ?").bind(den.0).execute(&s.writer).await.expect("test value");
    assert_eq!(rolled(&s).await, direct(&s).await);
    let slots: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(streams), 0) FROM stats_slots")
        .fetch_one(&s.reader)
        .await
        .expect("test value");
    assert_eq!(slots, 1);
}

#[tokio::test]
async fn periods_and_servers_filter_the_buckets() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let loft = add_server(&s, "Loft").await;
    full_play(&s, den, &movie(1, "alice", "Heat"), t0(), 600_000).await;
    full_play(&s, loft, &movie(1, "bob", "Ran"), t0() + Duration::hours(1), 600_000).await;

    let den_only = s.stats_rollup(&StatsFilter { server: Some(den), ..all() }, 10).await.expect("test value");
    assert_eq!(den_only.movies.iter().map(|m| m.title.as_str()).collect::<Vec<_>>(), ["Heat"]);
    assert_eq!(den_only.users.len(), 1);

    // [12:00, 13:00) holds Heat's hour only; the bound at 13:00 excludes Ran.
    let hour = StatsFilter { from: Some(t0()), to: t0() + Duration::hours(1), server: None };
    let r = s.stats_rollup(&hour, 10).await.expect("test value");
    assert_eq!(r.hours.len(), 1);
    assert_eq!(r.movies[0].title, "Heat");

    let empty = StatsFilter { from: Some(t0() - Duration::days(2)), to: t0() - Duration::days(1), server: None };
    assert_eq!(s.stats_rollup(&empty, 10).await.expect("test value"), StatsRollup::default());
}

#[tokio::test]
async fn top_titles_are_ordered_by_plays_then_watch_time_then_title_and_bounded() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let titles =
        [(1, "Brazil", 60_000), (2, "Alien", 60_000), (3, "Heat", 10_000), (4, "Heat", 10_000), (5, "Ran", 90_000)];
    for (id, title, ms) in titles {
        full_play(
            &s,
            den,
            &movie(id, "alice", title),
            t0() + Duration::minutes(i64::try_from(id).expect("test value")),
            ms,
        )
        .await;
    }
    let r = s.stats_rollup(&all(), 3).await.expect("test value");
    let order: Vec<_> = r.movies.iter().map(|m| (m.title.as_str(), m.plays)).collect();
    assert_eq!(order, [("Heat", 2), ("Ran", 1), ("Alien", 1)]);
}
