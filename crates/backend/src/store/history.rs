//! The play history as the History page and `/api/v1/history` read it: plays grouped into resume
//! chains (a play that resumes an earlier one of the same account and item joins its chain; the
//! first play is the head), filtered and paged with keyset cursors, and deleted in bulk.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::rules::UserRef;

/// Which chains to list. A chain matches when any of its plays matches every filter given; empty
/// lists and `None` do not filter. The period selects chains whose first play started in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub accounts: Vec<UserRef>,
    pub servers: Vec<ServerId>,
    /// Stored media types (`movie`, `episode`, `track`, …).
    pub media_types: Vec<String>,
    /// Chains that started at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Chains that started before this moment.
    pub to: Option<DateTime<Utc>>,
    pub platform: Option<String>,
    pub product: Option<String>,
    pub device: Option<String>,
    /// The client address, canonical text form.
    pub ip: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    pub city: Option<String>,
    /// The overall decision: `direct_play`, `direct_stream`, `transcode`.
    pub decision: Option<String>,
    pub watched: Option<bool>,
    /// Words that must all start a word of the title, show or album/season title.
    pub text: Option<String>,
}

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum HistorySort {
    /// Newest chain first (by its first play's start).
    #[default]
    Newest,
    Oldest,
    /// By title, A to Z (case-insensitive), newest first within a title.
    Title,
}

impl HistorySort {
    pub const ALL: [Self; 3] = [Self::Newest, Self::Oldest, Self::Title];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Title => "title",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Where a page ended: the last chain's start (UTC ms), head id and, for the title order, title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCursor {
    pub started_ms: i64,
    pub head: i64,
    pub title: Option<String>,
}

/// One play (a session) of a chain, with the stream and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistorySession {
    pub id: i64,
    pub session_key: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub stop_reason: Option<String>,
    pub state: String,
    pub played_ms: u64,
    pub paused_ms: u64,
    pub position_ms: Option<u64>,
    pub watched: bool,
    pub short: bool,
    pub player_name: Option<String>,
    pub device: Option<String>,
    pub device_id: Option<String>,
    pub product: Option<String>,
    pub platform: Option<String>,
    pub client_ip: Option<String>,
    pub is_local: Option<bool>,
    pub is_relayed: bool,
    pub resolution: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub bitrate_kbps: Option<i64>,
    pub bandwidth_kbps: Option<i64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub hdr: bool,
    pub decision: String,
    pub video_decision: Option<String>,
    pub audio_decision: Option<String>,
    pub hw_transcode: bool,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub asn: Option<i64>,
    pub asn_org: Option<String>,
    pub anonymous: bool,
    /// Incidents whose evidence names this play, newest first.
    pub incidents: Vec<PlayIncident>,
}

/// An incident that involves a play, as History shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayIncident {
    pub id: i64,
    /// The rule's kind in snake_case (`simultaneous_locations`, …).
    pub rule_kind: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
}

/// A resume chain: what was played, by whom, and its plays oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryChain {
    /// The head play's id (also the chain's id).
    pub head: i64,
    pub started_at: DateTime<Utc>,
    pub account: UserRef,
    pub account_name: String,
    pub server_name: String,
    pub media_type: String,
    pub item_key: String,
    pub title: String,
    pub grandparent_title: Option<String>,
    pub parent_title: Option<String>,
    pub season_number: Option<i64>,
    pub episode_number: Option<i64>,
    pub year: Option<i64>,
    pub duration_ms: Option<u64>,
    /// Never empty.
    pub sessions: Vec<HistorySession>,
}

impl HistoryChain {
    /// Played time over all plays of the chain.
    #[must_use]
    pub fn played_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.played_ms).sum()
    }

    /// Whether any play of the chain reached the watched fraction.
    #[must_use]
    pub fn watched(&self) -> bool {
        self.sessions.iter().any(|s| s.watched)
    }

    /// The last sighting of the chain's last play.
    #[must_use]
    pub fn last_seen_at(&self) -> DateTime<Utc> {
        self.sessions.iter().map(|s| s.last_seen_at).max().unwrap_or(self.started_at)
    }
}

/// A page of chains and, when more follow, where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub items: Vec<HistoryChain>,
    pub next: Option<HistoryCursor>,
}

/// Read and bulk-delete the play history.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Up to `limit` chains after `after` in `sort` order. Pages stay stable while plays are added:
    /// a cursor never repeats or skips a chain that existed when the previous page was read.
    async fn history_page(
        &self,
        filter: &HistoryFilter,
        sort: HistorySort,
        after: Option<&HistoryCursor>,
        limit: u32,
    ) -> Result<HistoryPage, StoreError>;
    /// How many chains match (a full count; slower than a page on large histories).
    async fn history_count(&self, filter: &HistoryFilter) -> Result<u64, StoreError>;
    /// One chain by its head id, or the chain of the play `id`.
    async fn history_chain(&self, play_id: i64) -> Result<Option<HistoryChain>, StoreError>;
    /// Deletes these plays in one transaction; returns how many existed.
    async fn delete_plays(&self, ids: &[i64]) -> Result<u64, StoreError>;
}
