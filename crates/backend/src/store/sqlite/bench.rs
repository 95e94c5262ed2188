//! Bulk loading for benchmarks (`bench-history`): synthetic plays written straight into `plays`
//! (explicit ids and chains, many rows per statement, one transaction per batch, through the same
//! schema and triggers), and the same plays in Tautulli's schema with Tautulli's History query,
//! to compare. Not used by the running service.

use super::SqliteStore;
use crate::store::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite};
use std::path::Path;

/// A play as the benchmark generates it: every column history reads. Times are UTC ms.
#[derive(Debug, Clone, Default)]
pub struct SyntheticPlay {
    /// `plays.id`, 1-based and increasing with `started_at`.
    pub id: i64,
    pub server_id: i64,
    pub account_id: i64,
    /// The account's user id on its server (for Tautulli's `user_id`).
    pub user_number: i64,
    pub user_name: String,
    pub resumes_key: Option<i64>,
    pub chain_head: i64,
    pub chain_started_at: i64,
    pub item_number: i64,
    pub media_type: &'static str,
    pub title: String,
    pub grandparent_title: Option<String>,
    pub parent_title: Option<String>,
    pub season_number: Option<i64>,
    pub episode_number: Option<i64>,
    pub year: Option<i64>,
    pub duration_ms: i64,
    pub started_at: i64,
    pub ended_at: i64,
    pub played_ms: i64,
    pub paused_ms: i64,
    pub position_ms: i64,
    pub watched: bool,
    pub player_name: String,
    pub device: String,
    pub device_id: String,
    pub product: &'static str,
    pub platform: &'static str,
    pub client_ip: String,
    pub resolution: &'static str,
    pub width: i64,
    pub height: i64,
    pub bitrate_kbps: i64,
    pub video_codec: &'static str,
    pub audio_codec: &'static str,
    pub video_decision: &'static str,
    pub audio_decision: &'static str,
    pub decision: &'static str,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<i64>,
    pub asn_org: Option<String>,
}

/// Rows per INSERT statement (48 values each, under SQLite's 32,766 variables).
const ROWS_PER_STATEMENT: usize = 400;

impl SqliteStore {
    /// Inserts the plays in one transaction (call it per batch). Accounts and servers must exist.
    pub async fn bulk_insert_plays(&self, plays: &[SyntheticPlay]) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        for chunk in plays.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO plays (id, server_id, play_key, account_id, resumes_key, chain_head, chain_started_at, \
                 session_key, item_key, media_type, title, grandparent_title, parent_title, season_number, \
                 episode_number, year, duration_ms, started_at, last_seen_at, ended_at, stop_reason, played_ms, \
                 paused_ms, position_ms, watched, state, player_name, device, device_id, product, platform, client_ip, \
                 is_local, resolution, width, height, bitrate_kbps, video_codec, audio_codec, video_decision, \
                 audio_decision, decision, city, region, country_code, country_name, latitude, longitude, asn, asn_org) ",
            );
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.server_id)
                    .push_bind(p.id)
                    .push_bind(p.account_id)
                    .push_bind(p.resumes_key)
                    .push_bind(p.chain_head)
                    .push_bind(p.chain_started_at)
                    .push_bind(p.id.to_string())
                    .push_bind(p.item_number.to_string())
                    .push_bind(p.media_type)
                    .push_bind(p.title.clone())
                    .push_bind(p.grandparent_title.clone())
                    .push_bind(p.parent_title.clone())
                    .push_bind(p.season_number)
                    .push_bind(p.episode_number)
                    .push_bind(p.year)
                    .push_bind(p.duration_ms)
                    .push_bind(p.started_at)
                    .push_bind(p.ended_at)
                    .push_bind(p.ended_at)
                    .push_bind("ended")
                    .push_bind(p.played_ms)
                    .push_bind(p.paused_ms)
                    .push_bind(p.position_ms)
                    .push_bind(p.watched)
                    .push_bind("stopped")
                    .push_bind(p.player_name.clone())
                    .push_bind(p.device.clone())
                    .push_bind(p.device_id.clone())
                    .push_bind(p.product)
                    .push_bind(p.platform)
                    .push_bind(p.client_ip.clone())
                    .push_bind(false)
                    .push_bind(p.resolution)
                    .push_bind(p.width)
                    .push_bind(p.height)
                    .push_bind(p.bitrate_kbps)
                    .push_bind(p.video_codec)
                    .push_bind(p.audio_codec)
                    .push_bind(p.video_decision)
                    .push_bind(p.audio_decision)
                    .push_bind(p.decision)
                    .push_bind(p.city.clone())
                    .push_bind(p.region.clone())
                    .push_bind(p.country_code.clone())
                    .push_bind(p.country_name.clone())
                    .push_bind(p.latitude)
                    .push_bind(p.longitude)
                    .push_bind(p.asn)
                    .push_bind(p.asn_org.clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Updates the planner's statistics (what `PRAGMA optimize` does over time on a live database).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.writer).await?;
        Ok(())
    }
}

/// A Tautulli database (its schema, as given) to load the same plays into.
pub struct TautulliDb {
    pool: SqlitePool,
}

/// Tautulli's History page query (`datatables` over `get_history`): every play joined with its
/// metadata, media info and user, grouped by `reference_id`, newest first, one page.
const TAUTULLI_HISTORY: &str = "SELECT session_history.reference_id, MAX(session_history.id) AS row_id, \
    MAX(started) AS date, MIN(started) AS started, MAX(stopped) AS stopped, \
    SUM(CASE WHEN stopped > 0 THEN (stopped - started) ELSE 0 END) - \
    SUM(CASE WHEN paused_counter IS NULL THEN 0 ELSE paused_counter END) AS play_duration, \
    SUM(CASE WHEN paused_counter IS NULL THEN 0 ELSE paused_counter END) AS paused_counter, \
    session_history.user_id, session_history.user, \
    (CASE WHEN users.friendly_name IS NULL OR TRIM(users.friendly_name) = '' THEN users.username \
     ELSE users.friendly_name END) AS friendly_name, \
    platform, product, player, ip_address, session_history.media_type, \
    session_history_metadata.rating_key, session_history_metadata.parent_rating_key, \
    session_history_metadata.grandparent_rating_key, session_history_metadata.full_title, \
    session_history_metadata.title, session_history_metadata.parent_title, \
    session_history_metadata.grandparent_title, session_history_metadata.original_title, \
    session_history_metadata.year, session_history_metadata.media_index, \
    session_history_metadata.parent_media_index, session_history_metadata.thumb, \
    MAX((CASE WHEN (view_offset IS NULL OR view_offset = '') THEN 0.1 ELSE view_offset * 1.0 END) / \
        (CASE WHEN (session_history_metadata.duration IS NULL OR session_history_metadata.duration = '') \
         THEN 1.0 ELSE session_history_metadata.duration * 1.0 END) * 100) AS percent_complete, \
    session_history_media_info.transcode_decision, COUNT(*) AS group_count, \
    GROUP_CONCAT(session_history.id) AS group_ids \
    FROM session_history \
    JOIN session_history_metadata ON session_history_metadata.id = session_history.id \
    JOIN session_history_media_info ON session_history_media_info.id = session_history.id \
    LEFT OUTER JOIN (SELECT * FROM users WHERE deleted_user = 0) AS users ON users.user_id = session_history.user_id";

impl TautulliDb {
    /// Creates the database at `path` with Tautulli's schema (the SQL of its `CREATE` statements).
    pub async fn create(path: &Path, schema_sql: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("cache_size", "-32768");
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(schema_sql.to_owned())).execute(&pool).await?;
        Ok(Self { pool })
    }

    /// Adds the users (`user_id`, name) once.
    pub async fn insert_users(&self, users: &[(i64, String)]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for chunk in users.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO users (user_id, username, friendly_name) ");
            qb.push_values(chunk, |mut b, (id, name)| {
                b.push_bind(*id).push_bind(name.clone()).push_bind(name.clone());
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Inserts the plays into `session_history`, `…_metadata` and `…_media_info` (one transaction).
    /// `reference_id` is the chain head's id, as Tautulli groups resumed plays. Times in seconds.
    pub async fn insert_plays(&self, plays: &[SyntheticPlay]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for chunk in plays.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO session_history (id, reference_id, started, stopped, rating_key, user_id, user, \
                 ip_address, paused_counter, player, product, platform, machine_id, media_type, view_offset, \
                 grandparent_rating_key) ",
            );
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.chain_head)
                    .push_bind(p.started_at / 1000)
                    .push_bind(p.ended_at / 1000)
                    .push_bind(p.item_number)
                    .push_bind(p.user_number)
                    .push_bind(p.user_name.clone())
                    .push_bind(p.client_ip.clone())
                    .push_bind(p.paused_ms / 1000)
                    .push_bind(p.player_name.clone())
                    .push_bind(p.product)
                    .push_bind(p.platform)
                    .push_bind(p.device_id.clone())
                    .push_bind(p.media_type)
                    .push_bind(p.position_ms)
                    .push_bind(p.grandparent_title.as_ref().map(|_| p.item_number / 100));
            });
            qb.build().execute(&mut *tx).await?;
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO session_history_metadata (id, rating_key, title, parent_title, grandparent_title, \
                 full_title, media_index, parent_media_index, media_type, year, duration) ",
            );
            qb.push_values(chunk, |mut b, p| {
                let full = match &p.grandparent_title {
                    Some(show) => format!("{show} - {}", p.title),
                    None => p.title.clone(),
                };
                b.push_bind(p.id)
                    .push_bind(p.item_number)
                    .push_bind(p.title.clone())
                    .push_bind(p.parent_title.clone())
                    .push_bind(p.grandparent_title.clone())
                    .push_bind(full)
                    .push_bind(p.episode_number)
                    .push_bind(p.season_number)
                    .push_bind(p.media_type)
                    .push_bind(p.year)
                    .push_bind(p.duration_ms);
            });
            qb.build().execute(&mut *tx).await?;
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO session_history_media_info (id, rating_key, video_decision, audio_decision, \
                 transcode_decision, duration, bitrate, width, height, video_codec, video_resolution, audio_codec, \
                 stream_bitrate) ",
            );
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.item_number)
                    .push_bind(p.video_decision)
                    .push_bind(p.audio_decision)
                    .push_bind(p.decision.replace('_', " "))
                    .push_bind(p.duration_ms)
                    .push_bind(p.bitrate_kbps)
                    .push_bind(p.width)
                    .push_bind(p.height)
                    .push_bind(p.video_codec)
                    .push_bind(p.resolution)
                    .push_bind(p.audio_codec)
                    .push_bind(p.bitrate_kbps);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Tautulli's History page: the first `limit` grouped rows, newest first, optionally of one
    /// user or matching a title search (its `LIKE '%…%'` over the title columns). Returns the rows.
    pub async fn history_page(
        &self,
        user_id: Option<i64>,
        search: Option<&str>,
        limit: i64,
    ) -> Result<usize, StoreError> {
        let mut qb = QueryBuilder::<Sqlite>::new(TAUTULLI_HISTORY);
        qb.push(" WHERE session_history.id > 0");
        if let Some(u) = user_id {
            qb.push(" AND session_history.user_id = ").push_bind(u);
        }
        if let Some(s) = search {
            let like = format!("%{s}%");
            qb.push(" AND (session_history_metadata.full_title LIKE ").push_bind(like.clone());
            qb.push(" OR session_history_metadata.title LIKE ").push_bind(like);
            qb.push(")");
        }
        qb.push(" GROUP BY session_history.reference_id ORDER BY date DESC LIMIT ").push_bind(limit);
        Ok(qb.build().fetch_all(&self.pool).await?.len())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
