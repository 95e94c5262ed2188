//! View models of the Settings → Servers page: a configured media server with its health, the
//! outcome of a connection test, the token as it travels from a form (never printed), and the
//! pure rules that merge live health reports into the page's copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sightline_domain::ServerId;
use sightline_domain::live::{ServerHealth, ServerStatus};
use sightline_domain::media::ServerKind;
use std::fmt;

/// The colour the add form starts with (the backend's default for a server without one).
pub const DEFAULT_COLOR: &str = "#38bdf8";

/// The kinds the add form offers, as (form value, label).
pub const KINDS: &[(&str, &str)] = &[("plex", "Plex"), ("jellyfin", "Jellyfin"), ("emby", "Emby")];

/// One configured media server, without its token, with what ingestion last reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerView {
    pub id: ServerId,
    pub kind: ServerKind,
    pub name: String,
    pub url: String,
    /// `#rrggbb`.
    pub color: String,
    pub enabled: bool,
    /// `None` until the ingestion supervisor has reported on the server.
    pub health: Option<ServerHealth>,
    /// Active streams on the board when the list was read.
    pub streams: usize,
}

/// The product name of a kind, as people write it.
#[must_use]
pub fn kind_label(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Plex => "Plex",
        ServerKind::Jellyfin => "Jellyfin",
        ServerKind::Emby => "Emby",
    }
}

/// Where the owner finds the token for a kind (`None`: the form has no kind chosen yet).
#[must_use]
pub fn token_hint(kind: Option<ServerKind>) -> &'static str {
    match kind {
        Some(ServerKind::Plex) => {
            "Plex: use your X-Plex-Token (Plex support article \"Finding an authentication token / X-Plex-Token\"). \
             It must belong to the server's owner."
        }
        Some(ServerKind::Jellyfin | ServerKind::Emby) => {
            "Jellyfin and Emby: create a key under Dashboard → API Keys (an administrator key)."
        }
        None => {
            "Plex: your X-Plex-Token (Plex support article \"Finding an authentication token / X-Plex-Token\"). \
             Jellyfin and Emby: Dashboard → API Keys."
        }
    }
}

/// A media-server token on its way from a form to the server. Prints as `***`, so the server
/// function's arguments never leak it into logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenInput(String);

impl TokenInput {
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// True when the field was left empty (on the edit form: keep the current token).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value, to be wrapped in the backend's `SecretString` at once.
    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for TokenInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenInput(***)")
    }
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TestOutcome {
    /// The address, the token and administrator rights all work.
    Connected { name: Option<String>, version: Option<String> },
    /// The media server's specific failure: a stable code (`unreachable`, `bad_token`, …) and a sentence.
    Failed { code: String, message: String },
}

impl TestOutcome {
    /// "Connected to Basement (version 10.9.11)", or the failure's sentence.
    #[must_use]
    pub fn sentence(&self) -> String {
        match self {
            TestOutcome::Connected { name, version } => {
                let who = name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or("the server");
                match version.as_deref().filter(|v| !v.trim().is_empty()) {
                    Some(v) => format!("Connected to {who} (version {v})"),
                    None => format!("Connected to {who}"),
                }
            }
            TestOutcome::Failed { message, .. } => capitalize(message),
        }
    }

    #[must_use]
    pub fn is_ok(&self) -> bool {
        matches!(self, TestOutcome::Connected { .. })
    }
}

/// The health to show for a server: the newer of the page's copy (`fetched`) and the latest live
/// report (`live`), ignoring a report that contradicts whether the server is enabled (sent
/// before the last toggle, not yet replaced). Ties go to the live report.
#[must_use]
pub fn current_health(
    enabled: bool,
    fetched: Option<&ServerHealth>,
    live: Option<&ServerHealth>,
) -> Option<ServerHealth> {
    let consistent = |h: &&ServerHealth| (h.status == ServerStatus::Disabled) != enabled;
    let fetched = fetched.filter(consistent);
    let live = live.filter(consistent);
    let newer = match (fetched, live) {
        (Some(f), Some(l)) => {
            if (l.since, l.last_ok_at) >= (f.since, f.last_ok_at) {
                l
            } else {
                f
            }
        }
        (Some(h), None) | (None, Some(h)) => h,
        (None, None) => return None,
    };
    Some(newer.clone())
}

/// The status to show: the report's, or before any report "disabled" / "connecting".
#[must_use]
pub fn shown_status(enabled: bool, health: Option<&ServerHealth>) -> ServerStatus {
    match health {
        Some(h) => h.status,
        None if enabled => ServerStatus::Connecting,
        None => ServerStatus::Disabled,
    }
}

/// The status as a stable snake_case word, for `data-status`.
#[must_use]
pub fn status_code(status: ServerStatus) -> &'static str {
    match status {
        ServerStatus::Connecting => "connecting",
        ServerStatus::Up => "up",
        ServerStatus::Down => "down",
        ServerStatus::AuthFailed => "auth_failed",
        ServerStatus::Disabled => "disabled",
    }
}

/// The CSS modifier of a status badge.
#[must_use]
pub fn status_class(status: ServerStatus) -> &'static str {
    match status {
        ServerStatus::Up => "ok",
        ServerStatus::Connecting => "warn",
        ServerStatus::Down | ServerStatus::AuthFailed => "bad",
        ServerStatus::Disabled => "off",
    }
}

/// The same UTC format as the other pages, so SSR and hydration agree.
#[must_use]
pub fn fmt_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The first letter upper-cased, for backend sentences shown on their own.
#[must_use]
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[path = "servers_tests.rs"]
mod tests;
