//! `NotifyStore`: notification destinations (config encrypted with the given `SecretBox`, bound to
//! its row) and the durable outbox the worker delivers from. Only storage: validation lives in
//! `notify::admin`, scheduling and retries in `notify::worker`.

use super::StoreError;
use crate::crypto::SecretBox;
use crate::notify::{Destination, EventKind, Notice};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How the latest delivery attempt to a destination ended (a worker attempt or a test send).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastOutcome {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// `DeliveryOutcome::describe`, never a secret.
    pub text: String,
}

/// A stored destination whose config decrypted.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationRecord {
    pub destination: Destination,
    pub last: Option<LastOutcome>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored destination whose config does not decrypt or parse (the secret key changed, or the row was
/// edited by hand). It receives nothing; the owner can only delete it and add it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableDestination {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub reason: String,
}

/// Every stored destination, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Destinations {
    pub readable: Vec<DestinationRecord>,
    pub unreadable: Vec<UnreadableDestination>,
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    /// Waiting for `next_attempt_at` (and its destination's earlier rows, and its rate limit).
    Queued,
    /// Handed to a sender; back to `Queued` at start if the process died meanwhile.
    Sending,
    Delivered,
    /// Given up on: refused for good or out of attempts. Kept for the owner to retry or delete.
    Dead,
}

impl OutboxState {
    pub const ALL: [OutboxState; 4] = [Self::Queued, Self::Sending, Self::Delivered, Self::Dead];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// One notice for one destination.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub destination_id: i64,
    pub event: EventKind,
    pub notice: Notice,
    pub dedupe_key: String,
    pub state: OutboxState,
    /// Attempts started so far (counted when sending begins, so a crash mid-send counts too).
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub queued: u64,
    pub sending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// How one attempt ended, as the worker decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    Delivered {
        outcome: String,
    },
    /// Queued again for `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Dead {
        error: String,
    },
}

#[async_trait]
pub trait NotifyStore: Send + Sync {
    /// Stores a new destination (its `id` is ignored; the store assigns one) with the config
    /// encrypted; returns it as stored.
    async fn create_destination(
        &self,
        destination: &Destination,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<DestinationRecord, StoreError>;
    /// Replaces the destination with `destination.id` (settings and config; the kind stays); `None`
    /// when there is none. Disabling it drops its queued rows: nothing waits for a destination that is off.
    async fn update_destination(
        &self,
        destination: &Destination,
        secrets: &SecretBox,
        now: DateTime<Utc>,
    ) -> Result<Option<DestinationRecord>, StoreError>;
    /// Removes a destination and its outbox rows; `false` when there was none.
    async fn delete_destination(&self, id: i64) -> Result<bool, StoreError>;
    /// Every destination, by id.
    async fn destinations(&self, secrets: &SecretBox) -> Result<Destinations, StoreError>;
    /// One destination; `Corrupt` when its config does not decrypt.
    async fn destination(&self, id: i64, secrets: &SecretBox) -> Result<Option<DestinationRecord>, StoreError>;
    /// Records the outcome of an attempt outside the outbox (the test button).
    async fn set_destination_outcome(&self, id: i64, outcome: &LastOutcome) -> Result<(), StoreError>;

    /// Queues `notice` once for each of `destinations` in one transaction; a destination that already
    /// has a row with the notice's dedupe key gets nothing. Returns how many rows were added.
    async fn enqueue_notice(
        &self,
        destinations: &[i64],
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError>;
    /// Puts rows left `sending` (by a process that died) back in the queue, due now. Run at start.
    async fn requeue_interrupted(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
    /// The head (oldest queued row) of each enabled destination that has nothing being sent, when
    /// due at `now`; soonest first, at most `limit`.
    async fn due_outbox(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxRow>, StoreError>;
    /// When the next head becomes due (under the same conditions as `due_outbox`).
    async fn next_outbox_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Marks a queued row `sending` and counts the attempt; `false` when it is no longer queued.
    async fn start_sending(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Leaves a queued row queued but not before `until` (its destination's rate limit); no attempt counted.
    async fn postpone_outbox(&self, id: i64, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Ends a `sending` row's attempt and records the outcome on its destination too; `false` when
    /// the row is gone (deleted meanwhile).
    async fn finish_outbox(&self, id: i64, end: &AttemptEnd, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Rows in `state` (all when `None`), most recently changed first, at most `limit`.
    async fn outbox_rows(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxRow>, StoreError>;
    async fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError>;
    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError>;
    /// Queues a dead (or waiting) row again from scratch: no attempts, due now. `false` when it is
    /// missing, delivered or being sent.
    async fn retry_outbox(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Deletes a row that is not being sent; `false` when missing or sending.
    async fn delete_outbox(&self, id: i64) -> Result<bool, StoreError>;
    /// Deletes delivered rows last changed before `delivered_before` and dead ones before
    /// `dead_before`; returns how many. (Their dedupe keys are forgotten with them.)
    async fn purge_outbox(
        &self,
        delivered_before: DateTime<Utc>,
        dead_before: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
}
