//! The tracker's thresholds: when a silent server's plays are closed, what counts as watched,
//! short or resumed. Validation returns one error per field; the values come from `Config`.

use chrono::TimeDelta;
use thiserror::Error;

/// Default: plays of an unreachable server are closed after 30 minutes.
pub const DEFAULT_DOWN_TIMEOUT: TimeDelta = TimeDelta::minutes(30);
/// Default: a play is watched once its position reaches 85 % of the duration.
pub const DEFAULT_WATCHED_FRACTION: f64 = 0.85;
/// Default: a play with less than 120 s of playing time is flagged short.
pub const DEFAULT_SHORT_PLAY_SECS: u64 = 120;
/// Default: a play of the same user and item within 6 h of an unwatched stop resumes it.
pub const DEFAULT_RESUME_WINDOW: TimeDelta = TimeDelta::hours(6);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerConfig {
    /// How long a server may stay unreachable, from the first failed poll after the last good
    /// answer, before its open plays are closed with [`super::StopReason::ServerDownTimeout`].
    pub down_timeout: TimeDelta,
    /// Position over duration at or above which a play is watched; in (0, 1].
    pub watched_fraction: f64,
    /// Plays with less playing time than this are flagged short (never dropped).
    pub short_play_secs: u64,
    /// How long after an unwatched stop a new play of the same user and item continues it.
    pub resume_window: TimeDelta,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            down_timeout: DEFAULT_DOWN_TIMEOUT,
            watched_fraction: DEFAULT_WATCHED_FRACTION,
            short_play_secs: DEFAULT_SHORT_PLAY_SECS,
            resume_window: DEFAULT_RESUME_WINDOW,
        }
    }
}

/// A field of [`TrackerConfig`] that is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TrackerConfigError {
    #[error("down_timeout: must be greater than zero")]
    DownTimeout,
    #[error("watched_fraction: must be a number greater than 0 and at most 1")]
    WatchedFraction,
    #[error("resume_window: must not be negative")]
    ResumeWindow,
}

impl TrackerConfigError {
    /// The name of the offending field, for per-field messages.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            Self::DownTimeout => "down_timeout",
            Self::WatchedFraction => "watched_fraction",
            Self::ResumeWindow => "resume_window",
        }
    }
}

impl TrackerConfig {
    /// Checks every field, reporting the first one out of range. The tracker stays safe with an
    /// unchecked config (a NaN fraction marks nothing watched), but the values would be surprising.
    pub fn validate(&self) -> Result<(), TrackerConfigError> {
        if self.down_timeout <= TimeDelta::zero() {
            return Err(TrackerConfigError::DownTimeout);
        }
        // Written so that NaN fails too: every comparison with NaN is false.
        if !(self.watched_fraction > 0.0 && self.watched_fraction <= 1.0) {
            return Err(TrackerConfigError::WatchedFraction);
        }
        if self.resume_window < TimeDelta::zero() {
            return Err(TrackerConfigError::ResumeWindow);
        }
        Ok(())
    }

    /// Whether a play that ended at `position_ms` of `duration_ms` counts as watched. Unknown or
    /// zero durations (live TV) are never watched.
    #[must_use]
    pub fn is_watched(&self, position_ms: Option<u64>, duration_ms: Option<u64>) -> bool {
        match (position_ms, duration_ms) {
            // Dividing keeps the boundary exact: 8 500 / 10 000 rounds to the same f64 as 0.85.
            #[allow(clippy::cast_precision_loss, reason = "media durations are far below 2^52 ms")]
            (Some(position), Some(duration)) if duration > 0 => {
                position.min(duration) as f64 / duration as f64 >= self.watched_fraction
            }
            _ => false,
        }
    }

    /// Whether a play with this much playing time is short.
    #[must_use]
    pub fn is_short(&self, played_ms: u64) -> bool {
        played_ms < self.short_play_secs.saturating_mul(1_000)
    }
}
