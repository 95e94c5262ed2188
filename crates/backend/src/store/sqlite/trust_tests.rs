//! Trust rows on a real SQLite file: a plan's state and history land together, nothing is written
//! when the planner declines, concurrent changes never lose one, history reads newest first.

use super::super::SqliteStore;
use crate::crypto::SecretBox;
use crate::secret::SecretString;
use crate::store::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

async fn store() -> (tempfile::TempDir, SqliteStore, ServerId) {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = SqliteStore::open(&dir.path().join("t.db")).await.expect("opens");
    let server = NewServer {
        kind: ServerKind::Jellyfin,
        name: "Jelly".to_owned(),
        url: "http://127.0.0.1:8096/".to_owned(),
        color: "#38bdf8".to_owned(),
        enabled: true,
    };
    let token = SecretString::new("token-0123456789");
    let id = s.create_server(&server, &token, &SecretBox::new(&[1; 32]), t0()).await.expect("creates").id;
    (dir, s, id)
}

/// Lowers the score by one (from 100 when unscored) with one history row.
fn minus_one(at: DateTime<Utc>) -> impl Fn(Option<TrustState>) -> Option<TrustPlan> + Send + Sync {
    move |current| {
        let before = current.map_or(100, |s| s.score);
        Some(TrustPlan {
            state: TrustState { score: before - 1, clean_since: at },
            changes: vec![NewTrustChange {
                at,
                kind: TrustChangeKind::Incident,
                score_before: before,
                score_after: before - 1,
                reason: format!("{before} to {}", before - 1),
                incident_id: None,
                actor: "detection".to_owned(),
            }],
        })
    }
}

#[tokio::test]
async fn a_plan_writes_state_and_history_together_and_history_reads_newest_first() {
    let (_dir, s, server) = store().await;
    assert_eq!(s.trust_state(server, "alice").await.expect("reads"), None);
    for minutes in 0..3 {
        let plan = minus_one(t0() + Duration::minutes(minutes));
        s.update_trust(server, "alice", &plan, t0()).await.expect("writes").expect("a plan");
    }
    let state = s.trust_state(server, "alice").await.expect("reads").expect("scored");
    assert_eq!(state, TrustState { score: 97, clean_since: t0() + Duration::minutes(2) });
    let history = s.trust_history(server, "alice", 2).await.expect("reads");
    let reasons: Vec<&str> = history.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(reasons, ["98 to 97", "99 to 98"]);
    assert_eq!(
        (history[0].kind, history[0].score_after, history[0].user_id.as_str()),
        (TrustChangeKind::Incident, 97, "alice")
    );
    assert!(s.trust_history(server, "bob", 10).await.expect("reads").is_empty());
    let states = s.trust_states().await.expect("reads");
    assert_eq!(states, [(server, "alice".to_owned(), state)]);
}

#[tokio::test]
async fn a_declined_plan_writes_nothing() {
    let (_dir, s, server) = store().await;
    let decline = |_: Option<TrustState>| None;
    assert_eq!(s.update_trust(server, "alice", &decline, t0()).await.expect("runs"), None);
    assert_eq!(s.trust_state(server, "alice").await.expect("reads"), None);
    assert!(s.trust_history(server, "alice", 10).await.expect("reads").is_empty());
}

#[tokio::test]
async fn concurrent_changes_each_see_the_previous_one() {
    let (_dir, s, server) = store().await;
    let s = Arc::new(s);
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = Arc::clone(&s);
        handles.push(tokio::spawn(async move {
            let plan = minus_one(t0());
            s.update_trust(server, "alice", &plan, t0()).await.map(|_| ())
        }));
    }
    for h in handles {
        h.await.expect("joins").expect("writes");
    }
    assert_eq!(s.trust_state(server, "alice").await.expect("reads").map(|st| st.score), Some(92));
    let history = s.trust_history(server, "alice", 100).await.expect("reads");
    assert_eq!(history.len(), 8);
    assert!(history.iter().all(|c| c.score_before == c.score_after + 1));
}

#[tokio::test]
async fn removing_the_server_removes_its_trust_rows() {
    let (_dir, s, server) = store().await;
    let plan = minus_one(t0());
    s.update_trust(server, "alice", &plan, t0()).await.expect("writes");
    assert!(s.delete_server(server).await.expect("deletes"));
    assert!(s.trust_states().await.expect("reads").is_empty());
    assert!(s.trust_history(server, "alice", 10).await.expect("reads").is_empty());
}
