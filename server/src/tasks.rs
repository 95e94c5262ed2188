//! Background tasks of the web server. Each has the shape `run(deps, shutdown)` and stops
//! when the shutdown token is cancelled.

use sightline_backend::{AppContext, clock};
use sightline_domain::LiveEvent;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the heartbeat goes out on the live channel.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// How often stale browser sessions are deleted.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);
/// How often earned trust recovery is written to the history, ended snoozes are deleted and the
/// scheduled rules run.
pub const TRUST_EVERY: Duration = Duration::from_secs(3600);

/// Publishes the server clock and the number of live clients, so browsers can show liveness.
pub async fn heartbeat(ctx: AppContext, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => ctx.hub.publish(LiveEvent::Heartbeat { server_time: clock::now(), n_clients: ctx.hub.n_clients() }),
        }
    }
}

/// Deletes idle and expired sessions.
pub async fn sweep_sessions(ctx: AppContext, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => match ctx.auth.sweep_sessions(clock::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(n, "ended stale sessions"),
                Err(e) => tracing::warn!(error = %e, "could not sweep stale sessions"),
            },
        }
    }
}

/// Writes the trust recovery accounts earned (one history row per account and run), deletes
/// snoozes that ended, and runs the scheduled rules (account inactivity). Runs at start, then hourly;
/// a failure is logged and retried next hour.
pub async fn trust_upkeep(ctx: AppContext, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(TRUST_EVERY);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {
                let now = clock::now();
                match sightline_backend::trust::recover_due(&ctx, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(n, "wrote trust recovery"),
                    Err(e) => tracing::warn!(error.message = %e, error.cause_chain = ?e, "could not write trust recovery"),
                }
                if let Err(e) = ctx.store.purge_snoozes(now).await {
                    tracing::warn!(error.message = %e, error.cause_chain = ?e, "could not delete ended snoozes");
                }
                match sightline_backend::detect::judge_accounts(&ctx, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::debug!(n, "scheduled rules raised incidents"),
                    Err(e) => tracing::warn!(error.message = %e, error.cause_chain = ?e, "could not run the scheduled rules"),
                }
            }
        }
    }
}
