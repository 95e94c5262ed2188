//! API key queries. Only hashes are stored.

use super::SqliteStore;
use super::time::{from_ms, to_ms};
use crate::store::{ApiKeyRecord, ApiKeyStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ApiKeyId;

type KeyRow = (i64, String, String, bool, i64, Option<i64>);

fn record(row: KeyRow) -> Result<ApiKeyRecord, StoreError> {
    let (id, name, prefix, read_only, created, used) = row;
    Ok(ApiKeyRecord {
        id: ApiKeyId(id),
        name,
        prefix,
        read_only,
        created_at: from_ms(created)?,
        last_used_at: used.map(from_ms).transpose()?,
    })
}

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn create_api_key(
        &self,
        name: &str,
        key_hash: &str,
        prefix: &str,
        read_only: bool,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyRecord, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_keys (name, key_hash, prefix, read_only, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(key_hash)
        .bind(prefix)
        .bind(read_only)
        .bind(to_ms(now))
        .fetch_one(&self.writer)
        .await?;
        Ok(ApiKeyRecord {
            id: ApiKeyId(id),
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            read_only,
            created_at: now,
            last_used_at: None,
        })
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        sqlx::query_as::<_, KeyRow>(
            "SELECT id, name, prefix, read_only, created_at, last_used_at FROM api_keys \
             WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.reader)
        .await?
        .map(record)
        .transpose()
    }

    async fn touch_api_key(&self, id: ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
            .bind(to_ms(now))
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        sqlx::query_as::<_, KeyRow>(
            "SELECT id, name, prefix, read_only, created_at, last_used_at FROM api_keys \
             WHERE revoked_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.reader)
        .await?
        .into_iter()
        .map(record)
        .collect()
    }
}
