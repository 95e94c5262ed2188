//! The default title and body of each event, used when a destination has no template of its own,
//! and a sample notice per event for previews. Bodies come in two lengths: `lead` for targets that
//! show the details as structured fields (Discord), `body` with the details as lines for plain-text
//! targets. Lines whose variables are all empty are skipped when rendered (see `template`).

use super::event::{EventKind, Notice, Var};
use chrono::{DateTime, Utc};
use sightline_domain::rules::Severity;

/// The default title template of `kind`.
#[must_use]
pub fn title(kind: EventKind) -> &'static str {
    match kind {
        EventKind::IncidentOpened => "Incident: {{rule}} ({{user}})",
        EventKind::IncidentUpdated => "Incident updated: {{rule}} ({{user}})",
        EventKind::StreamStarted => "{{user}} started playing {{title}}",
        EventKind::StreamStopped => "{{user}} stopped playing {{title}}",
        EventKind::NewDevice => "New device for {{user}}: {{device}}",
        EventKind::TrustChanged => "Trust of {{user}}: {{trust_before}} → {{trust_after}}",
        EventKind::ServerDown => "{{server}} is unreachable",
        EventKind::ServerUp => "{{server}} is back",
        EventKind::ImportFinished => "Import finished",
        EventKind::ActionTaken => "Action taken on {{user}}",
        EventKind::Test => "Test message from Sightline",
    }
}

/// The first lines of the default body: what happened, without the details.
#[must_use]
pub fn lead(kind: EventKind) -> &'static str {
    match kind {
        EventKind::IncidentOpened | EventKind::IncidentUpdated => "{{summary}}",
        EventKind::StreamStarted | EventKind::StreamStopped | EventKind::NewDevice => "{{summary}}",
        EventKind::TrustChanged | EventKind::ImportFinished | EventKind::ActionTaken => "{{summary}}\n{{reason}}",
        EventKind::ServerDown | EventKind::ServerUp => "{{summary}}\n{{reason}}",
        EventKind::Test => "If you can read this, notifications reach this destination.",
    }
}

/// The detail lines of the default body for plain-text targets.
fn details(kind: EventKind) -> &'static str {
    match kind {
        EventKind::IncidentOpened | EventKind::IncidentUpdated => {
            "User: {{user}} on {{server}}\nSeverity: {{severity}}\nPlaying: {{title}}\nFrom: {{location}} ({{ip}})\nDevice: {{device}}\n{{url}}"
        }
        EventKind::StreamStarted | EventKind::StreamStopped | EventKind::NewDevice => {
            "Server: {{server}}\nFrom: {{location}} ({{ip}})\nDevice: {{device}}\n{{url}}"
        }
        EventKind::TrustChanged | EventKind::ActionTaken => "Server: {{server}}\nRule: {{rule}}\n{{url}}",
        EventKind::ServerDown | EventKind::ServerUp | EventKind::ImportFinished => "{{url}}",
        EventKind::Test => "Sent at {{time}}.\n{{url}}",
    }
}

/// The default body template of `kind` for plain-text targets.
#[must_use]
pub fn body(kind: EventKind) -> String {
    format!("{}\n{}", lead(kind), details(kind))
}

/// A plausible notice of `kind`, for previews in the destination form.
#[must_use]
pub fn sample(kind: EventKind, at: DateTime<Utc>) -> Notice {
    let notice = Notice::new(kind, at, format!("preview:{}", kind.as_str()))
        .with(Var::User, "alice")
        .with(Var::Server, "Living room Plex")
        .with(Var::Url, "/alerts/42");
    match kind {
        EventKind::IncidentOpened | EventKind::IncidentUpdated | EventKind::ActionTaken => {
            let mut n = notice
                .with(Var::Rule, "Impossible travel")
                .with(Var::Severity, "high")
                .with(Var::Summary, "Played from Lisbon 40 minutes after Berlin (2,300 km, 3,450 km/h)")
                .with(Var::Title, "The Expanse - S02E03 - Static")
                .with(Var::Ip, "203.0.113.7")
                .with(Var::Location, "Lisbon, Lisbon, PT")
                .with(Var::Device, "Pixel 8 (Android)")
                .with(Var::IncidentId, "42");
            if kind == EventKind::ActionTaken {
                n = n.with(Var::Reason, "stream stopped with a message to the viewer");
            }
            n.severity = Some(Severity::High);
            n
        }
        EventKind::StreamStarted | EventKind::StreamStopped | EventKind::NewDevice => notice
            .with(Var::Summary, "Direct play, 1080p")
            .with(Var::Title, "The Expanse - S02E03 - Static")
            .with(Var::Ip, "198.51.100.20")
            .with(Var::Location, "Berlin, Berlin, DE")
            .with(Var::Device, "Living room TV (Android TV)"),
        EventKind::TrustChanged => notice
            .with(Var::TrustBefore, "80")
            .with(Var::TrustAfter, "65")
            .with(Var::Rule, "Impossible travel")
            .with(Var::Reason, "incident opened"),
        EventKind::ServerDown => notice.with(Var::Reason, "connection refused"),
        EventKind::ServerUp => notice.with(Var::Summary, "Reachable again after 4 minutes"),
        EventKind::ImportFinished => notice.with(Var::Reason, "12,408 plays imported, 3 skipped"),
        EventKind::Test => notice,
    }
}
