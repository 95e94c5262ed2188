//! One play in progress: its identity, its deterministic id, and the played/paused accounting.
//!
//! Time accrues only between observations, against the play's `last_seen_at` high-water mark,
//! so `played_ms + paused_ms` never exceeds `last_seen_at - started_at`. Nothing here decides
//! when a play starts or ends; that is `reconcile.rs` and `mod.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::config::TrackerConfig;
use super::event::PlaySummary;
use crate::media::{MediaSession, PlaybackState, clamp_position};

/// A play's id, unique within one media server.
///
/// Derived from the play's identity and start time, so replaying the same observations gives the
/// same ids. The top bit is always clear, so the value fits a signed 64-bit database column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlayId(pub u64);

impl PlayId {
    /// FNV-1a over the identity, the start in milliseconds and a nonce that is bumped only when
    /// the result is already taken. The fields are separated by 0xFF, a byte UTF-8 never contains.
    pub(super) fn derive(key: &PlayKey, started_at: DateTime<Utc>, nonce: u32) -> Self {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(PRIME);
            }
        };
        for part in [&key.session_key, &key.user_id, &key.item_key] {
            feed(part.as_bytes());
            feed(&[0xFF]);
        }
        feed(&started_at.timestamp_millis().to_le_bytes());
        feed(&nonce.to_le_bytes());
        Self(hash & (u64::MAX >> 1))
    }
}

impl fmt::Display for PlayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// What makes two observations the same play. Plex reuses `sessionKey` numbers after a restart,
/// so the key alone is not enough: the user and the item are part of the identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlayKey {
    pub session_key: String,
    pub user_id: String,
    pub item_key: String,
}

impl PlayKey {
    #[must_use]
    pub fn of(session: &MediaSession) -> Self {
        Self {
            session_key: session.session_key.clone(),
            user_id: session.user.id.clone(),
            item_key: session.media.item_key.clone(),
        }
    }
}

/// A play that has started and not yet stopped: the row the backend persists so that a restart
/// can rebuild the tracker with [`super::ServerTracker::restore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivePlay {
    pub id: PlayId,
    pub started_at: DateTime<Utc>,
    /// The last time a server answer contained this play; a play always ends here.
    pub last_seen_at: DateTime<Utc>,
    pub played_ms: u64,
    pub paused_ms: u64,
    /// The earlier, unwatched play of the same user and item that this one continues.
    pub resumes: Option<PlayId>,
    /// The session as last seen, with its position clamped to the duration.
    pub session: MediaSession,
}

impl ActivePlay {
    pub(super) fn start(id: PlayId, session: MediaSession, at: DateTime<Utc>, resumes: Option<PlayId>) -> Self {
        Self { id, started_at: at, last_seen_at: at, played_ms: 0, paused_ms: 0, resumes, session: normalized(session) }
    }

    #[must_use]
    pub fn key(&self) -> PlayKey {
        PlayKey::of(&self.session)
    }

    /// Accrues the time since the last observation to the state that observation reported.
    /// A `now` at or before `last_seen_at` (a stale or repeated observation) accrues nothing.
    pub(super) fn advance(&mut self, now: DateTime<Utc>) {
        let elapsed = millis_between(self.last_seen_at, now);
        if elapsed == 0 {
            return;
        }
        if is_paused(self.session.state) {
            self.paused_ms = self.paused_ms.saturating_add(elapsed);
        } else {
            self.played_ms = self.played_ms.saturating_add(elapsed);
        }
        self.last_seen_at = now;
    }

    /// The final account of this play, ending at its last sighting.
    #[must_use]
    pub fn summary(&self, config: &TrackerConfig) -> PlaySummary {
        // Restored rows come from storage; cap them so the invariant holds whatever was stored.
        let wall = millis_between(self.started_at, self.last_seen_at);
        let played_ms = self.played_ms.min(wall);
        let paused_ms = self.paused_ms.min(wall - played_ms);
        let position_ms = self.session.position_ms;
        let duration_ms = self.session.media.duration_ms;
        PlaySummary {
            play: self.id,
            started_at: self.started_at,
            ended_at: self.last_seen_at,
            last_seen_at: self.last_seen_at,
            played_ms,
            paused_ms,
            position_ms,
            duration_ms,
            watched: config.is_watched(position_ms, duration_ms),
            short: config.is_short(played_ms),
            resumes: self.resumes,
        }
    }
}

/// Clamps the position to the duration (a player that overshoots reads as the duration).
pub(super) fn normalized(mut session: MediaSession) -> MediaSession {
    session.position_ms = clamp_position(session.position_ms, session.media.duration_ms);
    session
}

/// Paused and stopped players are not playing; buffering counts as playing (the viewer is
/// waiting for the stream, not away from it).
pub(super) fn is_paused(state: PlaybackState) -> bool {
    matches!(state, PlaybackState::Paused | PlaybackState::Stopped)
}

/// Whole milliseconds from `from` to `to`, or 0 when `to` is not later.
pub(super) fn millis_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from((to - from).num_milliseconds()).unwrap_or(0)
}
