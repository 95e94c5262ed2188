//! The Discord execute-webhook request: one embed (title, description, colour by severity, the
//! notice's names as fields, timestamp), username "Sightline", `allowed_mentions: {"parse": []}` so
//! nothing pings. Every text is cut to Discord's limits (../shared/fixtures/discord/LIMITS.md):
//! Discord rejects, rather than truncates, anything over them.

use super::{Outgoing, RenderError, colour};
use crate::notify::event::{Notice, Var};
use crate::notify::template::Template;
use crate::notify::text::{Composed, Measure, Style, sanitize_value};
use serde::Serialize;
use url::{Host, Url};

pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 4096;
pub const FIELDS_MAX: usize = 25;
pub const FIELD_NAME_MAX: usize = 256;
pub const FIELD_VALUE_MAX: usize = 1024;
pub const FOOTER_MAX: usize = 2048;
pub const AUTHOR_MAX: usize = 256;
/// Title, description, field names and values, footer and author of all embeds together.
pub const TOTAL_MAX: usize = 6000;
pub const CONTENT_MAX: usize = 2000;
pub const EMBEDS_MAX: usize = 10;

/// When the whole embed is over [`TOTAL_MAX`], field values are cut to this first.
const FIELD_VALUE_SHORT: usize = 256;

/// The webhook hosts Discord serves (plus its older domain and client channels).
const HOSTS: &[&str] = &[
    "discord.com",
    "discordapp.com",
    "ptb.discord.com",
    "canary.discord.com",
    "ptb.discordapp.com",
    "canary.discordapp.com",
];

/// The notice's variables shown as fields, with their names and whether they sit side by side.
const FIELDS: &[(&str, Var, bool)] = &[
    ("User", Var::User, true),
    ("Server", Var::Server, true),
    ("Severity", Var::Severity, true),
    ("Rule", Var::Rule, false),
    ("Playing", Var::Title, false),
    ("Location", Var::Location, true),
    ("Device", Var::Device, true),
    ("IP address", Var::Ip, true),
];

#[derive(Debug, Serialize)]
pub struct Payload {
    pub username: &'static str,
    pub allowed_mentions: AllowedMentions,
    pub embeds: Vec<Embed>,
}

#[derive(Debug, Serialize)]
pub struct AllowedMentions {
    pub parse: Vec<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Embed {
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub color: u32,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    pub footer: Footer,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Footer {
    pub text: String,
}

/// An embed before fitting: escaped text still in units, so cuts never split an escape.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: Composed,
    pub description: Composed,
    pub fields: Vec<(String, Composed, bool)>,
    pub footer: String,
    pub url: Option<String>,
    pub color: u32,
    pub timestamp: String,
}

impl Draft {
    /// The notice rendered with the two templates, escaped as Discord markdown.
    #[must_use]
    pub fn new(notice: &Notice, title: &Template, body: &Template) -> Self {
        let mut fields: Vec<(String, Composed, bool)> = FIELDS
            .iter()
            .filter(|(_, var, _)| !notice.get(*var).trim().is_empty())
            .map(|(name, var, inline)| ((*name).to_owned(), escaped(notice.get(*var)), *inline))
            .collect();
        let (before, after) = (notice.get(Var::TrustBefore).trim(), notice.get(Var::TrustAfter).trim());
        if !before.is_empty() || !after.is_empty() {
            fields.push(("Trust".to_owned(), escaped(&format!("{before} → {after}")), true));
        }
        let incident = notice.get(Var::IncidentId).trim();
        let footer = if incident.is_empty() {
            "Sightline".to_owned()
        } else {
            format!("Sightline · incident {}", sanitize_value(incident))
        };
        Self {
            title: title.render(notice, Style::Markdown),
            description: body.render(notice, Style::Markdown),
            fields,
            footer,
            url: link(notice.get(Var::Url)),
            color: colour(notice),
            timestamp: notice.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// The embed within every per-field limit and the 6000-character total: the description gives
    /// way first, then field values are shortened, then the last fields are dropped.
    #[must_use]
    pub fn fit(&self) -> Embed {
        let m = Measure::Chars;
        let mut title = self.title.fit(TITLE_MAX, m);
        if title.is_empty() {
            title = "Sightline".to_owned();
        }
        let footer = self.footer.chars().take(FOOTER_MAX).collect::<String>();
        let mut fields: Vec<Field> = self
            .fields
            .iter()
            .filter(|(name, value, _)| !name.trim().is_empty() && !value.is_blank())
            .take(FIELDS_MAX)
            .map(|(name, value, inline)| Field {
                name: crate::notify::text::truncate(name.trim(), FIELD_NAME_MAX, m),
                value: value.fit(FIELD_VALUE_MAX, m),
                inline: *inline,
            })
            .collect();
        let fixed = m.of(&title) + m.of(&footer);
        let fields_len = |fields: &[Field]| fields.iter().map(|f| m.of(&f.name) + m.of(&f.value)).sum::<usize>();
        let description_room = TOTAL_MAX.saturating_sub(fixed + fields_len(&fields)).max(TOTAL_MAX / 4);
        let mut description = self.description.fit(DESCRIPTION_MAX.min(description_room), m);
        if fixed + fields_len(&fields) + m.of(&description) > TOTAL_MAX {
            let shortened = self.fields.iter().filter(|(n, v, _)| !n.trim().is_empty() && !v.is_blank());
            for (field, (_, value, _)) in fields.iter_mut().zip(shortened) {
                field.value = value.fit(FIELD_VALUE_SHORT, m);
            }
        }
        while fixed + fields_len(&fields) + m.of(&description) > TOTAL_MAX && !fields.is_empty() {
            fields.pop();
        }
        if fixed + m.of(&description) > TOTAL_MAX {
            description = self.description.fit(TOTAL_MAX - fixed, m);
        }
        Embed {
            title,
            description,
            url: self.url.clone(),
            color: self.color,
            timestamp: self.timestamp.clone(),
            fields,
            footer: Footer { text: footer },
        }
    }
}

fn escaped(value: &str) -> Composed {
    let mut out = Composed::default();
    out.push_value(&sanitize_value(value), Style::Markdown);
    out
}

/// The title link: only an absolute http(s) URL.
fn link(raw: &str) -> Option<String> {
    let url = Url::parse(raw.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// The characters Discord counts against [`TOTAL_MAX`].
#[must_use]
pub fn embed_chars(embed: &Embed) -> usize {
    let m = Measure::Chars;
    m.of(&embed.title)
        + m.of(&embed.description)
        + m.of(&embed.footer.text)
        + embed.fields.iter().map(|f| m.of(&f.name) + m.of(&f.value)).sum::<usize>()
}

/// Whether `url` may be a Discord webhook: https on a Discord host, path `/api/webhooks/...`.
/// `allow_private` lifts the host and scheme rules (a self-hosted relay, a test server).
pub fn check_webhook_url(url: &Url, allow_private: bool) -> Result<(), RenderError> {
    if !url.path().starts_with("/api/webhooks/") {
        return Err(RenderError("a Discord webhook address has the form https://discord.com/api/webhooks/…".into()));
    }
    if allow_private {
        return Ok(());
    }
    let discord_host = matches!(url.host(), Some(Host::Domain(h)) if HOSTS.contains(&h.trim_end_matches('.')));
    if url.scheme() != "https" || !discord_host {
        return Err(RenderError("a Discord webhook address must be https://discord.com/api/webhooks/…".into()));
    }
    Ok(())
}

/// The POST to `webhook_url`.
pub fn request(
    webhook_url: &str,
    allow_private: bool,
    notice: &Notice,
    title: &Template,
    body: &Template,
) -> Result<Outgoing, RenderError> {
    let url = Url::parse(webhook_url.trim())
        .map_err(|_| RenderError("the Discord webhook address is not a valid url".into()))?;
    check_webhook_url(&url, allow_private)?;
    let payload = Payload {
        username: "Sightline",
        allowed_mentions: AllowedMentions { parse: Vec::new() },
        embeds: vec![Draft::new(notice, title, body).fit()],
    };
    let body = serde_json::to_vec(&payload).expect("a Discord payload always serializes");
    let token = url.path_segments().and_then(|mut s| s.nth(3)).unwrap_or("").to_owned();
    Ok(Outgoing::new(url, "application/json", body).secret(webhook_url.trim()).secret(&token))
}

#[cfg(test)]
mod tests;
