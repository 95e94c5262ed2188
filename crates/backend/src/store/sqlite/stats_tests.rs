//! The statistics rollups on a real SQLite file: after random inserts, rewrites and deletes (through
//! the ingestion write path and plain SQL) the rows the triggers keep equal a direct aggregation of
//! `plays` written out here in Rust; the migration's backfill gives the same rows; running plays and
//! replayed stops count once.

use super::*;
use crate::stats::test_rng::Rng;
use crate::store::{PlayStore, PlayWrite};
use chrono::{Datelike, Duration};
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamDecision,
    StreamQuality,
};
use sightline_domain::tracker::{ActivePlay, PlayId, PlaySummary, StopReason};
use sqlx::{Row, SqlitePool};
use std::collections::BTreeMap;
use std::path::Path;

use super::super::test_fixture::{add_server, store, t0};

/// Hours: (server, hour) → plays, ms, bits, streams per quarter. Totals: (server, dim, grain,
/// bucket, key) → (plays, ms, bits), keys as `label/year` or the account id.
type Hours = BTreeMap<(i64, i64), [i64; 16]>;
type Totals = BTreeMap<(i64, i64, i64, i64, String), (i64, i64, i64)>;

/// A `stats_totals` row with its key spelled out: server, dim, grain, bucket, key, plays, ms, bits.
type TotalRow = (i64, i64, i64, i64, String, i64, i64, i64);

/// The columns of `plays` the rollups depend on.
pub(super) type PlayRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
);

macro_rules! play_columns {
    () => {
        "server_id, account_id, started_at, ended_at, played_ms, bandwidth_kbps, platform, product, decision, \
         media_type, title, grandparent_title, year"
    };
}

fn month(ms: i64) -> i64 {
    let d = DateTime::from_timestamp_millis(ms).expect("test value").date_naive();
    (i64::from(d.year()) - 1970) * 12 + i64::from(d.month0())
}

/// What the rollups should hold, from the definitions rather than from the migration's SQL.
fn expected(plays: &[PlayRow]) -> (Hours, Totals) {
    let mut hours = Hours::new();
    let mut totals = Totals::new();
    for p in plays {
        let (server, account, started, Some(ended), ms, kbps, platform, product, decision, media, title, show, year) =
            p.clone()
        else {
            continue;
        };
        let bits = kbps.unwrap_or(0) * ms;
        let first = started / 900_000;
        let last = first + (191).min((started.max(ended - 1)) / 900_000 - first);
        for s in [server, 0] {
            let q = usize::try_from(first % 4).expect("test value");
            let h = hours.entry((s, started / 3_600_000)).or_default();
            h[q] += 1;
            h[4 + q] += ms;
            h[8 + q] += bits;
            for slot in first..=last {
                hours.entry((s, slot / 4)).or_default()[12 + usize::try_from(slot % 4).expect("test value")] += 1;
            }
            let mut keys = vec![
                (1, format!("{}/0", platform.clone().unwrap_or_default())),
                (2, format!("{}/0", product.clone().unwrap_or_default())),
                (3, format!("{decision}/0")),
                (4, format!("{media}/0")),
                (7, account.to_string()),
            ];
            match media.as_str() {
                "movie" => keys.push((5, format!("{title}/{}", year.unwrap_or(0)))),
                "episode" => keys.push((6, format!("{}/0", show.clone().unwrap_or_else(|| title.clone())))),
                _ => {}
            }
            for (dim, key) in keys {
                for (grain, bucket) in [(0, started / 86_400_000), (1, month(started)), (2, 0)] {
                    let t = totals.entry((s, dim, grain, bucket, key.clone())).or_default();
                    *t = (t.0 + 1, t.1 + ms, t.2 + bits);
                }
            }
        }
    }
    hours.retain(|_, v| v.iter().any(|x| *x != 0));
    (hours, totals)
}

async fn plays_of(pool: &SqlitePool) -> Vec<PlayRow> {
    sqlx::query_as(concat!("SELECT ", play_columns!(), " FROM plays")).fetch_all(pool).await.expect("test value")
}

/// The rollup rows as stored, zeros left out.
async fn stored(pool: &SqlitePool) -> (Hours, Totals) {
    let mut hours = Hours::new();
    for row in sqlx::query("SELECT * FROM stats_hours").fetch_all(pool).await.expect("test value") {
        let mut v = [0; 16];
        for (i, x) in v.iter_mut().enumerate() {
            *x = row.get(i + 2);
        }
        if v.iter().any(|x| *x != 0) {
            hours.insert((row.get(0), row.get(1)), v);
        }
    }
    let rows: Vec<TotalRow> = sqlx::query_as(
        "SELECT t.server_id, t.dim, t.grain, t.bucket, \
         CASE WHEN t.dim = 7 THEN CAST(t.key_id AS TEXT) ELSE k.label || '/' || k.year END, t.plays, t.played_ms, t.bits \
         FROM stats_totals t LEFT JOIN stats_keys k ON k.id = t.key_id AND t.dim < 7 \
         WHERE t.plays <> 0 OR t.played_ms <> 0 OR t.bits <> 0",
    )
    .fetch_all(pool)
    .await
    .expect("test value");
    let totals = rows.into_iter().map(|(s, d, g, b, k, p, m, x)| ((s, d, g, b, k), (p, m, x))).collect();
    (hours, totals)
}

async fn assert_rollups_match(pool: &SqlitePool) {
    let (want_hours, want_totals) = expected(&plays_of(pool).await);
    let (hours, totals) = stored(pool).await;
    assert_eq!(hours, want_hours);
    assert_eq!(totals, want_totals);
}

/// Two servers with three accounts each (ids 1–3 on server 1, 4–6 on server 2).
pub(super) async fn two_servers(pool: &SqlitePool) {
    for (id, name) in [(1, "Den"), (2, "Loft")] {
        sqlx::query(
            "INSERT INTO media_servers (id, kind, name, url, token_enc, color, enabled, created_at, updated_at) \
             VALUES (?, 'plex', ?, 'http://127.0.0.1/', 'x', '#fff', 1, 0, 0)",
        )
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .expect("test value");
        for a in 1..=3 {
            sqlx::query(
                "INSERT INTO media_accounts (id, server_id, external_id, name, source, first_seen_at) \
                 VALUES (?, ?, ?, ?, 'sync', 0)",
            )
            .bind((id - 1) * 3 + a)
            .bind(id)
            .bind(format!("u{a}"))
            .bind(format!("User {a}"))
            .execute(pool)
            .await
            .expect("test value");
        }
    }
}

/// Around both of Stockholm's 2026 clock changes, some plays still running, some over 48 hours.
fn random_play(rng: &mut Rng, id: i64) -> PlayRow {
    let base = if rng.below(2) == 0 { 1_774_656_000_000 } else { 1_792_800_000_000 };
    let started = base + rng.below(4 * 86_400_000);
    let hours = if rng.below(10) == 0 { 60 } else { 4 };
    let length = rng.below(hours * 3_600_000);
    let ended = (rng.below(6) != 0).then_some(started + length);
    let server = 1 + rng.below(2);
    let media = rng.pick(&["movie", "episode", "track"]);
    (
        server,
        (server - 1) * 3 + 1 + rng.below(3),
        started,
        ended,
        rng.below(3_600_000),
        rng.pick(&[None, Some(8_000), Some(2_500)]),
        rng.pick(&[None, Some("iOS"), Some("Roku")]).map(str::to_owned),
        rng.pick(&[None, Some("Plex Web")]).map(str::to_owned),
        rng.pick(&["direct_play", "transcode"]).to_owned(),
        media.to_owned(),
        format!("Title {}", id % 4),
        rng.pick(&[None, Some("Severance"), Some("Andor")]).map(str::to_owned),
        rng.pick(&[None, Some(1999)]),
    )
}

pub(super) async fn insert(pool: &SqlitePool, id: i64, p: &PlayRow) {
    sqlx::query(concat!(
        "INSERT INTO plays (id, play_key, session_key, item_key, last_seen_at, paused_ms, state, ",
        play_columns!(),
        ") VALUES (?1, ?1, 's', 'i', ?4, 0, 'stopped', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))
    .bind(id)
    .bind(p.0)
    .bind(p.1)
    .bind(p.2)
    .bind(p.3)
    .bind(p.4)
    .bind(p.5)
    .bind(p.6.as_deref())
    .bind(p.7.as_deref())
    .bind(&p.8)
    .bind(&p.9)
    .bind(&p.10)
    .bind(p.11.as_deref())
    .bind(p.12)
    .execute(pool)
    .await
    .expect("test value");
}

/// One random rewrite or delete of play `id`.
async fn mutate(pool: &SqlitePool, rng: &mut Rng, id: i64) {
    let sql = match rng.below(7) {
        0 => "DELETE FROM plays WHERE id = ?1",
        1 => "UPDATE plays SET ended_at = started_at + ?2 % 7200000 + 1, played_ms = ?2 % 3600000 WHERE id = ?1",
        2 => "UPDATE plays SET ended_at = NULL WHERE id = ?1",
        3 => "UPDATE plays SET started_at = started_at + ?2 % 7200000 - 3600000 WHERE id = ?1",
        4 => {
            "UPDATE plays SET platform = CASE WHEN ?2 % 2 = 0 THEN NULL ELSE 'tvOS' END, title = 'Retitled' WHERE id = ?1"
        }
        5 => "UPDATE plays SET media_type = 'movie', year = ?2 % 3 + 2000, bandwidth_kbps = ?2 % 9000 WHERE id = ?1",
        _ => "UPDATE plays SET played_ms = played_ms WHERE id = ?1",
    };
    sqlx::query(sql).bind(id).bind(rng.below(1 << 40)).execute(pool).await.expect("test value");
}

#[tokio::test]
async fn rollups_equal_a_direct_aggregation_after_random_inserts_rewrites_and_deletes() {
    for seed in [1, 2, 3] {
        let (_dir, s) = store().await;
        two_servers(&s.writer).await;
        let mut rng = Rng(seed);
        let mut next = 1;
        for _ in 0..400 {
            if rng.below(3) == 0 && next > 1 {
                let id = 1 + rng.below(next - 1);
                mutate(&s.writer, &mut rng, id).await;
            } else {
                insert(&s.writer, next, &random_play(&mut rng, next)).await;
                next += 1;
            }
        }
        assert_rollups_match(&s.writer).await;
        // Deleting a server takes its plays out (foreign keys cascade through the triggers).
        sqlx::query("DELETE FROM media_servers WHERE id = 2").execute(&s.writer).await.expect("test value");
        assert_rollups_match(&s.writer).await;
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_totals WHERE server_id = 2 AND plays <> 0")
            .fetch_one(&s.writer)
            .await
            .expect("test value");
        assert_eq!(left, 0, "seed {seed}");
    }
}

#[tokio::test]
async fn the_backfill_of_existing_plays_equals_what_the_triggers_keep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    // A database as the previous release left it, with plays.
    let pool = SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true),
    )
    .await
    .expect("test value");
    super::super::MIGRATOR.run_to(20_261_126_000_009, &pool).await.expect("old migrations");
    two_servers(&pool).await;
    let mut rng = Rng(11);
    let plays: Vec<PlayRow> = (1..=300).map(|id| random_play(&mut rng, id)).collect();
    for (id, p) in (1..).zip(&plays) {
        insert(&pool, id, p).await;
    }
    pool.close().await;
    // Opening it runs the rest, backfill included.
    let migrated = SqliteStore::open(Path::new(&path)).await.expect("migrates");
    assert_rollups_match(&migrated.writer).await;
    // The same plays written after the migration, through the triggers.
    let (_fresh_dir, fresh) = store().await;
    two_servers(&fresh.writer).await;
    for (id, p) in (1..).zip(&plays) {
        insert(&fresh.writer, id, p).await;
    }
    assert_eq!(stored(&migrated.writer).await, stored(&fresh.writer).await);
}

/// A movie or episode played through the ingestion write path.
fn session(id: u64, user: &str, media_type: MediaType, title: &str, show: Option<&str>) -> MediaSession {
    MediaSession {
        session_key: format!("s{id}"),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_uppercase(), thumb: None },
        media: MediaItem {
            media_type,
            item_key: format!("item-{id}"),
            title: title.to_owned(),
            grandparent_title: show.map(str::to_owned),
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: (media_type == MediaType::Movie).then_some(1999),
            duration_ms: Some(3_600_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer { platform: Some("Android".to_owned()), ..SessionPlayer::default() },
        client_ip: None,
        is_local: Some(true),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(
            Some(StreamDecision::DirectPlay),
            None,
            Some(StreamDecision::DirectPlay),
            false,
        ),
        bandwidth_kbps: Some(8_000),
        control: None,
    }
}

fn active(id: u64, session: &MediaSession, at: DateTime<Utc>, played_ms: u64) -> PlayWrite {
    PlayWrite::Active(Box::new(ActivePlay {
        id: PlayId(id),
        started_at: at,
        last_seen_at: at + Duration::milliseconds(i64::try_from(played_ms).expect("test value")),
        played_ms,
        paused_ms: 0,
        resumes: None,
        session: session.clone(),
    }))
}

fn stopped(id: u64, session: &MediaSession, at: DateTime<Utc>, played_ms: u64) -> PlayWrite {
    let end = at + Duration::milliseconds(i64::try_from(played_ms).expect("test value"));
    PlayWrite::Stopped {
        summary: PlaySummary {
            play: PlayId(id),
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
        session: Box::new(session.clone()),
    }
}

#[tokio::test]
async fn plays_written_by_ingestion_count_once_when_they_end() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let heat = session(1, "alice", MediaType::Movie, "Heat", None);
    let pilot = session(2, "bob", MediaType::Episode, "Pilot", Some("Severance"));
    for (id, sess, at) in [(1, &heat, t0()), (2, &pilot, t0() + Duration::minutes(20))] {
        let before = stored(&s.writer).await;
        s.write_plays(den, &[active(id, sess, at, 0)], at).await.expect("start");
        s.write_plays(den, &[active(id, sess, at, 60_000)], at).await.expect("progress");
        // Still running: nothing counted yet.
        assert_eq!(stored(&s.writer).await, before);
        s.write_plays(den, &[stopped(id, sess, at, 1_000)], at).await.expect("stop");
        // The same stop written again with corrected totals (a replay after restart): only the delta counts.
        s.write_plays(den, &[stopped(id, sess, at, 5_400_000)], at).await.expect("stop again");
    }
    s.write_plays(den, &[active(3, &session(3, "carol", MediaType::Movie, "Alien", None), t0(), 90_000)], t0())
        .await
        .expect("active");
    assert_rollups_match(&s.writer).await;
    let (hours, totals) = stored(&s.writer).await;
    let noon = hours.get(&(0, t0().timestamp_millis() / 3_600_000)).expect("noon row");
    // Heat started at :00 (quarter 0), the pilot at :20 (quarter 1); both stream through 13:30.
    assert_eq!((noon[0], noon[1], noon[4], noon[12..].to_vec()), (1, 1, 5_400_000, vec![1, 2, 2, 2]));
    let movies: Vec<_> = totals.iter().filter(|(k, _)| k.0 == 0 && k.1 == 5 && k.2 == 2).collect();
    assert_eq!(movies.len(), 1);
    assert_eq!((movies[0].0.4.as_str(), movies[0].1.0), ("Heat/1999", 1));
}
