//! The store: every persistent operation Sightline needs, in domain terms, behind traits.
//!
//! Callers hold an `Arc<dyn Store>`; `sqlite` implements it today and a PostgreSQL
//! implementation can be added beside it without touching callers. No SQL lives outside
//! this module.

pub mod actions;
pub mod detection_admin;
mod error;
pub mod history;
pub mod insight;
mod model;
pub mod notify;
pub mod people;
pub mod sqlite;
pub mod stats;

pub use detection_admin::{
    AccountSettingStore, NewTrustChange, RuleAdminStore, SnoozeRecord, TrustChange, TrustChangeKind, TrustPlan,
    TrustPlanner, TrustState, TrustStore,
};
pub use error::StoreError;
pub use history::HistoryStore;
pub use insight::InsightStore;
pub use model::{
    AccountInfo, ApiKeyRecord, AuditEntry, AuthSessionRecord, IncidentRecord, MediaAccountRecord, NewAuditEntry,
    NewAuthSession, NewServer, PlayCounts, PlayFacts, PlayWrite, ServerChanges, ServerRecord, UserRecord,
};
pub use stats::StatsStore;

use crate::crypto::SecretBox;
use crate::secret::SecretString;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::rules::{Rule, Violation};
use sightline_domain::tracker::{ActivePlay, RecentStop};
use sightline_domain::{ApiKeyId, ServerId, UserId};

/// Owner/admin accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates the owner; `StoreError::Conflict` if one already exists (even under a race).
    async fn create_owner(
        &self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<UserRecord, StoreError>;
    async fn owner(&self) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    /// Replaces the password hash and ends every session of that user, atomically.
    /// Returns how many sessions were ended.
    async fn set_password(&self, id: UserId, password_hash: &str, now: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Upgrades a hash to new parameters without ending sessions (rehash on login).
    async fn replace_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), StoreError>;
}

/// Browser sessions, keyed by the SHA-256 of the cookie.
#[async_trait]
pub trait AuthSessionStore: Send + Sync {
    async fn create_session(&self, session: &NewAuthSession) -> Result<(), StoreError>;
    async fn session_by_hash(&self, id_hash: &str) -> Result<Option<AuthSessionRecord>, StoreError>;
    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;
    /// Deletes sessions past their absolute expiry or idle for longer than `idle_cutoff`.
    async fn delete_stale_sessions(&self, now: DateTime<Utc>, idle_cutoff: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Bearer API keys, keyed by the SHA-256 of the key.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn create_api_key(
        &self,
        name: &str,
        key_hash: &str,
        prefix: &str,
        read_only: bool,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyRecord, StoreError>;
    /// An active (not revoked) key by hash.
    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    async fn touch_api_key(&self, id: ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
}

/// Small instance-wide settings as key/value text.
#[async_trait]
pub trait SettingStore: Send + Sync {
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn set_setting(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
}

/// The append-only audit log of security-relevant actions.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<(), StoreError>;
    /// The newest `limit` entries, newest first.
    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Configured media servers. Tokens are encrypted with the given `SecretBox`, bound to their row.
#[async_trait]
pub trait ServerStore: Send + Sync {
    /// Adds a server; `StoreError::Conflict` when the name is taken.
    async fn create_server(
        &self,
        server: &NewServer,
        token: &SecretString,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<ServerRecord, StoreError>;
    async fn list_servers(&self) -> Result<Vec<ServerRecord>, StoreError>;
    async fn server(&self, id: ServerId) -> Result<Option<ServerRecord>, StoreError>;
    /// The decrypted token; `StoreError::Corrupt` when it does not decrypt (changed or moved).
    async fn server_token(&self, id: ServerId, secrets: &SecretBox) -> Result<Option<SecretString>, StoreError>;
    /// Applies `changes` (and a new token, when given); `None` when the server does not exist.
    async fn update_server(
        &self,
        id: ServerId,
        changes: &ServerChanges,
        token: Option<&SecretString>,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<Option<ServerRecord>, StoreError>;
    /// Removes a server; `false` when it did not exist.
    async fn delete_server(&self, id: ServerId) -> Result<bool, StoreError>;
}

/// Everything Sightline persists. One object implements all of it.
/// Plays and the media-server accounts that make them.
#[async_trait]
pub trait PlayStore: Send + Sync {
    /// The plays in progress on a server, as the tracker persisted them.
    async fn active_plays(&self, server: ServerId) -> Result<Vec<ActivePlay>, StoreError>;
    /// Plays of a server that ended at or after `since`, oldest first, for resume chains.
    async fn recent_stops(&self, server: ServerId, since: DateTime<Utc>) -> Result<Vec<RecentStop>, StoreError>;
    /// Applies play changes in one transaction, creating accounts first seen streaming.
    async fn write_plays(&self, server: ServerId, writes: &[PlayWrite], now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Inserts or refreshes the accounts a server lists; returns how many were new.
    async fn sync_accounts(
        &self,
        server: ServerId,
        accounts: &[AccountInfo],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError>;
    async fn accounts(&self, server: ServerId) -> Result<Vec<MediaAccountRecord>, StoreError>;
    /// Plays started at or after `since`, across servers.
    async fn play_counts(&self, since: DateTime<Utc>) -> Result<PlayCounts, StoreError>;
}

/// Detection rules, incidents, and the play history the rules judge against.
#[async_trait]
pub trait DetectionStore: Send + Sync {
    /// The rules in evaluation order. Rows this build cannot read are skipped with a warning.
    async fn rules(&self) -> Result<Vec<Rule>, StoreError>;
    /// Installs `rules` if no rule exists yet (first run); returns whether it did.
    async fn install_rules_if_none(&self, rules: &[Rule], now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Opens an incident for the violation, or updates the open (or acknowledged) one of the same
    /// condition; a dismissed incident stays closed and a recurrence opens a new one.
    /// Returns the incident and whether it is new.
    async fn record_violation(
        &self,
        violation: &Violation,
        now: DateTime<Utc>,
    ) -> Result<(IncidentRecord, bool), StoreError>;
    /// Sets an incident's status (`open`, `acknowledged`, `dismissed`); `None` if there is no such
    /// incident, `Conflict` when reopening it would make two open incidents of one condition.
    async fn set_incident_status(
        &self,
        id: i64,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IncidentRecord>, StoreError>;
    /// The most recently updated incidents.
    async fn incidents(&self, limit: u32) -> Result<Vec<IncidentRecord>, StoreError>;
    /// One account's plays that were seen at or after `since`, oldest first.
    async fn account_plays(
        &self,
        server: ServerId,
        user_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<PlayFacts>, StoreError>;
    /// Devices and countries the account used before `before`.
    async fn account_known(
        &self,
        server: ServerId,
        user_id: &str,
        before: DateTime<Utc>,
    ) -> Result<(Vec<String>, Vec<String>), StoreError>;
    /// Plays that started within `[from, to]`, oldest first, at most `limit`, optionally of one server
    /// and/or one user id: `(server, server name, user id, play)`. For backtesting rules.
    async fn plays_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        server: Option<ServerId>,
        user_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(ServerId, String, String, PlayFacts)>, StoreError>;
}

#[async_trait]
pub trait Store:
    UserStore
    + AuthSessionStore
    + ApiKeyStore
    + SettingStore
    + AuditStore
    + ServerStore
    + PlayStore
    + DetectionStore
    + InsightStore
    + HistoryStore
    + RuleAdminStore
    + AccountSettingStore
    + TrustStore
    + StatsStore
    + people::PeopleStore
    + notify::NotifyStore
    + actions::ActionStore
{
    /// A cheap query proving the database answers (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// Flushes and closes connections during shutdown.
    async fn close(&self);
}
