//! Rules (stored as their JSON), incidents (one open per condition, updated while it lasts) and
//! the per-account play history the rules judge against.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::store::{DetectionStore, IncidentRecord, PlayFacts, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{Rule, Violation};

type IncidentRow = (i64, String, i64, i64, i64, String);
/// The play columns the rules need; shared with the backtest query in `rules_admin.rs`.
#[derive(sqlx::FromRow)]
pub(super) struct FactsRow {
    play_key: i64,
    session_key: String,
    started_at: i64,
    last_seen_at: i64,
    ended_at: Option<i64>,
    client_ip: Option<String>,
    address_class: Option<String>,
    device_id: Option<String>,
    player_name: Option<String>,
    product: Option<String>,
    platform: Option<String>,
    country_code: Option<String>,
    city: Option<String>,
    region: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_km: Option<f64>,
    asn: Option<i64>,
    asn_org: Option<String>,
}

impl TryFrom<FactsRow> for PlayFacts {
    type Error = StoreError;

    fn try_from(r: FactsRow) -> Result<Self, StoreError> {
        Ok(PlayFacts {
            play_key: r.play_key,
            session_key: r.session_key,
            started_at: from_ms(r.started_at)?,
            last_seen_at: from_ms(r.last_seen_at)?,
            ended: r.ended_at.is_some(),
            ip: r.client_ip,
            address_class: r.address_class,
            device_id: r.device_id,
            player: r.player_name,
            product: r.product,
            platform: r.platform,
            country_code: r.country_code,
            city: r.city,
            region: r.region,
            latitude: r.latitude,
            longitude: r.longitude,
            accuracy_km: r.accuracy_km,
            asn: r.asn.and_then(|a| u32::try_from(a).ok()),
            asn_org: r.asn_org,
        })
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn incident((id, status, occurrences, opened_at, updated_at, json): IncidentRow) -> Result<IncidentRecord, StoreError> {
    Ok(IncidentRecord {
        id,
        status,
        occurrences: u32::try_from(occurrences).unwrap_or(u32::MAX),
        opened_at: from_ms(opened_at)?,
        updated_at: from_ms(updated_at)?,
        violation: serde_json::from_str(&json).map_err(corrupt)?,
    })
}

/// Expands to the incident SELECT with a literal clause appended.
macro_rules! select_incident {
    ($rest:literal) => {
        concat!("SELECT id, status, occurrences, opened_at, updated_at, violation_json FROM incidents ", $rest)
    };
}

#[async_trait]
impl DetectionStore for SqliteStore {
    async fn rules(&self) -> Result<Vec<Rule>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, rule_json FROM rules ORDER BY position, id").fetch_all(&self.reader).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, json)| match serde_json::from_str::<Rule>(&json) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    tracing::warn!(rule = %id, error = %e, "skipping a stored rule this version cannot read");
                    None
                }
            })
            .collect())
    }

    async fn install_rules_if_none(&self, rules: &[Rule], now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rules").fetch_one(&mut *tx).await?;
        if existing > 0 {
            return Ok(false);
        }
        for (position, rule) in rules.iter().enumerate() {
            sqlx::query("INSERT INTO rules (id, position, rule_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
                .bind(&rule.id.0)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(serde_json::to_string(rule).map_err(corrupt)?)
                .bind(to_ms(now))
                .bind(to_ms(now))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn record_violation(
        &self,
        violation: &Violation,
        now: DateTime<Utc>,
    ) -> Result<(IncidentRecord, bool), StoreError> {
        let json = serde_json::to_string(violation).map_err(corrupt)?;
        let severity = serde_json::to_value(violation.severity).map_err(corrupt)?;
        let kind = serde_json::to_value(violation.kind).map_err(corrupt)?;
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let updated = sqlx::query(
            "UPDATE incidents SET occurrences = occurrences + 1, updated_at = ?, summary = ?, severity = ?, \
             violation_json = ? WHERE condition_key = ? AND status IN ('open', 'acknowledged')",
        )
        .bind(to_ms(now))
        .bind(&violation.summary)
        .bind(severity.as_str().unwrap_or_default())
        .bind(&json)
        .bind(&violation.condition_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO incidents (rule_id, rule_kind, server_id, user_id, condition_key, severity, status, \
                 summary, violation_json, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
            )
            .bind(&violation.rule_id.0)
            .bind(kind.as_str().unwrap_or_default())
            .bind(violation.server_id.0)
            .bind(&violation.user_id)
            .bind(&violation.condition_key)
            .bind(severity.as_str().unwrap_or_default())
            .bind(&violation.summary)
            .bind(&json)
            .bind(to_ms(now))
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        }
        let row: IncidentRow = sqlx::query_as(select_incident!(
            "WHERE condition_key = ? AND status IN ('open', 'acknowledged') ORDER BY id DESC LIMIT 1"
        ))
        .bind(&violation.condition_key)
        .fetch_one(&mut *tx)
        .await?;
        for s in &violation.evidence.sessions {
            if let Some(play) = &s.play_id {
                sqlx::query("INSERT OR IGNORE INTO incident_plays (server_id, play_id, incident_id) VALUES (?, ?, ?)")
                    .bind(s.server_id.0)
                    .bind(play)
                    .bind(row.0)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok((incident(row)?, updated == 0))
    }

    async fn set_incident_status(
        &self,
        id: i64,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IncidentRecord>, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let changed = sqlx::query("UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(to_ms(now))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let row: IncidentRow = sqlx::query_as(select_incident!("WHERE id = ?")).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(incident(row)?))
    }

    async fn incidents(&self, limit: u32) -> Result<Vec<IncidentRecord>, StoreError> {
        let rows: Vec<IncidentRow> = sqlx::query_as(select_incident!("ORDER BY updated_at DESC, id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter().map(incident).collect()
    }

    async fn account_plays(
        &self,
        server: ServerId,
        user_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<PlayFacts>, StoreError> {
        let rows: Vec<FactsRow> = sqlx::query_as(
            "SELECT p.play_key, p.session_key, p.started_at, p.last_seen_at, p.ended_at, p.client_ip, p.address_class, \
             p.device_id, p.player_name, p.product, p.platform, p.country_code, p.city, p.region, p.latitude, \
             p.longitude, p.accuracy_km, p.asn, p.asn_org FROM plays p JOIN media_accounts a ON a.id = p.account_id \
             WHERE p.server_id = ? AND a.external_id = ? AND p.last_seen_at >= ? ORDER BY p.started_at, p.id",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(to_ms(since))
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(PlayFacts::try_from).collect()
    }

    async fn plays_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        server: Option<ServerId>,
        user_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(ServerId, String, String, PlayFacts)>, StoreError> {
        self.play_rows_between(from, to, server, user_id, limit).await
    }

    async fn account_known(
        &self,
        server: ServerId,
        user_id: &str,
        before: DateTime<Utc>,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let devices: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT COALESCE(NULLIF(TRIM(p.device_id), ''), TRIM(p.player_name)) FROM plays p \
             JOIN media_accounts a ON a.id = p.account_id WHERE p.server_id = ? AND a.external_id = ? \
             AND p.started_at < ? AND COALESCE(NULLIF(TRIM(p.device_id), ''), TRIM(p.player_name)) IS NOT NULL",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(to_ms(before))
        .fetch_all(&self.reader)
        .await?;
        let countries: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT UPPER(p.country_code) FROM plays p JOIN media_accounts a ON a.id = p.account_id \
             WHERE p.server_id = ? AND a.external_id = ? AND p.started_at < ? AND p.country_code IS NOT NULL",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(to_ms(before))
        .fetch_all(&self.reader)
        .await?;
        Ok((devices.into_iter().map(|d| d.0).collect(), countries.into_iter().map(|c| c.0).collect()))
    }
}
