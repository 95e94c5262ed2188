//! Building `Notice`s from what happened, as pure functions of their inputs (names already looked up,
//! the moment): the variables each event carries and its dedupe key, which decides how often one
//! condition may notify (an incident's updates at most once per 10-minute window, a server's down/up
//! once per window, a new device once per account). `{{url}}` is a path (`/alerts/42`); the senders
//! put it under the configured base URL. Summaries complement the default templates (`defaults.rs`),
//! which already name the user, title, server and scores.

use crate::notify::{EventKind, Notice, Var};
use crate::store::IncidentRecord;
use crate::store::NewTrustChange;
use chrono::{DateTime, Utc};
use sightline_domain::live::{NowPlaying, ServerHealth, ServerRef, ServerStatus, SessionGeo};
use sightline_domain::media::{MediaItem, MediaSession, MediaType, SessionPlayer, StreamDecision};
use sightline_domain::rules::{AddressClass, SessionEvidence};
use sightline_domain::tracker::PlaySummary;

/// The window within which repeats of one condition notify once (incident updates, server flaps).
pub const REPEAT_WINDOW_SECS: i64 = 600;

fn window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(REPEAT_WINDOW_SECS)
}

/// "Show - S01E02 - Episode", "Artist - Track", "Film (2019)".
#[must_use]
pub fn media_title(m: &MediaItem) -> String {
    let title = if m.title.trim().is_empty() { "Untitled" } else { m.title.trim() };
    match (m.media_type, m.grandparent_title.as_deref().filter(|g| !g.trim().is_empty())) {
        (MediaType::Episode, Some(show)) => match (m.season_number, m.episode_number) {
            (Some(s), Some(e)) => format!("{show} - S{s:02}E{e:02} - {title}"),
            _ => format!("{show} - {title}"),
        },
        (MediaType::Track, Some(artist)) => format!("{artist} - {title}"),
        _ => match m.year {
            Some(y) => format!("{title} ({y})"),
            None => title.to_owned(),
        },
    }
}

fn name_with(name: Option<&str>, product: Option<&str>, platform: Option<&str>) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or("Unnamed device");
    let extra: Vec<&str> = [product, platform].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect();
    if extra.is_empty() { name.to_owned() } else { format!("{name} ({})", extra.join(", ")) }
}

/// "Living room TV (Plex for Android, Android)".
#[must_use]
pub fn device_label(p: &SessionPlayer) -> String {
    name_with(p.name.as_deref().or(p.device.as_deref()), p.product.as_deref(), p.platform.as_deref())
}

/// The key detection uses for a device: its id, else its name (trimmed, non-empty).
#[must_use]
pub fn device_key(p: &SessionPlayer) -> Option<&str> {
    let id = p.device_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    id.or_else(|| p.name.as_deref().map(str::trim).filter(|s| !s.is_empty()))
}

fn class_label(class: AddressClass) -> Option<&'static str> {
    match class {
        AddressClass::Private => Some("Local network"),
        AddressClass::Cgnat => Some("Carrier NAT"),
        AddressClass::Relay => Some("Relay"),
        AddressClass::Public | AddressClass::Unknown => None,
    }
}

/// Where an incident's session was: "City, Region, CC", or what kind of address it was.
#[must_use]
pub fn evidence_place(s: &SessionEvidence) -> String {
    if let Some(label) = class_label(s.address_class) {
        return label.to_owned();
    }
    let parts: Vec<&str> = match &s.location {
        Some(l) => [l.city.as_deref(), l.region.as_deref(), l.country.as_deref().or(s.country.as_deref())]
            .into_iter()
            .flatten()
            .filter(|p| !p.trim().is_empty())
            .collect(),
        None => s.country.as_deref().into_iter().collect(),
    };
    if parts.is_empty() { "Unknown location".to_owned() } else { parts.join(", ") }
}

fn session_vars(mut n: Notice, session: &MediaSession, geo: Option<&SessionGeo>) -> Notice {
    if let Some(ip) = session.client_ip {
        n = n.with(Var::Ip, ip.to_string());
    }
    let place = geo.map_or_else(
        || {
            class_label(AddressClass::of(session.client_ip, session.is_relayed))
                .unwrap_or("Unknown location")
                .to_owned()
        },
        SessionGeo::label,
    );
    n.with(Var::Location, place)
        .with(Var::Device, device_label(&session.player))
        .with(Var::Title, media_title(&session.media))
}

fn user_name(session: &MediaSession) -> &str {
    if session.user.name.trim().is_empty() { &session.user.id } else { &session.user.name }
}

/// The names an incident's notice shows, looked up by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentNames {
    pub user: String,
    pub server: String,
    /// The judged stream's media title, when it is still on the live board.
    pub title: Option<String>,
}

/// An incident that opened, or was seen again (`opened == false`).
#[must_use]
pub fn incident(record: &IncidentRecord, names: &IncidentNames, opened: bool, now: DateTime<Utc>) -> Notice {
    let v = &record.violation;
    let (kind, key) = if opened {
        (EventKind::IncidentOpened, format!("incident:{}:opened", record.id))
    } else {
        (EventKind::IncidentUpdated, format!("incident:{}:updated:{}", record.id, window(now)))
    };
    let mut n = Notice::new(kind, now, key)
        .with(Var::User, names.user.clone())
        .with(Var::Server, names.server.clone())
        .with(Var::Rule, v.rule_name.clone())
        .with(Var::Severity, v.severity.as_str())
        .with(Var::Summary, v.summary.clone())
        .with(Var::IncidentId, record.id.to_string())
        .with(Var::Url, format!("/alerts/{}", record.id));
    n.severity = Some(v.severity);
    if !opened {
        n = n.with(Var::Reason, format!("seen {} times since it opened", record.occurrences));
    }
    if let Some(s) = v.evidence.sessions.first() {
        n = n.with(Var::Location, evidence_place(s));
        if let Some(ip) = s.ip {
            n = n.with(Var::Ip, ip.to_string());
        }
        n = n.with(Var::Device, name_with(s.player.as_deref(), s.product.as_deref(), s.platform.as_deref()));
    }
    if let Some(title) = &names.title {
        n = n.with(Var::Title, title.clone());
    }
    n
}

/// "Direct play, 1080p", "Transcode (hardware), 720p".
#[must_use]
pub fn playback_line(session: &MediaSession) -> String {
    let d = &session.decision;
    let how = match d.overall {
        StreamDecision::DirectPlay => "Direct play",
        StreamDecision::DirectStream => "Direct stream",
        StreamDecision::Transcode if d.hw_transcode => "Transcode (hardware)",
        StreamDecision::Transcode => "Transcode",
    };
    match session.quality.resolution {
        Some(r) => format!("{how}, {}", r.label()),
        None => how.to_owned(),
    }
}

/// A stream that started.
#[must_use]
pub fn stream_started(stream: &NowPlaying, now: DateTime<Utc>) -> Notice {
    let s = &stream.session;
    let key = format!("stream:{}:{}:started", stream.server.id, stream.play);
    let n = Notice::new(EventKind::StreamStarted, now, key)
        .with(Var::User, user_name(s))
        .with(Var::Server, stream.server.name.clone())
        .with(Var::Summary, playback_line(s))
        .with(Var::Url, "/");
    session_vars(n, s, stream.geo.as_ref())
}

/// A stream that ended.
#[must_use]
pub fn stream_stopped(
    server: &ServerRef,
    session: &MediaSession,
    summary: &PlaySummary,
    geo: Option<&SessionGeo>,
    now: DateTime<Utc>,
) -> Notice {
    let key = format!("stream:{}:{}:stopped", server.id, summary.play);
    let minutes = summary.played_ms / 60_000;
    let watched = if summary.watched { ", watched to the end" } else { "" };
    let n = Notice::new(EventKind::StreamStopped, now, key)
        .with(Var::User, user_name(session))
        .with(Var::Server, server.name.clone())
        .with(Var::Summary, format!("Played {minutes} min{watched}"))
        .with(Var::Url, "/history");
    session_vars(n, session, geo)
}

/// A stream from a device the account never used before; one notice per account and device.
#[must_use]
pub fn new_device(stream: &NowPlaying, device: &str, now: DateTime<Utc>) -> Notice {
    let s = &stream.session;
    let key = format!("device:{}:{}:{device}", stream.server.id, s.user.id);
    let summary = format!("First stream from this device: {}", media_title(&s.media));
    let n = Notice::new(EventKind::NewDevice, now, key)
        .with(Var::User, user_name(s))
        .with(Var::Server, stream.server.name.clone())
        .with(Var::Summary, summary)
        .with(Var::Url, "/");
    session_vars(n, s, stream.geo.as_ref())
}

/// A server going down (from up, or at start) or coming back; `None` for other transitions.
#[must_use]
pub fn server_health(
    server: &ServerRef,
    before: &ServerHealth,
    after: ServerStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Notice> {
    use ServerStatus::{AuthFailed, Connecting, Down, Up};
    let since = now.format("%H:%M UTC");
    let (kind, summary) = match (before.status, after) {
        (Up | Connecting, Down) => (EventKind::ServerDown, format!("Sightline cannot read it since {since}")),
        (Up | Connecting, AuthFailed) => {
            (EventKind::ServerDown, format!("It refuses Sightline's token since {since}; enter a new one"))
        }
        (Down | AuthFailed, Up) => {
            let minutes = (now - before.since).num_minutes().max(0);
            (EventKind::ServerUp, format!("Reachable again after {minutes} min"))
        }
        _ => return None,
    };
    let key = format!("server:{}:{}:{}", server.id, kind.as_str(), window(now));
    let mut n = Notice::new(kind, now, key)
        .with(Var::Server, server.name.clone())
        .with(Var::Summary, summary)
        .with(Var::Url, "/settings/servers");
    if let Some(r) = reason.filter(|r| kind == EventKind::ServerDown && !r.trim().is_empty()) {
        n = n.with(Var::Reason, r);
    }
    Some(n)
}

/// An account's trust score moved (the history rows of one change, oldest first); `None` when
/// the rows are empty or leave the score where it was.
#[must_use]
pub fn trust_changed(
    server_name: &str,
    user_name: &str,
    account_key: &str,
    changes: &[NewTrustChange],
) -> Option<Notice> {
    let (first, last) = (changes.first()?, changes.last()?);
    if first.score_before == last.score_after {
        return None;
    }
    let reason = changes.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>().join("; ");
    let key = format!("trust:{account_key}:{}:{}", last.at.timestamp_millis(), last.score_after);
    let band = match sightline_domain::rules::trust::band(last.score_after) {
        sightline_domain::rules::trust::TrustBand::Good => "good",
        sightline_domain::rules::trust::TrustBand::Caution => "caution",
        sightline_domain::rules::trust::TrustBand::Bad => "bad",
    };
    let mut n = Notice::new(EventKind::TrustChanged, last.at, key)
        .with(Var::User, user_name)
        .with(Var::Server, server_name)
        .with(Var::TrustBefore, first.score_before.to_string())
        .with(Var::TrustAfter, last.score_after.to_string())
        .with(Var::Reason, reason)
        .with(Var::Summary, format!("Trust is now {} ({band})", last.score_after));
    if let Some(id) = changes.iter().rev().find_map(|c| c.incident_id) {
        n = n.with(Var::IncidentId, id.to_string()).with(Var::Url, format!("/alerts/{id}"));
    }
    Some(n)
}

/// An import of history finished, with its one-line result.
#[must_use]
pub fn import_finished(result: &str, now: DateTime<Utc>) -> Notice {
    Notice::new(EventKind::ImportFinished, now, format!("import:{}", now.timestamp_millis()))
        .with(Var::Reason, result)
        .with(Var::Url, "/history")
}

#[cfg(test)]
#[path = "notices_tests.rs"]
mod tests;
