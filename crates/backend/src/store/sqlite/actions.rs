//! `incident_actions` rows: recording an action, moving it from scheduled to its outcome, reading an
//! incident's actions, the account's latest real stop (cooldowns) and abandoning stale schedules.

use super::SqliteStore;
use super::time::{from_ms, to_ms};
use crate::store::StoreError;
use crate::store::actions::{ActionKind, ActionStatus, ActionStore, IncidentAction, NewIncidentAction};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    incident_id: i64,
    action: String,
    dry_run: bool,
    status: String,
    detail: String,
    play_id: Option<String>,
    due_at: Option<i64>,
    created_at: i64,
    at: i64,
}

impl TryFrom<ActionRow> for IncidentAction {
    type Error = StoreError;

    fn try_from(r: ActionRow) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str, value: &str| StoreError::Corrupt(format!("incident action {}: {what} {value:?}", r.id));
        Ok(IncidentAction {
            id: r.id,
            incident_id: r.incident_id,
            action: ActionKind::parse(&r.action).ok_or_else(|| corrupt("action", &r.action))?,
            dry_run: r.dry_run,
            status: ActionStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            detail: r.detail,
            play_id: r.play_id,
            due_at: r.due_at.map(from_ms).transpose()?,
            created_at: from_ms(r.created_at)?,
            at: from_ms(r.at)?,
        })
    }
}

#[async_trait]
impl ActionStore for SqliteStore {
    async fn add_incident_action(&self, a: &NewIncidentAction) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO incident_actions (incident_id, action, dry_run, status, detail, play_id, due_at, created_at, at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(a.incident_id)
        .bind(a.action.as_str())
        .bind(a.dry_run)
        .bind(a.status.as_str())
        .bind(&a.detail)
        .bind(a.play_id.as_deref())
        .bind(a.due_at.map(to_ms))
        .bind(to_ms(a.at))
        .bind(to_ms(a.at))
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    async fn finish_incident_action(
        &self,
        id: i64,
        status: ActionStatus,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE incident_actions SET status = ?, detail = ?, at = ? WHERE id = ? AND status = 'scheduled'",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(to_ms(at))
        .bind(id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed > 0)
    }

    async fn incident_actions(&self, incident_id: i64) -> Result<Vec<IncidentAction>, StoreError> {
        let rows: Vec<ActionRow> = sqlx::query_as(
            "SELECT id, incident_id, action, dry_run, status, detail, play_id, due_at, created_at, at \
             FROM incident_actions WHERE incident_id = ? ORDER BY id",
        )
        .bind(incident_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(IncidentAction::try_from).collect()
    }

    async fn last_stop_of_account(&self, server: ServerId, user_id: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MAX(a.at) FROM incident_actions a JOIN incidents i ON i.id = a.incident_id \
             WHERE a.action = 'stop_stream' AND a.status = 'done' AND a.dry_run = 0 \
             AND i.server_id = ? AND i.user_id = ?",
        )
        .bind(server.0)
        .bind(user_id)
        .fetch_one(&self.reader)
        .await?;
        at.map(from_ms).transpose()
    }

    async fn abandon_scheduled_actions(&self, detail: &str, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let changed = sqlx::query(
            "UPDATE incident_actions SET status = 'skipped', detail = ?, at = ? WHERE status = 'scheduled'",
        )
        .bind(detail)
        .bind(to_ms(at))
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_fixture::{add_server, store, t0};
    use crate::store::DetectionStore;
    use crate::store::actions::*;
    use chrono::Duration;
    use sightline_domain::rules::{Evidence, Measure, RuleId, RuleType, Severity, Unit, Violation};

    fn violation(server: sightline_domain::ServerId, user: &str) -> Violation {
        Violation {
            rule_id: RuleId("r1".into()),
            rule_name: "Too many streams".into(),
            kind: RuleType::ConcurrentStreams,
            severity: Severity::Medium,
            server_id: server,
            user_id: user.into(),
            session_key: Some("k1".into()),
            summary: "3 streams".into(),
            evidence: Evidence {
                measured: Measure::amount(3.0, Unit::Streams),
                threshold: Measure::amount(2.0, Unit::Streams),
                facts: Vec::new(),
                sessions: Vec::new(),
            },
            condition_key: format!("r1|{server}|{user}"),
        }
    }

    fn stop(
        incident_id: i64,
        status: ActionStatus,
        dry_run: bool,
        at: chrono::DateTime<chrono::Utc>,
    ) -> NewIncidentAction {
        NewIncidentAction {
            incident_id,
            action: ActionKind::StopStream,
            dry_run,
            status,
            detail: "stop the stream after 30 s".into(),
            play_id: Some("00000000000000ab".into()),
            due_at: Some(at + Duration::seconds(30)),
            at,
        }
    }

    #[tokio::test]
    async fn an_action_moves_once_from_scheduled_to_its_outcome() {
        let (_dir, s) = store().await;
        let server = add_server(&s, "Jelly").await;
        let (incident, _) = s.record_violation(&violation(server, "u1"), t0()).await.expect("records");
        let id = s.add_incident_action(&stop(incident.id, ActionStatus::Scheduled, false, t0())).await.expect("adds");
        let later = t0() + Duration::seconds(31);
        assert!(s.finish_incident_action(id, ActionStatus::Done, "stopped", later).await.expect("finishes"));
        assert!(
            !s.finish_incident_action(id, ActionStatus::Failed, "again", later).await.expect("answers"),
            "an outcome is final"
        );
        let rows = s.incident_actions(incident.id).await.expect("reads");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.action, row.status, row.dry_run), (ActionKind::StopStream, ActionStatus::Done, false));
        assert_eq!((row.detail.as_str(), row.at, row.created_at), ("stopped", later, t0()));
        assert_eq!(row.due_at, Some(t0() + Duration::seconds(30)));
        assert_eq!(row.play_id.as_deref(), Some("00000000000000ab"));
    }

    #[tokio::test]
    async fn only_real_stops_of_the_account_count_for_its_cooldown() {
        let (_dir, s) = store().await;
        let server = add_server(&s, "Jelly").await;
        let (mine, _) = s.record_violation(&violation(server, "u1"), t0()).await.expect("records");
        let (theirs, _) = s.record_violation(&violation(server, "u2"), t0()).await.expect("records");
        assert_eq!(s.last_stop_of_account(server, "u1").await.expect("reads"), None);
        let t1 = t0() + Duration::minutes(1);
        s.add_incident_action(&stop(mine.id, ActionStatus::Done, true, t1)).await.expect("a dry run");
        s.add_incident_action(&stop(mine.id, ActionStatus::Skipped, false, t1)).await.expect("a skip");
        s.add_incident_action(&stop(theirs.id, ActionStatus::Done, false, t1)).await.expect("another account");
        assert_eq!(s.last_stop_of_account(server, "u1").await.expect("reads"), None);
        s.add_incident_action(&stop(mine.id, ActionStatus::Done, false, t0())).await.expect("a stop");
        s.add_incident_action(&stop(mine.id, ActionStatus::Done, false, t1)).await.expect("a later stop");
        assert_eq!(s.last_stop_of_account(server, "u1").await.expect("reads"), Some(t1));
    }

    #[tokio::test]
    async fn schedules_left_behind_are_abandoned_with_a_reason() {
        let (_dir, s) = store().await;
        let server = add_server(&s, "Jelly").await;
        let (incident, _) = s.record_violation(&violation(server, "u1"), t0()).await.expect("records");
        let waiting =
            s.add_incident_action(&stop(incident.id, ActionStatus::Scheduled, false, t0())).await.expect("adds");
        s.add_incident_action(&stop(incident.id, ActionStatus::Done, false, t0())).await.expect("adds");
        let later = t0() + Duration::hours(1);
        assert_eq!(s.abandon_scheduled_actions("Sightline restarted", later).await.expect("abandons"), 1);
        let rows = s.incident_actions(incident.id).await.expect("reads");
        let row = rows.iter().find(|r| r.id == waiting).expect("the scheduled one");
        assert_eq!((row.status, row.detail.as_str(), row.at), (ActionStatus::Skipped, "Sightline restarted", later));
        assert!(!s.finish_incident_action(waiting, ActionStatus::Done, "late", later).await.expect("answers"));
    }
}
