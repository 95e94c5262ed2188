//! Store traits and records behind the owner's detection administration: editing the rule set,
//! snoozing a rule for one account, per-account settings, and trust scores with their history.
//! Only storage: validation and the trust arithmetic live in the services that call these.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{Rule, RuleId, UserSettings};

/// A rule silenced for one account until a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnoozeRecord {
    pub rule_id: RuleId,
    pub server_id: ServerId,
    /// The media server's user id of the account.
    pub user_id: String,
    pub until: DateTime<Utc>,
    /// Who snoozed it (a principal label such as `user:owner`).
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

/// What moved a trust score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrustChangeKind {
    Incident,
    Recovery,
    Override,
}

impl TrustChangeKind {
    /// The stable lower-case name stored and shown.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Recovery => "recovery",
            Self::Override => "override",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "incident" => Some(Self::Incident),
            "recovery" => Some(Self::Recovery),
            "override" => Some(Self::Override),
            _ => None,
        }
    }
}

/// An account's stored trust: its score and the start of the incident-free stretch that recovery
/// counts whole days from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustState {
    pub score: u8,
    pub clean_since: DateTime<Utc>,
}

/// One change of a trust score, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrustChange {
    pub at: DateTime<Utc>,
    pub kind: TrustChangeKind,
    pub score_before: u8,
    pub score_after: u8,
    /// One sentence for people ("Incident #12 opened: Simultaneous locations (high), −20").
    pub reason: String,
    pub incident_id: Option<i64>,
    pub actor: String,
}

/// One change of a trust score, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustChange {
    pub id: i64,
    pub server_id: ServerId,
    pub user_id: String,
    pub at: DateTime<Utc>,
    pub kind: TrustChangeKind,
    pub score_before: u8,
    pub score_after: u8,
    pub reason: String,
    pub incident_id: Option<i64>,
    pub actor: String,
}

/// What to write for one account: its new state and the history rows explaining it (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPlan {
    pub state: TrustState,
    pub changes: Vec<NewTrustChange>,
}

/// Decides an account's trust change from its stored state (`None`: never scored); `None` when
/// there is nothing to write. Pure, so the store can call it inside its write transaction.
pub type TrustPlanner<'a> = &'a (dyn Fn(Option<TrustState>) -> Option<TrustPlan> + Send + Sync);

/// Writing the rule set and snoozing rules per account.
#[async_trait]
pub trait RuleAdminStore: Send + Sync {
    /// Adds a rule after the others; `Conflict` when the id is taken.
    async fn insert_rule(&self, rule: &Rule, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Replaces the rule with the same id, keeping its position; `false` when there is none.
    async fn update_rule(&self, rule: &Rule, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Removes a rule and its snoozes; `false` when there was none.
    async fn delete_rule(&self, id: &str) -> Result<bool, StoreError>;
    /// Makes `rules` the whole rule set, in that order, in one transaction. Rules that keep their id
    /// keep their creation time and snoozes; the others are removed with theirs.
    async fn replace_rules(&self, rules: &[Rule], now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Snoozes (or re-snoozes) a rule for an account.
    async fn set_snooze(&self, snooze: &SnoozeRecord) -> Result<(), StoreError>;
    /// `false` when the rule was not snoozed for that account.
    async fn delete_snooze(&self, rule_id: &str, server: ServerId, user_id: &str) -> Result<bool, StoreError>;
    /// Snoozes still running at `now`, soonest to end first.
    async fn active_snoozes(&self, now: DateTime<Utc>) -> Result<Vec<SnoozeRecord>, StoreError>;
    /// The rules snoozed for one account at `now`.
    async fn snoozed_rules(
        &self,
        server: ServerId,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<RuleId>, StoreError>;
    /// Deletes snoozes that ended before `now`; returns how many.
    async fn purge_snoozes(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Per-account detection settings.
#[async_trait]
pub trait AccountSettingStore: Send + Sync {
    /// `None` when the owner never changed the account's settings.
    async fn account_settings(&self, server: ServerId, user_id: &str) -> Result<Option<UserSettings>, StoreError>;
    /// Stores the settings; default settings remove the row.
    async fn set_account_settings(
        &self,
        server: ServerId,
        user_id: &str,
        settings: &UserSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Trust scores and their history.
#[async_trait]
pub trait TrustStore: Send + Sync {
    async fn trust_state(&self, server: ServerId, user_id: &str) -> Result<Option<TrustState>, StoreError>;
    /// Every scored account with its state.
    async fn trust_states(&self) -> Result<Vec<(ServerId, String, TrustState)>, StoreError>;
    /// Reads the account's state, asks `plan` what to change and writes the new state and the history
    /// rows, all in one write transaction, so concurrent changes never interleave. Returns the plan
    /// written, if any.
    async fn update_trust(
        &self,
        server: ServerId,
        user_id: &str,
        plan: TrustPlanner<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<TrustPlan>, StoreError>;
    /// The account's newest `limit` changes, newest first.
    async fn trust_history(&self, server: ServerId, user_id: &str, limit: u32) -> Result<Vec<TrustChange>, StoreError>;
}
