//! Test support (built only for tests): a webhook receiver on loopback (axum on port 0) that answers
//! from a script (`500`, `429` with a `retry_after`, …, then `204`) and records every arrival, and a
//! webhook destination pointing at it.

use crate::notify::{Destination, DestinationConfig, EventKind};
use crate::secret::SecretString;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sightline_domain::rules::Severity;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One planned answer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reply {
    Status(u16),
    /// 429 with `{"retry_after": seconds}` (Discord's shape).
    RetryAfter(f64),
}

/// One POST that arrived.
#[derive(Debug, Clone)]
pub(crate) struct Arrival {
    pub at: Instant,
    pub body: serde_json::Value,
    pub status: u16,
}

impl Arrival {
    /// The notice's `{{summary}}` as the webhook body carries it.
    pub fn summary(&self) -> &str {
        self.body["vars"]["summary"].as_str().unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    arrivals: Vec<Arrival>,
}

/// A running receiver.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// Starts a receiver that answers `script` in order, then 204 to everything.
    pub async fn start(script: &[Reply]) -> Self {
        let inner = Arc::new(Mutex::new(Inner { script: script.iter().copied().collect(), arrivals: Vec::new() }));
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url: format!("http://{addr}/hook"), inner }
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.inner.lock().expect("receiver lock").arrivals.clone()
    }

    /// The summaries of the deliveries that were accepted (2xx), in arrival order.
    pub fn accepted(&self) -> Vec<String> {
        self.arrivals().iter().filter(|a| a.status < 300).map(|a| a.summary().to_owned()).collect()
    }

    /// A webhook destination for this receiver (loopback, so `allow_private`), subscribed to `events`.
    pub fn destination(&self, name: &str, events: &[EventKind]) -> Destination {
        Destination {
            id: 0,
            name: name.to_owned(),
            enabled: true,
            events: events.to_vec(),
            min_severity: Severity::Low,
            allow_private: true,
            rate_per_minute: 600,
            title_template: None,
            body_template: None,
            config: DestinationConfig::Webhook {
                url: SecretString::new(self.url.clone()),
                secret: SecretString::new("receiver-signing-secret-0123456789"),
            },
        }
    }
}

async fn hook(State(inner): State<Arc<Mutex<Inner>>>, body: axum::body::Bytes) -> Response {
    let mut inner = inner.lock().expect("receiver lock");
    let reply = inner.script.pop_front().unwrap_or(Reply::Status(204));
    let status = match reply {
        Reply::Status(s) => s,
        Reply::RetryAfter(_) => 429,
    };
    let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    inner.arrivals.push(Arrival { at: Instant::now(), body, status });
    let code = StatusCode::from_u16(status).expect("scripted statuses are valid");
    match reply {
        Reply::RetryAfter(secs) => {
            (code, axum::Json(serde_json::json!({ "retry_after": secs, "global": false }))).into_response()
        }
        Reply::Status(_) => code.into_response(),
    }
}
