//! The generic JSON webhook: body `{"event","at","severity","vars","title","text"}` and three
//! headers: `X-Sightline-Event`, `X-Sightline-Timestamp` (unix seconds of the send) and
//! `X-Sightline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, so a receiver
//! can check origin and freshness. Values are sent as plain text (serde escapes JSON).

use super::{Outgoing, RenderError};
use crate::notify::event::Notice;
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style, sanitize_value};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use url::Url;

pub const TITLE_MAX: usize = 1000;
pub const TEXT_MAX: usize = 8000;

pub const EVENT_HEADER: &str = "x-sightline-event";
pub const TIMESTAMP_HEADER: &str = "x-sightline-timestamp";
pub const SIGNATURE_HEADER: &str = "x-sightline-signature";

#[derive(Debug, Serialize)]
pub struct Body {
    pub event: &'static str,
    pub at: String,
    pub severity: Option<&'static str>,
    pub vars: BTreeMap<&'static str, String>,
    pub title: String,
    pub text: String,
}

/// The JSON body for `notice`.
#[must_use]
pub fn body(notice: &Notice, title: &Template, text: &Template) -> Vec<u8> {
    let body = Body {
        event: notice.kind.as_str(),
        at: notice.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        severity: notice.severity.map(|s| s.as_str()),
        vars: notice.vars.iter().map(|(var, value)| (var.name(), sanitize_value(value))).collect(),
        title: title.render(notice, Style::Plain).fit(TITLE_MAX, Measure::Chars),
        text: text.render(notice, Style::Plain).fit(TEXT_MAX, Measure::Chars),
    };
    serde_json::to_vec(&body).expect("a webhook body always serializes")
}

/// `sha256=<hex>` of HMAC-SHA256 over `"<timestamp>.<body>"`.
#[must_use]
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("hmac accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The signed POST to `url`; `timestamp` is the send time in unix seconds.
pub fn request(
    url: &str,
    secret: &str,
    notice: &Notice,
    title: &Template,
    text: &Template,
    timestamp: i64,
) -> Result<Outgoing, RenderError> {
    let target = Url::parse(url.trim()).map_err(|_| RenderError("the webhook address is not a valid url".into()))?;
    let body = body(notice, title, text);
    let signature = signature(secret.as_bytes(), timestamp, &body);
    Ok(Outgoing::new(target, "application/json", body)
        .header(EVENT_HEADER, notice.kind.as_str())?
        .header(TIMESTAMP_HEADER, &timestamp.to_string())?
        .header(SIGNATURE_HEADER, &signature)?
        .secret(url.trim())
        .secret(secret))
}

#[cfg(test)]
mod tests;
