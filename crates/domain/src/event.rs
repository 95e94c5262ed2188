//! `LiveEvent`: everything the live WebSocket carries from the server to browsers.
//!
//! The same type is compiled into the server and the WASM client, so a new variant is
//! a compile error on both sides until it is handled.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ServerId;
use crate::live::{NowPlaying, ServerHealth};
use crate::rules::Severity;

/// One message on the live channel. Serialized as JSON with a `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Sent once when a socket opens: the server clock, its version and the open live sockets.
    Hello { server_time: DateTime<Utc>, version: String, n_clients: usize },
    /// Periodic proof of life with the server's clock, so the UI can show it is live.
    Heartbeat { server_time: DateTime<Utc>, n_clients: usize },
    /// The client missed events (it lagged behind the hub): refetch state instead of patching.
    Resync { missed: u64 },
    /// The server is shutting down; the client should reconnect later.
    ShuttingDown,
    /// A stream started, or changed (state, position, quality): the whole current view of it.
    Playing { now: Box<NowPlaying> },
    /// A stream ended; `play` is the `NowPlaying::play` of that server.
    Stopped { server: ServerId, play: String },
    /// A media server's health changed.
    ServerHealth { health: ServerHealth },
    /// A detection rule was violated: an incident opened, or an open one recurred.
    Incident { id: i64, opened: bool, severity: Severity, summary: String },
    /// A rule's action for an incident was scheduled or finished (a message, a stop).
    IncidentAction { incident: i64 },
}

impl LiveEvent {
    /// The variant's wire name, for logs and metrics.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            LiveEvent::Hello { .. } => "hello",
            LiveEvent::Heartbeat { .. } => "heartbeat",
            LiveEvent::Resync { .. } => "resync",
            LiveEvent::ShuttingDown => "shutting_down",
            LiveEvent::Playing { .. } => "playing",
            LiveEvent::Stopped { .. } => "stopped",
            LiveEvent::ServerHealth { .. } => "server_health",
            LiveEvent::Incident { .. } => "incident",
            LiveEvent::IncidentAction { .. } => "incident_action",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn heartbeat_serializes_with_a_snake_case_type_tag() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 20, 0, 0).single().expect("valid time");
        let ev = LiveEvent::Heartbeat { server_time: at, n_clients: 2 };
        let json = serde_json::to_string(&ev).expect("serializes");
        assert_eq!(json, r#"{"type":"heartbeat","server_time":"2026-11-25T20:00:00Z","n_clients":2}"#);
        let back: LiveEvent = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, ev);
        assert_eq!(back.kind(), "heartbeat");
    }

    #[test]
    fn unknown_event_types_are_rejected_not_defaulted() {
        assert!(serde_json::from_str::<LiveEvent>(r#"{"type":"nope"}"#).is_err());
    }
}
