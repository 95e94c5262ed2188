//! Building the exact request each target receives, from a destination's config and templates and
//! a notice: one file per target, each pure (no I/O, time passed in). Shared here: the `Outgoing`
//! request, template choice, colours and priorities by severity, absolute `{{url}}` links, and
//! `render_preview` for the destination form.

pub mod discord;
pub mod email;
pub mod gotify;
pub mod ntfy;
pub mod pushover;
pub mod telegram;
pub mod webhook;

use super::defaults;
use super::destination::DestinationKind;
use super::event::{EventKind, Notice, Var};
use super::template::Template;
use super::text::{Measure, Style};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use sightline_domain::rules::Severity;
use std::borrow::Cow;
use thiserror::Error;
use url::Url;

/// One POST to a target, ready to send.
#[derive(Clone)]
pub struct Outgoing {
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Values that must never appear in a reason or log (tokens, secret URL parts).
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing").field("host", &self.url.host_str()).field("bytes", &self.body.len()).finish()
    }
}

impl Outgoing {
    pub(crate) fn new(url: Url, content_type: &'static str, body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self { url, headers, body, secrets: Vec::new() }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Result<Self, RenderError> {
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| RenderError(format!("{name} cannot be sent as an http header")))?;
        if name.eq_ignore_ascii_case("authorization") || name.to_ascii_lowercase().contains("key") {
            value.set_sensitive(true);
        }
        self.headers.insert(HeaderName::from_static(name), value);
        Ok(self)
    }

    pub(crate) fn secret(mut self, secret: &str) -> Self {
        if !secret.is_empty() {
            self.secrets.push(secret.to_owned());
        }
        self
    }
}

/// The destination's config cannot produce a request (caught by `validate` at save; this is the
/// send-time safety net). Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// The title and body templates for a notice: the owner's, or the event's defaults. Stored
/// templates were validated when saved; one that no longer parses shows its unknown names
/// literally rather than being dropped.
#[must_use]
pub fn templates(
    kind: DestinationKind,
    event: EventKind,
    title: Option<&str>,
    body: Option<&str>,
) -> (Template, Template) {
    let title = match title.filter(|t| !t.trim().is_empty()) {
        Some(t) => Template::parse_lenient(t),
        None => Template::parse(defaults::title(event)).expect("default titles are valid templates"),
    };
    let body = match body.filter(|t| !t.trim().is_empty()) {
        Some(t) => Template::parse_lenient(t),
        None if kind == DestinationKind::Discord => {
            Template::parse(defaults::lead(event)).expect("default bodies are valid templates")
        }
        None => Template::parse(&defaults::body(event)).expect("default bodies are valid templates"),
    };
    (title, body)
}

/// Each target's title and body limits and how it counts.
#[must_use]
pub fn limits(kind: DestinationKind) -> (usize, usize, Measure) {
    match kind {
        DestinationKind::Discord => (discord::TITLE_MAX, discord::DESCRIPTION_MAX, Measure::Chars),
        DestinationKind::Webhook => (webhook::TITLE_MAX, webhook::TEXT_MAX, Measure::Chars),
        DestinationKind::Ntfy => (ntfy::TITLE_MAX, ntfy::MESSAGE_MAX_BYTES, Measure::Bytes),
        DestinationKind::Gotify => (gotify::TITLE_MAX, gotify::MESSAGE_MAX, Measure::Chars),
        DestinationKind::Pushover => (pushover::TITLE_MAX, pushover::MESSAGE_MAX, Measure::Chars),
        DestinationKind::Telegram => (telegram::TITLE_MAX, telegram::TEXT_MAX, Measure::Utf16),
        DestinationKind::Email => (email::SUBJECT_MAX, email::BODY_MAX, Measure::Chars),
        DestinationKind::WebPush => (120, 400, Measure::Chars),
    }
}

/// The title and body a person would read on `kind` for `notice`, unescaped, within the target's
/// limits. `None` templates mean the defaults; invalid ones render their unknown names literally.
#[must_use]
pub fn render_preview(
    kind: DestinationKind,
    title_template: Option<&str>,
    body_template: Option<&str>,
    notice: &Notice,
) -> (String, String) {
    let (title, body) = templates(kind, notice.kind, title_template, body_template);
    let (title_max, body_max, measure) = limits(kind);
    (
        title.render(notice, Style::Plain).fit(title_max, measure),
        body.render(notice, Style::Plain).fit(body_max, measure),
    )
}

/// `notice` with `{{url}}` made absolute: an `http(s)` URL stays, a path (`/alerts/42`) is put under
/// `base` (the public address of Sightline), anything else is dropped.
#[must_use]
pub fn with_absolute_url<'a>(notice: &'a Notice, base: Option<&Url>) -> Cow<'a, Notice> {
    let raw = notice.get(Var::Url).trim();
    if raw.is_empty() {
        return Cow::Borrowed(notice);
    }
    let joined = match (Url::parse(raw), raw.strip_prefix('/'), base) {
        (Ok(url), ..) if matches!(url.scheme(), "http" | "https") => Some(url),
        (_, Some(path), Some(base)) if !path.starts_with('/') => base_dir(base).join(path).ok(),
        _ => None,
    };
    // Serialized, a URL is ASCII, so it can go into headers (ntfy's Click) as it is.
    if joined.as_ref().is_some_and(|u| u.as_str() == notice.get(Var::Url)) {
        return Cow::Borrowed(notice);
    }
    let mut owned = notice.clone();
    match joined {
        Some(url) => owned.vars.insert(Var::Url, url.to_string()),
        None => owned.vars.remove(&Var::Url),
    };
    Cow::Owned(owned)
}

/// `base` with a path ending in `/`, so relative paths join below it.
pub(crate) fn base_dir(base: &Url) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.set_query(None);
    base.set_fragment(None);
    base
}

/// `path` (relative, no leading `/`) under a configured server URL, refusing anything that would
/// leave its origin.
pub(crate) fn endpoint(field: &str, server_url: &str, path: &str) -> Result<Url, RenderError> {
    let base = Url::parse(server_url.trim()).map_err(|_| RenderError(format!("{field} is not a valid url")))?;
    let url = base_dir(&base).join(path).map_err(|_| RenderError(format!("{field} cannot be joined with {path}")))?;
    if url.origin() != base.origin() {
        return Err(RenderError(format!("{field} would send to another server")));
    }
    Ok(url)
}

/// The Discord embed colour.
#[must_use]
pub fn colour(notice: &Notice) -> u32 {
    match notice.severity {
        Some(Severity::Low) => 0x0034_98db,
        Some(Severity::Medium) => 0x00f3_9c12,
        Some(Severity::High) => 0x00e7_4c3c,
        Some(Severity::Critical) => 0x0099_2d22,
        None => match notice.kind {
            EventKind::ServerDown => 0x00e7_4c3c,
            EventKind::ServerUp => 0x002e_cc71,
            EventKind::IncidentOpened | EventKind::IncidentUpdated => 0x00e6_7e22,
            EventKind::NewDevice | EventKind::TrustChanged | EventKind::ActionTaken => 0x00f3_9c12,
            EventKind::StreamStarted => 0x0034_98db,
            EventKind::StreamStopped => 0x0095_a5a6,
            EventKind::ImportFinished | EventKind::Test => 0x0058_65f2,
        },
    }
}

/// How urgent a notice is, on ntfy's 1 (min) to 5 (max) scale; the other push targets map from it.
#[must_use]
pub fn urgency(notice: &Notice) -> u8 {
    match notice.severity {
        Some(Severity::Critical) => 5,
        Some(Severity::High) => 4,
        Some(Severity::Medium) => 3,
        Some(Severity::Low) => 2,
        None => match notice.kind {
            EventKind::ServerDown | EventKind::IncidentOpened => 4,
            EventKind::StreamStarted | EventKind::StreamStopped => 2,
            _ => 3,
        },
    }
}

#[cfg(test)]
mod tests;
