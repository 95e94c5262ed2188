//! Play and account rows on a real SQLite file: upserts never duplicate, stops move a play out
//! of the active set, restarts read back exactly what the tracker persisted, accounts appear
//! on first stream and syncs never duplicate them.

use super::*;
use crate::crypto::SecretBox;
use crate::secret::SecretString;
use sightline_domain::ServerId;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, ServerKind, SessionPlayer, SessionUser,
    StreamQuality,
};
use sightline_domain::tracker::{Observation, ServerTracker, TrackerConfig, TrackerEvent};

fn session(key: &str, user: &str, item: &str) -> MediaSession {
    MediaSession {
        session_key: key.to_owned(),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: format!("{user} name"), thumb: None },
        media: MediaItem {
            media_type: MediaType::Episode,
            item_key: item.to_owned(),
            title: format!("{item} & <title>"),
            grandparent_title: Some("Show".to_owned()),
            parent_title: None,
            season_number: Some(1),
            episode_number: Some(2),
            year: Some(2024),
            duration_ms: Some(600_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer::default(),
        client_ip: "203.0.113.9".parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(None, None, None, false),
        bandwidth_kbps: None,
        control: None,
    }
}

async fn with_server() -> (tempfile::TempDir, SqliteStore, ServerId) {
    let (dir, s) = store().await;
    let server = NewServer {
        kind: ServerKind::Plex,
        name: "Plex".to_owned(),
        url: "http://127.0.0.1:32400/".to_owned(),
        color: "#38bdf8".to_owned(),
        enabled: true,
    };
    let token = SecretString::new("token-0123456789");
    let created = s.create_server(&server, &token, &SecretBox::new(&[1; 32]), t0()).await.expect("creates");
    (dir, s, created.id)
}

/// Feeds snapshots at second offsets and turns the events into writes as the pipeline does.
fn writes(tracker: &mut ServerTracker, at_secs: i64, sessions: Vec<MediaSession>) -> Vec<PlayWrite> {
    let at = t0() + ChronoDuration::seconds(at_secs);
    let events = tracker.apply(Observation::Snapshot { at, sessions }, &TrackerConfig::default());
    let mut out: Vec<PlayWrite> = events
        .into_iter()
        .filter_map(|e| match e {
            TrackerEvent::Stopped { summary, reason, session, .. } => {
                Some(PlayWrite::Stopped { summary, reason, session })
            }
            _ => None,
        })
        .collect();
    out.extend(tracker.active_plays().iter().map(|p| PlayWrite::Active(Box::new(p.clone()))));
    out
}

#[tokio::test]
async fn repeated_writes_update_one_row_and_a_restart_reads_back_what_was_persisted() {
    let (_dir, s, server) = with_server().await;
    let mut tracker = ServerTracker::new();
    let a = || session("1", "alice", "ep1");
    for (at, w) in [(0, writes(&mut tracker, 0, vec![a()])), (30, writes(&mut tracker, 30, vec![a()]))] {
        s.write_plays(server, &w, t0() + ChronoDuration::seconds(at)).await.expect("writes");
    }
    let restored = s.active_plays(server).await.expect("reads");
    assert_eq!(restored, tracker.active_plays());
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plays").fetch_one(&s.reader).await.expect("counts");
    assert_eq!(rows, 1);
    // The same write again (a replay after a crash) changes nothing.
    s.write_plays(server, &writes(&mut tracker, 30, vec![a()]), t0()).await.expect("writes");
    assert_eq!(s.active_plays(server).await.expect("reads").len(), 1);
}

#[tokio::test]
async fn a_stop_ends_the_row_and_feeds_resume_chains_and_counters() {
    let (_dir, s, server) = with_server().await;
    let mut tracker = ServerTracker::new();
    let w = writes(&mut tracker, 0, vec![session("1", "alice", "ep1"), session("2", "bob", "ep2")]);
    s.write_plays(server, &w, t0()).await.expect("writes");
    let both = writes(&mut tracker, 90, vec![session("1", "alice", "ep1"), session("2", "bob", "ep2")]);
    s.write_plays(server, &both, t0()).await.expect("writes");
    // Alice's play is gone from the next answer: it ends at her last sighting, 90 s in.
    let w = writes(&mut tracker, 120, vec![session("2", "bob", "ep2")]);
    s.write_plays(server, &w, t0()).await.expect("writes");

    let active = s.active_plays(server).await.expect("reads");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].session.user.id, "bob");
    let stops = s.recent_stops(server, t0()).await.expect("reads");
    assert_eq!(stops.len(), 1);
    assert_eq!((stops[0].user_id.as_str(), stops[0].item_key.as_str(), stops[0].watched), ("alice", "ep1", false));
    let (reason, played): (String, i64) =
        sqlx::query_as("SELECT stop_reason, played_ms FROM plays WHERE ended_at IS NOT NULL")
            .fetch_one(&s.reader)
            .await
            .expect("reads");
    assert_eq!((reason.as_str(), played), ("ended", 90_000));

    let counts = s.play_counts(t0()).await.expect("counts");
    assert_eq!(counts, PlayCounts { plays: 2, ended_played_ms: 90_000, accounts: 2 });
    let later = s.play_counts(t0() + ChronoDuration::seconds(1)).await.expect("counts");
    assert_eq!(later, PlayCounts::default());
}

#[tokio::test]
async fn accounts_appear_on_first_stream_and_syncs_refresh_without_duplicating() {
    let (_dir, s, server) = with_server().await;
    let mut tracker = ServerTracker::new();
    s.write_plays(server, &writes(&mut tracker, 0, vec![session("1", "alice", "ep1")]), t0()).await.expect("writes");
    let listed = [
        AccountInfo {
            external_id: "alice".to_owned(),
            name: "Alice".to_owned(),
            thumb: None,
            is_admin: true,
            is_disabled: false,
        },
        AccountInfo {
            external_id: "carol".to_owned(),
            name: "Carol".to_owned(),
            thumb: Some("/u/c.png".to_owned()),
            is_admin: false,
            is_disabled: true,
        },
    ];
    assert_eq!(s.sync_accounts(server, &listed, t0()).await.expect("syncs"), 1);
    assert_eq!(s.sync_accounts(server, &listed, t0()).await.expect("syncs"), 0);
    let accounts = s.accounts(server).await.expect("lists");
    let summary: Vec<_> =
        accounts.iter().map(|a| (a.name.as_str(), a.source.as_str(), a.is_admin, a.is_disabled)).collect();
    assert_eq!(summary, [("Alice", "stream", true, false), ("Carol", "sync", false, true)]);
}

#[tokio::test]
async fn removing_a_server_removes_its_plays_and_accounts() {
    let (_dir, s, server) = with_server().await;
    let mut tracker = ServerTracker::new();
    s.write_plays(server, &writes(&mut tracker, 0, vec![session("1", "alice", "ep1")]), t0()).await.expect("writes");
    assert!(s.delete_server(server).await.expect("deletes"));
    let (plays, accounts): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM plays), (SELECT COUNT(*) FROM media_accounts)")
            .fetch_one(&s.reader)
            .await
            .expect("counts");
    assert_eq!((plays, accounts), (0, 0));
}

#[tokio::test]
async fn a_located_play_keeps_its_place() {
    use sightline_domain::geo::LatLon;
    use sightline_domain::live::SessionGeo;
    use sightline_domain::rules::{AddressClass, Location};
    let (_dir, s, server) = with_server().await;
    let mut tracker = ServerTracker::new();
    let mut w = writes(&mut tracker, 0, vec![session("1", "alice", "ep1")]);
    let play = tracker.active_plays()[0].id;
    let geo = SessionGeo {
        class: AddressClass::Public,
        country_name: Some("United Kingdom".to_owned()),
        country_code: Some("GB".to_owned()),
        location: Some(Location {
            point: LatLon { lat: 51.5142, lon: -0.0931 },
            accuracy_km: 10.0,
            city: Some("London".to_owned()),
            region: Some("England".to_owned()),
            country: Some("GB".to_owned()),
            asn: None,
            asn_org: None,
        }),
        anonymous: true,
    };
    w.push(PlayWrite::Located { play, geo: Box::new(geo) });
    s.write_plays(server, &w, t0()).await.expect("writes");
    let row: (String, String, String, f64, f64, bool) =
        sqlx::query_as("SELECT address_class, city, country_code, latitude, accuracy_km, anonymous FROM plays")
            .fetch_one(&s.reader)
            .await
            .expect("reads");
    assert_eq!(row, ("public".to_owned(), "London".to_owned(), "GB".to_owned(), 51.5142, 10.0, true));
}
