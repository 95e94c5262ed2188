//! Writing the rule set (add last, edit in place, delete, replace all at once), rule snoozes per
//! account, and the backtest's query of plays by start time. Validation is the caller's.

use super::detection::FactsRow;
use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{PlayFacts, RuleAdminStore, SnoozeRecord, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{Rule, RuleId};
use std::collections::HashSet;

fn rule_json(rule: &Rule) -> Result<String, StoreError> {
    serde_json::to_string(rule).map_err(|e| StoreError::Corrupt(e.to_string()))
}

type SnoozeRow = (String, i64, String, i64, String, i64);

fn snooze((rule_id, server_id, user_id, until, actor, created_at): SnoozeRow) -> Result<SnoozeRecord, StoreError> {
    Ok(SnoozeRecord {
        rule_id: RuleId(rule_id),
        server_id: ServerId(server_id),
        user_id,
        until: from_ms(until)?,
        actor,
        created_at: from_ms(created_at)?,
    })
}

#[derive(sqlx::FromRow)]
struct BacktestRow {
    server_id: i64,
    server_name: String,
    user_id: String,
    #[sqlx(flatten)]
    facts: FactsRow,
}

impl SqliteStore {
    pub(super) async fn play_rows_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        server: Option<ServerId>,
        user_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(ServerId, String, String, PlayFacts)>, StoreError> {
        // `plays_started_at` serves the range; the optional filters are checked per row.
        let rows: Vec<BacktestRow> = sqlx::query_as(
            "SELECT p.server_id, s.name AS server_name, a.external_id AS user_id, p.play_key, p.session_key, \
             p.started_at, p.last_seen_at, p.ended_at, p.client_ip, p.address_class, p.device_id, p.player_name, \
             p.product, p.platform, p.country_code, p.city, p.region, p.latitude, p.longitude, p.accuracy_km, \
             p.asn, p.asn_org FROM plays p JOIN media_accounts a ON a.id = p.account_id \
             JOIN media_servers s ON s.id = p.server_id \
             WHERE p.started_at BETWEEN ?1 AND ?2 AND (?3 IS NULL OR p.server_id = ?3) \
             AND (?4 IS NULL OR a.external_id = ?4) ORDER BY p.started_at, p.id LIMIT ?5",
        )
        .bind(to_ms(from))
        .bind(to_ms(to))
        .bind(server.map(|s| s.0))
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|r| Ok((ServerId(r.server_id), r.server_name, r.user_id, PlayFacts::try_from(r.facts)?)))
            .collect()
    }
}

#[async_trait]
impl RuleAdminStore for SqliteStore {
    async fn insert_rule(&self, rule: &Rule, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO rules (id, position, rule_json, created_at, updated_at) \
             VALUES (?, (SELECT COALESCE(MAX(position) + 1, 0) FROM rules), ?, ?, ?)",
        )
        .bind(&rule.id.0)
        .bind(rule_json(rule)?)
        .bind(to_ms(now))
        .bind(to_ms(now))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn update_rule(&self, rule: &Rule, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = sqlx::query("UPDATE rules SET rule_json = ?, updated_at = ? WHERE id = ?")
            .bind(rule_json(rule)?)
            .bind(to_ms(now))
            .bind(&rule.id.0)
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(changed > 0)
    }

    async fn delete_rule(&self, id: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM rules WHERE id = ?").bind(id).execute(&self.writer).await?.rows_affected();
        Ok(gone > 0)
    }

    async fn replace_rules(&self, rules: &[Rule], now: DateTime<Utc>) -> Result<(), StoreError> {
        let keep: HashSet<&str> = rules.iter().map(|r| r.id.0.as_str()).collect();
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let existing: Vec<(String,)> = sqlx::query_as("SELECT id FROM rules").fetch_all(&mut *tx).await?;
        for (id,) in existing.iter().filter(|(id,)| !keep.contains(id.as_str())) {
            sqlx::query("DELETE FROM rules WHERE id = ?").bind(id).execute(&mut *tx).await?;
        }
        for (position, rule) in rules.iter().enumerate() {
            sqlx::query(
                "INSERT INTO rules (id, position, rule_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET position = excluded.position, rule_json = excluded.rule_json, \
                 updated_at = excluded.updated_at",
            )
            .bind(&rule.id.0)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(rule_json(rule)?)
            .bind(to_ms(now))
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_snooze(&self, s: &SnoozeRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO rule_snoozes (rule_id, server_id, user_id, until, actor, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (rule_id, server_id, user_id) DO UPDATE SET until = excluded.until, actor = excluded.actor, \
             created_at = excluded.created_at",
        )
        .bind(&s.rule_id.0)
        .bind(s.server_id.0)
        .bind(&s.user_id)
        .bind(to_ms(s.until))
        .bind(&s.actor)
        .bind(to_ms(s.created_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn delete_snooze(&self, rule_id: &str, server: ServerId, user_id: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM rule_snoozes WHERE rule_id = ? AND server_id = ? AND user_id = ?")
            .bind(rule_id)
            .bind(server.0)
            .bind(user_id)
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(gone > 0)
    }

    async fn active_snoozes(&self, now: DateTime<Utc>) -> Result<Vec<SnoozeRecord>, StoreError> {
        let rows: Vec<SnoozeRow> = sqlx::query_as(
            "SELECT rule_id, server_id, user_id, until, actor, created_at FROM rule_snoozes WHERE until > ? \
             ORDER BY until, rule_id, server_id, user_id",
        )
        .bind(to_ms(now))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(snooze).collect()
    }

    async fn snoozed_rules(
        &self,
        server: ServerId,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<RuleId>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT rule_id FROM rule_snoozes WHERE server_id = ? AND user_id = ? AND until > ? ORDER BY rule_id",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(to_ms(now))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(id,)| RuleId(id)).collect())
    }

    async fn purge_snoozes(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let gone = sqlx::query("DELETE FROM rule_snoozes WHERE until <= ?")
            .bind(to_ms(now))
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(gone)
    }
}

#[cfg(test)]
#[path = "rules_admin_tests.rs"]
mod tests;
