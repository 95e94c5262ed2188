//! The task that follows one media server until it is cancelled: it polls the session list,
//! keeps the push channel open when the server has one (Plex server-sent events, Jellyfin/Emby
//! WebSocket), reconciles with a periodic poll, syncs accounts, and hands every answer or
//! failure to its `Pipeline`. One server's failures never reach another's task.

use super::pipeline::Pipeline;
use crate::AppContext;
use crate::clock;
use crate::media::feed::{Feed, FeedMessage};
use crate::media::plex::{NotifiedState, PlayStateNotification};
use crate::media::server::{AdapterOptions, MediaError, MediaServer, connect_with};
use crate::store::ServerRecord;
use sightline_domain::ServerId;
use sightline_domain::live::{FeedKind, ServerRef};
use sightline_domain::media::{MediaSession, PlaybackState, ServerKind};
use sightline_domain::tracker::Observation;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;

/// A push channel that says nothing for this long is presumed dead and reopened (Plex pings
/// every 10 s; Jellyfin answers the keep-alive sent every 30 s).
const FEED_SILENCE: Duration = Duration::from_secs(90);
/// After play-state notifications, wait this long for more before applying them together.
const NOTIFY_BATCH: Duration = Duration::from_millis(1000);
/// A notification about an unknown or ended session triggers a full fetch this soon.
const FETCH_SOON: Duration = Duration::from_millis(250);
/// The unreachable-timeout check runs this often.
const TICK: Duration = Duration::from_secs(30);
const ACCOUNTS_EVERY: Duration = Duration::from_secs(6 * 3600);
const ACCOUNTS_RETRY: Duration = Duration::from_secs(600);
const FAR: Duration = Duration::from_secs(86_400 * 365);

/// Follows `server` until `shutdown` is cancelled.
pub async fn run(ctx: AppContext, server: ServerRecord, shutdown: CancellationToken) {
    let server_ref =
        ServerRef { id: server.id, name: server.name.clone(), kind: server.kind, color: server.color.clone() };
    let mut pipeline = match Pipeline::restore(ctx.clone(), server_ref).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(server = %server.name, error = %e, "cannot read this server's active plays; not following it");
            return;
        }
    };
    let adapter = match adapter(&ctx, &server).await {
        Ok(a) => a,
        Err(e) => {
            pipeline.failed(&e, clock::now_ms());
            shutdown.cancelled().await;
            return;
        }
    };
    // Account lists (plex.tv may take its time) never hold up following sessions.
    let accounts = tokio::spawn(sync_accounts(ctx.clone(), server.id, Arc::clone(&adapter), shutdown.clone()));
    Follower::new(&ctx, server.kind, adapter, pipeline).follow(&shutdown).await;
    let _ = accounts.await;
}

/// Lists the server's accounts shortly after start and every `ACCOUNTS_EVERY`.
async fn sync_accounts(ctx: AppContext, server: ServerId, adapter: Arc<dyn MediaServer>, shutdown: CancellationToken) {
    let mut wait = Duration::from_secs(1);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        let listed = tokio::select! {
            () = shutdown.cancelled() => return,
            listed = adapter.accounts() => listed,
        };
        wait = match listed {
            Ok(accounts) => {
                match ctx.store.sync_accounts(server, &accounts, clock::now_ms()).await {
                    Ok(added) => tracing::debug!(server = server.0, listed = accounts.len(), added, "accounts synced"),
                    Err(e) => tracing::warn!(server = server.0, error = %e, "could not store the server's accounts"),
                }
                ACCOUNTS_EVERY
            }
            Err(e) => {
                tracing::debug!(server = server.0, error = %e, "could not list the server's accounts");
                ACCOUNTS_RETRY
            }
        };
    }
}

async fn adapter(ctx: &AppContext, server: &ServerRecord) -> Result<Arc<dyn MediaServer>, MediaError> {
    let token = match ctx.store.server_token(server.id, &ctx.secrets).await {
        Ok(Some(t)) => t,
        Ok(None) => return Err(MediaError::BadToken),
        Err(e) => {
            tracing::error!(server = %server.name, error = %e, "cannot read this server's token");
            return Err(MediaError::BadToken);
        }
    };
    let options = AdapterOptions { plex_tv_url: ctx.config.plex_tv_url.clone() };
    connect_with(server.kind, &server.url, &token, &options)
}

/// What woke the follower up.
enum Wake {
    Shutdown,
    Poll,
    Flush,
    Tick,
    FeedRetry,
    Message(Result<Option<FeedMessage>, MediaError>),
}

struct Follower {
    adapter: Arc<dyn MediaServer>,
    pipeline: Pipeline,
    feed_kind: FeedKind,
    feed: Option<Box<dyn Feed>>,
    feed_failures: u32,
    next_feed: Instant,
    next_poll: Instant,
    next_tick: Instant,
    /// Plex: the last complete list, patched by notifications between polls.
    sessions: Vec<MediaSession>,
    flush_at: Option<Instant>,
    poll_active: Duration,
    poll_idle: Duration,
    reconcile: Duration,
}

impl Follower {
    fn new(ctx: &AppContext, kind: ServerKind, adapter: Arc<dyn MediaServer>, pipeline: Pipeline) -> Self {
        let now = Instant::now();
        let secs = |v: u32| Duration::from_secs(u64::from(v));
        Self {
            adapter,
            pipeline,
            feed_kind: if kind == ServerKind::Plex { FeedKind::Events } else { FeedKind::WebSocket },
            feed: None,
            feed_failures: 0,
            next_feed: now,
            next_poll: now,
            next_tick: now + TICK,
            sessions: Vec::new(),
            flush_at: None,
            poll_active: secs(ctx.config.poll_active_secs),
            poll_idle: secs(ctx.config.poll_idle_secs),
            reconcile: secs(ctx.config.reconcile_secs),
        }
    }

    async fn follow(mut self, shutdown: &CancellationToken) {
        loop {
            if self.feed.is_none() && Instant::now() >= self.next_feed {
                self.open_feed().await;
            }
            let flush_at = self.flush_at.unwrap_or_else(|| Instant::now() + FAR);
            let wake = tokio::select! {
                () = shutdown.cancelled() => Wake::Shutdown,
                () = sleep_until(self.next_poll) => Wake::Poll,
                () = sleep_until(flush_at), if self.flush_at.is_some() => Wake::Flush,
                () = sleep_until(self.next_tick) => Wake::Tick,
                () = sleep_until(self.next_feed), if self.feed.is_none() => Wake::FeedRetry,
                message = next_message(self.feed.as_mut()), if self.feed.is_some() => Wake::Message(message),
            };
            match wake {
                Wake::Shutdown => break,
                Wake::Poll => self.poll().await,
                Wake::Flush => {
                    self.flush_at = None;
                    let at = clock::now_ms();
                    self.pipeline.observe(Observation::Snapshot { at, sessions: self.sessions.clone() }).await;
                }
                Wake::Tick => {
                    self.next_tick = Instant::now() + TICK;
                    self.pipeline.observe(Observation::Tick { at: clock::now_ms() }).await;
                }
                Wake::FeedRetry => {}
                Wake::Message(message) => self.on_message(message).await,
            }
        }
        self.pipeline.flush().await;
    }

    fn poll_every(&self) -> Duration {
        if self.feed.is_some() {
            self.reconcile
        } else if self.pipeline.has_active() {
            self.poll_active
        } else {
            self.poll_idle
        }
    }

    async fn poll(&mut self) {
        let result = self.adapter.sessions().await;
        let at = clock::now_ms();
        match result {
            Ok(sessions) => {
                self.sessions.clone_from(&sessions);
                self.flush_at = None;
                let feed = if self.feed.is_some() { self.feed_kind } else { FeedKind::Polling };
                self.pipeline.up(feed, at);
                self.pipeline.observe(Observation::Snapshot { at, sessions }).await;
            }
            Err(e) => {
                self.pipeline.failed(&e, at);
                self.pipeline.observe(Observation::Unreachable { at }).await;
            }
        }
        self.next_poll = Instant::now() + self.poll_every();
    }

    async fn open_feed(&mut self) {
        match timeout(Duration::from_secs(20), self.adapter.open_feed()).await {
            Ok(Ok(feed)) => {
                tracing::info!(feed = self.feed_kind.label(), "push channel open");
                self.feed = Some(feed);
                self.feed_failures = 0;
                // Reconcile right away: changes may have happened while the channel was closed.
                self.next_poll = Instant::now();
            }
            Ok(Err(e)) => self.feed_failed(&e.to_string()),
            Err(_) => self.feed_failed("no answer within 20 s"),
        }
    }

    fn feed_failed(&mut self, why: &str) {
        self.feed = None;
        self.feed_failures = self.feed_failures.saturating_add(1);
        // 5 s, 10 s, 20 s … capped at 5 minutes, with polling meanwhile.
        let backoff = Duration::from_secs(5u64.saturating_mul(1 << self.feed_failures.min(6)).min(300));
        tracing::debug!(why, retry_in = ?backoff, "push channel unavailable; polling");
        self.next_feed = Instant::now() + backoff;
        self.next_poll = self.next_poll.min(Instant::now() + FETCH_SOON);
    }

    async fn on_message(&mut self, message: Result<Option<FeedMessage>, MediaError>) {
        match message {
            Ok(Some(FeedMessage::Sessions(sessions))) => {
                // A pushed list may have been sent before the last poll was answered. It may add
                // and update plays, but only a fresh poll (sequential, so newer) may end one.
                if self.pipeline.would_end(&sessions) {
                    self.poll().await;
                    return;
                }
                let at = clock::now_ms();
                self.sessions.clone_from(&sessions);
                self.pipeline.up(self.feed_kind, at);
                self.pipeline.observe(Observation::Snapshot { at, sessions }).await;
            }
            Ok(Some(FeedMessage::PlayStates(states))) => self.on_play_states(&states).await,
            Ok(Some(FeedMessage::KeepAlive)) => {}
            Ok(None) => self.feed_failed("the server closed the push channel"),
            Err(e) => self.feed_failed(&e.to_string()),
        }
    }

    /// Patches the last list with Plex notifications; anything it cannot patch (a new session,
    /// a stop, an error) asks for a full fetch instead. A changed state (pause, resume) is applied
    /// at once, so a resume right before a stop is still seen; position updates are batched.
    async fn on_play_states(&mut self, states: &[PlayStateNotification]) {
        let mut fetch = false;
        let mut state_changed = false;
        for n in states {
            let known = self.sessions.iter_mut().find(|s| s.session_key == n.session_key);
            match (known, &n.state) {
                (
                    Some(session),
                    NotifiedState::Playback(
                        state @ (PlaybackState::Playing | PlaybackState::Paused | PlaybackState::Buffering),
                    ),
                ) => {
                    state_changed |= session.state != *state;
                    session.state = *state;
                    if n.view_offset_ms.is_some() {
                        session.position_ms =
                            sightline_domain::media::clamp_position(n.view_offset_ms, session.media.duration_ms);
                    }
                }
                _ => fetch = true,
            }
        }
        if state_changed {
            self.flush_at = None;
            let at = clock::now_ms();
            self.pipeline.observe(Observation::Snapshot { at, sessions: self.sessions.clone() }).await;
        }
        if fetch {
            self.next_poll = self.next_poll.min(Instant::now() + FETCH_SOON);
        } else if self.flush_at.is_none() && !state_changed {
            self.flush_at = Some(Instant::now() + NOTIFY_BATCH);
        }
    }
}

/// The next feed message, or a failure when the channel has been silent too long.
async fn next_message(feed: Option<&mut Box<dyn Feed>>) -> Result<Option<FeedMessage>, MediaError> {
    let Some(feed) = feed else { return std::future::pending().await };
    match timeout(FEED_SILENCE, feed.next()).await {
        Ok(message) => message,
        Err(_) => Err(MediaError::Unreachable(format!("the push channel was silent for {FEED_SILENCE:?}"))),
    }
}
