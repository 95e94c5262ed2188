//! The SQLite store: one writer connection (writes serialised, `BEGIN IMMEDIATE`) and a small
//! pool of read-only connections, in WAL mode with a busy timeout and foreign keys on.

mod account_settings;
mod accounts;
mod actions;
mod api_keys;
mod audit;
pub mod bench;
mod detection;
mod history;
mod insight;
mod migrate;
mod notify;
mod people;
mod plays;
mod rules_admin;
mod servers;
mod sessions;
mod settings;
mod stats;
#[cfg(test)]
mod test_fixture;
#[cfg(test)]
mod tests;
mod time;
mod trust;
mod users;

pub use migrate::{MIGRATOR, OpenError, run_migrations};

use super::{AccountInfo, MediaAccountRecord, PlayCounts, PlayStore, PlayWrite, Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::tracker::{ActivePlay, RecentStop};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// Statement that opens every write transaction, so a read-then-write never fails with
/// `SQLITE_BUSY` half-way; it waits for the write lock up front instead.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Sightline's SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and runs pending migrations.
    /// A failing migration is an error that names it; nothing is served on a half-migrated schema.
    pub async fn open(path: &Path) -> Result<Self, OpenError> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(base.clone().create_if_missing(true))
            .await
            .map_err(|e| OpenError::Connect { path: path.display().to_string(), source: e })?;
        run_migrations(&writer, &MIGRATOR).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(base.read_only(true))
            .await
            .map_err(|e| OpenError::Connect { path: path.display().to_string(), source: e })?;
        Ok(Self { writer, reader })
    }
}

#[async_trait]
impl PlayStore for SqliteStore {
    async fn active_plays(&self, server: ServerId) -> Result<Vec<ActivePlay>, StoreError> {
        self.active_play_rows(server).await
    }

    async fn recent_stops(&self, server: ServerId, since: DateTime<Utc>) -> Result<Vec<RecentStop>, StoreError> {
        self.recent_stop_rows(server, since).await
    }

    async fn write_plays(&self, server: ServerId, writes: &[PlayWrite], now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write_play_rows(server, writes, now).await
    }

    async fn sync_accounts(
        &self,
        server: ServerId,
        accounts: &[AccountInfo],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.sync_account_rows(server, accounts, now).await
    }

    async fn accounts(&self, server: ServerId) -> Result<Vec<MediaAccountRecord>, StoreError> {
        self.account_rows(server).await
    }

    async fn play_counts(&self, since: DateTime<Utc>) -> Result<PlayCounts, StoreError> {
        self.count_plays(since).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        // `PRAGMA optimize` keeps query plans good across restarts; failure here is harmless.
        let _ = sqlx::query("PRAGMA optimize").execute(&self.writer).await;
        self.reader.close().await;
        self.writer.close().await;
    }
}
