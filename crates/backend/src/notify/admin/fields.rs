//! The per-kind config form, as data shared by the REST API and the Settings page: which fields each
//! kind of destination has (label, input, secret or not, required or not), turning the submitted
//! texts into a `DestinationConfig` (a secret left blank keeps the stored one), and the redacted view
//! of a stored config (secrets never leave the server: `https://discord.com/api/webhooks/…/****`).

use crate::notify::destination::SmtpSecurity;
use crate::notify::{DestinationConfig, DestinationKind, Var};
use crate::secret::SecretString;
use std::collections::BTreeMap;
use url::Url;

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Url,
    Text,
    /// A whole number (a port).
    Number,
    /// One of (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// Addresses separated by commas.
    EmailList,
}

/// One field of a kind's config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    /// Never shown again once saved; left blank on edit keeps the stored value.
    pub secret: bool,
    pub required: bool,
    pub placeholder: &'static str,
    pub help: &'static str,
}

const fn field(
    name: &'static str,
    label: &'static str,
    input: Input,
    secret: bool,
    required: bool,
    placeholder: &'static str,
    help: &'static str,
) -> FieldSpec {
    FieldSpec { name, label, input, secret, required, placeholder, help }
}

const SECURITY: &[(&str, &str)] =
    &[("start_tls", "STARTTLS (port 587)"), ("tls", "TLS (port 465)"), ("none", "None (local relay only)")];

const DISCORD: &[FieldSpec] = &[field(
    "webhook_url",
    "Webhook URL",
    Input::Url,
    true,
    true,
    "https://discord.com/api/webhooks/…",
    "Server Settings → Integrations → Webhooks → Copy Webhook URL.",
)];
const WEBHOOK: &[FieldSpec] = &[
    field("url", "URL", Input::Url, true, true, "https://example.com/hooks/sightline", "Receives a JSON POST."),
    field(
        "secret",
        "Signing secret",
        Input::Text,
        true,
        true,
        "",
        "A long random string; the receiver checks the X-Sightline-Signature header (HMAC-SHA256) with it.",
    ),
];
const NTFY: &[FieldSpec] = &[
    field("server_url", "Server", Input::Url, false, true, "https://ntfy.sh", "ntfy.sh or your own ntfy server."),
    field("topic", "Topic", Input::Text, true, true, "", "On a public server, anyone who knows the topic can read it."),
    field("token", "Access token", Input::Text, true, false, "tk_…", "Only for protected topics."),
];
const GOTIFY: &[FieldSpec] = &[
    field("server_url", "Server", Input::Url, false, true, "https://gotify.example.com", ""),
    field("app_token", "Application token", Input::Text, true, true, "", "Apps → Create application."),
];
const PUSHOVER: &[FieldSpec] = &[
    field("user_key", "User key", Input::Text, true, true, "", "On your Pushover dashboard."),
    field("app_token", "Application token", Input::Text, true, true, "", "Create an application on pushover.net."),
    field(
        "api_url",
        "API address",
        Input::Url,
        false,
        false,
        "https://api.pushover.net",
        "Leave empty for Pushover's own.",
    ),
];
const TELEGRAM: &[FieldSpec] = &[
    field("bot_token", "Bot token", Input::Text, true, true, "123456:ABC…", "From @BotFather."),
    field("chat_id", "Chat id", Input::Text, false, true, "-1001234567890", "The chat, group or channel to post in."),
    field(
        "api_url",
        "Bot API address",
        Input::Url,
        false,
        false,
        "https://api.telegram.org",
        "Leave empty for Telegram's own.",
    ),
];
const EMAIL: &[FieldSpec] = &[
    field("host", "SMTP server", Input::Text, false, true, "smtp.example.com", ""),
    field("port", "Port", Input::Number, false, true, "587", ""),
    field("security", "Security", Input::Choice(SECURITY), false, true, "", ""),
    field("username", "User name", Input::Text, false, false, "", "Leave empty when the server needs no sign-in."),
    field("password", "Password", Input::Text, true, false, "", ""),
    field("from", "From", Input::Text, false, true, "sightline@example.com", ""),
    field("to", "To", Input::EmailList, false, true, "you@example.com", "One or more addresses, separated by commas."),
];
const WEB_PUSH: &[FieldSpec] = &[
    field("endpoint", "Push service address", Input::Url, true, true, "", "Set by the browser when it subscribed."),
    field("p256dh", "Browser key", Input::Text, false, true, "", ""),
    field("auth", "Browser secret", Input::Text, true, true, "", ""),
];

/// The config fields of `kind`, in form order.
#[must_use]
pub fn fields(kind: DestinationKind) -> &'static [FieldSpec] {
    match kind {
        DestinationKind::Discord => DISCORD,
        DestinationKind::Webhook => WEBHOOK,
        DestinationKind::Ntfy => NTFY,
        DestinationKind::Gotify => GOTIFY,
        DestinationKind::Pushover => PUSHOVER,
        DestinationKind::Telegram => TELEGRAM,
        DestinationKind::Email => EMAIL,
        DestinationKind::WebPush => WEB_PUSH,
    }
}

/// What each template variable holds, for the form's variable list.
#[must_use]
pub fn variable_help(var: Var) -> &'static str {
    match var {
        Var::Event => "the event, e.g. \"Incident opened\"",
        Var::User => "the account's name on its media server",
        Var::Server => "the media server's name",
        Var::Rule => "the detection rule's name",
        Var::Severity => "low, medium, high or critical",
        Var::Summary => "one line on what happened",
        Var::Title => "what is playing (\"Show - S01E02 - Episode\")",
        Var::Ip => "the client's address",
        Var::Location => "\"City, Region, CC\" or \"Local network\"",
        Var::Device => "the player and its platform",
        Var::TrustBefore => "the trust score before a change",
        Var::TrustAfter => "the trust score after a change",
        Var::Reason => "why: a trust change's reason, a server's error, an import's result",
        Var::Url => "a link to the page in Sightline (needs SIGHTLINE_BASE_URL)",
        Var::Time => "when it happened (RFC 3339, UTC)",
        Var::IncidentId => "the incident's number",
    }
}

/// A stored field's value: a secret or plain text.
enum Value<'a> {
    Secret(&'a SecretString),
    Plain(String),
}

/// The stored value of field `name` of `config`, when set.
fn stored<'a>(config: &'a DestinationConfig, name: &str) -> Option<Value<'a>> {
    use DestinationConfig as C;
    let plain = |s: &str| Some(Value::Plain(s.to_owned()));
    let opt = |s: &Option<String>| s.as_deref().map(|v| Value::Plain(v.to_owned()));
    match (config, name) {
        (C::Discord { webhook_url }, "webhook_url") => Some(Value::Secret(webhook_url)),
        (C::Webhook { url, .. }, "url") => Some(Value::Secret(url)),
        (C::Webhook { secret, .. }, "secret") => Some(Value::Secret(secret)),
        (C::Ntfy { server_url, .. }, "server_url") | (C::Gotify { server_url, .. }, "server_url") => plain(server_url),
        (C::Ntfy { topic, .. }, "topic") => Some(Value::Secret(topic)),
        (C::Ntfy { token, .. }, "token") => token.as_ref().map(Value::Secret),
        (C::Gotify { app_token, .. }, "app_token") | (C::Pushover { app_token, .. }, "app_token") => {
            Some(Value::Secret(app_token))
        }
        (C::Pushover { user_key, .. }, "user_key") => Some(Value::Secret(user_key)),
        (C::Pushover { api_url, .. }, "api_url") | (C::Telegram { api_url, .. }, "api_url") => opt(api_url),
        (C::Telegram { bot_token, .. }, "bot_token") => Some(Value::Secret(bot_token)),
        (C::Telegram { chat_id, .. }, "chat_id") => plain(chat_id),
        (C::Email { host, .. }, "host") => plain(host),
        (C::Email { port, .. }, "port") => Some(Value::Plain(port.to_string())),
        (C::Email { security, .. }, "security") => plain(security_name(*security)),
        (C::Email { username, .. }, "username") => opt(username),
        (C::Email { password, .. }, "password") => password.as_ref().map(Value::Secret),
        (C::Email { from, .. }, "from") => plain(from),
        (C::Email { to, .. }, "to") => Some(Value::Plain(to.join(", "))),
        (C::WebPush { endpoint, .. }, "endpoint") => Some(Value::Secret(endpoint)),
        (C::WebPush { p256dh, .. }, "p256dh") => plain(p256dh),
        (C::WebPush { auth, .. }, "auth") => Some(Value::Secret(auth)),
        _ => None,
    }
}

fn security_name(s: SmtpSecurity) -> &'static str {
    match s {
        SmtpSecurity::Tls => "tls",
        SmtpSecurity::StartTls => "start_tls",
        SmtpSecurity::None => "none",
    }
}

/// A secret URL with what identifies it kept and the rest hidden: scheme, host and port, the path
/// without its last two segments (where webhook ids and tokens live), then `…/****`.
#[must_use]
pub fn redact_url(raw: &str) -> String {
    let Ok(url) = Url::parse(raw.trim()) else {
        return "****".to_owned();
    };
    let host = url.host_str().unwrap_or("");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let kept = &segments[..segments.len().saturating_sub(2)];
    let mut out = format!("{}://{host}{port}/", url.scheme());
    for s in kept {
        out.push_str(s);
        out.push('/');
    }
    if segments.len() > kept.len() + 1 {
        out.push_str("…/");
    }
    out.push_str("****");
    out
}

/// The stored config as the owner may see it: plain fields as they are, secrets redacted (URLs keep
/// their host), unset optional fields left out. Field order follows [`fields`].
#[must_use]
pub fn redacted(config: &DestinationConfig) -> Vec<(&'static str, String)> {
    fields(config.kind())
        .iter()
        .filter_map(|f| {
            let shown = match stored(config, f.name)? {
                Value::Plain(v) => v,
                Value::Secret(s) if f.input == Input::Url => redact_url(s.expose()),
                Value::Secret(_) => "****".to_owned(),
            };
            Some((f.name, shown))
        })
        .collect()
}

/// A refused field and why.
pub type FieldProblem = (String, String);

/// Reads the submitted texts of `kind`'s fields. Blank secret fields keep `existing`'s value (unless
/// named in `clear`, which only optional secrets may be); blank optional fields are unset.
pub fn parse(
    kind: DestinationKind,
    input: &BTreeMap<String, SecretString>,
    clear: &[String],
    existing: Option<&DestinationConfig>,
) -> Result<DestinationConfig, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    for name in input.keys() {
        if !fields(kind).iter().any(|f| f.name == name) {
            problems.push((name.clone(), format!("is not a setting of {}", kind.label())));
        }
    }
    let mut r = Reader { kind, input, clear, existing, problems };
    let config = r.build();
    if r.problems.is_empty() { Ok(config) } else { Err(r.problems) }
}

struct Reader<'a> {
    kind: DestinationKind,
    input: &'a BTreeMap<String, SecretString>,
    clear: &'a [String],
    existing: Option<&'a DestinationConfig>,
    problems: Vec<FieldProblem>,
}

impl Reader<'_> {
    fn spec(&self, name: &str) -> FieldSpec {
        *fields(self.kind).iter().find(|f| f.name == name).expect("readers only ask for their kind's fields")
    }

    fn submitted(&self, name: &str) -> Option<String> {
        self.input.get(name).map(|v| v.expose().trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn refuse(&mut self, name: &str, message: impl Into<String>) {
        self.problems.push((name.to_owned(), message.into()));
    }

    /// A plain optional field.
    fn plain_opt(&mut self, name: &str) -> Option<String> {
        let value = self.submitted(name);
        if value.as_ref().is_some_and(|v| v.chars().count() > 2048 || v.chars().any(char::is_control)) {
            self.refuse(name, "must be at most 2048 characters on one line");
        }
        value
    }

    /// A plain required field ("" when missing, with the problem recorded).
    fn plain(&mut self, name: &str) -> String {
        self.plain_opt(name).unwrap_or_else(|| {
            self.refuse(name, "is required");
            String::new()
        })
    }

    /// An optional secret: the submitted one, else the stored one unless cleared.
    fn secret_opt(&mut self, name: &str) -> Option<SecretString> {
        if let Some(v) = self.submitted(name) {
            if v.chars().count() > 4096 || v.chars().any(char::is_control) {
                self.refuse(name, "must be at most 4096 characters on one line");
            }
            return Some(SecretString::new(v));
        }
        if self.clear.iter().any(|c| c == name) {
            if self.spec(name).required {
                self.refuse(name, "is required and cannot be removed");
            }
            return None;
        }
        match self.existing.and_then(|c| stored(c, name)) {
            Some(Value::Secret(s)) => Some(s.clone()),
            _ => None,
        }
    }

    fn secret(&mut self, name: &str) -> SecretString {
        self.secret_opt(name).unwrap_or_else(|| {
            if self.problems.iter().all(|(field, _)| field != name) {
                self.refuse(name, "is required");
            }
            SecretString::new("")
        })
    }

    fn build(&mut self) -> DestinationConfig {
        use DestinationConfig as C;
        match self.kind {
            DestinationKind::Discord => C::Discord { webhook_url: self.secret("webhook_url") },
            DestinationKind::Webhook => C::Webhook { url: self.secret("url"), secret: self.secret("secret") },
            DestinationKind::Ntfy => C::Ntfy {
                server_url: self.plain("server_url"),
                topic: self.secret("topic"),
                token: self.secret_opt("token"),
            },
            DestinationKind::Gotify => {
                C::Gotify { server_url: self.plain("server_url"), app_token: self.secret("app_token") }
            }
            DestinationKind::Pushover => C::Pushover {
                user_key: self.secret("user_key"),
                app_token: self.secret("app_token"),
                api_url: self.plain_opt("api_url"),
            },
            DestinationKind::Telegram => C::Telegram {
                bot_token: self.secret("bot_token"),
                chat_id: self.plain("chat_id"),
                api_url: self.plain_opt("api_url"),
            },
            DestinationKind::Email => self.email(),
            DestinationKind::WebPush => C::WebPush {
                endpoint: self.secret("endpoint"),
                p256dh: self.plain("p256dh"),
                auth: self.secret("auth"),
            },
        }
    }

    fn email(&mut self) -> DestinationConfig {
        let port_text = self.plain("port");
        let port = match port_text.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                if !port_text.is_empty() {
                    self.refuse("port", "must be a port number from 1 to 65535");
                }
                0
            }
        };
        let security_text = self.plain("security");
        let security = match security_text.as_str() {
            "tls" => SmtpSecurity::Tls,
            "start_tls" => SmtpSecurity::StartTls,
            "none" => SmtpSecurity::None,
            "" => SmtpSecurity::StartTls,
            _ => {
                self.refuse("security", "must be start_tls, tls or none");
                SmtpSecurity::StartTls
            }
        };
        let to_text = self.plain("to");
        let to: Vec<String> =
            to_text.split([',', ';']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
        if to.len() > 20 {
            self.refuse("to", "at most 20 addresses");
        }
        DestinationConfig::Email {
            host: self.plain("host"),
            port,
            security,
            username: self.plain_opt("username"),
            password: self.secret_opt("password"),
            from: self.plain("from"),
            to,
        }
    }
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
