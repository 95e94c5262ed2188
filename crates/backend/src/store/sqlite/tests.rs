//! Store tests on a real SQLite file: migrations, the one-owner race, sessions, keys, audit.

use super::*;
use crate::store::*;
use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use sightline_domain::UserId;
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid time")
}

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = SqliteStore::open(&dir.path().join("t.db")).await.expect("opens");
    (dir, s)
}

#[tokio::test]
async fn opening_twice_is_idempotent_and_sets_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.db");
    SqliteStore::open(&path).await.expect("first open").close().await;
    let s = SqliteStore::open(&path).await.expect("second open");
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(&s.writer).await.expect("pragma");
    assert_eq!(mode, "wal");
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(&s.writer).await.expect("pragma");
    assert_eq!(fk, 1);
    s.ping().await.expect("ping");
}

#[tokio::test]
async fn a_failing_migration_stops_and_names_the_migration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mig_dir = dir.path().join("migrations");
    std::fs::create_dir(&mig_dir).expect("mkdir");
    std::fs::write(mig_dir.join("1_create_ok.sql"), "CREATE TABLE ok (id INTEGER);").expect("write");
    std::fs::write(mig_dir.join("2_add_broken_index.sql"), "CREATE INDEX broken ON missing_table (x);").expect("write");
    let migrator = sqlx::migrate::Migrator::new(mig_dir.as_path()).await.expect("reads migrations");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display()))
        .await
        .expect("connects");
    let err = run_migrations(&pool, &migrator).await.expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("migration 2 (add broken index) failed"), "{msg}");
    assert!(msg.contains("missing_table"), "{msg}");
}

#[tokio::test]
async fn only_one_owner_can_ever_be_created_even_when_racing() {
    let (_dir, s) = store().await;
    let s = Arc::new(s);
    let mut handles = Vec::new();
    for i in 0..8 {
        let s = Arc::clone(&s);
        handles.push(tokio::spawn(async move { s.create_owner(&format!("owner{i}"), "hash", t0()).await }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for h in handles {
        match h.await.expect("joins") {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => conflicts += 1,
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 7));
    assert!(s.owner().await.expect("reads").is_some());
}

#[tokio::test]
async fn usernames_are_looked_up_case_insensitively() {
    let (_dir, s) = store().await;
    let owner = s.create_owner("Alice", "hash", t0()).await.expect("creates");
    let found = s.user_by_username("alice").await.expect("reads").expect("found");
    assert_eq!(found.id, owner.id);
    assert!(s.user_by_id(UserId(999)).await.expect("reads").is_none());
}

#[tokio::test]
async fn changing_the_password_ends_every_session_of_that_user() {
    let (_dir, s) = store().await;
    let owner = s.create_owner("alice", "h1", t0()).await.expect("creates");
    for n in 0..3 {
        s.create_session(&NewAuthSession {
            id_hash: format!("hash{n}"),
            user_id: owner.id,
            created_at: t0(),
            expires_at: t0() + ChronoDuration::days(1),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
        })
        .await
        .expect("creates session");
    }
    assert_eq!(s.set_password(owner.id, "h2", t0()).await.expect("sets"), 3);
    assert!(s.session_by_hash("hash0").await.expect("reads").is_none());
    assert_eq!(s.user_by_id(owner.id).await.expect("reads").expect("found").password_hash, "h2");
}

#[tokio::test]
async fn stale_sessions_are_deleted_by_idle_or_absolute_expiry() {
    let (_dir, s) = store().await;
    let owner = s.create_owner("alice", "h", t0()).await.expect("creates");
    let mk = |id: &str, expires_in_h: i64| NewAuthSession {
        id_hash: id.to_owned(),
        user_id: owner.id,
        created_at: t0(),
        expires_at: t0() + ChronoDuration::hours(expires_in_h),
        ip: None,
        user_agent: None,
    };
    s.create_session(&mk("fresh", 48)).await.expect("creates");
    s.create_session(&mk("expired", 1)).await.expect("creates");
    s.touch_session("fresh", t0() + ChronoDuration::hours(3)).await.expect("touches");
    let removed = s
        .delete_stale_sessions(t0() + ChronoDuration::hours(4), t0() + ChronoDuration::hours(2))
        .await
        .expect("deletes");
    assert_eq!(removed, 1);
    assert!(s.session_by_hash("fresh").await.expect("reads").is_some());
}

#[tokio::test]
async fn api_keys_are_found_by_hash_and_settings_and_audit_round_trip() {
    let (_dir, s) = store().await;
    let key = s.create_api_key("ci", "abc", "sl_ab", true, t0()).await.expect("creates");
    let found = s.api_key_by_hash("abc").await.expect("reads").expect("found");
    assert_eq!(found.id, key.id);
    assert!(found.read_only);
    s.touch_api_key(key.id, t0()).await.expect("touches");
    assert_eq!(s.list_api_keys().await.expect("lists")[0].last_used_at, Some(t0()));

    s.set_setting("theme", "dark", t0()).await.expect("sets");
    s.set_setting("theme", "light", t0()).await.expect("overwrites");
    assert_eq!(s.setting("theme").await.expect("reads").as_deref(), Some("light"));

    for action in ["login", "logout"] {
        s.append_audit(&NewAuditEntry {
            at: t0(),
            actor: "user:alice".into(),
            action: action.into(),
            detail: String::new(),
            ip: None,
        })
        .await
        .expect("appends");
    }
    let entries = s.recent_audit(10).await.expect("reads");
    assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["logout", "login"]);
}

mod media_servers {
    use super::*;
    use crate::crypto::SecretBox;
    use crate::secret::SecretString;
    use sightline_domain::ServerId;
    use sightline_domain::media::ServerKind;

    fn new_server(name: &str) -> NewServer {
        NewServer {
            kind: ServerKind::Jellyfin,
            name: name.to_owned(),
            url: "http://192.168.1.10:8096/".to_owned(),
            color: "#38bdf8".to_owned(),
            enabled: true,
        }
    }

    #[tokio::test]
    async fn servers_round_trip_with_their_token_encrypted_at_rest() {
        let (_dir, s) = store().await;
        let secrets = SecretBox::new(&[3; 32]);
        let token = SecretString::new("jellyfin-api-key-0123456789");
        let created = s.create_server(&new_server("Living room"), &token, &secrets, t0()).await.expect("creates");
        assert_eq!(s.list_servers().await.expect("lists"), vec![created.clone()]);
        assert_eq!(s.server_token(created.id, &secrets).await.expect("reads"), Some(token));
        let (raw,): (String,) =
            sqlx::query_as("SELECT token_enc FROM media_servers").fetch_one(&s.reader).await.expect("raw row");
        assert!(raw.starts_with("v1:") && !raw.contains("jellyfin-api-key"), "{raw}");
        assert!(s.server_token(ServerId(999), &secrets).await.expect("reads").is_none());
    }

    #[tokio::test]
    async fn a_token_copied_to_another_row_or_read_with_another_key_is_refused() {
        let (_dir, s) = store().await;
        let secrets = SecretBox::new(&[3; 32]);
        let a = s.create_server(&new_server("A"), &SecretString::new("token-a"), &secrets, t0()).await.expect("a");
        let b = s.create_server(&new_server("B"), &SecretString::new("token-b"), &secrets, t0()).await.expect("b");
        sqlx::query(
            "UPDATE media_servers SET token_enc = (SELECT token_enc FROM media_servers WHERE id = ?) WHERE id = ?",
        )
        .bind(a.id.0)
        .bind(b.id.0)
        .execute(&s.writer)
        .await
        .expect("copies");
        assert!(matches!(s.server_token(b.id, &secrets).await, Err(StoreError::Corrupt(_))));
        let other = SecretBox::new(&[4; 32]);
        assert!(matches!(s.server_token(a.id, &other).await, Err(StoreError::Corrupt(_))));
    }

    #[tokio::test]
    async fn names_are_unique_regardless_of_case() {
        let (_dir, s) = store().await;
        let secrets = SecretBox::new(&[3; 32]);
        s.create_server(&new_server("Den"), &SecretString::new("t"), &secrets, t0()).await.expect("creates");
        let err = s.create_server(&new_server("den"), &SecretString::new("t"), &secrets, t0()).await;
        assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
        assert_eq!(s.list_servers().await.expect("lists").len(), 1, "nothing half-written");
    }

    #[tokio::test]
    async fn servers_can_be_renamed_recoloured_disabled_given_a_new_token_and_removed() {
        let (_dir, s) = store().await;
        let secrets = SecretBox::new(&[3; 32]);
        let created = s.create_server(&new_server("Old"), &SecretString::new("t1"), &secrets, t0()).await.expect("c");
        let later = t0() + ChronoDuration::minutes(5);
        let changes =
            ServerChanges { name: Some("New".into()), color: Some("#ff0000".into()), enabled: Some(false), url: None };
        let updated = s
            .update_server(created.id, &changes, Some(&SecretString::new("t2")), &secrets, later)
            .await
            .expect("updates")
            .expect("exists");
        assert_eq!((updated.name.as_str(), updated.color.as_str(), updated.enabled), ("New", "#ff0000", false));
        assert_eq!(updated.url, created.url, "unchanged fields stay");
        assert_eq!(updated.updated_at, later);
        assert_eq!(s.server_token(created.id, &secrets).await.expect("reads"), Some(SecretString::new("t2")));
        let missing = s.update_server(ServerId(999), &changes, None, &secrets, later).await.expect("runs");
        assert!(missing.is_none());
        assert!(s.delete_server(created.id).await.expect("deletes"));
        assert!(!s.delete_server(created.id).await.expect("runs"));
        assert!(s.server(created.id).await.expect("reads").is_none());
    }
}

#[path = "plays_tests.rs"]
mod plays;
