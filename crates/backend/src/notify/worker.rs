//! The outbox worker: delivers queued notices through `ctx.notify`'s `Deliver`, one at a time per
//! destination and in order (each destination's oldest queued row goes first), several destinations
//! at once. Failures are retried with backoff (`schedule.rs`), refusals and exhausted rows are
//! dead-lettered, each destination's `rate_per_minute` holds rows back, and rows a crash left
//! `sending` are queued again at start. A ring of the doorbell (`outbox::enqueue`) wakes it at once.

#[cfg(test)]
pub(crate) mod receiver;
pub mod schedule;

use crate::AppContext;
use crate::clock;
use crate::notify::{Deliver, DeliveryOutcome, Destination};
use crate::store::notify::{AttemptEnd, OutboxRow};
use crate::store::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use schedule::{Bucket, RetryPolicy, after_attempt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How the worker runs; `Default` is production's.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub retry: RetryPolicy,
    /// Deliveries in flight at once (each to a different destination).
    pub concurrency: usize,
    /// An attempt that takes longer counts as a failure to retry.
    pub send_timeout: Duration,
    /// The longest sleep without a ring (a safety net; rings and due times wake it sooner).
    pub idle_wake: Duration,
    /// Delivered rows are kept this long (their dedupe keys with them), dead ones `dead_kept`.
    pub delivered_kept: TimeDelta,
    pub dead_kept: TimeDelta,
    /// On shutdown, deliveries in flight get this long to finish before they are cut (and sent again
    /// after the restart).
    pub drain: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            concurrency: 8,
            send_timeout: Duration::from_secs(30),
            idle_wake: Duration::from_secs(60),
            delivered_kept: TimeDelta::days(7),
            dead_kept: TimeDelta::days(30),
            drain: Duration::from_secs(3),
        }
    }
}

/// Due rows read per round.
const BATCH: u32 = 64;
/// How often delivered and dead rows past their keep time are deleted.
const PURGE_EVERY: TimeDelta = TimeDelta::hours(1);
/// After a store failure the worker tries again this soon.
const STORE_RETRY: Duration = Duration::from_secs(5);

/// Runs the worker with production settings until `shutdown`.
pub async fn run(ctx: AppContext, shutdown: CancellationToken) {
    run_with(ctx, WorkerConfig::default(), shutdown).await;
}

/// Runs the worker until `shutdown`.
pub async fn run_with(ctx: AppContext, config: WorkerConfig, shutdown: CancellationToken) {
    match ctx.store.requeue_interrupted(clock::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(n, "notifications interrupted by the last stop are queued again"),
        Err(e) => {
            tracing::error!(error.message = %e, error.cause_chain = ?e, "cannot requeue interrupted notifications")
        }
    }
    let mut worker = Worker {
        ctx,
        config,
        buckets: HashMap::new(),
        sending: JoinSet::new(),
        in_flight: HashMap::new(),
        purged_at: None,
    };
    loop {
        let wake = match worker.round().await {
            Ok(wake) => wake,
            Err(e) => {
                tracing::error!(error.message = %e, error.cause_chain = ?e, "the notification outbox cannot be read");
                Wake::After(STORE_RETRY)
            }
        };
        let sleep = match wake {
            Wake::After(d) => d.min(worker.config.idle_wake),
            Wake::WhenSent => worker.config.idle_wake,
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = worker.ctx.notify.rung() => {}
            () = tokio::time::sleep(sleep) => {}
            Some(done) = worker.sending.join_next_with_id(), if !worker.sending.is_empty() => worker.finished(done).await,
        }
    }
    worker.drain().await;
}

/// When the next round is worth running (besides a ring or a finished delivery).
enum Wake {
    After(Duration),
    /// Every slot is busy: only a finished delivery frees one.
    WhenSent,
}

struct Worker {
    ctx: AppContext,
    config: WorkerConfig,
    buckets: HashMap<i64, Bucket>,
    sending: JoinSet<()>,
    /// The row and attempt number of each delivery task, to settle a row whose task panicked.
    in_flight: HashMap<tokio::task::Id, (i64, u32)>,
    purged_at: Option<DateTime<Utc>>,
}

impl Worker {
    /// Starts every due delivery there is room for; says when to look again.
    async fn round(&mut self) -> Result<Wake, StoreError> {
        let now = clock::now();
        self.purge(now).await;
        while let Some(done) = self.sending.try_join_next_with_id() {
            self.finished(done).await;
        }
        let due = self.ctx.store.due_outbox(now, BATCH).await?;
        if !due.is_empty() {
            let destinations: HashMap<i64, Destination> = self
                .ctx
                .store
                .destinations(&self.ctx.secrets)
                .await?
                .readable
                .into_iter()
                .map(|r| (r.destination.id, r.destination))
                .collect();
            for row in due {
                if self.sending.len() >= self.config.concurrency {
                    return Ok(Wake::WhenSent);
                }
                let destination = destinations.get(&row.destination_id);
                self.dispatch(row, destination, now).await?;
            }
        }
        if self.sending.len() >= self.config.concurrency {
            return Ok(Wake::WhenSent);
        }
        Ok(match self.ctx.store.next_outbox_due().await? {
            Some(at) => Wake::After((at - clock::now()).to_std().unwrap_or(Duration::ZERO)),
            None => Wake::After(self.config.idle_wake),
        })
    }

    /// Starts one row's attempt, or holds it back for its destination's rate limit.
    async fn dispatch(
        &mut self,
        row: OutboxRow,
        destination: Option<&Destination>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(destination) = destination else {
            // Due rows belong to enabled destinations; one missing here has settings that cannot be read.
            if self.ctx.store.start_sending(row.id, now).await? {
                let end = AttemptEnd::Dead {
                    error: "the destination's stored settings cannot be read (was the secret key changed?); \
                            delete it and add it again"
                        .to_owned(),
                };
                self.ctx.store.finish_outbox(row.id, &end, now).await?;
            }
            return Ok(());
        };
        let rate = destination.rate_per_minute;
        let bucket = self.buckets.entry(destination.id).or_insert_with(|| Bucket::full(rate, now));
        if let Err(next) = bucket.take(rate, now) {
            self.ctx.store.postpone_outbox(row.id, next, now).await?;
            return Ok(());
        }
        if !self.ctx.store.start_sending(row.id, now).await? {
            return Ok(());
        }
        let attempt = Attempt {
            store: Arc::clone(&self.ctx.store),
            deliver: Arc::clone(self.ctx.notify.deliver()),
            destination: destination.clone(),
            policy: self.config.retry.clone(),
            timeout: self.config.send_timeout,
        };
        let (id, n) = (row.id, row.attempts + 1);
        let task = self.sending.spawn(attempt.run(row));
        self.in_flight.insert(task.id(), (id, n));
        Ok(())
    }

    /// Forgets a finished delivery task; one that panicked leaves its row to retry like a failure.
    async fn finished(&mut self, done: Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
        let id = match &done {
            Ok((id, ())) => *id,
            Err(e) => e.id(),
        };
        let Some((row, attempt)) = self.in_flight.remove(&id) else { return };
        if let Err(e) = done {
            tracing::error!(row, error = %e, "a notification sender failed unexpectedly");
            let outcome = DeliveryOutcome::Retry { after: None, reason: "the sender failed unexpectedly".to_owned() };
            let now = clock::now();
            let end = after_attempt(&self.config.retry, attempt, &outcome, now, rand::random::<f64>());
            if let Err(e) = self.ctx.store.finish_outbox(row, &end, now).await {
                tracing::error!(error.message = %e, error.cause_chain = ?e, row, "cannot record a notification's delivery");
            }
        }
    }

    async fn purge(&mut self, now: DateTime<Utc>) {
        if self.purged_at.is_some_and(|at| now - at < PURGE_EVERY) {
            return;
        }
        self.purged_at = Some(now);
        match self.ctx.store.purge_outbox(now - self.config.delivered_kept, now - self.config.dead_kept).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(n, "deleted old delivered and dead notifications"),
            Err(e) => tracing::warn!(error.message = %e, error.cause_chain = ?e, "cannot delete old notifications"),
        }
    }

    /// Gives deliveries in flight a moment to finish; the rest are cut and sent again after a restart.
    async fn drain(mut self) {
        let finish = async { while self.sending.join_next().await.is_some() {} };
        if tokio::time::timeout(self.config.drain, finish).await.is_err() {
            tracing::info!(n = self.sending.len(), "notifications still sending at shutdown go out after the restart");
            self.sending.abort_all();
        }
    }
}

/// One delivery attempt, run on its own task.
struct Attempt {
    store: Arc<dyn Store>,
    deliver: Arc<dyn Deliver>,
    destination: Destination,
    policy: RetryPolicy,
    timeout: Duration,
}

impl Attempt {
    async fn run(self, row: OutboxRow) {
        let attempt = row.attempts + 1;
        let outcome = match tokio::time::timeout(self.timeout, self.deliver.deliver(&self.destination, &row.notice))
            .await
        {
            Ok(outcome) => outcome,
            Err(_) => {
                DeliveryOutcome::Retry { after: None, reason: format!("no answer within {} s", self.timeout.as_secs()) }
            }
        };
        let now = clock::now();
        let end = after_attempt(&self.policy, attempt, &outcome, now, rand::random::<f64>());
        log(&self.destination, &row, &end);
        if let Err(e) = self.store.finish_outbox(row.id, &end, now).await {
            // The row stays `sending` and is queued again at the next start.
            tracing::error!(error.message = %e, error.cause_chain = ?e, row = row.id, "cannot record a notification's delivery");
        }
    }
}

fn log(destination: &Destination, row: &OutboxRow, end: &AttemptEnd) {
    let (name, event) = (destination.name.as_str(), row.event.as_str());
    match end {
        AttemptEnd::Delivered { outcome } => tracing::debug!(destination = name, event, row = row.id, "{outcome}"),
        AttemptEnd::Retry { error, at } => {
            tracing::info!(destination = name, event, row = row.id, retry_at = %at, "notification not delivered: {error}");
        }
        AttemptEnd::Dead { error } => {
            tracing::warn!(destination = name, event, row = row.id, "notification dead-lettered: {error}");
        }
    }
}

#[cfg(test)]
#[path = "worker/tests.rs"]
mod tests;
