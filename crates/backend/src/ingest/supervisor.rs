//! The supervisor: one `server_task` per enabled media server. It re-reads the server list when
//! told (`Ingest::servers_changed`) and every minute, restarts the task of a server whose
//! settings changed (after the old task has written its plays), and stops removed ones.

use super::server_task;
use crate::AppContext;
use crate::clock;
use crate::store::ServerRecord;
use chrono::{DateTime, Utc};
use sightline_domain::LiveEvent;
use sightline_domain::ServerId;
use sightline_domain::live::{ServerHealth, ServerStatus};
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const RESCAN_EVERY: Duration = Duration::from_secs(60);
/// How long a stopping task may take to write its plays.
const STOP_GRACE: Duration = Duration::from_secs(5);

struct Running {
    updated_at: DateTime<Utc>,
    cancel: CancellationToken,
    handle: JoinHandle<()>,
}

/// Runs until `shutdown` is cancelled, then stops every server task and waits for them.
pub async fn supervise(ctx: AppContext, shutdown: CancellationToken) {
    let mut running: HashMap<ServerId, Running> = HashMap::new();
    loop {
        match ctx.store.list_servers().await {
            Ok(servers) => reconcile(&ctx, &shutdown, &mut running, servers).await,
            Err(e) => tracing::error!(error = %e, "cannot read the media servers; retrying in a minute"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = ctx.ingest.wait_changed() => {}
            () = tokio::time::sleep(RESCAN_EVERY) => {}
        }
    }
    for (_, task) in running.drain() {
        stop(task).await;
    }
}

async fn reconcile(
    ctx: &AppContext,
    shutdown: &CancellationToken,
    running: &mut HashMap<ServerId, Running>,
    servers: Vec<ServerRecord>,
) {
    let wanted: HashMap<ServerId, &ServerRecord> = servers.iter().map(|s| (s.id, s)).collect();
    let stale: Vec<ServerId> = running
        .iter()
        .filter(|(id, task)| wanted.get(id).is_none_or(|s| !s.enabled || s.updated_at != task.updated_at))
        .map(|(id, _)| *id)
        .collect();
    for id in stale {
        if let Some(task) = running.remove(&id) {
            stop(task).await;
        }
        ctx.ingest.board.forget(id);
    }
    for server in servers {
        if !server.enabled {
            disabled(ctx, &server);
            continue;
        }
        if running.contains_key(&server.id) {
            continue;
        }
        let cancel = shutdown.child_token();
        let updated_at = server.updated_at;
        let id = server.id;
        let handle = tokio::spawn(server_task::run(ctx.clone(), server, cancel.clone()));
        running.insert(id, Running { updated_at, cancel, handle });
    }
}

async fn stop(task: Running) {
    task.cancel.cancel();
    let abort = task.handle.abort_handle();
    if tokio::time::timeout(STOP_GRACE, task.handle).await.is_err() {
        tracing::warn!("a server task did not stop in time; aborting it");
        abort.abort();
    }
}

fn disabled(ctx: &AppContext, server: &ServerRecord) {
    if ctx.ingest.board.health(server.id).is_some_and(|h| h.status == ServerStatus::Disabled) {
        return;
    }
    let health = ServerHealth {
        server: server.id,
        status: ServerStatus::Disabled,
        since: clock::now(),
        code: None,
        reason: None,
        feed: None,
        last_ok_at: None,
        active_streams: 0,
    };
    ctx.ingest.board.set_health(health.clone());
    ctx.hub.publish(LiveEvent::ServerHealth { health });
}
