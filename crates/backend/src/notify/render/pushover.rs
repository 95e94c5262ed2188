//! The Pushover message request: `POST <api>/1/messages.json` as a form with `token`, `user`,
//! `title`, `message`, `priority` (−1…1 by severity; 2, which needs acknowledging, is never used),
//! `timestamp` and, when there is a link, `url`. Limits are Pushover's.

use super::{Outgoing, RenderError, endpoint, urgency};
use crate::notify::event::{Notice, Var};
use crate::notify::template::Template;
use crate::notify::text::{Measure, Style};

pub const TITLE_MAX: usize = 250;
pub const MESSAGE_MAX: usize = 1024;
pub const URL_MAX: usize = 512;
pub const DEFAULT_API: &str = "https://api.pushover.net";

/// Pushover's priority for an urgency of 1–5.
#[must_use]
pub fn priority(urgency: u8) -> i8 {
    match urgency {
        4 | 5 => 1,
        3 => 0,
        2 => -1,
        _ => -2,
    }
}

pub fn request(
    api_url: Option<&str>,
    user_key: &str,
    app_token: &str,
    notice: &Notice,
    title: &Template,
    body: &Template,
) -> Result<Outgoing, RenderError> {
    let api = api_url.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(DEFAULT_API);
    let url = endpoint("the Pushover api address", api, "1/messages.json")?;
    let mut message = body.render(notice, Style::Plain).fit(MESSAGE_MAX, Measure::Chars);
    if message.is_empty() {
        // Pushover refuses an empty message.
        message = notice.kind.label().to_owned();
    }
    let mut form: Vec<(&str, String)> = vec![
        ("token", app_token.trim().to_owned()),
        ("user", user_key.trim().to_owned()),
        ("title", title.render(notice, Style::Plain).fit(TITLE_MAX, Measure::Chars)),
        ("message", message),
        ("priority", priority(urgency(notice)).to_string()),
        ("timestamp", notice.at.timestamp().to_string()),
    ];
    let link = notice.get(Var::Url).trim();
    if (link.starts_with("https://") || link.starts_with("http://")) && link.len() <= URL_MAX {
        form.push(("url", link.to_owned()));
    }
    let body = encode_form(&form);
    Ok(Outgoing::new(url, "application/x-www-form-urlencoded", body.into_bytes())
        .secret(app_token.trim())
        .secret(user_key.trim()))
}

fn encode_form(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}
