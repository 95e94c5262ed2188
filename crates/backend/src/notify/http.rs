//! `NotifyHttp`: the locked-down HTTP client every HTTP target is posted through. Two reqwest
//! clients, one per address policy (public only; private allowed), each resolving names through
//! `PolicyResolver`. No redirects, no proxy, one overall timeout, at most 64 KiB of an answer read.
//! It sends one request and turns what happened into a `DeliveryOutcome`; messages name the host,
//! never the URL (Discord and Telegram URLs hold tokens).

use super::destination::DestinationKind;
use super::outcome::DeliveryOutcome;
use super::render::Outgoing;
use super::reply::{Answer, judge};
use super::resolve::{Lookup, PolicyResolver, ResolveError};
use super::ssrf::check_url;
use crate::error_chain::error_chain;
use reqwest::header::RETRY_AFTER;
use reqwest::{Certificate, redirect};
use std::time::Duration;

/// The most of an answer's body read (for the reason snippet and `retry_after`).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub(crate) struct NotifyHttp {
    public: reqwest::Client,
    private: reqwest::Client,
    timeout: Duration,
}

impl NotifyHttp {
    pub fn new(timeout: Duration, extra_roots: &[Certificate], lookup: &Lookup) -> reqwest::Result<Self> {
        let client = |allow_private: bool| {
            reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                // A proxy would resolve names itself, out of reach of the resolver's address check.
                .no_proxy()
                .dns_resolver(PolicyResolver { lookup: lookup.clone(), allow_private })
                .user_agent(concat!("Sightline/", env!("CARGO_PKG_VERSION")))
                .tls_certs_merge(extra_roots.iter().cloned())
                .build()
        };
        Ok(Self { public: client(false)?, private: client(true)?, timeout })
    }

    /// POSTs `out` once and judges the answer.
    pub async fn post(&self, kind: DestinationKind, out: Outgoing, allow_private: bool) -> DeliveryOutcome {
        if let Err(refused) = check_url(&out.url, allow_private) {
            return DeliveryOutcome::Failed { reason: format!("refused: {refused}") };
        }
        let Outgoing { url, headers, body, secrets } = out;
        let host = url.host_str().unwrap_or("the server").to_owned();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let client = if allow_private { &self.private } else { &self.public };
        let response = match client.post(url).headers(headers).body(body).send().await {
            Ok(response) => response,
            Err(e) => return self.transport_outcome(&host, e, &secrets),
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            return DeliveryOutcome::Delivered { status };
        }
        let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = read_capped(response, MAX_ANSWER_BYTES).await;
        judge(kind, Answer { status, retry_after: retry_after.as_deref(), body: &body }, &secrets, crate::clock::now())
    }

    /// A request that got no answer: refused addresses and untrusted certificates fail, the rest
    /// (timeouts, resets, DNS trouble) is worth another try.
    fn transport_outcome(&self, host: &str, e: reqwest::Error, secrets: &[&str]) -> DeliveryOutcome {
        let e = e.without_url();
        let chain = error_chain(&e);
        let cause = redact(&chain.last().map_or_else(String::new, ToString::to_string), secrets);
        if let Some(resolve) = chain.iter().find_map(|err| err.downcast_ref::<ResolveError>()) {
            return match resolve {
                ResolveError::Refused(r) => DeliveryOutcome::Failed { reason: format!("refused: {r}") },
                ResolveError::Lookup(l) => {
                    DeliveryOutcome::Retry { after: None, reason: format!("could not resolve {host}: {l}") }
                }
            };
        }
        if let Some(tls) = chain.iter().find_map(|err| err.downcast_ref::<rustls::Error>()) {
            return DeliveryOutcome::Failed { reason: format!("the tls handshake with {host} failed: {tls}") };
        }
        let reason = if e.is_timeout() {
            format!("{host} did not answer within {} s", self.timeout.as_secs_f32())
        } else if e.is_connect() {
            format!("could not connect to {host}: {cause}")
        } else {
            format!("the request to {host} failed: {cause}")
        };
        DeliveryOutcome::Retry { after: None, reason }
    }
}

/// Reads at most `max` bytes of the body; a broken body just ends the read.
async fn read_capped(mut response: reqwest::Response, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = max.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= max {
            break;
        }
    }
    out
}

/// `text` with every secret replaced by `***`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    secrets.iter().filter(|s| s.len() >= 4).fold(text.to_owned(), |t, s| t.replace(s, "***"))
}
