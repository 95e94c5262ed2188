//! `sightline serve`: binds the port, starts the background tasks and the HTTP server, and
//! shuts down gracefully on SIGTERM/SIGINT (stop accepting, close live sockets, finish
//! writes, close the database) within a hard 8-second deadline.

use crate::{boot, logging, router, tasks};
use anyhow::Context as _;
use sightline_backend::AppContext;
use sightline_backend::auth::setup::SETUP_TOKEN_FILE;
use sightline_backend::config::Config;
use sightline_backend::geo::download::{MaxMind, keep_fresh};
use sightline_domain::LiveEvent;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The longest a shutdown may take; `docker stop` kills after 10 s.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(8);

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub ctx: AppContext,
    /// The setup token when no owner exists yet.
    pub setup_token: Option<String>,
    shutdown: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    tasks: TaskTracker,
}

impl Running {
    /// Stops accepting, closes live sockets and background tasks, then closes the store.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.ctx.hub.publish(LiveEvent::ShuttingDown);
        self.shutdown.cancel();
        self.tasks.close();
        // Waiting stops are cancelled (each records why) before the store closes.
        self.ctx.enforce.shutdown();
        let drain = async {
            let served = self.server.await;
            self.tasks.wait().await;
            self.ctx.enforce.wait().await;
            self.ctx.store.close().await;
            served
        };
        match tokio::time::timeout(SHUTDOWN_DEADLINE, drain).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(e).context("the HTTP server failed"),
            Ok(Err(e)) => Err(e).context("the HTTP server task panicked"),
            Err(_) => {
                tracing::warn!("shutdown took longer than {SHUTDOWN_DEADLINE:?}; exiting anyway");
                Ok(())
            }
        }
    }
}

/// Builds everything and starts serving on `config.listen` (port 0 picks a free port).
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let listen = config.listen;
    let listener = TcpListener::bind(listen).await.map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            " (another program uses this port; stop it or set SIGHTLINE_LISTEN to another address)"
        } else {
            ""
        };
        anyhow::anyhow!("cannot listen on {listen}: {e}{hint}")
    })?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    let (ctx, setup_token) = boot::build_context(config).await?;

    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    tasks.spawn(tasks::heartbeat(ctx.clone(), shutdown.clone()));
    tasks.spawn(tasks::sweep_sessions(ctx.clone(), shutdown.clone()));
    tasks.spawn(tasks::trust_upkeep(ctx.clone(), shutdown.clone()));
    sightline_backend::detect::install_defaults(&ctx, sightline_backend::clock::now())
        .await
        .context("cannot install the default detection rules")?;
    sightline_backend::enforce::recover(&ctx, sightline_backend::clock::now())
        .await
        .context("cannot read the rule actions left by the last run")?;
    tasks.spawn(sightline_backend::ingest::supervise(ctx.clone(), shutdown.clone()));
    tasks.spawn(sightline_backend::notify::worker::run(ctx.clone(), shutdown.clone()));
    if let (Some(account_id), Some(license_key)) = (&ctx.config.maxmind_account_id, &ctx.config.maxmind_license_key) {
        let maxmind = MaxMind {
            base_url: ctx.config.maxmind_url.clone(),
            account_id: account_id.clone(),
            license_key: license_key.clone(),
            editions: ctx.config.maxmind_editions.clone(),
        };
        tasks.spawn(keep_fresh(ctx.geo.clone(), maxmind, shutdown.clone()));
    }

    let app = router::build(ctx.clone(), shutdown.clone());
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
    });
    Ok(Running { addr, ctx, setup_token, shutdown, server, tasks })
}

fn announce(running: &Running) {
    tracing::info!(version = sightline_backend::VERSION, "Sightline listening on http://{}", running.addr);
    if let Some(token) = &running.setup_token {
        let file = running.ctx.config.data_dir.join(SETUP_TOKEN_FILE);
        let banner = "=".repeat(72);
        tracing::info!(
            "\n{banner}\n  First run: open Sightline in a browser and create the owner account.\n  \
             Setup token: {token}\n  (also in {})\n{banner}",
            file.display()
        );
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT). The handlers are installed when this is called, not when
/// the future is first polled, so call it before announcing readiness: a signal sent right after the
/// announcement must not find the default handler (which kills the process without a clean stop).
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        let wait = |s: std::io::Result<tokio::signal::unix::Signal>| async move {
            match s {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = wait(term) => {},
            () = wait(int) => {},
        }
    }
}

/// The `serve` command: runs until SIGTERM or Ctrl-C.
pub async fn run_until_signal(env: Vec<(String, String)>) -> anyhow::Result<()> {
    let config = boot::load_config(env)?;
    logging::init(&config);
    for (key, value) in config.redacted_summary() {
        tracing::info!(target: "sightline::config", "{key} = {value}");
    }
    boot::check_site_root(&config)?;
    // Installed before the port is bound, so a signal during start-up also ends in a clean stop.
    let stop = shutdown_signal();
    let running = start(config).await?;
    announce(&running);
    stop.await;
    tracing::info!("shutting down");
    running.stop().await?;
    tracing::info!("stopped cleanly");
    Ok(())
}
