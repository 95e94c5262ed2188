//! The session tracker: a pure state machine that turns what one media server reports into the
//! authoritative record of its plays (start, pause, resume, progress, quality, stop) without ever
//! losing or double-counting one. No I/O and no clock: every observation carries its time.
//!
//! Rules it keeps:
//! - A play is `(session_key, user id, item key)`; a reused key with another user or item is
//!   another play.
//! - Only a complete answer ends a play, at its `last_seen_at`. A failed poll never does; after
//!   [`TrackerConfig::down_timeout`] of unreachability the plays close with
//!   [`StopReason::ServerDownTimeout`], still at `last_seen_at`.
//! - Time is monotonic inside the tracker: an observation older than the newest one seen is
//!   applied (its states and positions count) but at the newest time, so it adds no duration.
//! - The whole state is serde, and [`ServerTracker::restore`] rebuilds it from persisted
//!   [`ActivePlay`]s after a restart.

mod config;
mod event;
mod play;
mod recent;
mod reconcile;

#[cfg(test)]
mod tests;

pub use config::{
    DEFAULT_DOWN_TIMEOUT, DEFAULT_RESUME_WINDOW, DEFAULT_SHORT_PLAY_SECS, DEFAULT_WATCHED_FRACTION, TrackerConfig,
    TrackerConfigError,
};
pub use event::{Observation, PlaySummary, StopReason, TrackerEvent};
pub use play::{ActivePlay, PlayId, PlayKey};
pub use recent::RecentStop;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use recent::RecentStops;

/// The active plays of one media server and what the tracker needs to judge the next observation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerTracker {
    /// In start order, which is also the order of their events.
    plays: Vec<ActivePlay>,
    recent: RecentStops,
    /// The newest observation time seen; observations are applied at `max(at, clock)`.
    clock: Option<DateTime<Utc>>,
    /// The first failed poll since the last complete answer.
    unreachable_since: Option<DateTime<Utc>>,
}

impl ServerTracker {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a tracker from the active plays persisted before a restart. The next snapshot
    /// continues the plays it still contains (no new `Started`) and ends the others at their
    /// `last_seen_at`. Should storage hold two plays with the same key or id, the first is kept.
    /// The memory of recent stops is not in these rows; serialize the whole tracker to keep it.
    #[must_use]
    pub fn restore(plays: Vec<ActivePlay>) -> Self {
        let mut keys = BTreeSet::new();
        let mut ids = BTreeSet::new();
        let mut kept = Vec::with_capacity(plays.len());
        for mut play in plays {
            if !keys.insert(play.key()) || !ids.insert(play.id) {
                continue;
            }
            play.last_seen_at = play.last_seen_at.max(play.started_at);
            play.session = play::normalized(play.session);
            kept.push(play);
        }
        let clock = kept.iter().map(|p| p.last_seen_at).max();
        Self { plays: kept, recent: RecentStops::default(), clock, unreachable_since: None }
    }

    /// [`Self::restore`], plus the plays that stopped recently (oldest first), so a play that
    /// starts after the restart still links to the unwatched play it resumes.
    #[must_use]
    pub fn restore_with_recent(plays: Vec<ActivePlay>, recent: Vec<RecentStop>) -> Self {
        let mut tracker = Self::restore(plays);
        for stop in recent {
            tracker.recent.record(stop.play, &stop.user_id, &stop.item_key, stop.ended_at, stop.watched);
        }
        tracker
    }

    /// The plays in progress, in start order: the rows to persist after each `apply`.
    #[must_use]
    pub fn active_plays(&self) -> &[ActivePlay] {
        &self.plays
    }

    /// When the server started failing, if it has not answered since.
    #[must_use]
    pub fn unreachable_since(&self) -> Option<DateTime<Utc>> {
        self.unreachable_since
    }

    /// Applies one observation and returns what changed, in order. Deterministic: the same
    /// observations from the same state give the same events and ids.
    pub fn apply(&mut self, observation: Observation, config: &TrackerConfig) -> Vec<TrackerEvent> {
        let now = self.clock.map_or(observation.at(), |clock| clock.max(observation.at()));
        self.clock = Some(now);
        self.recent.prune(now, config.resume_window);
        match observation {
            Observation::Snapshot { sessions, .. } => {
                self.unreachable_since = None;
                reconcile::snapshot(self, now, sessions, config)
            }
            Observation::Unreachable { .. } => {
                self.unreachable_since.get_or_insert(now);
                self.close_if_down(now, config)
            }
            Observation::Tick { .. } => self.close_if_down(now, config),
        }
    }

    /// Closes every play once the server has been unreachable for longer than the down timeout.
    fn close_if_down(&mut self, now: DateTime<Utc>, config: &TrackerConfig) -> Vec<TrackerEvent> {
        let Some(since) = self.unreachable_since else { return Vec::new() };
        // A negative timeout from an unchecked config must not let one failed poll end a play.
        if now - since <= config.down_timeout.max(TimeDelta::zero()) {
            return Vec::new();
        }
        let plays = std::mem::take(&mut self.plays);
        plays.into_iter().map(|play| self.stop(play, StopReason::ServerDownTimeout, config)).collect()
    }

    /// Ends a play at its last sighting and remembers it for resume chains.
    fn stop(&mut self, play: ActivePlay, reason: StopReason, config: &TrackerConfig) -> TrackerEvent {
        let summary = play.summary(config);
        self.recent.record(
            play.id,
            &play.session.user.id,
            &play.session.media.item_key,
            summary.ended_at,
            summary.watched,
        );
        TrackerEvent::Stopped {
            play: play.id,
            reason,
            ended_at: summary.ended_at,
            summary,
            session: Box::new(play.session),
        }
    }

    /// The id for a play starting now, skipping any id still in use or remembered.
    fn allocate_id(&self, key: &PlayKey, started_at: DateTime<Utc>) -> PlayId {
        let mut nonce = 0;
        loop {
            let id = PlayId::derive(key, started_at, nonce);
            if !self.plays.iter().any(|p| p.id == id) && !self.recent.contains(id) {
                return id;
            }
            nonce = nonce.wrapping_add(1);
        }
    }
}
