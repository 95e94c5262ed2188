//! Checks a destination before it is saved: `validate` (shape, no I/O: names, limits, templates,
//! URL schemes and literal addresses, tokens and addresses per kind) and `check_destination`
//! (resolves every target host and refuses any non-public address unless `allow_private`). The
//! same policy is applied again at send time by the resolver, so these are for good messages at
//! save, not the only line of defence.

use super::destination::{Destination, DestinationConfig, SmtpSecurity};
use super::render::{discord, ntfy, telegram};
use super::resolve::{Lookup, ResolveError, resolve_all_allowed};
use super::ssrf::{Refusal, check_host_name, check_url};
use super::template::Template;
use lettre::message::Mailbox;
use thiserror::Error;
use url::{Host, Url};

pub const NAME_MAX: usize = 100;
pub const RATE_MAX: u32 = 600;
pub const TITLE_TEMPLATE_MAX: usize = 500;
pub const RECIPIENTS_MAX: usize = 20;
/// A webhook secret shorter than this is refused: it is an HMAC key.
pub const WEBHOOK_SECRET_MIN: usize = 16;

/// Why a destination's target cannot be used. `field` names the form field to show it on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TargetError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("{refusal}")]
    Refused { field: &'static str, refusal: Refusal },
    #[error("could not resolve {host}: {cause}")]
    Unresolvable { field: &'static str, host: String, cause: String },
}

impl TargetError {
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            Self::Invalid { field, .. } | Self::Refused { field, .. } | Self::Unresolvable { field, .. } => field,
        }
    }
}

type Problems = Vec<(&'static str, String)>;

/// Checks everything that can be checked without the network. Returns every problem, each with
/// the field it belongs to.
pub fn validate(dest: &Destination) -> Result<(), Problems> {
    let mut problems = Problems::new();
    let name = dest.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        problems.push(("name", format!("give the destination a name of 1 to {NAME_MAX} characters")));
    }
    if dest.events.is_empty() {
        problems.push(("events", "choose at least one event".to_owned()));
    }
    if !(1..=RATE_MAX).contains(&dest.rate_per_minute) {
        problems.push(("rate_per_minute", format!("the rate must be between 1 and {RATE_MAX} per minute")));
    }
    if let Some(title) = dest.title_template.as_deref() {
        if title.chars().count() > TITLE_TEMPLATE_MAX {
            problems
                .push(("title_template", format!("the title template is longer than {TITLE_TEMPLATE_MAX} characters")));
        } else if let Err(e) = Template::parse(title) {
            problems.push(("title_template", e.to_string()));
        }
    }
    if let Some(Err(e)) = dest.body_template.as_deref().map(Template::parse) {
        problems.push(("body_template", e.to_string()));
    }
    config_problems(dest, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn config_problems(dest: &Destination, problems: &mut Problems) {
    let private = dest.allow_private;
    match &dest.config {
        DestinationConfig::Discord { webhook_url } => {
            if let Some(url) = target_url("webhook_url", webhook_url.expose(), private, problems)
                && let Err(e) = discord::check_webhook_url(&url, private)
            {
                problems.push(("webhook_url", e.to_string()));
            }
        }
        DestinationConfig::Webhook { url, secret } => {
            target_url("url", url.expose(), private, problems);
            if secret.expose().chars().count() < WEBHOOK_SECRET_MIN {
                problems.push(("secret", format!("use a secret of at least {WEBHOOK_SECRET_MIN} random characters")));
            }
        }
        DestinationConfig::Ntfy { server_url, topic, token } => {
            server_base("server_url", server_url, private, problems);
            if !ntfy::valid_topic(topic.expose()) {
                problems.push(("topic", "a topic is 1 to 64 letters, digits, - or _".to_owned()));
            }
            if let Some(token) = token {
                header_safe("token", token.expose(), problems);
            }
        }
        DestinationConfig::Gotify { server_url, app_token } => {
            server_base("server_url", server_url, private, problems);
            header_safe("app_token", app_token.expose(), problems);
        }
        DestinationConfig::Pushover { user_key, app_token, api_url } => {
            key("user_key", user_key.expose(), problems);
            key("app_token", app_token.expose(), problems);
            if let Some(api) = api_url.as_deref().filter(|a| !a.trim().is_empty()) {
                server_base("api_url", api, private, problems);
            }
        }
        DestinationConfig::Telegram { bot_token, chat_id, api_url } => {
            if !telegram::valid_token(bot_token.expose().trim()) {
                problems.push(("bot_token", "a bot token has the form 123456:ABC-DEF… (from @BotFather)".to_owned()));
            }
            if !telegram::valid_chat_id(chat_id.trim()) {
                problems.push(("chat_id", "a chat id is a number (-100… for groups) or @channelname".to_owned()));
            }
            if let Some(api) = api_url.as_deref().filter(|a| !a.trim().is_empty()) {
                server_base("api_url", api, private, problems);
            }
        }
        DestinationConfig::Email { host, port, security, username, password, from, to } => {
            email_problems(host, *port, *security, private, problems);
            if username.as_deref().is_some_and(|u| !u.trim().is_empty()) != password.is_some() {
                problems.push(("password", "give both a user name and a password, or neither".to_owned()));
            }
            if from.trim().parse::<Mailbox>().is_err() {
                problems.push(("from", "the sender is not a valid email address".to_owned()));
            }
            if to.is_empty() || to.len() > RECIPIENTS_MAX {
                problems.push(("to", format!("give 1 to {RECIPIENTS_MAX} recipients")));
            } else if let Some(bad) = to.iter().find(|t| t.trim().parse::<Mailbox>().is_err()) {
                let shown: String = bad.chars().take(80).collect();
                problems.push(("to", format!("{shown:?} is not a valid email address")));
            }
        }
        DestinationConfig::WebPush { endpoint, p256dh, auth } => {
            target_url("endpoint", endpoint.expose(), private, problems);
            if p256dh.trim().is_empty() || auth.expose().trim().is_empty() {
                problems.push(("endpoint", "the browser subscription is incomplete".to_owned()));
            }
        }
    }
}

fn email_problems(host: &str, port: u16, security: SmtpSecurity, private: bool, problems: &mut Problems) {
    let host = host.trim();
    match Host::parse(host) {
        Ok(Host::Domain(name)) if !name.is_empty() => {
            if let Err(r) = check_host_name(&name, private) {
                problems.push(("host", r.to_string()));
            }
        }
        Ok(Host::Ipv4(ip)) => literal("host", ip.into(), private, problems),
        Ok(Host::Ipv6(ip)) => literal("host", ip.into(), private, problems),
        _ => problems.push(("host", "give the mail server's host name".to_owned())),
    }
    if port == 0 {
        problems.push(("port", "give the mail server's port (465 for TLS, 587 for STARTTLS)".to_owned()));
    }
    if security == SmtpSecurity::None && !private {
        problems.push(("security", "unencrypted SMTP is only allowed with \"allow private addresses\"".to_owned()));
    }
}

fn literal(field: &'static str, ip: std::net::IpAddr, private: bool, problems: &mut Problems) {
    if let Err(r) = super::ssrf::check_addr(ip, private) {
        problems.push((field, r.to_string()));
    }
}

/// Parses and checks a target URL, recording a problem when it is unusable.
fn target_url(field: &'static str, raw: &str, private: bool, problems: &mut Problems) -> Option<Url> {
    let raw = raw.trim();
    if raw.is_empty() {
        problems.push((field, "give the address".to_owned()));
        return None;
    }
    let Ok(url) = Url::parse(raw) else {
        problems.push((field, "this is not a valid url".to_owned()));
        return None;
    };
    match check_url(&url, private) {
        Ok(()) => Some(url),
        Err(e) => {
            problems.push((field, e.to_string()));
            None
        }
    }
}

/// A server address that paths are joined under: also no query or fragment.
fn server_base(field: &'static str, raw: &str, private: bool, problems: &mut Problems) {
    if let Some(url) = target_url(field, raw, private, problems)
        && (url.query().is_some() || url.fragment().is_some())
    {
        problems.push((field, "the server address must not contain ? or #".to_owned()));
    }
}

fn header_safe(field: &'static str, value: &str, problems: &mut Problems) {
    let value = value.trim();
    if value.is_empty() || value.len() > 512 || !value.bytes().all(|b| b.is_ascii_graphic()) {
        problems.push((field, "the token is empty or has characters a token cannot have".to_owned()));
    }
}

fn key(field: &'static str, value: &str, problems: &mut Problems) {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        problems.push((field, "a Pushover key is 30 letters and digits".to_owned()));
    }
}

/// Resolves every host the destination sends to and refuses it when any address is not allowed.
pub async fn check_destination(dest: &Destination) -> Result<(), TargetError> {
    check_destination_with(dest, &Lookup::system()).await
}

pub(crate) async fn check_destination_with(dest: &Destination, lookup: &Lookup) -> Result<(), TargetError> {
    let private = dest.allow_private;
    for (field, host) in target_hosts(dest)? {
        resolve_all_allowed(lookup, &host, private).await.map_err(|e| match e {
            ResolveError::Refused(refusal) => TargetError::Refused { field, refusal },
            ResolveError::Lookup(cause) => TargetError::Unresolvable { field, host, cause: cause.to_string() },
        })?;
    }
    Ok(())
}

/// The hosts a destination connects to, each with its field; URLs are checked on the way.
fn target_hosts(dest: &Destination) -> Result<Vec<(&'static str, String)>, TargetError> {
    let private = dest.allow_private;
    let mut urls: Vec<(&'static str, &str)> = Vec::new();
    match &dest.config {
        DestinationConfig::Discord { webhook_url } => urls.push(("webhook_url", webhook_url.expose())),
        DestinationConfig::Webhook { url, .. } => urls.push(("url", url.expose())),
        DestinationConfig::Ntfy { server_url, .. } | DestinationConfig::Gotify { server_url, .. } => {
            urls.push(("server_url", server_url));
        }
        DestinationConfig::Pushover { api_url, .. } | DestinationConfig::Telegram { api_url, .. } => {
            if let Some(api) = api_url.as_deref().filter(|a| !a.trim().is_empty()) {
                urls.push(("api_url", api));
            }
        }
        DestinationConfig::WebPush { endpoint, .. } => urls.push(("endpoint", endpoint.expose())),
        DestinationConfig::Email { host, .. } => {
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            if host.is_empty() {
                return Err(TargetError::Invalid { field: "host", message: "give the mail server's host name".into() });
            }
            return Ok(vec![("host", host)]);
        }
    }
    let mut hosts = Vec::new();
    for (field, raw) in urls {
        let url = Url::parse(raw.trim())
            .map_err(|_| TargetError::Invalid { field, message: "this is not a valid url".to_owned() })?;
        check_url(&url, private).map_err(|e| match e {
            super::ssrf::UrlRefusal::Address(refusal) => TargetError::Refused { field, refusal },
            other => TargetError::Invalid { field, message: other.to_string() },
        })?;
        if let Some(Host::Domain(name)) = url.host() {
            hosts.push((field, name.to_owned()));
        }
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests;
