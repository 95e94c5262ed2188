//! Where notices go: `Destination` (what the owner sees and edits in the clear: name, events, filters,
//! limits, templates) and `DestinationConfig` (per kind; holds URLs, tokens and passwords, so the
//! store keeps it encrypted as one JSON envelope and it is never logged).

use super::event::EventKind;
use crate::secret::SecretString;
use serde::{Deserialize, Serialize};
use sightline_domain::rules::Severity;

/// The kinds of destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    Discord,
    Webhook,
    Ntfy,
    Gotify,
    Pushover,
    Telegram,
    Email,
    /// One browser or installed PWA that opted in (Web Push, VAPID).
    WebPush,
}

impl DestinationKind {
    pub const ALL: [DestinationKind; 8] = [
        Self::Discord,
        Self::Webhook,
        Self::Ntfy,
        Self::Gotify,
        Self::Pushover,
        Self::Telegram,
        Self::Email,
        Self::WebPush,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discord => "discord",
            Self::Webhook => "webhook",
            Self::Ntfy => "ntfy",
            Self::Gotify => "gotify",
            Self::Pushover => "pushover",
            Self::Telegram => "telegram",
            Self::Email => "email",
            Self::WebPush => "web_push",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Discord => "Discord",
            Self::Webhook => "Webhook (JSON, signed)",
            Self::Ntfy => "ntfy",
            Self::Gotify => "Gotify",
            Self::Pushover => "Pushover",
            Self::Telegram => "Telegram",
            Self::Email => "Email (SMTP)",
            Self::WebPush => "Browser push",
        }
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, required (usually port 587).
    StartTls,
    /// No encryption: only accepted for private/loopback relays with `allow_private`.
    None,
}

/// The per-kind settings, secrets included. Encrypted at rest as a whole.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DestinationConfig {
    Discord {
        /// `https://discord.com/api/webhooks/<id>/<token>`
        webhook_url: SecretString,
    },
    Webhook {
        url: SecretString,
        /// HMAC-SHA256 key for the `X-Sightline-Signature` header.
        secret: SecretString,
    },
    Ntfy {
        /// e.g. `https://ntfy.sh`
        server_url: String,
        topic: SecretString,
        /// Optional access token (Bearer).
        token: Option<SecretString>,
    },
    Gotify {
        server_url: String,
        app_token: SecretString,
    },
    Pushover {
        user_key: SecretString,
        app_token: SecretString,
        /// Defaults to `https://api.pushover.net`; settable for tests and proxies.
        api_url: Option<String>,
    },
    Telegram {
        bot_token: SecretString,
        chat_id: String,
        /// Defaults to `https://api.telegram.org`; a self-hosted Bot API server also works.
        api_url: Option<String>,
    },
    Email {
        host: String,
        port: u16,
        security: SmtpSecurity,
        username: Option<String>,
        password: Option<SecretString>,
        from: String,
        to: Vec<String>,
    },
    WebPush {
        endpoint: SecretString,
        /// The subscription's P-256 public key (base64url) and auth secret (base64url).
        p256dh: String,
        auth: SecretString,
    },
}

impl DestinationConfig {
    #[must_use]
    pub fn kind(&self) -> DestinationKind {
        match self {
            Self::Discord { .. } => DestinationKind::Discord,
            Self::Webhook { .. } => DestinationKind::Webhook,
            Self::Ntfy { .. } => DestinationKind::Ntfy,
            Self::Gotify { .. } => DestinationKind::Gotify,
            Self::Pushover { .. } => DestinationKind::Pushover,
            Self::Telegram { .. } => DestinationKind::Telegram,
            Self::Email { .. } => DestinationKind::Email,
            Self::WebPush { .. } => DestinationKind::WebPush,
        }
    }
}

impl std::fmt::Debug for DestinationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DestinationConfig::{}(***)", self.kind().as_str())
    }
}

/// A configured destination as stored: the settings in the clear plus the encrypted-at-rest config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// The events this destination receives.
    pub events: Vec<EventKind>,
    /// Incident events below this severity are not sent.
    pub min_severity: Severity,
    /// Allows URLs/hosts that resolve to private, loopback or link-local addresses (a LAN ntfy, say).
    /// Off by default: such targets are refused when saved and when sending.
    pub allow_private: bool,
    /// At most this many deliveries per minute to this destination (the rest wait in the outbox).
    pub rate_per_minute: u32,
    /// Optional logic-less templates; `None` uses the kind's default.
    pub title_template: Option<String>,
    pub body_template: Option<String>,
    pub config: DestinationConfig,
}

impl Destination {
    /// Whether this destination wants `notice` (event chosen, severity high enough, enabled).
    #[must_use]
    pub fn wants(&self, notice: &super::Notice) -> bool {
        if !self.enabled || !self.events.contains(&notice.kind) {
            return false;
        }
        match notice.severity {
            Some(s) => s >= self.min_severity,
            None => true,
        }
    }
}
