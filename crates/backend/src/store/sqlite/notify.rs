//! Notification destinations and the outbox. A destination's config is one `SecretBox` envelope of
//! its JSON, bound to `notify_destinations|config_enc|<id>`, so a ciphertext copied to another row
//! never decrypts. The worker's queries take the head (oldest queued row) of each destination, so a
//! destination's notices go out in order and one at a time.

use super::time::{from_ms, to_ms};
use super::{BEGIN_WRITE, SqliteStore};
use crate::crypto::SecretBox;
use crate::notify::{Destination, DestinationConfig, DestinationKind, EventKind, Notice};
use crate::store::StoreError;
use crate::store::notify::{
    AttemptEnd, DestinationRecord, Destinations, LastOutcome, NotifyStore, OutboxCounts, OutboxRow, OutboxState,
    UnreadableDestination,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::rules::Severity;

fn config_aad(id: i64) -> String {
    format!("notify_destinations|config_enc|{id}")
}

fn severity_name(s: Severity) -> &'static str {
    s.as_str()
}

fn parse_severity(s: &str) -> Option<Severity> {
    [Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().find(|v| v.as_str() == s)
}

fn events_json(events: &[EventKind]) -> String {
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    serde_json::Value::from(names).to_string()
}

/// Event names this build knows; unknown ones (from a newer build) are skipped.
fn parse_events(json: &str) -> Result<Vec<EventKind>, String> {
    let names: Vec<String> = serde_json::from_str(json).map_err(|e| format!("events: {e}"))?;
    Ok(names.iter().filter_map(|n| EventKind::parse(n)).collect())
}

fn seal(secrets: &SecretBox, config: &DestinationConfig, id: i64) -> Result<String, StoreError> {
    let json = serde_json::to_string(config).map_err(|e| StoreError::Corrupt(format!("destination config: {e}")))?;
    secrets.encrypt(&json, &config_aad(id)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn open_config(
    secrets: &SecretBox,
    envelope: &str,
    id: i64,
    kind: DestinationKind,
) -> Result<DestinationConfig, String> {
    let json = secrets.decrypt(envelope, &config_aad(id)).map_err(|e| e.to_string())?;
    let config: DestinationConfig = serde_json::from_str(&json)
        .map_err(|_| "the stored settings are not in a format this version reads".to_owned())?;
    if config.kind() != kind {
        return Err("the stored settings belong to another kind of destination".to_owned());
    }
    Ok(config)
}

/// Expands to the destination SELECT with a literal clause appended.
macro_rules! select_destination {
    ($rest:literal) => {
        concat!(
            "SELECT id, kind, name, enabled, events, min_severity, allow_private, rate_per_minute, title_template, \
             body_template, config_enc, last_at, last_ok, last_outcome, created_at, updated_at \
             FROM notify_destinations ",
            $rest
        )
    };
}

#[derive(sqlx::FromRow)]
struct DestinationRow {
    id: i64,
    kind: String,
    name: String,
    enabled: bool,
    events: String,
    min_severity: String,
    allow_private: bool,
    rate_per_minute: i64,
    title_template: Option<String>,
    body_template: Option<String>,
    config_enc: String,
    last_at: Option<i64>,
    last_ok: Option<bool>,
    last_outcome: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl DestinationRow {
    fn unreadable(&self, reason: impl Into<String>) -> UnreadableDestination {
        UnreadableDestination { id: self.id, kind: self.kind.clone(), name: self.name.clone(), reason: reason.into() }
    }

    /// The record, or why it cannot be read; `Err(StoreError)` only for broken timestamps.
    fn read(self, secrets: &SecretBox) -> Result<Result<DestinationRecord, UnreadableDestination>, StoreError> {
        let Some(kind) = DestinationKind::parse(&self.kind) else {
            return Ok(Err(self.unreadable(format!("unknown kind {:?}", self.kind))));
        };
        let Some(min_severity) = parse_severity(&self.min_severity) else {
            return Ok(Err(self.unreadable(format!("unknown severity {:?}", self.min_severity))));
        };
        let events = match parse_events(&self.events) {
            Ok(e) => e,
            Err(reason) => return Ok(Err(self.unreadable(reason))),
        };
        let config = match open_config(secrets, &self.config_enc, self.id, kind) {
            Ok(c) => c,
            Err(reason) => return Ok(Err(self.unreadable(reason))),
        };
        let last = match (self.last_at, self.last_ok, self.last_outcome) {
            (Some(at), Some(ok), Some(text)) => Some(LastOutcome { at: from_ms(at)?, ok, text }),
            _ => None,
        };
        Ok(Ok(DestinationRecord {
            destination: Destination {
                id: self.id,
                name: self.name,
                enabled: self.enabled,
                events,
                min_severity,
                allow_private: self.allow_private,
                rate_per_minute: u32::try_from(self.rate_per_minute).unwrap_or(1).max(1),
                title_template: self.title_template,
                body_template: self.body_template,
                config,
            },
            last,
            created_at: from_ms(self.created_at)?,
            updated_at: from_ms(self.updated_at)?,
        }))
    }
}

/// Expands to the outbox SELECT (aliased `o`) with a literal clause (or a macro making one) appended.
macro_rules! select_outbox {
    ($rest:expr) => {
        concat!(
            "SELECT o.id, o.destination_id, o.event, o.notice_json, o.dedupe_key, o.state, o.attempts, \
             o.next_attempt_at, o.last_error, o.created_at, o.updated_at, o.delivered_at FROM notify_outbox o ",
            $rest
        )
    };
}

#[derive(sqlx::FromRow)]
struct OutboxDbRow {
    id: i64,
    destination_id: i64,
    event: String,
    notice_json: String,
    dedupe_key: String,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<OutboxDbRow> for OutboxRow {
    type Error = StoreError;

    fn try_from(r: OutboxDbRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("outbox row {}: {what}", r.id));
        Ok(OutboxRow {
            id: r.id,
            destination_id: r.destination_id,
            event: EventKind::parse(&r.event).ok_or_else(|| corrupt("unknown event"))?,
            notice: serde_json::from_str(&r.notice_json).map_err(|e| corrupt(&format!("notice: {e}")))?,
            dedupe_key: r.dedupe_key.clone(),
            state: OutboxState::parse(&r.state).ok_or_else(|| corrupt("unknown state"))?,
            attempts: u32::try_from(r.attempts).map_err(|_| corrupt("attempts"))?,
            next_attempt_at: from_ms(r.next_attempt_at)?,
            last_error: r.last_error.clone(),
            created_at: from_ms(r.created_at)?,
            updated_at: from_ms(r.updated_at)?,
            delivered_at: r.delivered_at.map(from_ms).transpose()?,
        })
    }
}

fn rows(list: Vec<OutboxDbRow>) -> Result<Vec<OutboxRow>, StoreError> {
    list.into_iter().map(OutboxRow::try_from).collect()
}

/// Heads of enabled destinations with nothing being sent (shared by the due and next-due queries).
macro_rules! heads {
    ($rest:expr) => {
        concat!(
            "JOIN notify_destinations d ON d.id = o.destination_id \
             WHERE o.state = 'queued' AND d.enabled = 1 \
             AND o.id = (SELECT MIN(h.id) FROM notify_outbox h WHERE h.destination_id = o.destination_id AND h.state = 'queued') \
             AND NOT EXISTS (SELECT 1 FROM notify_outbox s WHERE s.destination_id = o.destination_id AND s.state = 'sending') ",
            $rest
        )
    };
}

#[async_trait]
impl NotifyStore for SqliteStore {
    async fn create_destination(
        &self,
        destination: &Destination,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<DestinationRecord, StoreError> {
        let d = destination;
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        // The row id is part of the config's associated data, so insert first, then seal.
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO notify_destinations (kind, name, enabled, events, min_severity, allow_private, \
             rate_per_minute, title_template, body_template, config_enc, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id",
        )
        .bind(d.config.kind().as_str())
        .bind(&d.name)
        .bind(d.enabled)
        .bind(events_json(&d.events))
        .bind(severity_name(d.min_severity))
        .bind(d.allow_private)
        .bind(i64::from(d.rate_per_minute.max(1)))
        .bind(d.title_template.as_deref())
        .bind(d.body_template.as_deref())
        .bind(to_ms(now))
        .bind(to_ms(now))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE notify_destinations SET config_enc = ? WHERE id = ?")
            .bind(seal(secrets, &d.config, id)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(DestinationRecord {
            destination: Destination { id, ..d.clone() },
            last: None,
            created_at: now,
            updated_at: now,
        })
    }

    async fn update_destination(
        &self,
        destination: &Destination,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<Option<DestinationRecord>, StoreError> {
        let d = destination;
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let done = sqlx::query(
            "UPDATE notify_destinations SET name = ?, enabled = ?, events = ?, min_severity = ?, allow_private = ?, \
             rate_per_minute = ?, title_template = ?, body_template = ?, config_enc = ?, updated_at = ? \
             WHERE id = ? AND kind = ?",
        )
        .bind(&d.name)
        .bind(d.enabled)
        .bind(events_json(&d.events))
        .bind(severity_name(d.min_severity))
        .bind(d.allow_private)
        .bind(i64::from(d.rate_per_minute.max(1)))
        .bind(d.title_template.as_deref())
        .bind(d.body_template.as_deref())
        .bind(seal(secrets, &d.config, d.id)?)
        .bind(to_ms(now))
        .bind(d.id)
        .bind(d.config.kind().as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        if !d.enabled {
            sqlx::query("DELETE FROM notify_outbox WHERE destination_id = ? AND state = 'queued'")
                .bind(d.id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query_as::<_, DestinationRow>(select_destination!("WHERE id = ?"))
            .bind(d.id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        match row.read(secrets)? {
            Ok(record) => Ok(Some(record)),
            Err(u) => Err(StoreError::Corrupt(format!("destination {}: {}", u.id, u.reason))),
        }
    }

    async fn delete_destination(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM notify_destinations WHERE id = ?").bind(id).execute(&self.writer).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn destinations(&self, secrets: &SecretBox) -> Result<Destinations, StoreError> {
        let list =
            sqlx::query_as::<_, DestinationRow>(select_destination!("ORDER BY id")).fetch_all(&self.reader).await?;
        let mut all = Destinations::default();
        for row in list {
            match row.read(secrets)? {
                Ok(record) => all.readable.push(record),
                Err(unreadable) => all.unreadable.push(unreadable),
            }
        }
        Ok(all)
    }

    async fn destination(&self, id: i64, secrets: &SecretBox) -> Result<Option<DestinationRecord>, StoreError> {
        let row = sqlx::query_as::<_, DestinationRow>(select_destination!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        match row.map(|r| r.read(secrets)).transpose()? {
            None => Ok(None),
            Some(Ok(record)) => Ok(Some(record)),
            Some(Err(u)) => Err(StoreError::Corrupt(format!("destination {id}: {}", u.reason))),
        }
    }

    async fn set_destination_outcome(&self, id: i64, outcome: &LastOutcome) -> Result<(), StoreError> {
        sqlx::query("UPDATE notify_destinations SET last_at = ?, last_ok = ?, last_outcome = ? WHERE id = ?")
            .bind(to_ms(outcome.at))
            .bind(outcome.ok)
            .bind(&outcome.text)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn enqueue_notice(
        &self,
        destinations: &[i64],
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if destinations.is_empty() {
            return Ok(0);
        }
        let json = serde_json::to_string(notice).map_err(|e| StoreError::Corrupt(format!("notice: {e}")))?;
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let mut added = 0;
        for id in destinations {
            let done = sqlx::query(
                "INSERT INTO notify_outbox (destination_id, event, notice_json, dedupe_key, state, attempts, \
                 next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?) \
                 ON CONFLICT (destination_id, dedupe_key) DO NOTHING",
            )
            .bind(id)
            .bind(notice.kind.as_str())
            .bind(&json)
            .bind(&notice.dedupe_key)
            .bind(to_ms(now))
            .bind(to_ms(now))
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
            added += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn requeue_interrupted(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE notify_outbox SET state = 'queued', next_attempt_at = ?, updated_at = ? WHERE state = 'sending'",
        )
        .bind(to_ms(now))
        .bind(to_ms(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    async fn due_outbox(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let list = sqlx::query_as::<_, OutboxDbRow>(select_outbox!(heads!(
            "AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?"
        )))
        .bind(to_ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows(list)
    }

    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (next,): (Option<i64>,) =
            sqlx::query_as(concat!("SELECT MIN(o.next_attempt_at) FROM notify_outbox o ", heads!("")))
                .fetch_one(&self.reader)
                .await?;
        next.map(from_ms).transpose()
    }

    async fn start_sending(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE notify_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? \
             WHERE id = ? AND state = 'queued'",
        )
        .bind(to_ms(now))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn postpone_outbox(&self, id: i64, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE notify_outbox SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
        )
        .bind(to_ms(until))
        .bind(to_ms(now))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn finish_outbox(&self, id: i64, end: &AttemptEnd, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
        let (state, next, error, delivered, ok, text) = match end {
            AttemptEnd::Delivered { outcome } => ("delivered", None, None, Some(to_ms(now)), true, outcome.as_str()),
            AttemptEnd::Retry { at, error } => {
                ("queued", Some(to_ms(*at)), Some(error.as_str()), None, false, error.as_str())
            }
            AttemptEnd::Dead { error } => ("dead", None, Some(error.as_str()), None, false, error.as_str()),
        };
        let destination: Option<(i64,)> = sqlx::query_as(
            "UPDATE notify_outbox SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, \
             delivered_at = ?, updated_at = ? WHERE id = ? AND state = 'sending' RETURNING destination_id",
        )
        .bind(state)
        .bind(next)
        .bind(error)
        .bind(delivered)
        .bind(to_ms(now))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((destination,)) = destination else {
            return Ok(false);
        };
        sqlx::query("UPDATE notify_destinations SET last_at = ?, last_ok = ?, last_outcome = ? WHERE id = ?")
            .bind(to_ms(now))
            .bind(ok)
            .bind(text)
            .bind(destination)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn outbox_rows(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxRow>, StoreError> {
        let list = sqlx::query_as::<_, OutboxDbRow>(select_outbox!(
            "WHERE (?1 IS NULL OR o.state = ?1) ORDER BY o.updated_at DESC, o.id DESC LIMIT ?2"
        ))
        .bind(state.map(OutboxState::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows(list)
    }

    async fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        sqlx::query_as::<_, OutboxDbRow>(select_outbox!("WHERE o.id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .map(OutboxRow::try_from)
            .transpose()
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let list: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM notify_outbox GROUP BY state").fetch_all(&self.reader).await?;
        let mut counts = OutboxCounts::default();
        for (state, n) in list {
            let n = u64::try_from(n).unwrap_or(0);
            match OutboxState::parse(&state) {
                Some(OutboxState::Queued) => counts.queued = n,
                Some(OutboxState::Sending) => counts.sending = n,
                Some(OutboxState::Delivered) => counts.delivered = n,
                Some(OutboxState::Dead) => counts.dead = n,
                None => {}
            }
        }
        Ok(counts)
    }

    async fn retry_outbox(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE notify_outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, last_error = NULL, \
             updated_at = ? WHERE id = ? AND state IN ('dead', 'queued')",
        )
        .bind(to_ms(now))
        .bind(to_ms(now))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_outbox(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM notify_outbox WHERE id = ? AND state <> 'sending'")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn purge_outbox(
        &self,
        delivered_before: DateTime<Utc>,
        dead_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM notify_outbox WHERE (state = 'delivered' AND updated_at < ?) \
             OR (state = 'dead' AND updated_at < ?)",
        )
        .bind(to_ms(delivered_before))
        .bind(to_ms(dead_before))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
