//! `GET /api/v1/stats` over real HTTP: plays written through the store show up in the period's
//! totals, days, top lists and concurrency peak; filters by server; bad parameters are refused;
//! signed-out callers are not served.

use crate::rules::fixture;
use chrono::{Duration, Utc};
use sightline_backend::store::PlayWrite;
use sightline_domain::ServerId;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamDecision,
    StreamQuality,
};
use sightline_domain::tracker::{PlayId, PlaySummary, StopReason};

fn finished(id: u64, user: &str, title: &str, started: chrono::DateTime<Utc>, played_ms: u64) -> PlayWrite {
    let session = MediaSession {
        session_key: format!("s{id}"),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Movie,
            item_key: format!("i{id}"),
            title: title.to_owned(),
            grandparent_title: None,
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: Some(1995),
            duration_ms: Some(7_200_000),
            poster: None,
        },
        position_ms: Some(played_ms),
        state: PlaybackState::Playing,
        player: SessionPlayer { platform: Some("Roku".to_owned()), ..SessionPlayer::default() },
        client_ip: None,
        is_local: Some(true),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(Some(StreamDecision::Transcode), None, Some(StreamDecision::Transcode), false),
        bandwidth_kbps: Some(4_000),
    };
    let ended = started + Duration::milliseconds(i64::try_from(played_ms).expect("fits"));
    PlayWrite::Stopped {
        summary: PlaySummary {
            play: PlayId(id),
            started_at: started,
            ended_at: ended,
            last_seen_at: ended,
            played_ms,
            paused_ms: 0,
            position_ms: Some(played_ms),
            duration_ms: Some(7_200_000),
            watched: false,
            short: false,
            resumes: None,
        },
        reason: StopReason::Ended,
        session: Box::new(session),
    }
}

#[tokio::test]
async fn stats_sum_the_periods_plays_and_refuse_bad_parameters() {
    let f = fixture().await;
    let store = &f.app.running.ctx.store;
    let server = ServerId(f.server);
    // Two overlapping plays of the same film, started 3 hours ago (so today or yesterday in UTC).
    let start = sightline_backend::clock::now() - Duration::hours(3);
    let writes = [
        finished(1, "alice", "Heat", start, 3_600_000),
        finished(2, "bob", "Heat", start + Duration::minutes(5), 600_000),
    ];
    store.write_plays(server, &writes, start).await.expect("writes");
    // Written twice (a replayed stop): still two plays.
    store.write_plays(server, &writes, start).await.expect("writes again");

    let (status, week) = f.json("GET", "/api/v1/stats?period=week", None).await;
    assert_eq!(status, 200, "{week}");
    assert_eq!((week["period"].as_str(), week["plays"].as_u64()), (Some("week"), Some(2)));
    assert_eq!(week["watch_ms"].as_u64(), Some(4_200_000));
    assert_eq!(week["bytes"].as_u64(), Some(4_000 * 4_200_000 / 8));
    let days = week["days"].as_array().expect("days");
    assert_eq!(days.len(), 7);
    assert_eq!(days.iter().map(|d| d["plays"].as_u64().unwrap_or(0)).sum::<u64>(), 2);
    assert_eq!(days.iter().filter_map(|d| d["peak_streams"].as_u64()).max(), Some(2));
    assert_eq!(week["top_movies"][0]["title"], "Heat");
    assert_eq!(week["top_movies"][0]["plays"], 2);
    assert_eq!(week["top_users"][0]["name"], "alice");
    assert_eq!(week["decisions"][0]["label"], "transcode");
    assert_eq!(week["platforms"][0]["label"], "Roku");
    assert_eq!(week["weekdays"].as_array().map(Vec::len), Some(7));
    assert_eq!(week["hours"].as_array().map(Vec::len), Some(24));

    let (_, other) = f.json("GET", &format!("/api/v1/stats?period=all&server={}", f.server + 1), None).await;
    assert_eq!(other["plays"].as_u64(), Some(0));
    let (_, custom) = f.json("GET", "/api/v1/stats?period=custom&from=2020-01-01&to=2020-01-31", None).await;
    assert_eq!((custom["plays"].as_u64(), custom["days"].as_array().map(Vec::len)), (Some(0), Some(31)));
    let (_, east) = f.json("GET", "/api/v1/stats?period=day&utc_offset=840", None).await;
    assert_eq!(east["utc_offset_minutes"].as_i64(), Some(840));

    for bad in [
        "period=decade",
        "period=custom&from=2020-02-01",
        "period=custom&from=2020-02-01&to=2020-01-01",
        "period=custom&from=01/02/2020&to=2020-03-01",
        "server=den",
        "utc_offset=900",
    ] {
        let (status, err) = f.json("GET", &format!("/api/v1/stats?{bad}"), None).await;
        assert_eq!((status, err["error"].as_str()), (422, Some("invalid")), "{bad}: {err}");
    }

    let anonymous = f.app.client.get(f.app.url("/api/v1/stats")).send().await.expect("request");
    assert_eq!(anonymous.status(), 401);
}
