//! Browser session queries.

use super::SqliteStore;
use super::time::{from_ms, to_ms};
use crate::store::{AuthSessionRecord, AuthSessionStore, NewAuthSession, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::{Role, UserId};

#[async_trait]
impl AuthSessionStore for SqliteStore {
    async fn create_session(&self, s: &NewAuthSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO auth_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.0)
        .bind(to_ms(s.created_at))
        .bind(to_ms(s.created_at))
        .bind(to_ms(s.expires_at))
        .bind(s.ip.as_deref())
        .bind(s.user_agent.as_deref())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn session_by_hash(&self, id_hash: &str) -> Result<Option<AuthSessionRecord>, StoreError> {
        let row: Option<(String, i64, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT s.id_hash, s.user_id, u.username, u.role, s.created_at, s.last_seen_at, s.expires_at \
             FROM auth_sessions s JOIN admin_users u ON u.id = s.user_id WHERE s.id_hash = ?",
        )
        .bind(id_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|(id_hash, user_id, username, role, created, seen, expires)| {
            Ok(AuthSessionRecord {
                id_hash,
                user_id: UserId(user_id),
                username,
                role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
                created_at: from_ms(created)?,
                last_seen_at: from_ms(seen)?,
                expires_at: from_ms(expires)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(to_ms(now))
            .bind(id_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM auth_sessions WHERE id_hash = ?").bind(id_hash).execute(&self.writer).await?;
        Ok(())
    }

    async fn delete_stale_sessions(&self, now: DateTime<Utc>, idle_cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= ? OR last_seen_at <= ?")
            .bind(to_ms(now))
            .bind(to_ms(idle_cutoff))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
