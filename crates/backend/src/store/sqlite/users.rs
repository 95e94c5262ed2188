//! Owner/admin account queries.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{StoreError, UserRecord, UserStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::{Role, UserId};

type UserRow = (i64, String, String, String, i64, i64);

/// Expands to the user SELECT with a literal WHERE clause appended.
macro_rules! select_user {
    ($where:literal) => {
        concat!("SELECT id, username, role, password_hash, created_at, password_changed_at FROM admin_users ", $where)
    };
}

fn record(row: UserRow) -> Result<UserRecord, StoreError> {
    let (id, username, role, password_hash, created_at, changed_at) = row;
    Ok(UserRecord {
        id: UserId(id),
        username,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        password_hash,
        created_at: from_ms(created_at)?,
        password_changed_at: from_ms(changed_at)?,
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_owner(
        &self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserRecord, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM admin_users WHERE role = 'owner'").fetch_optional(&mut *tx).await?;
        if existing.is_some() {
            return Err(StoreError::Conflict("an owner already exists".to_owned()));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO admin_users (username, role, password_hash, created_at, password_changed_at) \
             VALUES (?, 'owner', ?, ?, ?) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(to_ms(now))
        .bind(to_ms(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(UserRecord {
            id: UserId(id),
            username: username.to_owned(),
            role: Role::Owner,
            password_hash: password_hash.to_owned(),
            created_at: now,
            password_changed_at: now,
        })
    }

    async fn owner(&self) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query_as::<_, UserRow>(select_user!("WHERE role = 'owner'"))
            .fetch_optional(&self.reader)
            .await?
            .map(record)
            .transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query_as::<_, UserRow>(select_user!("WHERE username = ?"))
            .bind(username)
            .fetch_optional(&self.reader)
            .await?
            .map(record)
            .transpose()
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query_as::<_, UserRow>(select_user!("WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?
            .map(record)
            .transpose()
    }

    async fn set_password(&self, id: UserId, password_hash: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        sqlx::query("UPDATE admin_users SET password_hash = ?, password_changed_at = ? WHERE id = ?")
            .bind(password_hash)
            .bind(to_ms(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query("DELETE FROM auth_sessions WHERE user_id = ?").bind(id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ended.rows_affected())
    }

    async fn replace_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE admin_users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id.0)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
