//! The ntfy publish request: `POST <server>/<topic>` with the message as the body and `Title`,
//! `Priority` (1–5 by severity), `Tags` and `Click` headers; an optional access token as
//! `Authorization: Bearer`. A non-ASCII title is sent RFC 2047-encoded, which ntfy decodes.

use super::{Outgoing, RenderError, endpoint, urgency};
use crate::notify::event::{Notice, Var};
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style};
use base64::Engine;

pub const TITLE_MAX: usize = 250;
/// ntfy turns a larger body into an attachment.
pub const MESSAGE_MAX_BYTES: usize = 4096;

/// Whether `topic` is a name ntfy accepts.
#[must_use]
pub fn valid_topic(topic: &str) -> bool {
    (1..=64).contains(&topic.len()) && topic.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `value` on one line as an HTTP header: itself when printable ASCII, else an RFC 2047 encoded
/// word.
#[must_use]
pub fn header_text(value: &str) -> String {
    let line: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        line
    } else {
        format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(line))
    }
}

pub fn request(
    server_url: &str,
    topic: &str,
    token: Option<&str>,
    notice: &Notice,
    title: &Template,
    body: &Template,
) -> Result<Outgoing, RenderError> {
    if !valid_topic(topic) {
        return Err(RenderError("the ntfy topic may only contain letters, digits, - and _ (at most 64)".into()));
    }
    let url = endpoint("the ntfy server address", server_url, topic)?;
    let title = title.render(notice, Style::Plain).fit(TITLE_MAX, Measure::Chars);
    let message = body.render(notice, Style::Plain).fit(MESSAGE_MAX_BYTES, Measure::Bytes);
    let priority = urgency(notice);
    let mut tags = format!("sightline,{}", notice.kind.as_str());
    match priority {
        5 => tags.push_str(",rotating_light"),
        4 => tags.push_str(",warning"),
        _ => {}
    }
    let mut out = Outgoing::new(url, "text/plain; charset=utf-8", message.into_bytes())
        .header("title", &header_text(&title))?
        .header("priority", &priority.to_string())?
        .header("tags", &tags)?
        .secret(topic);
    let link = notice.get(Var::Url).trim();
    if link.starts_with("https://") || link.starts_with("http://") {
        out = out.header("click", link)?;
    }
    if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
        out = out.header("authorization", &format!("Bearer {}", token.trim()))?.secret(token.trim());
    }
    Ok(out)
}
