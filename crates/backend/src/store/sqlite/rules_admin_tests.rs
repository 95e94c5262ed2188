//! Rule writes, snoozes, per-account settings and the backtest play query on a real SQLite file.

use super::super::SqliteStore;
use crate::crypto::SecretBox;
use crate::secret::SecretString;
use crate::store::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;
use sightline_domain::rules::{RuleId, UserSettings, default_rules};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

async fn store() -> (tempfile::TempDir, SqliteStore, ServerId, ServerId) {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = SqliteStore::open(&dir.path().join("t.db")).await.expect("opens");
    let mut ids = Vec::new();
    for name in ["Plex", "Jelly"] {
        let server = NewServer {
            kind: ServerKind::Plex,
            name: name.to_owned(),
            url: "http://127.0.0.1:32400/".to_owned(),
            color: "#38bdf8".to_owned(),
            enabled: true,
        };
        let token = SecretString::new("token-0123456789");
        ids.push(s.create_server(&server, &token, &SecretBox::new(&[1; 32]), t0()).await.expect("creates").id);
    }
    (dir, s, ids[0], ids[1])
}

fn rule(id: &str) -> sightline_domain::rules::Rule {
    let mut r = default_rules().remove(3);
    r.id = RuleId(id.to_owned());
    r
}

async fn ids(s: &SqliteStore) -> Vec<String> {
    s.rules().await.expect("reads").into_iter().map(|r| r.id.0).collect()
}

#[tokio::test]
async fn new_rules_go_last_edits_keep_their_place_and_ids_are_unique() {
    let (_dir, s, _, _) = store().await;
    s.install_rules_if_none(&default_rules()[..2], t0()).await.expect("installs");
    s.insert_rule(&rule("rule-mine-1"), t0()).await.expect("inserts");
    let first = ids(&s).await[0].clone();
    let mut edited = rule(&first);
    edited.name = "Renamed".to_owned();
    assert!(s.update_rule(&edited, t0()).await.expect("updates"));
    assert!(!s.update_rule(&rule("missing"), t0()).await.expect("updates"));
    let rules = s.rules().await.expect("reads");
    assert_eq!((rules[0].name.as_str(), rules[2].id.0.as_str()), ("Renamed", "rule-mine-1"));
    assert!(matches!(s.insert_rule(&rule("rule-mine-1"), t0()).await, Err(StoreError::Conflict(_))));
    assert!(s.delete_rule("rule-mine-1").await.expect("deletes"));
    assert!(!s.delete_rule("rule-mine-1").await.expect("deletes"));
    assert_eq!(ids(&s).await.len(), 2);
}

#[tokio::test]
async fn replacing_the_rule_set_keeps_the_snoozes_of_kept_rules_only() {
    let (_dir, s, plex, _) = store().await;
    s.install_rules_if_none(&[rule("a"), rule("b"), rule("c")], t0()).await.expect("installs");
    for id in ["a", "b"] {
        let snooze = SnoozeRecord {
            rule_id: RuleId(id.to_owned()),
            server_id: plex,
            user_id: "alice".to_owned(),
            until: t0() + Duration::hours(1),
            actor: "user:owner".to_owned(),
            created_at: t0(),
        };
        s.set_snooze(&snooze).await.expect("snoozes");
    }
    s.replace_rules(&[rule("c"), rule("b"), rule("d")], t0()).await.expect("replaces");
    assert_eq!(ids(&s).await, ["c", "b", "d"]);
    let left = s.snoozed_rules(plex, "alice", t0()).await.expect("reads");
    assert_eq!(left, [RuleId("b".to_owned())], "deleting rule a took its snooze with it");
}

#[tokio::test]
async fn snoozes_apply_to_one_account_until_they_end_and_can_be_renewed_or_lifted() {
    let (_dir, s, plex, jelly) = store().await;
    s.install_rules_if_none(&[rule("a")], t0()).await.expect("installs");
    let mut snooze = SnoozeRecord {
        rule_id: RuleId("a".to_owned()),
        server_id: plex,
        user_id: "alice".to_owned(),
        until: t0() + Duration::hours(1),
        actor: "user:owner".to_owned(),
        created_at: t0(),
    };
    s.set_snooze(&snooze).await.expect("snoozes");
    assert_eq!(s.snoozed_rules(plex, "alice", t0()).await.expect("reads").len(), 1);
    assert!(s.snoozed_rules(jelly, "alice", t0()).await.expect("reads").is_empty(), "another server");
    assert!(s.snoozed_rules(plex, "bob", t0()).await.expect("reads").is_empty(), "another account");
    let later = t0() + Duration::hours(1);
    assert!(s.snoozed_rules(plex, "alice", later).await.expect("reads").is_empty(), "ended at `until`");
    assert!(s.active_snoozes(later).await.expect("reads").is_empty());

    snooze.until = t0() + Duration::hours(5);
    s.set_snooze(&snooze).await.expect("renews");
    assert_eq!(s.active_snoozes(later).await.expect("reads"), [snooze.clone()]);
    assert_eq!(s.purge_snoozes(later).await.expect("purges"), 0, "a running snooze stays");
    assert!(s.delete_snooze("a", plex, "alice").await.expect("lifts"));
    assert!(!s.delete_snooze("a", plex, "alice").await.expect("lifts"));
    s.set_snooze(&snooze).await.expect("snoozes");
    assert_eq!(s.purge_snoozes(t0() + Duration::hours(6)).await.expect("purges"), 1);
}

#[tokio::test]
async fn account_settings_round_trip_and_defaults_remove_the_row() {
    let (_dir, s, plex, jelly) = store().await;
    assert_eq!(s.account_settings(plex, "alice").await.expect("reads"), None);
    let settings = UserSettings {
        household_networks: vec!["203.0.113.0/24".parse().expect("net"), "2001:db8::/48".parse().expect("net")],
        max_streams: Some(4),
    };
    s.set_account_settings(plex, "alice", &settings, t0()).await.expect("writes");
    assert_eq!(s.account_settings(plex, "alice").await.expect("reads"), Some(settings.clone()));
    assert_eq!(s.account_settings(jelly, "alice").await.expect("reads"), None);
    s.set_account_settings(plex, "alice", &UserSettings::default(), t0()).await.expect("writes");
    assert_eq!(s.account_settings(plex, "alice").await.expect("reads"), None);
}

async fn add_play(s: &SqliteStore, server: ServerId, user: &str, key: i64, started: DateTime<Utc>) {
    let accounts = [AccountInfo {
        external_id: user.to_owned(),
        name: user.to_owned(),
        thumb: None,
        is_admin: false,
        is_disabled: false,
    }];
    s.sync_accounts(server, &accounts, t0()).await.expect("syncs");
    sqlx::query(
        "INSERT INTO plays (server_id, play_key, account_id, session_key, item_key, media_type, title, started_at, \
         last_seen_at, played_ms, paused_ms, state, decision, client_ip, country_code) \
         VALUES (?, ?, (SELECT id FROM media_accounts WHERE server_id = ? AND external_id = ?), 's', 'i', 'movie', \
         'Film', ?, ?, 0, 0, 'playing', 'direct_play', '203.0.113.9', 'FR')",
    )
    .bind(server.0)
    .bind(key)
    .bind(server.0)
    .bind(user)
    .bind(started.timestamp_millis())
    .bind(started.timestamp_millis())
    .execute(&s.writer)
    .await
    .expect("inserts a play");
}

#[tokio::test]
async fn plays_between_lists_plays_by_start_oldest_first_with_filters_and_a_limit() {
    let (_dir, s, plex, jelly) = store().await;
    let h = |n: i64| t0() + Duration::hours(n);
    add_play(&s, plex, "alice", 1, h(2)).await;
    add_play(&s, plex, "bob", 2, h(1)).await;
    add_play(&s, jelly, "alice", 3, h(3)).await;
    add_play(&s, plex, "alice", 4, h(10)).await;

    let all = s.plays_between(h(1), h(3), None, None, 100).await.expect("reads");
    let keys: Vec<(i64, &str, &str)> =
        all.iter().map(|(_, name, user, p)| (p.play_key, name.as_str(), user.as_str())).collect();
    assert_eq!(keys, [(2, "Plex", "bob"), (1, "Plex", "alice"), (3, "Jelly", "alice")], "bounds are inclusive");
    assert_eq!((all[0].3.ip.as_deref(), all[0].3.country_code.as_deref()), (Some("203.0.113.9"), Some("FR")));

    let plex_only = s.plays_between(h(0), h(24), Some(plex), None, 100).await.expect("reads");
    assert_eq!(plex_only.iter().map(|r| r.3.play_key).collect::<Vec<_>>(), [2, 1, 4]);
    let alice = s.plays_between(h(0), h(24), None, Some("alice"), 100).await.expect("reads");
    assert_eq!(alice.iter().map(|r| r.3.play_key).collect::<Vec<_>>(), [1, 3, 4]);
    let both = s.plays_between(h(0), h(24), Some(jelly), Some("alice"), 100).await.expect("reads");
    assert_eq!(both.iter().map(|r| (r.0, r.3.play_key)).collect::<Vec<_>>(), [(jelly, 3)]);
    let limited = s.plays_between(h(0), h(24), None, None, 2).await.expect("reads");
    assert_eq!(limited.iter().map(|r| r.3.play_key).collect::<Vec<_>>(), [2, 1]);
}
