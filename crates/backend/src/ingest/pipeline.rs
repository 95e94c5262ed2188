//! One server's pipeline: observations go into its `ServerTracker`; what comes out is persisted
//! (transitions at once, running totals every `FLUSH_EVERY`), put on the live board and published
//! to browsers. It also owns the server's health report. No HTTP here; `server_task` feeds it.

use super::board::Board;
use crate::AppContext;
use crate::clock;
use crate::media::server::MediaError;
use crate::store::{PlayWrite, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::LiveEvent;
use sightline_domain::live::{FeedKind, NowPlaying, ServerHealth, ServerRef, ServerStatus, SessionGeo};
use sightline_domain::tracker::{ActivePlay, Observation, PlayId, PlayKey, ServerTracker, TrackerConfig, TrackerEvent};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Running totals of every active play are written at least this often.
const FLUSH_EVERY: TimeDelta = TimeDelta::seconds(15);
/// A playing stream's position is re-published this often (the browser advances it between).
const REPUBLISH_EVERY: TimeDelta = TimeDelta::seconds(15);

pub struct Pipeline {
    ctx: AppContext,
    board: Arc<Board>,
    server: ServerRef,
    tracker: ServerTracker,
    config: TrackerConfig,
    last_flush: Option<DateTime<Utc>>,
    published: HashMap<PlayId, DateTime<Utc>>,
    /// Where each active play's client is, and for which address.
    places: HashMap<PlayId, (Option<std::net::IpAddr>, Option<SessionGeo>)>,
    health: ServerHealth,
}

impl Pipeline {
    /// Rebuilds the tracker from the plays persisted before a restart.
    pub async fn restore(ctx: AppContext, server: ServerRef) -> Result<Self, StoreError> {
        let config = ctx.config.tracker();
        let now = clock::now_ms();
        let plays = ctx.store.active_plays(server.id).await?;
        let recent = ctx.store.recent_stops(server.id, now - config.resume_window).await?;
        let tracker = ServerTracker::restore_with_recent(plays, recent);
        let health = ServerHealth {
            server: server.id,
            status: ServerStatus::Connecting,
            since: now,
            code: None,
            reason: None,
            feed: None,
            last_ok_at: None,
            active_streams: tracker.active_plays().len(),
        };
        let board = Arc::clone(&ctx.ingest.board);
        let mut pipeline = Self {
            ctx,
            board,
            server,
            tracker,
            config,
            last_flush: Some(now),
            published: HashMap::new(),
            places: HashMap::new(),
            health,
        };
        for play in pipeline.tracker.active_plays().to_vec() {
            pipeline.locate(&play);
            pipeline.board.upsert_play(pipeline.now_playing(&play));
        }
        pipeline.publish_health();
        Ok(pipeline)
    }

    /// Whether applying this list would end a play in progress.
    #[must_use]
    pub fn would_end(&self, sessions: &[sightline_domain::media::MediaSession]) -> bool {
        let seen: BTreeSet<PlayKey> = sessions.iter().map(PlayKey::of).collect();
        self.tracker.active_plays().iter().any(|p| !seen.contains(&p.key()))
    }

    #[must_use]
    pub fn has_active(&self) -> bool {
        !self.tracker.active_plays().is_empty()
    }

    /// Applies one observation: persists, updates the board, publishes.
    pub async fn observe(&mut self, observation: Observation) {
        let now = observation.at();
        let events = self.tracker.apply(observation, &self.config);
        let mut writes = Vec::new();
        let mut touched = BTreeSet::new();
        // Plays the detection rules judge: new ones, and those whose address moved.
        let mut to_judge = BTreeSet::new();
        for event in &events {
            match event {
                TrackerEvent::Stopped { play, summary, reason, session, .. } => {
                    writes.push(PlayWrite::Stopped {
                        summary: summary.clone(),
                        reason: *reason,
                        session: session.clone(),
                    });
                    self.board.remove_play(self.server.id, &play.to_string());
                    self.published.remove(play);
                    self.places.remove(play);
                    self.ctx.hub.publish(LiveEvent::Stopped { server: self.server.id, play: play.to_string() });
                    crate::notify::produce::stream_stopped(&self.ctx, &self.server, session, summary, now).await;
                }
                TrackerEvent::Progress { play, .. } => {
                    let due = self.published.get(play).is_none_or(|at| now - *at >= REPUBLISH_EVERY);
                    if due {
                        touched.insert(*play);
                    }
                }
                TrackerEvent::Started { play, .. } => {
                    touched.insert(*play);
                    to_judge.insert(*play);
                    if let Some(active) = self.active(*play) {
                        writes.push(PlayWrite::Active(Box::new(active.clone())));
                    }
                }
                TrackerEvent::Paused { play, .. }
                | TrackerEvent::Resumed { play, .. }
                | TrackerEvent::QualityChanged { play, .. } => {
                    touched.insert(*play);
                    if let Some(active) = self.active(*play) {
                        writes.push(PlayWrite::Active(Box::new(active.clone())));
                    }
                }
            }
        }
        for play in self.tracker.active_plays().to_vec() {
            if let Some(geo) = self.locate(&play) {
                writes.push(PlayWrite::Located { play: play.id, geo: Box::new(geo) });
                to_judge.insert(play.id);
            }
        }
        let flush_due = self.last_flush.is_none_or(|at| now - at >= FLUSH_EVERY);
        if flush_due {
            writes.retain(|w| !matches!(w, PlayWrite::Active(_)));
            writes.extend(self.tracker.active_plays().iter().map(|p| PlayWrite::Active(Box::new(p.clone()))));
            self.last_flush = Some(now);
        }
        if let Err(e) = self.ctx.store.write_plays(self.server.id, &writes, now).await {
            tracing::error!(server = %self.server.name, error = %e, "could not record plays; will retry with the next update");
            self.last_flush = None;
        }
        for play in self.tracker.active_plays().to_vec() {
            let view = self.now_playing(&play);
            if touched.contains(&play.id) {
                self.published.insert(play.id, now);
                self.ctx.hub.publish(LiveEvent::Playing { now: Box::new(view.clone()) });
            }
            self.board.upsert_play(view);
        }
        for play in self.tracker.active_plays().iter().filter(|p| to_judge.contains(&p.id)) {
            let view = self.now_playing(play);
            if events.iter().any(|e| matches!(e, TrackerEvent::Started { play: p, .. } if *p == play.id)) {
                crate::notify::produce::stream_started(&self.ctx, &view, now).await;
            }
            if let Err(e) = crate::detect::judge(&self.ctx, &view, now).await {
                tracing::error!(server = %self.server.name, error = %e, "could not run the detection rules");
            }
        }
        let active = self.tracker.active_plays().len();
        if active != self.health.active_streams {
            self.health.active_streams = active;
            self.publish_health();
        }
    }

    /// Writes every active play now (before a stop or a restart of the task).
    pub async fn flush(&mut self) {
        let now = clock::now_ms();
        let writes: Vec<PlayWrite> =
            self.tracker.active_plays().iter().map(|p| PlayWrite::Active(Box::new(p.clone()))).collect();
        if let Err(e) = self.ctx.store.write_plays(self.server.id, &writes, now).await {
            // A removed server took its plays with it: nothing is lost, nothing to report.
            if matches!(self.ctx.store.server(self.server.id).await, Ok(None)) {
                tracing::debug!(server = %self.server.name, "server removed; its plays went with it");
                return;
            }
            tracing::error!(server = %self.server.name, error = %e, "could not record plays at shutdown");
        }
    }

    /// The server answered: it is up, reached through `feed`.
    pub fn up(&mut self, feed: FeedKind, now: DateTime<Utc>) {
        self.health.last_ok_at = Some(now);
        self.set_health(ServerStatus::Up, None, None, Some(feed), now);
    }

    /// The server failed with `error`.
    pub fn failed(&mut self, error: &MediaError, now: DateTime<Utc>) {
        let status = match error {
            MediaError::BadToken | MediaError::NotAdministrator => ServerStatus::AuthFailed,
            _ => ServerStatus::Down,
        };
        let feed = self.health.feed;
        self.set_health(status, Some(error.code().to_owned()), Some(error.to_string()), feed, now);
    }

    fn set_health(
        &mut self,
        status: ServerStatus,
        code: Option<String>,
        reason: Option<String>,
        feed: Option<FeedKind>,
        now: DateTime<Utc>,
    ) {
        let changed = self.health.status != status || self.health.code != code || self.health.feed != feed;
        if self.health.status != status {
            crate::notify::produce::server_health(
                &self.ctx,
                &self.server,
                &self.health,
                status,
                reason.as_deref(),
                now,
            );
            self.health.since = now;
            match status {
                ServerStatus::Up => tracing::info!(server = %self.server.name, feed = ?feed, "media server is up"),
                _ => {
                    tracing::warn!(server = %self.server.name, status = status.label(), reason = reason.as_deref().unwrap_or(""), "media server is not up")
                }
            }
        }
        self.health.status = status;
        self.health.code = code;
        self.health.reason = reason;
        self.health.feed = feed;
        if changed {
            self.publish_health();
        } else {
            self.board.set_health(self.health.clone());
        }
    }

    fn publish_health(&self) {
        self.board.set_health(self.health.clone());
        self.ctx.hub.publish(LiveEvent::ServerHealth { health: self.health.clone() });
    }

    /// Looks the play's client up when it is new or its address changed; returns the new place.
    fn locate(&mut self, play: &ActivePlay) -> Option<SessionGeo> {
        let ip = play.session.client_ip;
        if self.places.get(&play.id).is_some_and(|(known, _)| *known == ip) {
            return None;
        }
        let geo = self.ctx.geo.databases().session_geo(&play.session);
        self.places.insert(play.id, (ip, geo.clone()));
        geo
    }

    fn active(&self, play: PlayId) -> Option<&ActivePlay> {
        self.tracker.active_plays().iter().find(|p| p.id == play)
    }

    fn now_playing(&self, play: &ActivePlay) -> NowPlaying {
        let poster_url = play.session.media.poster.as_deref().map(|path| {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("/img/{}?path={encoded}", self.server.id)
        });
        NowPlaying {
            play: play.id.to_string(),
            server: self.server.clone(),
            started_at: play.started_at,
            updated_at: play.last_seen_at,
            played_ms: play.played_ms,
            paused_ms: play.paused_ms,
            resumes: play.resumes.map(|r| r.to_string()),
            session: play.session.clone(),
            poster_url,
            geo: self.places.get(&play.id).and_then(|(_, g)| g.clone()),
        }
    }
}
