//! The Gotify message request: `POST <server>/message` with the application token in the
//! `X-Gotify-Key` header (never in the URL, where logs would keep it) and a JSON body
//! `{title, message, priority}`, priority 0–10 by severity.

use super::{Outgoing, RenderError, endpoint, urgency};
use crate::notify::event::Notice;
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style};
use serde::Serialize;

pub const TITLE_MAX: usize = 250;
pub const MESSAGE_MAX: usize = 8000;

#[derive(Debug, Serialize)]
pub struct Body {
    pub title: String,
    pub message: String,
    pub priority: u8,
}

/// Gotify's priority for an urgency of 1–5 (8 and up ring loudly on Android).
#[must_use]
pub fn priority(urgency: u8) -> u8 {
    match urgency {
        5 => 9,
        4 => 8,
        3 => 5,
        2 => 2,
        _ => 0,
    }
}

pub fn request(
    server_url: &str,
    app_token: &str,
    notice: &Notice,
    title: &Template,
    body: &Template,
) -> Result<Outgoing, RenderError> {
    let url = endpoint("the Gotify server address", server_url, "message")?;
    let body = Body {
        title: title.render(notice, Style::Plain).fit(TITLE_MAX, Measure::Chars),
        message: body.render(notice, Style::Plain).fit(MESSAGE_MAX, Measure::Chars),
        priority: priority(urgency(notice)),
    };
    let body = serde_json::to_vec(&body).expect("a Gotify body always serializes");
    Outgoing::new(url, "application/json", body)
        .header("x-gotify-key", app_token.trim())
        .map(|o| o.secret(app_token.trim()))
}
