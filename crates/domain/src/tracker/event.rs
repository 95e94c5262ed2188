//! What goes into the tracker (observations of one server) and what comes out (play events and
//! the final summary of each play). Plain data; the transitions live in `mod.rs` and `reconcile.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::play::PlayId;
use crate::media::{MediaSession, PlaybackDecision, PlaybackState, StreamQuality};

/// One thing learned about a media server, at a time the caller supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Observation {
    /// The server answered with its complete list of current sessions (possibly empty).
    Snapshot { at: DateTime<Utc>, sessions: Vec<MediaSession> },
    /// The poll failed: server down, timeout, refused credentials or a bad payload.
    /// This alone never ends a play.
    Unreachable { at: DateTime<Utc> },
    /// A periodic tick, so the down timeout fires while no poll completes.
    Tick { at: DateTime<Utc> },
}

impl Observation {
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Snapshot { at, .. } | Self::Unreachable { at } | Self::Tick { at } => *at,
        }
    }
}

/// Why a play ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// A complete answer from the server no longer contained the play.
    Ended,
    /// The same session key and user moved on to another item (autoplay, next episode).
    MediaChanged,
    /// The session key now belongs to another user (Plex reuses keys after a restart).
    SessionKeyReused,
    /// The server stayed unreachable for longer than the down timeout.
    ServerDownTimeout,
}

/// The final account of a play, for its history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaySummary {
    pub play: PlayId,
    pub started_at: DateTime<Utc>,
    /// Always the last sighting: time after it is unknown and never counted.
    pub ended_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub played_ms: u64,
    pub paused_ms: u64,
    /// The last position, clamped to the duration.
    pub position_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    /// The last position reached the watched fraction of the duration.
    pub watched: bool,
    /// Less playing time than the short-play threshold; flagged, still recorded.
    pub short: bool,
    /// The earlier, unwatched play of the same user and item that this one continued.
    pub resumes: Option<PlayId>,
}

/// A change in the plays of one server, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TrackerEvent {
    Started {
        play: PlayId,
        at: DateTime<Utc>,
        session: Box<MediaSession>,
        resumes: Option<PlayId>,
    },
    Paused {
        play: PlayId,
        at: DateTime<Utc>,
        position_ms: Option<u64>,
    },
    Resumed {
        play: PlayId,
        at: DateTime<Utc>,
        position_ms: Option<u64>,
    },
    /// The position or the state moved without a pause or resume (playing ↔ buffering, seeking).
    Progress {
        play: PlayId,
        at: DateTime<Utc>,
        position_ms: Option<u64>,
        state: PlaybackState,
    },
    /// The resolution, the transcode decision or the bitrate changed.
    QualityChanged {
        play: PlayId,
        at: DateTime<Utc>,
        quality: StreamQuality,
        decision: PlaybackDecision,
    },
    /// The play is over; `session` is how it was last seen.
    Stopped {
        play: PlayId,
        reason: StopReason,
        ended_at: DateTime<Utc>,
        summary: PlaySummary,
        session: Box<MediaSession>,
    },
}

impl TrackerEvent {
    /// The play this event is about.
    #[must_use]
    pub fn play(&self) -> PlayId {
        match self {
            Self::Started { play, .. }
            | Self::Paused { play, .. }
            | Self::Resumed { play, .. }
            | Self::Progress { play, .. }
            | Self::QualityChanged { play, .. }
            | Self::Stopped { play, .. } => *play,
        }
    }
}
