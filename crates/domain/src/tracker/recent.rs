//! Memory of recently stopped plays, one per user and item, so a new play can say which earlier
//! unwatched play it resumes. Bounded: entries older than the resume window are pruned, and a hard
//! cap drops the oldest if a server churns through more distinct items than that.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::play::PlayId;

/// At most this many remembered stops per server.
const MAX_RECENT: usize = 10_000;

/// A stopped play as resume chains need it; persisted plays give these back after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentStop {
    pub play: PlayId,
    pub user_id: String,
    pub item_key: String,
    pub ended_at: DateTime<Utc>,
    pub watched: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct RecentStops(Vec<RecentStop>);

impl RecentStops {
    /// Remembers a stop, replacing the previous one of the same user and item: a chain always
    /// links to the latest play, and a watched play breaks it.
    pub(super) fn record(
        &mut self,
        play: PlayId,
        user_id: &str,
        item_key: &str,
        ended_at: DateTime<Utc>,
        watched: bool,
    ) {
        self.0.retain(|s| s.user_id != user_id || s.item_key != item_key);
        if self.0.len() >= MAX_RECENT {
            self.0.remove(0);
        }
        self.0.push(RecentStop { play, user_id: user_id.to_owned(), item_key: item_key.to_owned(), ended_at, watched });
    }

    /// Forgets stops that ended more than `window` before `now`.
    pub(super) fn prune(&mut self, now: DateTime<Utc>, window: TimeDelta) {
        self.0.retain(|s| now - s.ended_at <= window);
    }

    /// The unwatched play of this user and item that stopped within `window` of `now`, if any.
    pub(super) fn resumable(
        &self,
        user_id: &str,
        item_key: &str,
        now: DateTime<Utc>,
        window: TimeDelta,
    ) -> Option<PlayId> {
        self.0
            .iter()
            .find(|s| s.user_id == user_id && s.item_key == item_key)
            .filter(|s| !s.watched && now - s.ended_at <= window)
            .map(|s| s.play)
    }

    pub(super) fn contains(&self, play: PlayId) -> bool {
        self.0.iter().any(|s| s.play == play)
    }
}
