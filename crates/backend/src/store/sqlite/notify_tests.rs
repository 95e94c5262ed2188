//! Destinations and the outbox on a real SQLite file: configs encrypted and bound to their row,
//! dedupe per destination, the worker's due query (one head per destination, in order, nothing
//! while a row is being sent, disabled destinations skipped), restart requeue, dead letters,
//! retry and purge.

use super::super::SqliteStore;
use super::super::test_fixture::{store, t0};
use crate::crypto::SecretBox;
use crate::notify::{Destination, DestinationConfig, EventKind, Notice};
use crate::secret::SecretString;
use crate::store::StoreError;
use crate::store::notify::{AttemptEnd, NotifyStore, OutboxState};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::rules::Severity;

fn secrets() -> SecretBox {
    SecretBox::new(&[7; 32])
}

fn discord(name: &str) -> Destination {
    Destination {
        id: 0,
        name: name.to_owned(),
        enabled: true,
        events: vec![EventKind::IncidentOpened, EventKind::StreamStarted],
        min_severity: Severity::Low,
        allow_private: false,
        rate_per_minute: 30,
        title_template: None,
        body_template: Some("{{summary}}".to_owned()),
        config: DestinationConfig::Discord {
            webhook_url: SecretString::new("https://discord.com/api/webhooks/1/very-secret-token"),
        },
    }
}

fn notice(key: &str, at: DateTime<Utc>) -> Notice {
    Notice::new(EventKind::StreamStarted, at, key)
}

async fn with_two() -> (tempfile::TempDir, SqliteStore, i64, i64) {
    let (dir, s) = store().await;
    let a = s.create_destination(&discord("A"), &secrets(), t0()).await.expect("creates").destination.id;
    let b = s.create_destination(&discord("B"), &secrets(), t0()).await.expect("creates").destination.id;
    (dir, s, a, b)
}

#[tokio::test]
async fn destinations_round_trip_with_the_config_encrypted_and_bound_to_its_row() {
    let (dir, s) = store().await;
    let created = s.create_destination(&discord("Owner"), &secrets(), t0()).await.expect("creates");
    let id = created.destination.id;
    assert!(id > 0);
    let read = s.destination(id, &secrets()).await.expect("reads").expect("exists");
    assert_eq!(read.destination, Destination { id, ..discord("Owner") });
    assert_eq!(read.last, None);

    // The database file never holds the secret in the clear.
    let bytes = std::fs::read(dir.path().join("t.db")).expect("reads the file");
    let wal = std::fs::read(dir.path().join("t.db-wal")).unwrap_or_default();
    for b in [bytes, wal] {
        assert!(!String::from_utf8_lossy(&b).contains("very-secret-token"));
    }

    // Another key cannot read it: the row is listed as unreadable, and reading it alone is Corrupt.
    let other = SecretBox::new(&[8; 32]);
    let all = s.destinations(&other).await.expect("lists");
    assert!(all.readable.is_empty());
    assert_eq!((all.unreadable.len(), all.unreadable[0].name.as_str()), (1, "Owner"));
    assert!(matches!(s.destination(id, &other).await, Err(StoreError::Corrupt(_))));
}

#[tokio::test]
async fn a_config_moved_to_another_row_does_not_decrypt() {
    let (_dir, s, a, b) = with_two().await;
    sqlx::query("UPDATE notify_destinations SET config_enc = (SELECT config_enc FROM notify_destinations WHERE id = ?) WHERE id = ?")
        .bind(a)
        .bind(b)
        .execute(&s.writer)
        .await
        .expect("copies");
    let all = s.destinations(&secrets()).await.expect("lists");
    assert_eq!(all.readable.iter().map(|r| r.destination.id).collect::<Vec<_>>(), [a]);
    assert_eq!(all.unreadable.iter().map(|u| u.id).collect::<Vec<_>>(), [b]);
}

#[tokio::test]
async fn updates_replace_settings_and_disabling_drops_what_waits() {
    let (_dir, s, a, _b) = with_two().await;
    s.enqueue_notice(&[a], &notice("one", t0()), t0()).await.expect("queues");
    let mut changed = Destination { id: a, name: "Renamed".into(), rate_per_minute: 5, ..discord("A") };
    let record = s.update_destination(&changed, &secrets(), t0()).await.expect("updates").expect("exists");
    assert_eq!((record.destination.name.as_str(), record.destination.rate_per_minute), ("Renamed", 5));
    assert_eq!(s.outbox_counts().await.expect("counts").queued, 1, "still enabled: still queued");
    changed.enabled = false;
    s.update_destination(&changed, &secrets(), t0()).await.expect("updates");
    assert_eq!(s.outbox_counts().await.expect("counts").queued, 0);
    let missing = Destination { id: 999, ..discord("X") };
    assert_eq!(s.update_destination(&missing, &secrets(), t0()).await.expect("runs"), None);
    // The kind of a row never changes.
    let as_webhook = Destination {
        id: a,
        config: DestinationConfig::Webhook {
            url: SecretString::new("https://e.test/h"),
            secret: SecretString::new("s"),
        },
        ..discord("A")
    };
    assert_eq!(s.update_destination(&as_webhook, &secrets(), t0()).await.expect("runs"), None);
}

#[tokio::test]
async fn identical_notices_are_queued_once_per_destination() {
    let (_dir, s, a, b) = with_two().await;
    assert_eq!(s.enqueue_notice(&[a, b], &notice("stream:1:started", t0()), t0()).await.expect("queues"), 2);
    assert_eq!(s.enqueue_notice(&[a, b], &notice("stream:1:started", t0()), t0()).await.expect("queues"), 0);
    assert_eq!(s.enqueue_notice(&[b], &notice("stream:2:started", t0()), t0()).await.expect("queues"), 1);
    assert_eq!(s.enqueue_notice(&[], &notice("stream:3:started", t0()), t0()).await.expect("queues"), 0);
    let rows = s.outbox_rows(Some(OutboxState::Queued), 10).await.expect("lists");
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.notice.kind == EventKind::StreamStarted && r.attempts == 0));
}

#[tokio::test]
async fn the_due_query_gives_each_destinations_oldest_row_soonest_first() {
    let (_dir, s, a, b) = with_two().await;
    for (key, dest) in [("a1", a), ("b1", b), ("a2", a), ("b2", b)] {
        s.enqueue_notice(&[dest], &notice(key, t0()), t0()).await.expect("queues");
    }
    let due = s.due_outbox(t0(), 10).await.expect("reads");
    assert_eq!(due.iter().map(|r| r.dedupe_key.as_str()).collect::<Vec<_>>(), ["a1", "b1"]);

    // A's head waits a minute: B's goes first, and A's later rows wait behind their head.
    let a1 = due[0].id;
    assert!(s.postpone_outbox(a1, t0() + TimeDelta::minutes(1), t0()).await.expect("postpones"));
    let due = s.due_outbox(t0(), 10).await.expect("reads");
    assert_eq!(due.iter().map(|r| r.dedupe_key.as_str()).collect::<Vec<_>>(), ["b1"]);
    assert_eq!(s.next_outbox_due().await.expect("reads"), Some(t0()));

    // While B's head is being sent, B has nothing due.
    let b1 = due[0].id;
    assert!(s.start_sending(b1, t0()).await.expect("starts"));
    assert!(!s.start_sending(b1, t0()).await.expect("runs"), "a row is sent once at a time");
    assert!(s.due_outbox(t0(), 10).await.expect("reads").is_empty());
    assert_eq!(s.next_outbox_due().await.expect("reads"), Some(t0() + TimeDelta::minutes(1)));
    let later = s.due_outbox(t0() + TimeDelta::minutes(1), 10).await.expect("reads");
    assert_eq!(later.iter().map(|r| r.dedupe_key.as_str()).collect::<Vec<_>>(), ["a1"]);

    // Delivered, B's next row is its head.
    let end = AttemptEnd::Delivered { outcome: "delivered (204)".into() };
    assert!(s.finish_outbox(b1, &end, t0()).await.expect("finishes"));
    let due = s.due_outbox(t0(), 10).await.expect("reads");
    assert_eq!(due.iter().map(|r| r.dedupe_key.as_str()).collect::<Vec<_>>(), ["b2"]);
    let delivered = s.outbox_row(b1).await.expect("reads").expect("exists");
    assert_eq!((delivered.state, delivered.attempts, delivered.delivered_at), (OutboxState::Delivered, 1, Some(t0())));
    let dest = s.destination(b, &secrets()).await.expect("reads").expect("exists");
    let last = dest.last.expect("an outcome is recorded");
    assert_eq!((last.ok, last.text.as_str()), (true, "delivered (204)"));
}

#[tokio::test]
async fn disabled_destinations_have_nothing_due() {
    let (_dir, s, a, _b) = with_two().await;
    s.enqueue_notice(&[a], &notice("k", t0()), t0()).await.expect("queues");
    sqlx::query("UPDATE notify_destinations SET enabled = 0 WHERE id = ?")
        .bind(a)
        .execute(&s.writer)
        .await
        .expect("off");
    assert!(s.due_outbox(t0(), 10).await.expect("reads").is_empty());
    assert_eq!(s.next_outbox_due().await.expect("reads"), None);
}

#[tokio::test]
async fn rows_left_sending_by_a_crash_are_queued_again_with_their_attempts() {
    let (dir, s, a, _b) = with_two().await;
    s.enqueue_notice(&[a], &notice("k", t0()), t0()).await.expect("queues");
    let id = s.due_outbox(t0(), 1).await.expect("reads")[0].id;
    assert!(s.start_sending(id, t0()).await.expect("starts"));
    drop(s);
    let reopened = SqliteStore::open(&dir.path().join("t.db")).await.expect("reopens");
    let later = t0() + TimeDelta::minutes(5);
    assert_eq!(reopened.requeue_interrupted(later).await.expect("requeues"), 1);
    let row = reopened.outbox_row(id).await.expect("reads").expect("exists");
    assert_eq!((row.state, row.attempts, row.next_attempt_at), (OutboxState::Queued, 1, later));
    assert_eq!(reopened.due_outbox(later, 5).await.expect("reads").len(), 1);
}

#[tokio::test]
async fn retries_and_dead_letters_are_recorded_and_dead_ones_can_be_retried_or_deleted() {
    let (_dir, s, a, _b) = with_two().await;
    s.enqueue_notice(&[a], &notice("k", t0()), t0()).await.expect("queues");
    let id = s.due_outbox(t0(), 1).await.expect("reads")[0].id;
    s.start_sending(id, t0()).await.expect("starts");
    let retry = AttemptEnd::Retry { at: t0() + TimeDelta::seconds(5), error: "HTTP 500 (attempt 1 of 8)".into() };
    assert!(s.finish_outbox(id, &retry, t0()).await.expect("finishes"));
    let row = s.outbox_row(id).await.expect("reads").expect("exists");
    assert_eq!((row.state, row.next_attempt_at), (OutboxState::Queued, t0() + TimeDelta::seconds(5)));
    assert_eq!(row.last_error.as_deref(), Some("HTTP 500 (attempt 1 of 8)"));
    assert!(!s.finish_outbox(id, &retry, t0()).await.expect("runs"), "only a row being sent can finish");

    s.start_sending(id, t0()).await.expect("starts");
    assert!(!s.delete_outbox(id).await.expect("runs"), "a row being sent is not deleted");
    let dead = AttemptEnd::Dead { error: "HTTP 404: unknown webhook".into() };
    s.finish_outbox(id, &dead, t0()).await.expect("finishes");
    let counts = s.outbox_counts().await.expect("counts");
    assert_eq!((counts.dead, counts.queued), (1, 0));
    let last = s.destination(a, &secrets()).await.expect("reads").expect("exists").last.expect("recorded");
    assert_eq!((last.ok, last.text.as_str()), (false, "HTTP 404: unknown webhook"));
    assert!(s.due_outbox(t0() + TimeDelta::days(1), 5).await.expect("reads").is_empty(), "dead rows never come due");

    assert!(s.retry_outbox(id, t0()).await.expect("retries"));
    let row = s.outbox_row(id).await.expect("reads").expect("exists");
    assert_eq!((row.state, row.attempts, row.last_error), (OutboxState::Queued, 0, None));
    // Dedupe keys outlive death: the same notice is not queued a second time.
    assert_eq!(s.enqueue_notice(&[a], &notice("k", t0()), t0()).await.expect("queues"), 0);
    assert!(s.delete_outbox(id).await.expect("deletes"));
    assert_eq!(s.outbox_row(id).await.expect("reads"), None);
    assert!(!s.retry_outbox(id, t0()).await.expect("runs"));
}

#[tokio::test]
async fn deleting_a_destination_takes_its_rows_and_purge_forgets_old_ones() {
    let (_dir, s, a, b) = with_two().await;
    s.enqueue_notice(&[a, b], &notice("k", t0()), t0()).await.expect("queues");
    assert!(s.delete_destination(a).await.expect("deletes"));
    assert!(!s.delete_destination(a).await.expect("runs"));
    assert_eq!(s.outbox_rows(None, 10).await.expect("lists").len(), 1);

    let id = s.due_outbox(t0(), 1).await.expect("reads")[0].id;
    s.start_sending(id, t0()).await.expect("starts");
    s.finish_outbox(id, &AttemptEnd::Delivered { outcome: "delivered (200)".into() }, t0()).await.expect("finishes");
    assert_eq!(s.purge_outbox(t0(), t0()).await.expect("purges"), 0, "not older than the cut-off");
    assert_eq!(s.purge_outbox(t0() + TimeDelta::seconds(1), t0()).await.expect("purges"), 1);
    assert_eq!(s.enqueue_notice(&[b], &notice("k", t0()), t0()).await.expect("queues"), 1, "the key is forgotten");
}
