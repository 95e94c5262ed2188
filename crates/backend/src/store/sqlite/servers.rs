//! Media-server queries. The token column holds a `SecretBox` envelope whose associated data
//! names this table, column and row, so a ciphertext copied to another row never decrypts.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::crypto::SecretBox;
use crate::secret::SecretString;
use crate::store::{NewServer, ServerChanges, ServerRecord, ServerStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;

type ServerRow = (i64, String, String, String, String, bool, i64, i64);

/// Expands to the server SELECT with a literal clause appended.
macro_rules! select_server {
    ($rest:literal) => {
        concat!("SELECT id, kind, name, url, color, enabled, created_at, updated_at FROM media_servers ", $rest)
    };
}

fn token_aad(id: i64) -> String {
    format!("media_servers|token_enc|{id}")
}

fn record(row: ServerRow) -> Result<ServerRecord, StoreError> {
    let (id, kind, name, url, color, enabled, created_at, updated_at) = row;
    Ok(ServerRecord {
        id: ServerId(id),
        kind: ServerKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown server kind {kind:?}")))?,
        name,
        url,
        color,
        enabled,
        created_at: from_ms(created_at)?,
        updated_at: from_ms(updated_at)?,
    })
}

fn encrypt(secrets: &SecretBox, token: &SecretString, id: i64) -> Result<String, StoreError> {
    secrets.encrypt(token.expose(), &token_aad(id)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[async_trait]
impl ServerStore for SqliteStore {
    async fn create_server(
        &self,
        server: &NewServer,
        token: &SecretString,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<ServerRecord, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        // The row id is part of the token's associated data, so insert first, then seal.
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO media_servers (kind, name, url, token_enc, color, enabled, created_at, updated_at) \
             VALUES (?, ?, ?, '', ?, ?, ?, ?) RETURNING id",
        )
        .bind(server.kind.as_str())
        .bind(&server.name)
        .bind(&server.url)
        .bind(&server.color)
        .bind(server.enabled)
        .bind(to_ms(now))
        .bind(to_ms(now))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE media_servers SET token_enc = ? WHERE id = ?")
            .bind(encrypt(secrets, token, id)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ServerRecord {
            id: ServerId(id),
            kind: server.kind,
            name: server.name.clone(),
            url: server.url.clone(),
            color: server.color.clone(),
            enabled: server.enabled,
            created_at: now,
            updated_at: now,
        })
    }

    async fn list_servers(&self) -> Result<Vec<ServerRecord>, StoreError> {
        sqlx::query_as::<_, ServerRow>(select_server!("ORDER BY name"))
            .fetch_all(&self.reader)
            .await?
            .into_iter()
            .map(record)
            .collect()
    }

    async fn server(&self, id: ServerId) -> Result<Option<ServerRecord>, StoreError> {
        sqlx::query_as::<_, ServerRow>(select_server!("WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .map(record)
            .transpose()
    }

    async fn server_token(&self, id: ServerId, secrets: &SecretBox) -> Result<Option<SecretString>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT token_enc FROM media_servers WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|(envelope,)| {
            secrets
                .decrypt(&envelope, &token_aad(id.0))
                .map(SecretString::new)
                .map_err(|e| StoreError::Corrupt(format!("token of server {id}: {e}")))
        })
        .transpose()
    }

    async fn update_server(
        &self,
        id: ServerId,
        changes: &ServerChanges,
        token: Option<&SecretString>,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<Option<ServerRecord>, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let done = sqlx::query(
            "UPDATE media_servers SET name = COALESCE(?, name), url = COALESCE(?, url), \
             color = COALESCE(?, color), enabled = COALESCE(?, enabled), updated_at = ? WHERE id = ?",
        )
        .bind(changes.name.as_deref())
        .bind(changes.url.as_deref())
        .bind(changes.color.as_deref())
        .bind(changes.enabled)
        .bind(to_ms(now))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        if let Some(token) = token {
            sqlx::query("UPDATE media_servers SET token_enc = ? WHERE id = ?")
                .bind(encrypt(secrets, token, id.0)?)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query_as::<_, ServerRow>(select_server!("WHERE id = ?")).bind(id.0).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        record(row).map(Some)
    }

    async fn delete_server(&self, id: ServerId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM media_servers WHERE id = ?").bind(id.0).execute(&self.writer).await?;
        Ok(done.rows_affected() > 0)
    }
}
