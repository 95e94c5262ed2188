//! The owner-facing events a destination can subscribe to, and `Notice`: one event with its fixed
//! set of template variables, as queued in the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sightline_domain::rules::Severity;
use std::collections::BTreeMap;

/// What happened. Stored by its snake_case name (outbox rows, destination subscriptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    IncidentOpened,
    IncidentUpdated,
    StreamStarted,
    StreamStopped,
    NewDevice,
    TrustChanged,
    ServerDown,
    ServerUp,
    ImportFinished,
    /// An enforcement action was taken (or would have been, in dry-run).
    ActionTaken,
    /// The "send test" button.
    Test,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        Self::IncidentOpened,
        Self::IncidentUpdated,
        Self::StreamStarted,
        Self::StreamStopped,
        Self::NewDevice,
        Self::TrustChanged,
        Self::ServerDown,
        Self::ServerUp,
        Self::ImportFinished,
        Self::ActionTaken,
        Self::Test,
    ];

    /// The stable snake_case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IncidentOpened => "incident_opened",
            Self::IncidentUpdated => "incident_updated",
            Self::StreamStarted => "stream_started",
            Self::StreamStopped => "stream_stopped",
            Self::NewDevice => "new_device",
            Self::TrustChanged => "trust_changed",
            Self::ServerDown => "server_down",
            Self::ServerUp => "server_up",
            Self::ImportFinished => "import_finished",
            Self::ActionTaken => "action_taken",
            Self::Test => "test",
        }
    }

    /// Parses `as_str`'s output.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A person's label, for forms and default titles.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::IncidentOpened => "Incident opened",
            Self::IncidentUpdated => "Incident updated",
            Self::StreamStarted => "Stream started",
            Self::StreamStopped => "Stream stopped",
            Self::NewDevice => "New device",
            Self::TrustChanged => "Trust changed",
            Self::ServerDown => "Server down",
            Self::ServerUp => "Server up",
            Self::ImportFinished => "Import finished",
            Self::ActionTaken => "Action taken",
            Self::Test => "Test message",
        }
    }
}

/// The fixed set of template variables. A template names them as `{{user}}`, `{{server}}`, ...
/// Nothing else can be referenced, and nothing is ever evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Var {
    /// The event's label ("Incident opened").
    Event,
    /// The account's name on its media server.
    User,
    /// The media server's name.
    Server,
    /// The rule's name.
    Rule,
    /// low / medium / high / critical.
    Severity,
    /// One-line human summary of what happened.
    Summary,
    /// The media title ("Show - S01E02 - Episode").
    Title,
    /// The client address.
    Ip,
    /// "City, Region, CC" or "Local network".
    Location,
    /// Device name and platform ("Living room TV (Android TV)").
    Device,
    /// Trust score before and after a change.
    TrustBefore,
    TrustAfter,
    /// Why (a trust change's reason, an action's outcome, an import's result).
    Reason,
    /// Absolute link to the page in Sightline (incident, dashboard), when a base URL is configured.
    Url,
    /// When it happened, RFC 3339 UTC.
    Time,
    /// The incident's id.
    IncidentId,
}

impl Var {
    pub const ALL: [Var; 16] = [
        Self::Event,
        Self::User,
        Self::Server,
        Self::Rule,
        Self::Severity,
        Self::Summary,
        Self::Title,
        Self::Ip,
        Self::Location,
        Self::Device,
        Self::TrustBefore,
        Self::TrustAfter,
        Self::Reason,
        Self::Url,
        Self::Time,
        Self::IncidentId,
    ];

    /// The name used in templates (`{{name}}`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::User => "user",
            Self::Server => "server",
            Self::Rule => "rule",
            Self::Severity => "severity",
            Self::Summary => "summary",
            Self::Title => "title",
            Self::Ip => "ip",
            Self::Location => "location",
            Self::Device => "device",
            Self::TrustBefore => "trust_before",
            Self::TrustAfter => "trust_after",
            Self::Reason => "reason",
            Self::Url => "url",
            Self::Time => "time",
            Self::IncidentId => "incident_id",
        }
    }

    /// Parses a template's variable name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == s)
    }
}

/// One event to tell the owner about, with its variables as plain (unescaped) text. Renderers escape
/// per target. Serialized as JSON into the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// Incidents carry their severity; destinations filter on a minimum.
    pub severity: Option<Severity>,
    /// Only the variables this event has; missing ones render as empty text.
    pub vars: BTreeMap<Var, String>,
    /// Identical notices (same key) to one destination are sent once. E.g. `incident:42:opened`.
    pub dedupe_key: String,
}

impl Notice {
    /// A notice of `kind` at `at` with no variables yet.
    #[must_use]
    pub fn new(kind: EventKind, at: DateTime<Utc>, dedupe_key: impl Into<String>) -> Self {
        let mut vars = BTreeMap::new();
        vars.insert(Var::Event, kind.label().to_owned());
        vars.insert(Var::Time, at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        Self { kind, at, severity: None, vars, dedupe_key: dedupe_key.into() }
    }

    /// Sets one variable (builder style).
    #[must_use]
    pub fn with(mut self, var: Var, value: impl Into<String>) -> Self {
        self.vars.insert(var, value.into());
        self
    }

    /// The value of `var`, or "" when the event has none.
    #[must_use]
    pub fn get(&self, var: Var) -> &str {
        self.vars.get(&var).map_or("", String::as_str)
    }
}
