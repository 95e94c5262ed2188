//! `WebPushSender`: delivers one notice to one browser subscription: checks the endpoint,
//! encrypts the payload (RFC 8291), signs a VAPID token for the endpoint's origin and POSTs it
//! (RFC 8030) with `TTL`, `Urgency` and `Content-Encoding: aes128gcm`.

use super::endpoint::check_endpoint;
use super::payload::PushPayload;
use super::response::{self, is_expired};
use super::vapid::{VapidError, VapidKeys, subject};
use super::{ece, keys};
use crate::config::Config;
use crate::error_chain::error_chain;
use crate::notify::resolve::{Lookup, PolicyResolver, ResolveError};
use crate::notify::{Deliver, DeliveryOutcome, Destination, DestinationConfig, Notice};
use async_trait::async_trait;
use sightline_domain::rules::Severity;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// How long a push service keeps an undelivered message (the device may be off): one day.
pub const TTL_SECS: u32 = 24 * 3600;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum WebPushError {
    #[error(transparent)]
    Vapid(#[from] VapidError),
    #[error("cannot build the push HTTP client: {0}")]
    Client(String),
}

/// Told when a push service says a subscription no longer exists (404/410), so nothing is sent
/// to it again. `notify::webpush::devices::DisableExpired` disables the destination in the store.
#[async_trait]
pub trait ExpiredSubscriptions: Send + Sync {
    async fn expired(&self, destination_id: i64);
}

/// The `Deliver` for `DestinationConfig::WebPush` destinations.
pub struct WebPushSender {
    keys: Arc<VapidKeys>,
    subject: String,
    /// Connects only to public addresses (names resolved under the notification address policy).
    public: reqwest::Client,
    /// For destinations with `allow_private` (a push service on the LAN).
    private: reqwest::Client,
    https_only: bool,
    expired: Option<Arc<dyn ExpiredSubscriptions>>,
}

impl std::fmt::Debug for WebPushSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPushSender")
            .field("keys", &self.keys)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl WebPushSender {
    /// The sender for this configuration: the VAPID key from `DATA_DIR/keys/vapid.key` (created
    /// on first run) and the base URL as the token's subject.
    pub fn from_config(config: &Config) -> Result<Self, WebPushError> {
        let keys = VapidKeys::load_or_create(&config.data_dir)?;
        Self::new(Arc::new(keys), subject(config.base_url.as_ref()))
    }

    pub fn new(keys: Arc<VapidKeys>, subject: String) -> Result<Self, WebPushError> {
        Self::build(keys, subject, true)
    }

    fn build(keys: Arc<VapidKeys>, subject: String, https_only: bool) -> Result<Self, WebPushError> {
        let lookup = Lookup::system();
        let client = |allow_private: bool| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(TOTAL_TIMEOUT)
                .https_only(https_only)
                // A proxy would resolve names itself, out of reach of the resolver's address check.
                .no_proxy()
                .dns_resolver(PolicyResolver { lookup: lookup.clone(), allow_private })
                .user_agent(concat!("Sightline/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| WebPushError::Client(e.without_url().to_string()))
        };
        Ok(Self { keys, subject, public: client(false)?, private: client(true)?, https_only, expired: None })
    }

    /// A sender that also accepts `http://` endpoints: only for tests with a loopback push service.
    #[cfg(test)]
    pub(crate) fn for_plain_http_tests(keys: Arc<VapidKeys>, subject: String) -> Result<Self, WebPushError> {
        Self::build(keys, subject, false)
    }

    /// Calls `handler` for each subscription a push service reports gone.
    #[must_use]
    pub fn on_expired(mut self, handler: Arc<dyn ExpiredSubscriptions>) -> Self {
        self.expired = Some(handler);
        self
    }

    /// The application-server key pair.
    #[must_use]
    pub fn keys(&self) -> &Arc<VapidKeys> {
        &self.keys
    }

    async fn send(&self, dest: &Destination, notice: &Notice) -> DeliveryOutcome {
        let DestinationConfig::WebPush { endpoint, p256dh, auth } = &dest.config else {
            return failed("not a browser push destination");
        };
        let url = match check_endpoint(endpoint.expose(), dest.allow_private, self.https_only) {
            Ok(url) => url,
            Err(e) => return failed(&e.to_string()),
        };
        let Some((ua_public, auth_secret)) = keys::decode(p256dh, auth.expose()) else {
            return failed("the subscription's keys are malformed; opt in again on that device");
        };
        let payload = PushPayload::new(dest, notice).to_bytes();
        let body = match ece::encrypt(&payload, &ua_public, &auth_secret) {
            Ok(body) => body,
            Err(e) => return failed(&e.to_string()),
        };
        let now = crate::clock::now();
        let authorization = match self.keys.authorization(&url, &self.subject, now) {
            Ok(value) => value,
            Err(e) => return failed(&e.to_string()),
        };
        let client = if dest.allow_private { &self.private } else { &self.public };
        let sent = client
            .post(url)
            .header("TTL", TTL_SECS.to_string())
            .header("Urgency", urgency(notice.severity))
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(res) => {
                let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
                response::outcome(res.status().as_u16(), retry_after.as_deref(), now)
            }
            Err(e) => transport(e),
        }
    }
}

#[async_trait]
impl Deliver for WebPushSender {
    async fn deliver(&self, dest: &Destination, notice: &Notice) -> DeliveryOutcome {
        let outcome = self.send(dest, notice).await;
        if is_expired(&outcome)
            && let Some(handler) = &self.expired
        {
            handler.expired(dest.id).await;
        }
        outcome
    }
}

/// RFC 8030 §5.3: how soon the device should wake for it.
#[must_use]
pub fn urgency(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical | Severity::High) => "high",
        Some(Severity::Low) => "low",
        Some(Severity::Medium) | None => "normal",
    }
}

fn failed(reason: &str) -> DeliveryOutcome {
    DeliveryOutcome::Failed { reason: reason.to_owned() }
}

/// A request that got no answer. The endpoint is a capability, so the reason never names it.
fn transport(e: reqwest::Error) -> DeliveryOutcome {
    let e = e.without_url();
    if let Some(resolve) = error_chain(&e).iter().find_map(|err| err.downcast_ref::<ResolveError>()) {
        return match resolve {
            ResolveError::Refused(r) => failed(&format!("refused: {r}")),
            ResolveError::Lookup(_) => {
                DeliveryOutcome::Retry { after: None, reason: "could not resolve the push service".to_owned() }
            }
        };
    }
    let reason = if e.is_timeout() {
        "the push service did not answer in time"
    } else if e.is_connect() {
        "could not connect to the push service"
    } else {
        "the push request failed"
    };
    DeliveryOutcome::Retry { after: None, reason: reason.to_owned() }
}
