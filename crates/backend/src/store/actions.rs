//! `ActionStore`: what the actions of rules did for incidents (a message, a stop; scheduled, then
//! done, skipped or failed; dry runs alike), for the incident page, the cooldown and restarts.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;

/// Which action a row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    StopStream,
    MessageClient,
}

impl ActionKind {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StopStream => "stop_stream",
            Self::MessageClient => "message_client",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stop_stream" => Some(Self::StopStream),
            "message_client" => Some(Self::MessageClient),
            _ => None,
        }
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionStatus {
    /// Waiting for its delay.
    Scheduled,
    Done,
    /// Not carried out, for the reason in the detail (the condition ended, a cooldown, a refusal…).
    Skipped,
    /// Tried and failed (the media server did not answer, …).
    Failed,
}

impl ActionStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "scheduled" => Some(Self::Scheduled),
            "done" => Some(Self::Done),
            "skipped" => Some(Self::Skipped),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// An action to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncidentAction {
    pub incident_id: i64,
    pub action: ActionKind,
    pub dry_run: bool,
    pub status: ActionStatus,
    /// One sentence for people.
    pub detail: String,
    /// The play acted on.
    pub play_id: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentAction {
    pub id: i64,
    pub incident_id: i64,
    pub action: ActionKind,
    pub dry_run: bool,
    pub status: ActionStatus,
    pub detail: String,
    pub play_id: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When the status last changed.
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait ActionStore: Send + Sync {
    /// Records an action; returns its id.
    async fn add_incident_action(&self, action: &NewIncidentAction) -> Result<i64, StoreError>;
    /// Moves a scheduled action to its outcome; `false` when it was no longer scheduled (a restart
    /// abandoned it) or does not exist.
    async fn finish_incident_action(
        &self,
        id: i64,
        status: ActionStatus,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// An incident's actions, oldest first.
    async fn incident_actions(&self, incident_id: i64) -> Result<Vec<IncidentAction>, StoreError>;
    /// When a rule last stopped one of the account's streams for real (dry runs do not count).
    async fn last_stop_of_account(&self, server: ServerId, user_id: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Marks every action still scheduled as skipped with `detail` (at start, for those a stop or a
    /// crash left behind); returns how many.
    async fn abandon_scheduled_actions(&self, detail: &str, at: DateTime<Utc>) -> Result<u64, StoreError>;
}
