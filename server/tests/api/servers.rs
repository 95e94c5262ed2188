//! `/api/v1/servers`: adding, listing, changing, testing and removing media servers, against a
//! small Jellyfin stand-in on loopback that checks the token header.

use crate::helpers::TestApp;
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde_json::{Value, json};

/// A Jellyfin stand-in: `/System/Info` answers only to `Token="good-token"`.
async fn fake_jellyfin() -> String {
    async fn info(headers: HeaderMap) -> Result<Json<Value>, StatusCode> {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if auth.contains("Token=\"good-token\"") {
            Ok(Json(json!({ "ServerName": "Den", "Version": "10.11.0", "Id": "f00d" })))
        } else {
            Err(StatusCode::UNAUTHORIZED)
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/System/Info", get(info));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

async fn test_connection(app: &TestApp, key: &str, id: i64) -> Value {
    let url = app.url(&format!("/api/v1/servers/{id}/test"));
    app.client.post(url).bearer_auth(key).send().await.expect("req").json().await.expect("json")
}

async fn keys(app: &TestApp) -> (String, String) {
    let now = sightline_backend::clock::now();
    let (_, rw) = app.running.ctx.auth.create_api_key("admin", false, now).await.expect("key");
    let (_, ro) = app.running.ctx.auth.create_api_key("viewer", true, now).await.expect("key");
    (rw, ro)
}

#[tokio::test]
async fn a_server_is_added_tested_changed_and_removed_with_an_api_key() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, ro) = keys(&app).await;
    let url = fake_jellyfin().await;
    let c = &app.client;
    let body = json!({ "kind": "jellyfin", "name": "Den", "url": url, "token": "good-token" });
    let res = c.post(app.url("/api/v1/servers")).bearer_auth(&rw).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let id = created["id"].as_i64().expect("id");
    assert_eq!((created["kind"].as_str(), created["color"].as_str()), (Some("jellyfin"), Some("#38bdf8")));
    assert!(created.get("token").is_none(), "tokens are never returned");

    let list: Value =
        c.get(app.url("/api/v1/servers")).bearer_auth(&ro).send().await.expect("req").json().await.expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "read-only keys can list");
    assert!(!list.to_string().contains("good-token"));

    let test = test_connection(&app, &rw, id).await;
    assert_eq!(test, json!({ "ok": true, "name": "Den", "version": "10.11.0", "machine_id": "f00d" }));

    let res = c
        .patch(app.url(&format!("/api/v1/servers/{id}")))
        .bearer_auth(&rw)
        .json(&json!({ "name": "Basement", "token": "revoked-token", "color": "#FF8800" }))
        .send()
        .await
        .expect("req");
    let changed: Value = res.json().await.expect("json");
    assert_eq!((changed["name"].as_str(), changed["color"].as_str()), (Some("Basement"), Some("#ff8800")));
    let test = test_connection(&app, &rw, id).await;
    assert_eq!((test["ok"].as_bool(), test["error"].as_str()), (Some(false), Some("bad_token")));

    let res = c.delete(app.url(&format!("/api/v1/servers/{id}"))).bearer_auth(&ro).send().await.expect("req");
    assert_eq!(res.status(), 403, "read-only keys cannot remove");
    let res = c.delete(app.url(&format!("/api/v1/servers/{id}"))).bearer_auth(&rw).send().await.expect("req");
    assert_eq!(res.status(), 204);
    let res = c.delete(app.url(&format!("/api/v1/servers/{id}"))).bearer_auth(&rw).send().await.expect("req");
    assert_eq!(res.status(), 404);
    let actions: Vec<String> =
        app.running.ctx.store.recent_audit(10).await.expect("audit").into_iter().map(|e| e.action).collect();
    for action in ["server_added", "server_changed", "server_removed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn bad_submissions_are_refused_field_by_field_and_nothing_is_saved() {
    let (app, _) = TestApp::with_owner().await;
    let (rw, _) = keys(&app).await;
    let base = json!({ "kind": "plex", "name": "Main", "url": "http://192.168.1.5:32400", "token": "t" });
    let cases = [
        ("kind", json!({ "kind": "kodi" })),
        ("url", json!({ "url": "http://169.254.169.254/latest/meta-data" })),
        ("url", json!({ "url": "http://user:pw@nas:32400" })),
        ("url", json!({ "url": "file:///etc/passwd" })),
        ("name", json!({ "name": "  " })),
        ("color", json!({ "color": "red" })),
        ("token", json!({ "token": "" })),
    ];
    for (field, change) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&rw).json(&body).send().await.expect("req");
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["field"], field, "{body}: {err}");
    }
    let res = app
        .client
        .post(app.url("/api/v1/servers"))
        .bearer_auth(&rw)
        .json(&json!({ "kind": "plex", "name": "Main", "url": "http://nas:32400", "token": "t", "admin": true }))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 400, "unknown fields are refused");
    assert!(app.running.ctx.store.list_servers().await.expect("lists").is_empty());

    for _ in 0..2 {
        let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&rw).json(&base).send().await.expect("req");
        if res.status() != 201 {
            assert_eq!(res.status(), 409, "a second server with the same name is a conflict");
        }
    }
    let res = app.client.get(app.url("/api/v1/servers")).send().await.expect("req");
    assert_eq!(res.status(), 401, "no credentials, no list");
}
