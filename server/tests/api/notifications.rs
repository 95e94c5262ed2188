//! `/api/v1/notifications`: destinations added, listed (secrets redacted), changed (blank secrets
//! kept), switched, tested against a real receiver on loopback and removed; read-only keys refused;
//! fields refused by name; and the outbox end to end through the running worker: a refused
//! notification is dead-lettered, listed, retried and delivered.

use crate::helpers::TestApp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sightline_backend::notify::{EventKind, Notice, Var, enqueue};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw: status answered, the signature header, the JSON body.
type Seen = Vec<(u16, Option<String>, Value)>;

#[derive(Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<u16>>>,
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    /// Starts a webhook receiver answering `script` in order, then 204.
    async fn start(script: &[u16]) -> (Self, String) {
        async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
            let status = r.script.lock().expect("lock").pop_front().unwrap_or(204);
            let signature = headers.get("x-sightline-signature").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            r.seen.lock().expect("lock").push((status, signature, body));
            StatusCode::from_u16(status).expect("valid status")
        }
        let receiver = Self { script: Arc::new(Mutex::new(script.iter().copied().collect())), ..Self::default() };
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, format!("http://{addr}/hook"))
    }

    fn seen(&self) -> Seen {
        self.seen.lock().expect("lock").clone()
    }
}

async fn keys(app: &TestApp) -> (String, String) {
    let now = sightline_backend::clock::now();
    let (_, rw) = app.running.ctx.auth.create_api_key("admin", false, now).await.expect("key");
    let (_, ro) = app.running.ctx.auth.create_api_key("viewer", true, now).await.expect("key");
    (rw, ro)
}

const SECRET: &str = "hmac-signing-secret-0123456789";
const DESTINATIONS: &str = "/api/v1/notifications/destinations";

/// Sends `req` with `key` as the bearer; the status and the JSON body (`null` when there is none).
async fn call(req: reqwest::RequestBuilder, key: &str) -> (u16, Value) {
    let res = req.bearer_auth(key).send().await.expect("req");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn webhook(url: &str) -> Value {
    json!({
        "kind": "webhook",
        "name": "Home hook",
        "events": ["server_down", "incident_opened"],
        "allow_private": true,
        "config": { "url": url, "secret": SECRET },
    })
}

#[tokio::test]
async fn a_destination_is_added_listed_redacted_changed_tested_and_removed() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, ro) = keys(&app).await;
    let (receiver, url) = Receiver::start(&[204, 500]).await;
    let c = &app.client;
    let (status, created) = call(c.post(app.url(DESTINATIONS)).json(&webhook(&url)), &rw).await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().expect("id");
    assert_eq!((created["kind"].as_str(), created["rate_per_minute"].as_u64()), (Some("webhook"), Some(30)));
    assert_eq!(created["config"]["secret"], "****");
    assert!(
        created["config"]["url"].as_str().is_some_and(|u| u.ends_with("/****") && !u.contains("hook")),
        "{created}"
    );

    let (_, list) = call(c.get(app.url(DESTINATIONS)), &ro).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "read-only keys can list");
    assert!(!list.to_string().contains(SECRET) && !list.to_string().contains("/hook"), "{list}");

    // A blank secret keeps the stored one: the test message is still signed with it.
    let mut edit = webhook(&url);
    edit["name"] = json!("Renamed");
    edit["config"]["secret"] = json!("");
    let one = app.url(&format!("{DESTINATIONS}/{id}"));
    assert_eq!(call(c.put(&one).json(&edit), &rw).await.0, 200);
    let (_, test) = call(c.post(format!("{one}/test")), &rw).await;
    assert_eq!(test, json!({ "ok": true, "outcome": "delivered (204)", "will_retry": false }));
    let seen = receiver.seen();
    assert_eq!(seen[0].2["event"], "test");
    assert!(seen[0].1.as_deref().is_some_and(|s| s.starts_with("sha256=")), "signed: {seen:?}");
    let (_, failed) = call(c.post(format!("{one}/test")), &rw).await;
    assert_eq!((failed["ok"].as_bool(), failed["will_retry"].as_bool()), (Some(false), Some(true)));
    assert!(failed["outcome"].as_str().is_some_and(|o| o.contains("500")), "{failed}");
    let (_, read) = call(c.get(&one), &ro).await;
    assert_eq!((read["name"].as_str(), read["last"]["ok"].as_bool()), (Some("Renamed"), Some(false)));

    let (_, switched) = call(c.patch(&one).json(&json!({ "enabled": false })), &rw).await;
    assert_eq!(switched["enabled"], false);
    assert_eq!(call(c.delete(&one), &rw).await.0, 204);
    assert_eq!(call(c.delete(&one), &rw).await.0, 404);
    let actions: Vec<String> =
        app.running.ctx.store.recent_audit(20).await.expect("audit").into_iter().map(|e| e.action).collect();
    for action in
        ["notification_destination_added", "notification_destination_changed", "notification_destination_removed"]
    {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn read_only_keys_cannot_change_or_send_anything() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, ro) = keys(&app).await;
    let (receiver, url) = Receiver::start(&[]).await;
    let c = &app.client;
    let (_, created) = call(c.post(app.url(DESTINATIONS)).json(&webhook(&url)), &rw).await;
    let id = created["id"].as_i64().expect("id");
    let base = format!("{DESTINATIONS}/{id}");
    let attempts = [
        c.post(app.url(DESTINATIONS)).json(&webhook(&url)),
        c.put(app.url(&base)).json(&webhook(&url)),
        c.patch(app.url(&base)).json(&json!({ "enabled": false })),
        c.delete(app.url(&base)),
        c.post(app.url(&format!("{base}/test"))),
        c.post(app.url("/api/v1/notifications/outbox/1/retry")),
        c.delete(app.url("/api/v1/notifications/outbox/1")),
    ];
    for req in attempts {
        assert_eq!(call(req, &ro).await.0, 403);
    }
    assert!(receiver.seen().is_empty(), "nothing was sent");
    let all = sightline_backend::notify::admin::list(&app.running.ctx).await.expect("lists");
    assert_eq!((all.readable.len(), all.readable[0].destination.enabled), (1, true));
}

#[tokio::test]
async fn refused_fields_are_named_and_nothing_is_saved() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, _) = keys(&app).await;
    let cases = [
        ("kind", json!({ "kind": "pager" })),
        ("name", json!({ "name": "" })),
        ("events", json!({ "events": [] })),
        ("url", json!({ "allow_private": false })),
        ("url", json!({ "config": { "url": "http://169.254.169.254/latest", "secret": SECRET } })),
        ("secret", json!({ "config": { "url": "http://127.0.0.1:9/hook", "secret": "short" } })),
        ("rate_per_minute", json!({ "rate_per_minute": 100000 })),
        ("body_template", json!({ "body_template": "{{password}}" })),
    ];
    for (field, change) in cases {
        let mut body = webhook("http://127.0.0.1:9/hook");
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, err) = call(app.client.post(app.url(DESTINATIONS)).json(&body), &rw).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(err["field"], field, "{body}: {err}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "{err}");
    }
    let mut unknown = webhook("http://127.0.0.1:9/hook");
    unknown["admin"] = json!(true);
    let (status, _) = call(app.client.post(app.url(DESTINATIONS)).json(&unknown), &rw).await;
    assert_eq!(status, 400, "unknown fields are refused");
    assert_eq!(call(app.client.get(app.url(DESTINATIONS)), &rw).await.1, json!([]));
}

async fn outbox(app: &TestApp, key: &str, state: &str) -> Value {
    call(app.client.get(app.url(&format!("/api/v1/notifications/outbox?state={state}"))), key).await.1
}

#[tokio::test]
async fn a_refused_notification_is_dead_lettered_then_retried_and_delivered() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, ro) = keys(&app).await;
    let (receiver, url) = Receiver::start(&[410]).await;
    assert_eq!(call(app.client.post(app.url(DESTINATIONS)).json(&webhook(&url)), &rw).await.0, 201);
    let notice = Notice::new(EventKind::ServerDown, sightline_backend::clock::now(), "server:1:down:test")
        .with(Var::Server, "Den")
        .with(Var::Summary, "Sightline cannot read it");
    assert_eq!(enqueue(&app.running.ctx, &notice).await.expect("queues"), 1);

    // The running worker delivers at once; the receiver refuses for good, so the row is dead.
    let deadline = Instant::now() + Duration::from_secs(20);
    let dead = loop {
        let dead = outbox(&app, &ro, "dead").await;
        if dead["counts"]["dead"] == 1 {
            break dead;
        }
        assert!(Instant::now() < deadline, "no dead letter: {dead}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let row = &dead["rows"][0];
    assert_eq!((row["event"].as_str(), row["attempts"].as_u64()), (Some("server_down"), Some(1)));
    assert!(row["last_error"].as_str().is_some_and(|e| e.contains("410")), "{row}");
    let id = row["id"].as_i64().expect("id");

    let row_url = app.url(&format!("/api/v1/notifications/outbox/{id}"));
    assert_eq!(call(app.client.post(format!("{row_url}/retry")), &rw).await.0, 204);
    let deadline = Instant::now() + Duration::from_secs(20);
    while outbox(&app, &ro, "delivered").await["counts"]["delivered"] != 1 {
        assert!(Instant::now() < deadline, "the retried notification was not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let statuses: Vec<u16> = receiver.seen().iter().map(|s| s.0).collect();
    assert_eq!(statuses, [410, 204]);
    assert_eq!(receiver.seen()[1].2["vars"]["summary"], "Sightline cannot read it");
    assert_eq!(call(app.client.delete(&row_url), &rw).await.0, 204);
    assert_eq!(call(app.client.post(format!("{row_url}/retry")), &rw).await.0, 404);
    let bad = call(app.client.get(app.url("/api/v1/notifications/outbox?state=lost")), &ro).await;
    assert_eq!(bad.0, 400);
}
