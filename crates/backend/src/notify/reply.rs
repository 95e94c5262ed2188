//! How a receiver's HTTP answer becomes a `DeliveryOutcome`: 2xx delivered; 429 retried after the
//! receiver's `Retry-After` header or JSON `retry_after` (Discord: float seconds; Telegram:
//! `parameters.retry_after`); 408 and 5xx retried; redirects and other 4xx failed, with a short
//! reason (status and at most 200 characters of the body, secrets masked). Pure.

use super::destination::DestinationKind;
use super::outcome::DeliveryOutcome;
use super::text::{Measure, truncate};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How much of a receiver's body a reason quotes.
pub const SNIPPET_CHARS: usize = 200;

/// The longest wait taken from a receiver; anything longer is capped (the outbox may still wait
/// longer on its own).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// One HTTP answer, as far as the outcome needs it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub retry_after: Option<&'a str>,
    /// The start of the body (the client caps what it reads).
    pub body: &'a [u8],
}

/// The outcome of `answer` from a `kind` receiver. `secrets` are masked out of any quoted body;
/// `now` dates an HTTP-date `Retry-After`.
#[must_use]
pub fn judge(kind: DestinationKind, answer: Answer<'_>, secrets: &[&str], now: DateTime<Utc>) -> DeliveryOutcome {
    let status = answer.status;
    let label = kind.label();
    match status {
        200..=299 => DeliveryOutcome::Delivered { status },
        300..=399 => DeliveryOutcome::Failed {
            reason: format!(
                "{label} answered http {status}, a redirect; redirects are not followed, check the address"
            ),
        },
        429 => DeliveryOutcome::Retry {
            after: body_retry_after(answer.body).or_else(|| answer.retry_after.and_then(|h| parse_retry_after(h, now))),
            reason: format!("{label} is rate limiting (http 429)"),
        },
        408 | 500..=599 => DeliveryOutcome::Retry {
            after: answer.retry_after.and_then(|h| parse_retry_after(h, now)),
            reason: with_snippet(format!("{label} answered http {status}"), answer.body, secrets),
        },
        _ => DeliveryOutcome::Failed {
            reason: with_snippet(format!("{label} answered http {status}{}", hint(kind, status)), answer.body, secrets),
        },
    }
}

/// What a 4xx probably means for this kind of target.
fn hint(kind: DestinationKind, status: u16) -> &'static str {
    match (kind, status) {
        (DestinationKind::Discord, 404) => " (the webhook no longer exists; was it deleted in Discord?)",
        (DestinationKind::Discord, 401 | 403) => " (Discord refused the webhook token)",
        (DestinationKind::Telegram, 401) => " (the bot token was refused)",
        (DestinationKind::Telegram, 403) => " (the bot cannot write to this chat; was it removed?)",
        (DestinationKind::Gotify, 401 | 403) => " (the application token was refused)",
        (DestinationKind::Ntfy, 401 | 403) => " (the access token was refused, or the topic is reserved)",
        (_, 401 | 403) => " (the credentials were refused)",
        (_, 404) => " (nothing there; check the address)",
        _ => "",
    }
}

fn with_snippet(head: String, body: &[u8], secrets: &[&str]) -> String {
    let snippet = snippet(body, secrets);
    if snippet.is_empty() { head } else { format!("{head}: {snippet}") }
}

/// The body as one short line: secrets replaced by `***`, whitespace and control characters
/// collapsed, cut to [`SNIPPET_CHARS`].
#[must_use]
pub fn snippet(body: &[u8], secrets: &[&str]) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "***");
    }
    let line = text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty());
    truncate(&line.collect::<Vec<_>>().join(" "), SNIPPET_CHARS, Measure::Chars)
}

/// `retry_after` in a JSON body: Discord's top-level float seconds, or Telegram's
/// `parameters.retry_after`.
fn body_retry_after(body: &[u8]) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let seconds = value.get("retry_after").or_else(|| value.get("parameters")?.get("retry_after"))?.as_f64()?;
    seconds_to_duration(seconds)
}

/// A `Retry-After` header: delay seconds (fractions tolerated) or an HTTP date.
#[must_use]
pub fn parse_retry_after(header: &str, now: DateTime<Utc>) -> Option<Duration> {
    let header = header.trim();
    if let Ok(seconds) = header.parse::<f64>() {
        return seconds_to_duration(seconds);
    }
    let at = DateTime::parse_from_rfc2822(header).ok()?.with_timezone(&Utc);
    let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
    Some(wait.min(MAX_RETRY_AFTER))
}

fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).unwrap_or(MAX_RETRY_AFTER).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests;
