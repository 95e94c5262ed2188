//! Shared setup of the detection tests: a Sightline with MaxMind's City and ASN test databases that
//! polls every second, an API key, a one-account scenario, adding a simulated server and reading
//! incidents back.

use crate::helpers::TestApp;
use serde_json::{Value, json};

/// One account (`carol`) and one two-hour film on one server of `kind` named `name`.
#[must_use]
pub fn one_account_scenario(kind: &str, name: &str) -> String {
    format!(
        "[[server]]\nname = \"{name}\"\nkind = \"{kind}\"\n[[user]]\nname = \"carol\"\n\
         [[media]]\nid = \"film\"\nkind = \"movie\"\ntitle = \"Shared Film\"\nduration = \"2h\"\n"
    )
}

/// A Sightline with the City and ASN test databases, polling every second, and a read-write API key.
pub async fn app_with_geoip() -> (TestApp, String) {
    let app = TestApp::spawn_with(|c| {
        let geoip = c.data_dir.join("geoip");
        std::fs::create_dir_all(&geoip).expect("geoip dir");
        for name in ["GeoIP2-City-Test.mmdb", "GeoLite2-ASN-Test.mmdb"] {
            let from = format!("{}/../../shared/geoip/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::copy(from, geoip.join(name)).expect("copies a test database");
        }
        c.poll_active_secs = 1;
        c.poll_idle_secs = 1;
    })
    .await;
    let key =
        app.running.ctx.auth.create_api_key("detect", false, sightline_backend::clock::now()).await.expect("key").1;
    (app, key)
}

/// Adds a media server through the API; returns its id.
pub async fn add_server(app: &TestApp, key: &str, kind: &str, name: &str, url: &str, token: &str) -> i64 {
    let body = json!({ "kind": kind, "name": name, "url": url, "token": token });
    let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(key).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.expect("json")["id"].as_i64().expect("id")
}

/// `GET /api/v1/incidents`.
pub async fn incidents(app: &TestApp, key: &str) -> Vec<Value> {
    let res = app.client.get(app.url("/api/v1/incidents")).bearer_auth(key).send().await.expect("req");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}
