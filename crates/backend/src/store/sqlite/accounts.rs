//! Media-server accounts: synced from each server's user list, or created on the spot when an
//! unknown account is first seen streaming. A sync never deletes: history keeps its accounts.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{AccountInfo, MediaAccountRecord, StoreError};
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::SessionUser;
use sqlx::SqliteConnection;

type AccountRow = (i64, i64, String, String, Option<String>, bool, bool, String, i64, Option<i64>);

/// The account row of a streaming user, created if the server never listed it; refreshes the
/// name and avatar (when the session carries them) and the last-streamed time.
pub(super) async fn account_for_stream(
    conn: &mut SqliteConnection,
    server: ServerId,
    user: &SessionUser,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let name = if user.name.trim().is_empty() { user.id.as_str() } else { user.name.as_str() };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO media_accounts (server_id, external_id, name, thumb, source, first_seen_at, last_streamed_at) \
         VALUES (?, ?, ?, ?, 'stream', ?, ?) \
         ON CONFLICT (server_id, external_id) DO UPDATE SET \
         name = CASE WHEN ? = '' THEN media_accounts.name ELSE excluded.name END, \
         thumb = COALESCE(excluded.thumb, media_accounts.thumb), last_streamed_at = excluded.last_streamed_at \
         RETURNING id",
    )
    .bind(server.0)
    .bind(&user.id)
    .bind(name)
    .bind(&user.thumb)
    .bind(to_ms(now))
    .bind(to_ms(now))
    .bind(user.name.trim())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

impl SqliteStore {
    pub(super) async fn sync_account_rows(
        &self,
        server: ServerId,
        accounts: &[AccountInfo],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let count = "SELECT COUNT(*) FROM media_accounts WHERE server_id = ?";
        let (before,): (i64,) = sqlx::query_as(count).bind(server.0).fetch_one(&mut *tx).await?;
        for a in accounts {
            sqlx::query(
                "INSERT INTO media_accounts (server_id, external_id, name, thumb, is_admin, is_disabled, source, \
                 first_seen_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, 'sync', ?, ?) \
                 ON CONFLICT (server_id, external_id) DO UPDATE SET name = excluded.name, \
                 thumb = COALESCE(excluded.thumb, media_accounts.thumb), is_admin = excluded.is_admin, \
                 is_disabled = excluded.is_disabled, synced_at = excluded.synced_at",
            )
            .bind(server.0)
            .bind(&a.external_id)
            .bind(&a.name)
            .bind(&a.thumb)
            .bind(a.is_admin)
            .bind(a.is_disabled)
            .bind(to_ms(now))
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        }
        let (after,): (i64,) = sqlx::query_as(count).bind(server.0).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    pub(super) async fn account_rows(&self, server: ServerId) -> Result<Vec<MediaAccountRecord>, StoreError> {
        let rows: Vec<AccountRow> = sqlx::query_as(
            "SELECT id, server_id, external_id, name, thumb, is_admin, is_disabled, source, first_seen_at, \
             last_streamed_at FROM media_accounts WHERE server_id = ? ORDER BY name COLLATE NOCASE, id",
        )
        .bind(server.0)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|(id, server_id, external_id, name, thumb, is_admin, is_disabled, source, first, last)| {
                Ok(MediaAccountRecord {
                    id,
                    server_id: ServerId(server_id),
                    external_id,
                    name,
                    thumb,
                    is_admin,
                    is_disabled,
                    source,
                    first_seen_at: from_ms(first)?,
                    last_streamed_at: last.map(from_ms).transpose()?,
                })
            })
            .collect()
    }
}
