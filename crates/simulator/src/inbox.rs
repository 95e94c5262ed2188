//! A notification inbox on loopback: a receiver that speaks like a generic JSON webhook endpoint and
//! like Discord's webhook API, records every delivery with the moment it arrived, and shows them on a
//! page. `sightline demo` points two destinations at it so an incident can be seen arriving; tests
//! and the notification benchmark read its log.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// At most this many deliveries are kept (oldest dropped first).
const KEEP: usize = 1_000;

/// Which API a delivery came in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// `POST /webhook`: Sightline's signed JSON webhook.
    Webhook,
    /// `POST /api/webhooks/{id}/{token}`: Discord's webhook API.
    Discord,
}

/// One delivery as it arrived.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub kind: InboxKind,
    pub received_at: DateTime<Utc>,
    /// Lower-case header names with their values (for signatures, event names).
    pub headers: Vec<(String, String)>,
    /// The body as text (UTF-8, lossy).
    pub body: String,
}

impl Delivery {
    /// The body as JSON, when it is.
    #[must_use]
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The first header of that (lower-case) name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    log: Mutex<Vec<Delivery>>,
    arrived: Notify,
}

/// A running inbox; stops when dropped or on [`Inbox::shutdown`].
pub struct Inbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
}

impl Inbox {
    /// Binds `127.0.0.1:port` (0 for any free port) and serves until shut down.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let stop = CancellationToken::new();
        let app = Router::new()
            .route("/", get(page))
            .route("/messages", get(messages))
            .route("/webhook", post(webhook))
            .route("/api/webhooks/{id}/{token}", post(discord))
            .with_state(shared.clone());
        let token = stop.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(token.cancelled_owned()).await;
            if let Err(e) = served {
                tracing::warn!(error.message = %e, "the notification inbox stopped");
            }
        });
        Ok(Self { addr, shared, stop })
    }

    /// `http://127.0.0.1:<port>`
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL a generic webhook destination posts to.
    #[must_use]
    pub fn webhook_url(&self) -> String {
        format!("{}/webhook", self.base_url())
    }

    /// A Discord-format webhook URL on this inbox.
    #[must_use]
    pub fn discord_url(&self) -> String {
        format!("{}/api/webhooks/1000000000000000001/demo-token", self.base_url())
    }

    /// Every delivery so far, oldest first.
    #[must_use]
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits until at least `n` deliveries arrived or `timeout` passed; returns the log.
    pub async fn wait_for(&self, n: usize, timeout: std::time::Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let log = self.deliveries();
            if log.len() >= n {
                return log;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.deliveries();
            }
        }
    }

    pub fn shutdown(&self) {
        self.stop.cancel();
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn record(shared: &Shared, kind: InboxKind, headers: &HeaderMap, body: &Bytes) {
    let delivery = Delivery {
        kind,
        received_at: crate::clock::now(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    if let Ok(mut log) = shared.log.lock() {
        if log.len() == KEEP {
            log.remove(0);
        }
        log.push(delivery);
    }
    shared.arrived.notify_waiters();
}

async fn webhook(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    record(&shared, InboxKind::Webhook, &headers, &body);
    StatusCode::NO_CONTENT
}

/// Discord answers an accepted webhook post with 204 No Content (without `?wait=true`).
async fn discord(
    State(shared): State<Arc<Shared>>,
    Path((_id, _token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    record(&shared, InboxKind::Discord, &headers, &body);
    StatusCode::NO_CONTENT
}

async fn messages(State(shared): State<Arc<Shared>>) -> Response {
    let log = shared.log.lock().map(|l| l.clone()).unwrap_or_default();
    axum::Json(log).into_response()
}

/// What a person reads in one delivery: Discord's embed title and description, or the webhook's
/// title and text.
fn headline(d: &Delivery) -> (String, String) {
    let Some(v) = d.json() else { return (String::new(), d.body.chars().take(300).collect()) };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    match d.kind {
        InboxKind::Discord => {
            let embed = &v["embeds"][0];
            (text(&embed["title"]), text(&embed["description"]))
        }
        InboxKind::Webhook => (text(&v["title"]), text(&v["text"])),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let log = shared.log.lock().map(|l| l.clone()).unwrap_or_default();
    let mut rows = String::new();
    for d in log.iter().rev() {
        let (title, text) = headline(d);
        let kind = match d.kind {
            InboxKind::Webhook => "webhook",
            InboxKind::Discord => "discord",
        };
        rows.push_str(&format!(
            "<li><small>{} · {kind}</small><br><b>{}</b><br>{}</li>",
            d.received_at.format("%H:%M:%S%.3f"),
            escape(&title),
            escape(&text)
        ));
    }
    if rows.is_empty() {
        rows.push_str("<li>Nothing yet: notifications Sightline sends to this inbox appear here.</li>");
    }
    let html = format!(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=2><title>Sightline demo inbox</title>\
         <h1>Notification inbox</h1><ul>{rows}</ul>"
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deliveries_are_recorded_and_shown_escaped() {
        let inbox = Inbox::start(0).await.expect("binds");
        let client = reqwest::Client::new();
        let discord = serde_json::json!({"embeds": [{"title": "<b>carol</b>", "description": "two places"}]});
        let res = client.post(inbox.discord_url()).json(&discord).send().await.expect("posts");
        assert_eq!(res.status(), 204);
        let res = client
            .post(inbox.webhook_url())
            .header("x-sightline-event", "incident_opened")
            .body(r#"{"title":"Incident opened","text":"hi"}"#)
            .send()
            .await
            .expect("posts");
        assert_eq!(res.status(), 204);
        let log = inbox.wait_for(2, std::time::Duration::from_secs(5)).await;
        assert_eq!(log.iter().map(|d| d.kind).collect::<Vec<_>>(), [InboxKind::Discord, InboxKind::Webhook]);
        assert_eq!(log[1].header("x-sightline-event"), Some("incident_opened"));
        let page = client.get(inbox.base_url()).send().await.expect("gets").text().await.expect("text");
        assert!(page.contains("&lt;b&gt;carol&lt;/b&gt;") && !page.contains("<b>carol"), "{page}");
        let json: serde_json::Value = client
            .get(format!("{}/messages", inbox.base_url()))
            .send()
            .await
            .expect("gets")
            .json()
            .await
            .expect("json");
        assert_eq!(json.as_array().map(Vec::len), Some(2));
    }
}
