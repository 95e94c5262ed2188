//! The Telegram Bot API request: `POST <api>/bot<token>/sendMessage` with JSON `chat_id`, `text`
//! (HTML parse mode: the title in bold, every value and literal escaped), `parse_mode` and
//! `disable_web_page_preview`. The URL holds the bot token, so it is a secret and never printed.

use super::{Outgoing, RenderError, endpoint};
use crate::notify::event::Notice;
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style};
use serde::Serialize;

pub const TITLE_MAX: usize = 256;
/// Telegram counts UTF-16 units after entities are parsed; counting the escaped text is safe.
pub const TEXT_MAX: usize = 4096;
pub const DEFAULT_API: &str = "https://api.telegram.org";

#[derive(Debug, Serialize)]
pub struct Body {
    pub chat_id: String,
    pub text: String,
    pub parse_mode: &'static str,
    pub disable_web_page_preview: bool,
}

/// Whether `token` looks like a bot token (`<digits>:<letters, digits, - and _>`); anything else
/// could change the request path.
#[must_use]
pub fn valid_token(token: &str) -> bool {
    let Some((id, key)) = token.split_once(':') else { return false };
    !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `chat_id` is a numeric id (`-100…` for groups) or an `@channel` name.
#[must_use]
pub fn valid_chat_id(chat_id: &str) -> bool {
    let numeric = chat_id.strip_prefix('-').unwrap_or(chat_id);
    let channel = chat_id.strip_prefix('@');
    (!numeric.is_empty() && numeric.len() <= 20 && numeric.bytes().all(|b| b.is_ascii_digit()))
        || channel
            .is_some_and(|c| (5..=32).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// The message text: `<b>title</b>`, a blank line, the body; within [`TEXT_MAX`].
#[must_use]
pub fn text(notice: &Notice, title: &Template, body: &Template) -> String {
    let m = Measure::Utf16;
    let title = title.render(notice, Style::Html).fit(TITLE_MAX, m);
    let head = format!("<b>{title}</b>");
    let body = body.render(notice, Style::Html);
    if body.is_blank() {
        return head;
    }
    let room = TEXT_MAX.saturating_sub(m.of(&head) + 2);
    format!("{head}\n\n{}", body.fit(room, m))
}

pub fn request(
    api_url: Option<&str>,
    bot_token: &str,
    chat_id: &str,
    notice: &Notice,
    title: &Template,
    body: &Template,
) -> Result<Outgoing, RenderError> {
    let token = bot_token.trim();
    if !valid_token(token) {
        return Err(RenderError("the Telegram bot token has the form 123456:ABC-DEF…".into()));
    }
    let api = api_url.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(DEFAULT_API);
    let url = endpoint("the Telegram api address", api, &format!("./bot{token}/sendMessage"))?;
    let body = Body {
        chat_id: chat_id.trim().to_owned(),
        text: text(notice, title, body),
        parse_mode: "HTML",
        disable_web_page_preview: true,
    };
    let body = serde_json::to_vec(&body).expect("a Telegram body always serializes");
    Ok(Outgoing::new(url, "application/json", body).secret(token))
}
