//! Records the store hands back. They are plain data in domain terms; row types stay private
//! to each SQL implementation.

pub use crate::media::server::AccountInfo;
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

/// One change to a play row, produced by the ingestion pipeline from tracker events.
#[derive(Debug, Clone)]
pub enum PlayWrite {
    /// Insert the play, or update its running totals and last-seen session.
    Active(Box<sightline_domain::tracker::ActivePlay>),
    /// Where the play's client is (set at the start and when its address changes).
    Located { play: sightline_domain::tracker::PlayId, geo: Box<sightline_domain::live::SessionGeo> },
    /// The play ended: final totals, and the session as last seen.
    Stopped {
        summary: sightline_domain::tracker::PlaySummary,
        reason: sightline_domain::tracker::StopReason,
        session: Box<sightline_domain::media::MediaSession>,
    },
}

/// A media-server account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaAccountRecord {
    pub id: i64,
    pub server_id: ServerId,
    pub external_id: String,
    pub name: String,
    pub thumb: Option<String>,
    pub is_admin: bool,
    pub is_disabled: bool,
    /// `sync` (listed by the server) or `stream` (first seen streaming).
    pub source: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_streamed_at: Option<DateTime<Utc>>,
}

/// Counts over plays that started at or after a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlayCounts {
    pub plays: u64,
    /// Played time of the plays that have ended.
    pub ended_played_ms: u64,
    pub accounts: u64,
}

/// An incident as stored: the latest violation of one condition and how often it recurred.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRecord {
    pub id: i64,
    pub status: String,
    pub occurrences: u32,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub violation: sightline_domain::rules::Violation,
}

/// A past or current play of one account, with what the rules need to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayFacts {
    pub play_key: i64,
    pub session_key: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended: bool,
    pub ip: Option<String>,
    pub address_class: Option<String>,
    pub device_id: Option<String>,
    pub player: Option<String>,
    pub product: Option<String>,
    pub platform: Option<String>,
    pub country_code: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy_km: Option<f64>,
    pub asn: Option<u32>,
    pub asn_org: Option<String>,
}
