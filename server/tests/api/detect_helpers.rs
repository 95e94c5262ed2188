//! Shared setup of the detection tests: a Sightline with MaxMind's City and ASN test databases that
//! polls every second, an API key, a one-account scenario and its simulator, adding a simulated
//! server, carol's streams from London and Linköping, waiting for a condition and reading incidents
//! back.

use crate::helpers::TestApp;
use serde_json::{Value, json};
use sightline_simulator::{
    DeviceRef, Scenario, ServerHandle, ServerKind, SimHandle, SimOptions, Simulator, StreamSpec,
};
use std::time::Duration;

/// An address MaxMind's test City database places in London.
pub const LONDON: &str = "81.2.69.142";
/// An address MaxMind's test City database places in Linköping.
pub const LINKOPING: &str = "89.160.20.112";

/// One account (`carol`) and one two-hour film on one server of `kind` named `name`.
#[must_use]
pub fn one_account_scenario(kind: &str, name: &str) -> String {
    format!(
        "[[server]]\nname = \"{name}\"\nkind = \"{kind}\"\n[[user]]\nname = \"carol\"\n\
         [[media]]\nid = \"film\"\nkind = \"movie\"\ntitle = \"Shared Film\"\nduration = \"2h\"\n"
    )
}

/// A simulator, driven by control calls only, running [`one_account_scenario`] on one server.
pub async fn one_account_sim(kind: ServerKind, name: &str) -> SimHandle {
    let scenario = Scenario::from_toml_str(&one_account_scenario(kind.as_str(), name)).expect("parses");
    Simulator::start(scenario, SimOptions::manual()).await.expect("simulator starts")
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

/// Polls `check` every 100 ms for up to `secs` seconds; whether it came true.
pub async fn wait_for(secs: u64, mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..secs * 10 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check().await
}

/// Carol watching the film on the preset `device` from `ip`.
#[must_use]
pub fn carol(ip: &str, device: &str) -> StreamSpec {
    let mut spec = StreamSpec::new("carol", "film");
    spec.ip = ip.parse().expect("ip");
    spec.device = DeviceRef::Preset(device.into());
    spec
}

/// Carol starts the film in London on an Apple TV and, once Sightline sees it (or after 10 s),
/// in Linköping on an iPhone: one account in two places at once.
pub async fn london_then_linkoping(app: &TestApp, server: &ServerHandle) {
    server.start_stream(&carol(LONDON, "apple_tv")).expect("starts");
    wait_for(10, async || !app.running.ctx.ingest.board.now_playing().is_empty()).await;
    server.start_stream(&carol(LINKOPING, "iphone")).expect("starts");
}
