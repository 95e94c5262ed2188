//! Enforcement: stopping live streams and messaging their viewers. The owner stops a stream from the
//! dashboard or the API (`stop_stream`, audited); a rule's actions (`RuleActions`: a message, a stop
//! after a delay, a cooldown, a dry run) run for each incident it opens or updates (`on_incident`),
//! on tasks the `Enforcer` tracks so a shutdown cancels the waiting ones and waits for the rest.
//! Only the violation's judged stream is ever acted on, and a delayed stop checks everything again
//! first (see `executor.rs`). Talking to media servers is `media`'s; the decisions are in `plan.rs`.

mod executor;
pub mod outcome;
pub mod plan;
mod stop;

pub use executor::on_incident;
pub use outcome::{EnforceError, StopOutcome, StopStatus};
pub use stop::stop_stream;

use crate::AppContext;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};
use tokio_util::task::TaskTracker;

/// What the skipped row of an action says when a restart found it still waiting.
const RESTARTED: &str = "not done: Sightline stopped before it was due";

/// The actions in flight: tasks waiting for their delay or talking to a media server.
#[derive(Clone, Default)]
pub struct Enforcer {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    tasks: TaskTracker,
    cancel: CancellationToken,
    /// Actions run one at a time, so two stops of one account never both pass its cooldown.
    gate: Mutex<()>,
}

impl Enforcer {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts an action's task; `false` once the enforcer is shutting down.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) -> bool {
        if self.inner.cancel.is_cancelled() {
            return false;
        }
        self.inner.tasks.spawn(task);
        true
    }

    /// Resolves when the enforcer shuts down.
    pub(crate) fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        self.inner.cancel.cancelled()
    }

    pub(crate) async fn gate(&self) -> MutexGuard<'_, ()> {
        self.inner.gate.lock().await
    }

    /// Cancels the stops still waiting for their delay (each records why) and refuses new actions.
    pub fn shutdown(&self) {
        self.inner.cancel.cancel();
        self.inner.tasks.close();
    }

    /// Waits until every action task has finished (after [`Enforcer::shutdown`]).
    pub async fn wait(&self) {
        self.inner.tasks.wait().await;
    }

    /// How many action tasks are running or waiting.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.inner.tasks.len()
    }
}

/// Marks the actions a previous run left scheduled (it stopped or crashed before they were due) as
/// skipped; call once at start. Returns how many.
pub async fn recover(ctx: &AppContext, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = ctx.store.abandon_scheduled_actions(RESTARTED, now).await?;
    if n > 0 {
        tracing::info!(actions = n, "rule actions left waiting by the last run were skipped");
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
