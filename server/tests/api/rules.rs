//! `/api/v1/rules` over real HTTP: listing the defaults, creating, replacing, switching, deleting,
//! exporting and importing rules (field errors, read-only keys refused, audited), and snoozing a rule
//! for one account.

use crate::helpers::TestApp;
use reqwest::Response;
use serde_json::{Value, json};
use sightline_backend::store::AccountInfo;

pub struct Fixture {
    pub app: TestApp,
    pub rw: String,
    pub ro: String,
    /// The owner's session cookie.
    pub cookie: String,
    pub server: i64,
}

/// An app with an owner, two API keys (read-write, read-only) and a switched-off Jellyfin server
/// (so nothing connects) whose accounts `alice` and `bob` are known.
pub async fn fixture() -> Fixture {
    let (app, cookie) = TestApp::with_owner().await;
    let now = sightline_backend::clock::now();
    let (_, rw) = app.running.ctx.auth.create_api_key("admin", false, now).await.expect("key");
    let (_, ro) = app.running.ctx.auth.create_api_key("viewer", true, now).await.expect("key");
    let body =
        json!({ "kind": "jellyfin", "name": "Den", "url": "http://127.0.0.1:9/", "token": "t0ken", "enabled": false });
    let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&rw).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    let server = res.json::<Value>().await.expect("json")["id"].as_i64().expect("id");
    let accounts: Vec<AccountInfo> = ["alice", "bob"]
        .into_iter()
        .map(|u| AccountInfo {
            external_id: u.to_owned(),
            name: u.to_owned(),
            thumb: None,
            is_admin: false,
            is_disabled: false,
        })
        .collect();
    let id = sightline_domain::ServerId(server);
    app.running.ctx.store.sync_accounts(id, &accounts, now).await.expect("syncs");
    Fixture { app, rw, ro, cookie, server }
}

impl Fixture {
    pub async fn send(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.app.client.request(method, self.app.url(path)).bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    pub async fn json(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let res = self.send(method, path, &self.rw, body).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        let audit = self.app.running.ctx.store.recent_audit(100).await.expect("audit");
        audit.into_iter().map(|e| e.action).collect()
    }
}

fn streams_rule(name: &str, max_streams: u32) -> Value {
    json!({
        "name": name,
        "kind": { "type": "concurrent_streams", "max_streams": max_streams, "group_by_network": true, "count_paused": false },
        "severity": "medium",
        "enabled": true,
    })
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|r| r["id"].as_str().expect("an id").to_owned()).collect()
}

#[tokio::test]
async fn rules_are_listed_created_replaced_switched_and_deleted_with_field_errors() {
    let f = fixture().await;
    let (status, defaults) = f.json("GET", "/api/v1/rules", None).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&defaults).len(), 11);
    assert_eq!(ids(&defaults)[0], "default-impossible-travel");

    let (status, created) = f.json("POST", "/api/v1/rules", Some(streams_rule("Family plan", 4))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], "rule-family-plan-1");
    let (_, list) = f.json("GET", "/api/v1/rules", None).await;
    assert_eq!(ids(&list).last().map(String::as_str), Some("rule-family-plan-1"), "new rules go last");

    let (status, err) = f.json("POST", "/api/v1/rules", Some(streams_rule("Zero", 0))).await;
    assert_eq!(status, 422);
    assert_eq!((err["field"].as_str(), err["code"].as_str()), (Some("max_streams"), Some("too_small")));
    assert_eq!(err["message"], "must be at least 1");
    let (status, err) = f.json("POST", "/api/v1/rules", Some(streams_rule("  ", 2))).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("name")));
    let (status, err) = f.json("POST", "/api/v1/rules", Some(json!({ "name": "No kind", "enabled": true }))).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("bad_json")), "{err}");

    let mut renamed = streams_rule("Family of five", 5);
    renamed["id"] = json!("ignored: the path names the rule");
    let (status, replaced) = f.json("PUT", "/api/v1/rules/rule-family-plan-1", Some(renamed.clone())).await;
    assert_eq!((status, replaced["name"].as_str()), (200, Some("Family of five")), "{replaced}");
    assert_eq!(replaced["kind"]["max_streams"], 5);
    let (status, _) = f.json("PUT", "/api/v1/rules/rule-nope", Some(renamed)).await;
    assert_eq!(status, 404);

    let (status, off) = f.json("PATCH", "/api/v1/rules/default-new-device", Some(json!({ "enabled": false }))).await;
    assert_eq!((status, off["enabled"].as_bool()), (200, Some(false)));
    let stored = f.app.running.ctx.store.rules().await.expect("rules");
    assert!(!stored.iter().find(|r| r.id.0 == "default-new-device").expect("kept").enabled);

    let res = f.send("DELETE", "/api/v1/rules/rule-family-plan-1", &f.ro, None).await;
    assert_eq!(res.status(), 403, "read-only keys cannot change rules");
    let res = f.send("DELETE", "/api/v1/rules/rule-family-plan-1", &f.rw, None).await;
    assert_eq!(res.status(), 204);
    let res = f.send("DELETE", "/api/v1/rules/rule-family-plan-1", &f.rw, None).await;
    assert_eq!(res.status(), 404);
    let res = f.app.client.get(f.app.url("/api/v1/rules")).send().await.expect("req");
    assert_eq!(res.status(), 401, "no credentials");

    let actions = f.audit_actions().await;
    for action in ["rule_created", "rule_changed", "rule_disabled", "rule_deleted"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

#[tokio::test]
async fn an_export_imports_back_and_a_bad_file_changes_nothing() {
    let f = fixture().await;
    let res = f.send("GET", "/api/v1/rules/export", &f.ro, None).await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(disposition.contains("sightline-rules.json"), "{disposition}");
    let mut file: Value = res.json().await.expect("json");
    assert_eq!(file["version"], 1);

    let rules = file["rules"].as_array_mut().expect("rules");
    rules.truncate(3);
    rules.reverse();
    let import =
        |body: String| f.app.client.post(f.app.url("/api/v1/rules/import")).bearer_auth(&f.rw).body(body).send();
    let res = import(file.to_string()).await.expect("req");
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.expect("json"), json!({ "imported": 3 }));
    let (_, list) = f.json("GET", "/api/v1/rules", None).await;
    assert_eq!(ids(&list), ["default-device-velocity", "default-simultaneous-locations", "default-impossible-travel"]);

    let mut broken = file["rules"].clone();
    broken[1]["kind"]["min_distance_km"] = json!(-5);
    let res = import(broken.to_string()).await.expect("req");
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"], "bad_file");
    assert!(err["message"].as_str().is_some_and(|m| m.starts_with("rule 2") && m.contains("min_distance_km")), "{err}");
    let res = import("{\"version\": 1, \"rules\": [".to_owned()).await.expect("req");
    assert_eq!(res.status(), 400);
    let (_, unchanged) = f.json("GET", "/api/v1/rules", None).await;
    assert_eq!(unchanged, list, "a refused import changes nothing");
    assert!(f.audit_actions().await.iter().any(|a| a == "rules_imported"));
}

#[tokio::test]
async fn a_rule_is_snoozed_for_one_account_listed_and_lifted() {
    let f = fixture().await;
    let path = format!("/api/v1/rules/default-concurrent-streams/snoozes/{}/alice", f.server);
    let (status, snoozed) = f.json("POST", &path, Some(json!({ "hours": 2 }))).await;
    assert_eq!(status, 201, "{snoozed}");
    assert_eq!((snoozed["user_id"].as_str(), snoozed["server_id"].as_i64()), (Some("alice"), Some(f.server)));

    let (status, list) = f.json("GET", "/api/v1/snoozes", None).await;
    assert_eq!(status, 200);
    let list = list.as_array().expect("a list").clone();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0]["rule_id"].as_str(), list[0]["actor"].as_str()),
        (Some("default-concurrent-streams"), Some("api-key:admin"))
    );

    let (status, err) = f.json("POST", &path, Some(json!({ "until": "2001-01-01T00:00:00Z" }))).await;
    assert_eq!(
        (status, err["field"].as_str(), err["message"].as_str()),
        (422, Some("until"), Some("must be in the future"))
    );
    let (status, err) = f.json("POST", &path, Some(json!({ "until": "next tuesday" }))).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("until")));
    let (status, _) = f.json("POST", &path, Some(json!({}))).await;
    assert_eq!(status, 400);
    let nobody = format!("/api/v1/rules/default-concurrent-streams/snoozes/{}/nobody", f.server);
    assert_eq!(f.json("POST", &nobody, Some(json!({ "hours": 1 }))).await.0, 404);
    let no_rule = format!("/api/v1/rules/rule-nope/snoozes/{}/alice", f.server);
    assert_eq!(f.json("POST", &no_rule, Some(json!({ "hours": 1 }))).await.0, 404);

    assert_eq!(f.send("DELETE", &path, &f.rw, None).await.status(), 204);
    assert_eq!(f.send("DELETE", &path, &f.rw, None).await.status(), 404);
    let (_, list) = f.json("GET", "/api/v1/snoozes", None).await;
    assert_eq!(list, json!([]));
    let actions = f.audit_actions().await;
    assert!(actions.iter().any(|a| a == "rule_snoozed") && actions.iter().any(|a| a == "rule_unsnoozed"));
}
