//! Records the store hands back. They are plain data in domain terms; row types stay private
//! to each SQL implementation.

use chrono::{DateTime, Utc};
use sightline_domain::media::ServerKind;
use sightline_domain::{ApiKeyId, Role, ServerId, UserId};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAuthSession {
    pub id_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A browser session with the account it belongs to (read in one query on every request).
#[derive(Debug, Clone)]
pub struct AuthSessionRecord {
    pub id_hash: String,
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub ip: Option<String>,
}

/// A configured media server, without its token (read it with `ServerStore::server_token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRecord {
    pub id: ServerId,
    pub kind: ServerKind,
    pub name: String,
    pub url: String,
    pub color: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A media server to add. The token is passed separately, as a secret.
#[derive(Debug, Clone)]
pub struct NewServer {
    pub kind: ServerKind,
    pub name: String,
    pub url: String,
    pub color: String,
    pub enabled: bool,
}

/// Changes to a media server; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ServerChanges {
    pub name: Option<String>,
    pub url: Option<String>,
    pub color: Option<String>,
    pub enabled: Option<bool>,
}
