//! `Senders`: delivers one notice to one destination of any kind, once (the outbox retries). Picks
//! the templates, renders the target's request (`render`), posts it through the locked-down client
//! (`http`) or sends the email (`smtp`), and hands browser push to whoever implements it.

use super::destination::{Destination, DestinationConfig, DestinationKind};
use super::event::Notice;
use super::http::NotifyHttp;
use super::outcome::{Deliver, DeliveryOutcome};
use super::render::{self, Outgoing, RenderError, with_absolute_url};
use super::resolve::Lookup;
use super::smtp::{Mail, Smtp};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use url::Url;

/// How senders behave; the defaults suit production.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Deadline for one delivery attempt (connect, send, answer). Default 10 s.
    pub timeout: Duration,
    /// Sightline's public address, for absolute `{{url}}` links; notices carry paths (`/alerts/42`).
    pub base_url: Option<String>,
    /// PEM certificates trusted in addition to the system's (a private CA for a LAN relay; tests).
    pub extra_root_certs: Vec<String>,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), base_url: None, extra_root_certs: Vec::new() }
    }
}

/// Why `Senders` could not be built.
#[derive(Debug, Error)]
pub enum SendersError {
    #[error("the base url is not a valid http(s) url")]
    BaseUrl,
    #[error("an extra root certificate is not valid PEM: {0}")]
    Certificate(String),
    #[error("could not set up the http client: {0}")]
    Client(String),
}

/// The notification senders. Cheap to clone.
#[derive(Clone)]
pub struct Senders {
    http: NotifyHttp,
    smtp: Smtp,
    base_url: Option<Url>,
    /// Delivers `WebPush` destinations when browser push is set up.
    pub web_push: Option<Arc<dyn Deliver>>,
}

impl std::fmt::Debug for Senders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Senders").field("web_push", &self.web_push.is_some()).finish_non_exhaustive()
    }
}

impl Senders {
    pub fn new(options: SendOptions) -> Result<Self, SendersError> {
        Self::with_lookup(options, Lookup::system())
    }

    /// Senders resolving names through `lookup` (tests use a fixed table).
    pub(crate) fn with_lookup(options: SendOptions, lookup: Lookup) -> Result<Self, SendersError> {
        let base_url = match options.base_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => {
                let url = Url::parse(raw).map_err(|_| SendersError::BaseUrl)?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(SendersError::BaseUrl);
                }
                Some(url)
            }
            None => None,
        };
        let mut http_roots = Vec::new();
        let mut smtp_roots = Vec::new();
        for pem in &options.extra_root_certs {
            let bad = |e: &dyn std::fmt::Display| SendersError::Certificate(e.to_string());
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| bad(&e))?;
            if certs.is_empty() {
                return Err(bad(&"no certificate found"));
            }
            http_roots.extend(certs);
            smtp_roots
                .push(lettre::transport::smtp::client::Certificate::from_pem(pem.as_bytes()).map_err(|e| bad(&e))?);
        }
        let http = NotifyHttp::new(options.timeout, &http_roots, &lookup)
            .map_err(|e| SendersError::Client(e.without_url().to_string()))?;
        let smtp = Smtp { timeout: options.timeout, extra_roots: smtp_roots, lookup };
        Ok(Self { http, smtp, base_url, web_push: None })
    }

    /// These senders with browser push delivered by `web_push`.
    #[must_use]
    pub fn with_web_push(mut self, web_push: Arc<dyn Deliver>) -> Self {
        self.web_push = Some(web_push);
        self
    }

    /// The request an HTTP destination receives for `notice`; `None` for email and browser push.
    fn outgoing(&self, dest: &Destination, notice: &Notice, now_unix: i64) -> Option<Result<Outgoing, RenderError>> {
        let kind = dest.config.kind();
        let (title, body) =
            render::templates(kind, notice.kind, dest.title_template.as_deref(), dest.body_template.as_deref());
        let private = dest.allow_private;
        Some(match &dest.config {
            DestinationConfig::Discord { webhook_url } => {
                render::discord::request(webhook_url.expose(), private, notice, &title, &body)
            }
            DestinationConfig::Webhook { url, secret } => {
                render::webhook::request(url.expose(), secret.expose(), notice, &title, &body, now_unix)
            }
            DestinationConfig::Ntfy { server_url, topic, token } => render::ntfy::request(
                server_url,
                topic.expose(),
                token.as_ref().map(|t| t.expose()),
                notice,
                &title,
                &body,
            ),
            DestinationConfig::Gotify { server_url, app_token } => {
                render::gotify::request(server_url, app_token.expose(), notice, &title, &body)
            }
            DestinationConfig::Pushover { user_key, app_token, api_url } => render::pushover::request(
                api_url.as_deref(),
                user_key.expose(),
                app_token.expose(),
                notice,
                &title,
                &body,
            ),
            DestinationConfig::Telegram { bot_token, chat_id, api_url } => {
                render::telegram::request(api_url.as_deref(), bot_token.expose(), chat_id, notice, &title, &body)
            }
            DestinationConfig::Email { .. } | DestinationConfig::WebPush { .. } => return None,
        })
    }

    async fn send_email(&self, dest: &Destination, notice: &Notice) -> DeliveryOutcome {
        let DestinationConfig::Email { host, port, security, username, password, from, to } = &dest.config else {
            return DeliveryOutcome::Failed { reason: "not an email destination".to_owned() };
        };
        let (title, body) = render::templates(
            DestinationKind::Email,
            notice.kind,
            dest.title_template.as_deref(),
            dest.body_template.as_deref(),
        );
        let (subject, text) = render::email::message(notice, &title, &body);
        let mail = Mail {
            host,
            port: *port,
            security: *security,
            username: username.as_deref(),
            password: password.as_ref().map(|p| p.expose()),
            from,
            to,
            allow_private: dest.allow_private,
        };
        self.smtp.send(mail, &subject, &text).await
    }
}

#[async_trait::async_trait]
impl Deliver for Senders {
    async fn deliver(&self, dest: &Destination, notice: &Notice) -> DeliveryOutcome {
        let kind = dest.config.kind();
        let notice = with_absolute_url(notice, self.base_url.as_ref());
        let outcome = match kind {
            DestinationKind::WebPush => match &self.web_push {
                Some(web_push) => web_push.deliver(dest, &notice).await,
                None => DeliveryOutcome::Failed { reason: "browser push is not set up".to_owned() },
            },
            DestinationKind::Email => self.send_email(dest, &notice).await,
            _ => match self.outgoing(dest, &notice, crate::clock::now().timestamp()) {
                Some(Ok(out)) => self.http.post(kind, out, dest.allow_private).await,
                Some(Err(e)) => DeliveryOutcome::Failed { reason: format!("the destination is misconfigured: {e}") },
                None => DeliveryOutcome::Failed { reason: "nothing to send for this destination".to_owned() },
            },
        };
        tracing::debug!(destination = dest.id, kind = kind.as_str(), outcome = %outcome.describe(), "notice delivered once");
        outcome
    }
}

#[cfg(test)]
mod tests;
