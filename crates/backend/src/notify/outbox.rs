//! The producer side of the durable outbox: `enqueue` fans a notice out to every enabled destination
//! that wants it (one row each, one transaction, deduplicated per destination) and rings the worker;
//! `Notifier` is the worker's doorbell plus the `Deliver` implementation everything sends through.

use super::{Deliver, Notice};
use crate::AppContext;
use crate::clock;
use crate::store::StoreError;
use crate::store::notify::DestinationRecord;
use std::sync::Arc;
use tokio::sync::Notify;

/// The outbox worker's doorbell and the one delivery path (the worker and the test button share it).
#[derive(Clone)]
pub struct Notifier {
    doorbell: Arc<Notify>,
    deliver: Arc<dyn Deliver>,
}

impl Notifier {
    #[must_use]
    pub fn new(deliver: Arc<dyn Deliver>) -> Self {
        Self { doorbell: Arc::new(Notify::new()), deliver }
    }

    /// Wakes the worker (cheap; a ring while it is busy is kept for its next wait).
    pub fn ring(&self) {
        self.doorbell.notify_one();
    }

    /// Resolves at the next ring (or at once when one is pending).
    pub async fn rung(&self) {
        self.doorbell.notified().await;
    }

    /// Sends one notice to one destination, once.
    #[must_use]
    pub fn deliver(&self) -> &Arc<dyn Deliver> {
        &self.deliver
    }
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notifier")
    }
}

/// The ids of the destinations among `records` that want `notice`.
#[must_use]
pub fn recipients(records: &[DestinationRecord], notice: &Notice) -> Vec<i64> {
    records.iter().filter(|r| r.destination.wants(notice)).map(|r| r.destination.id).collect()
}

/// Queues `notice` for every enabled destination that wants it and wakes the worker; returns how many
/// rows were added (0 when nobody wants it or every destination already has it).
pub async fn enqueue(ctx: &AppContext, notice: &Notice) -> Result<usize, StoreError> {
    let all = ctx.store.destinations(&ctx.secrets).await?;
    enqueue_to(ctx, &all.readable, notice).await
}

/// [`enqueue`] over destinations already read (producers that look at them first).
pub async fn enqueue_to(ctx: &AppContext, records: &[DestinationRecord], notice: &Notice) -> Result<usize, StoreError> {
    let ids = recipients(records, notice);
    if ids.is_empty() {
        return Ok(0);
    }
    let added = ctx.store.enqueue_notice(&ids, notice, clock::now()).await?;
    if added > 0 {
        ctx.notify.ring();
    }
    Ok(added)
}
