//! What the dashboard shows live: a stream in progress (`NowPlaying`), a media server's health
//! (`ServerHealth`) and today's counters. Shared by the REST API, server functions and the
//! WebSocket, so the browser and `GET /api/v1/sessions/active` see the same data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ServerId;
use crate::media::{MediaSession, ServerKind};
use crate::rules::{AddressClass, Location};

/// The media server a stream or a health report belongs to, as the owner named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerRef {
    pub id: ServerId,
    pub name: String,
    pub kind: ServerKind,
    /// `#rrggbb`.
    pub color: String,
}

/// Where a stream comes from, as GeoIP places its client address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionGeo {
    pub class: AddressClass,
    /// The country's English name, when known (also without a point).
    pub country_name: Option<String>,
    /// ISO 3166-1 alpha-2, when known.
    pub country_code: Option<String>,
    /// City, region, point, accuracy and network; `None` for addresses that are not located.
    pub location: Option<Location>,
    /// A VPN exit, hosting network, public proxy or Tor exit (Anonymous-IP database).
    pub anonymous: bool,
}

impl SessionGeo {
    /// "London, GB", "Local network", "Relay", …
    #[must_use]
    pub fn label(&self) -> String {
        match self.class {
            AddressClass::Private => "Local network".to_owned(),
            AddressClass::Cgnat => "Carrier NAT".to_owned(),
            AddressClass::Relay => "Relay".to_owned(),
            AddressClass::Unknown => "Unknown".to_owned(),
            AddressClass::Public => {
                let place = self.location.as_ref().and_then(|l| l.city.clone().or_else(|| l.region.clone()));
                match (place, self.country_code.as_deref(), self.country_name.as_deref()) {
                    (Some(p), Some(code), _) => format!("{p}, {code}"),
                    (Some(p), None, _) => p,
                    (None, _, Some(name)) => name.to_owned(),
                    (None, Some(code), None) => code.to_owned(),
                    (None, None, None) => "Unknown location".to_owned(),
                }
            }
        }
    }
}

/// One stream in progress on one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NowPlaying {
    /// The play's id, unique within its server: 16 hex digits (a string, so JavaScript keeps it exact).
    pub play: String,
    pub server: ServerRef,
    pub started_at: DateTime<Utc>,
    /// The last time the server reported this stream.
    pub updated_at: DateTime<Utc>,
    pub played_ms: u64,
    pub paused_ms: u64,
    /// The earlier unfinished play of the same user and item that this stream continues.
    pub resumes: Option<String>,
    pub session: MediaSession,
    /// The poster through Sightline's image proxy (`/img/...`), when the server has one.
    pub poster_url: Option<String>,
    /// Where the client address is, when Sightline could tell.
    #[serde(default)]
    pub geo: Option<SessionGeo>,
}

impl NowPlaying {
    /// A key that is unique across servers, for lists and DOM ids.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}-{}", self.server.id, self.play)
    }
}

/// How Sightline currently receives a server's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// Plex server-sent events, with a reconciliation poll.
    Events,
    /// Jellyfin/Emby WebSocket `Sessions` messages.
    WebSocket,
    /// Polling only (the push channel is unavailable or not supported).
    Polling,
}

impl FeedKind {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            FeedKind::Events => "live events",
            FeedKind::WebSocket => "websocket",
            FeedKind::Polling => "polling",
        }
    }
}

/// Whether Sightline can read a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerStatus {
    /// Not contacted yet since the start or the last change.
    Connecting,
    Up,
    /// Unreachable, timing out, or answering with errors or unreadable payloads.
    Down,
    /// The server refused the token, or it lacks administrator rights.
    AuthFailed,
    /// The owner disabled it; nothing is polled.
    Disabled,
}

impl ServerStatus {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ServerStatus::Connecting => "connecting",
            ServerStatus::Up => "up",
            ServerStatus::Down => "down",
            ServerStatus::AuthFailed => "auth failed",
            ServerStatus::Disabled => "disabled",
        }
    }
}

/// A server's health as the ingestion supervisor last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerHealth {
    pub server: ServerId,
    pub status: ServerStatus,
    /// Since when the status holds.
    pub since: DateTime<Utc>,
    /// A stable error code (`unreachable`, `bad_token`, …) when not up.
    pub code: Option<String>,
    /// A sentence for the owner when not up.
    pub reason: Option<String>,
    pub feed: Option<FeedKind>,
    /// The last complete answer from the server.
    pub last_ok_at: Option<DateTime<Utc>>,
    /// Streams currently active on the server.
    pub active_streams: usize,
}

/// Today's activity, in the owner's day (UTC until time zones are configurable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayCounters {
    /// Plays started today, including the ones still playing.
    pub plays: u64,
    /// Time played today, paused time excluded, including the streams in progress.
    pub watch_ms: u64,
    /// Distinct accounts that played today.
    pub active_users: u64,
    /// Streams in progress now.
    pub streaming_now: u64,
}
