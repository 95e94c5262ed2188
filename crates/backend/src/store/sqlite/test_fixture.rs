//! Shared setup of the SQLite store tests (built only for tests): a fixed base time, a fresh
//! database file, and a media server to hang accounts and plays on.

use super::SqliteStore;
use crate::crypto::SecretBox;
use crate::secret::SecretString;
use crate::store::{NewServer, ServerStore};
use chrono::{DateTime, TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;

/// The base time of store tests: 2026-11-25 12:00 UTC.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid time")
}

/// A fresh database in a temporary folder (kept alive by the returned guard).
pub(crate) async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = SqliteStore::open(&dir.path().join("t.db")).await.expect("opens");
    (dir, s)
}

/// Adds a Jellyfin server named `name`.
pub(crate) async fn add_server(s: &SqliteStore, name: &str) -> ServerId {
    let server = NewServer {
        kind: ServerKind::Jellyfin,
        name: name.to_owned(),
        url: "http://127.0.0.1:8096/".to_owned(),
        color: "#38bdf8".to_owned(),
        enabled: true,
    };
    let token = SecretString::new("token-0123456789");
    s.create_server(&server, &token, &SecretBox::new(&[1; 32]), t0()).await.expect("creates").id
}
