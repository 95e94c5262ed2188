//! Trust scores (one row per scored account) and their history (one row per change). A change is
//! read, planned by the caller's pure function and written inside one `BEGIN IMMEDIATE` transaction.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{StoreError, TrustChange, TrustChangeKind, TrustPlan, TrustPlanner, TrustState, TrustStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;

fn score(v: i64) -> Result<u8, StoreError> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("trust score {v} out of range")))
}

fn state(score_value: i64, clean_since: i64) -> Result<TrustState, StoreError> {
    Ok(TrustState { score: score(score_value)?, clean_since: from_ms(clean_since)? })
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: i64,
    server_id: i64,
    user_id: String,
    at: i64,
    kind: String,
    score_before: i64,
    score_after: i64,
    reason: String,
    incident_id: Option<i64>,
    actor: String,
}

impl TryFrom<ChangeRow> for TrustChange {
    type Error = StoreError;

    fn try_from(r: ChangeRow) -> Result<Self, StoreError> {
        Ok(TrustChange {
            id: r.id,
            server_id: ServerId(r.server_id),
            user_id: r.user_id,
            at: from_ms(r.at)?,
            kind: TrustChangeKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("trust change kind {:?}", r.kind)))?,
            score_before: score(r.score_before)?,
            score_after: score(r.score_after)?,
            reason: r.reason,
            incident_id: r.incident_id,
            actor: r.actor,
        })
    }
}

#[async_trait]
impl TrustStore for SqliteStore {
    async fn trust_state(&self, server: ServerId, user_id: &str) -> Result<Option<TrustState>, StoreError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT score, clean_since FROM trust_scores WHERE server_id = ? AND user_id = ?")
                .bind(server.0)
                .bind(user_id)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(s, c)| state(s, c)).transpose()
    }

    async fn trust_states(&self) -> Result<Vec<(ServerId, String, TrustState)>, StoreError> {
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT server_id, user_id, score, clean_since FROM trust_scores ORDER BY server_id, user_id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(|(server, user, s, c)| Ok((ServerId(server), user, state(s, c)?))).collect()
    }

    async fn update_trust(
        &self,
        server: ServerId,
        user_id: &str,
        plan: TrustPlanner<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<TrustPlan>, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT score, clean_since FROM trust_scores WHERE server_id = ? AND user_id = ?")
                .bind(server.0)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = row.map(|(s, c)| state(s, c)).transpose()?;
        let Some(planned) = plan(current) else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO trust_scores (server_id, user_id, score, clean_since, updated_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (server_id, user_id) DO UPDATE SET score = excluded.score, \
             clean_since = excluded.clean_since, updated_at = excluded.updated_at",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(i64::from(planned.state.score))
        .bind(to_ms(planned.state.clean_since))
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        for c in &planned.changes {
            sqlx::query(
                "INSERT INTO trust_history (server_id, user_id, at, kind, score_before, score_after, reason, \
                 incident_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(server.0)
            .bind(user_id)
            .bind(to_ms(c.at))
            .bind(c.kind.as_str())
            .bind(i64::from(c.score_before))
            .bind(i64::from(c.score_after))
            .bind(&c.reason)
            .bind(c.incident_id)
            .bind(&c.actor)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(planned))
    }

    async fn trust_history(&self, server: ServerId, user_id: &str, limit: u32) -> Result<Vec<TrustChange>, StoreError> {
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT id, server_id, user_id, at, kind, score_before, score_after, reason, incident_id, actor \
             FROM trust_history WHERE server_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(TrustChange::try_from).collect()
    }
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
