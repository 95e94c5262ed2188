//! Ingestion end to end over real HTTP on loopback: simulated Plex, Jellyfin and Emby servers
//! (the simulator crate, not mocks) are added through the API, streams started on them appear in
//! `/api/v1/sessions/active`, stop when they stop, and are recorded once; a revoked token shows
//! as "auth failed" without ending the streams.

use crate::helpers::TestApp;
use serde_json::{Value, json};
use sightline_simulator::{Fault, Scenario, ServerKind, SimHandle, SimOptions, Simulator, StreamSpec};
use std::time::Duration;

const SCENARIO: &str = r#"
loop = false
[[server]]
name = "Plex"
kind = "plex"
[[server]]
name = "Jelly"
kind = "jellyfin"
[[server]]
name = "Emby"
kind = "emby"
[[user]]
name = "alice"
[[user]]
name = "bob"
[[user]]
name = "dave"
[[media]]
id = "film"
kind = "movie"
title = "Test <Film> & Co"
year = 2021
duration = "2h"
resolution = "1080p"
"#;

async fn key(app: &TestApp) -> String {
    let ctx = &app.running.ctx;
    let now = sightline_backend::clock::now();
    ctx.auth.create_api_key("ingest-test", false, now).await.expect("creates a key").1
}

async fn active(app: &TestApp, key: &str) -> Value {
    let res = app.client.get(app.url("/api/v1/sessions/active")).bearer_auth(key).send().await.expect("req");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

/// Polls until `check` holds (up to 15 s), returning the last answer.
async fn wait_for(app: &TestApp, key: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..150 {
        let v = active(app, key).await;
        if check(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}: {:#}", active(app, key).await);
}

/// A manual simulator and a Sightline that polls every second, with a full-access key.
async fn start() -> (SimHandle, TestApp, String) {
    let scenario = Scenario::from_toml_str(SCENARIO).expect("scenario parses");
    let sim = Simulator::start(scenario, SimOptions::manual()).await.expect("simulator starts");
    let plex_tv = format!("{}/", sim.plextv_url());
    let app = TestApp::spawn_with(|c| {
        // MaxMind's test City database: 81.2.69.160 is London.
        let geoip = c.data_dir.join("geoip");
        std::fs::create_dir_all(&geoip).expect("geoip dir");
        let city = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/geoip/GeoIP2-City-Test.mmdb");
        std::fs::copy(city, geoip.join("GeoIP2-City-Test.mmdb")).expect("copies the test database");
        c.plex_tv_url = plex_tv;
        c.poll_active_secs = 1;
        c.poll_idle_secs = 1;
        c.reconcile_secs = 5;
    })
    .await;
    let key = key(&app).await;
    (sim, app, key)
}

fn sessions_on(v: &Value, server: &str) -> Vec<Value> {
    v["sessions"].as_array().into_iter().flatten().filter(|s| s["server"]["name"] == server).cloned().collect()
}

#[tokio::test]
async fn streams_on_all_three_kinds_appear_stop_and_are_recorded_once() {
    let (sim, app, key) = start().await;
    for s in sim.servers() {
        let body = json!({ "kind": s.kind().as_str(), "name": s.name(), "url": s.base_url(), "token": s.token() });
        let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&key).json(&body).send().await.expect("req");
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    }
    let mut refs = Vec::new();
    for s in sim.servers() {
        let mut spec = StreamSpec::new("alice", "film");
        spec.ip = "81.2.69.160".parse().expect("ip");
        spec.position = Duration::from_secs(600);
        refs.push((s.clone(), s.start_stream(&spec).expect("stream starts")));
    }
    let v = wait_for(&app, &key, "a stream on each server", |v| {
        ["Plex", "Jelly", "Emby"].iter().all(|name| sessions_on(v, name).len() == 1)
    })
    .await;
    for name in ["Plex", "Jelly", "Emby"] {
        let s = &sessions_on(&v, name)[0];
        assert_eq!(s["session"]["media"]["title"], "Test <Film> & Co", "{name}");
        assert_eq!(s["session"]["user"]["name"], "alice", "{name}");
        assert_eq!(s["session"]["client_ip"], "81.2.69.160", "{name}");
        assert_eq!(s["geo"]["class"], "public", "{name}");
        assert_eq!(s["geo"]["country_code"], "GB", "{name}");
        assert_eq!(s["geo"]["location"]["city"], "London", "{name}");
        assert_eq!(s["geo"]["location"]["accuracy_km"], 100.0, "{name}");
        assert_eq!(s["session"]["state"], "playing", "{name}");
        assert!(s["session"]["position_ms"].as_u64().is_some_and(|p| p >= 600_000), "{name}: {s}");
    }
    // Posters come through the authenticated proxy, only for reported paths.
    for name in ["Plex", "Jelly", "Emby"] {
        let poster = sessions_on(&v, name)[0]["poster_url"].as_str().expect("a poster url").to_owned();
        let res = app.client.get(app.url(&poster)).bearer_auth(&key).send().await.expect("req");
        assert_eq!(res.status(), 200, "{name} {poster}");
        assert_eq!(res.headers()["content-type"], "image/png");
        let anonymous = app.client.get(app.url(&poster)).send().await.expect("req");
        assert_ne!(anonymous.status(), 200, "the proxy needs a session or key");
    }
    let sneaky = app.url("/img/1?path=/status/sessions");
    assert_eq!(app.client.get(sneaky).bearer_auth(&key).send().await.expect("req").status(), 400);
    // Each server's accounts are synced (the scenario's users), plus none invented.
    let store = &app.running.ctx.store;
    for server in store.list_servers().await.expect("servers") {
        let mut names = Vec::new();
        for _ in 0..50 {
            names = store.accounts(server.id).await.expect("accounts").into_iter().map(|a| a.name).collect();
            if names.len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(names.contains(&"alice".to_owned()) && names.contains(&"bob".to_owned()), "{}: {names:?}", server.name);
    }
    let health = wait_for(&app, &key, "all servers up", |v| {
        v["servers"].as_array().is_some_and(|a| a.len() == 3 && a.iter().all(|h| h["status"] == "up"))
    })
    .await;
    assert_eq!(health["today"]["plays"], 3, "one play per stream, whichever source saw it first");

    // Pause on Plex shows as paused; a stop anywhere removes the stream.
    let (plex, plex_ref) = refs.iter().find(|(s, _)| s.kind() == ServerKind::Plex).expect("plex");
    plex.pause(plex_ref).expect("pauses");
    wait_for(&app, &key, "the plex stream paused", |v| {
        sessions_on(v, "Plex").first().is_some_and(|s| s["session"]["state"] == "paused")
    })
    .await;
    for (server, session) in &refs {
        server.stop(session).expect("stops");
    }
    let v = wait_for(&app, &key, "every stream stopped", |v| v["sessions"].as_array().is_some_and(Vec::is_empty)).await;
    assert_eq!(v["today"]["plays"], 3, "each stream is one play, however often it was seen");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_token_revoked_mid_stream_shows_auth_failed_and_keeps_the_stream_open() {
    let (sim, app, key) = start().await;
    let jelly = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let body = json!({ "kind": "jellyfin", "name": "Jelly", "url": jelly.base_url(), "token": jelly.token() });
    let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&key).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    let session = jelly.start_stream(&StreamSpec::new("bob", "film")).expect("starts");
    let first = wait_for(&app, &key, "the stream", |v| sessions_on(v, "Jelly").len() == 1).await;
    let play = sessions_on(&first, "Jelly")[0]["play"].clone();

    jelly.revoke_token();
    let v = wait_for(&app, &key, "auth failed", |v| {
        v["servers"].as_array().is_some_and(|a| a.iter().any(|h| h["status"] == "auth_failed"))
    })
    .await;
    assert_eq!(sessions_on(&v, "Jelly").len(), 1, "an unreachable server never ends a stream early");
    let health = v["servers"].as_array().and_then(|a| a.first()).cloned().unwrap_or_default();
    assert_eq!(health["code"], "bad_token");

    jelly.restore_token();
    let v = wait_for(&app, &key, "back up", |v| {
        v["servers"].as_array().is_some_and(|a| a.iter().all(|h| h["status"] == "up"))
    })
    .await;
    assert_eq!(sessions_on(&v, "Jelly")[0]["play"], play, "the same play continues");
    assert_eq!(v["today"]["plays"], 1);
    jelly.stop(&session).expect("stops");
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

#[tokio::test]
async fn a_server_answering_html_mid_stream_is_down_and_the_same_play_continues_after() {
    let (sim, app, key) = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let body = json!({ "kind": "plex", "name": "Plex", "url": plex.base_url(), "token": plex.token() });
    let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&key).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    let session = plex.start_stream(&StreamSpec::new("alice", "film")).expect("starts");
    let first = wait_for(&app, &key, "the stream", |v| sessions_on(v, "Plex").len() == 1).await;
    let play = sessions_on(&first, "Plex")[0]["play"].clone();

    for (fault, code) in [
        (Fault::Html, "unexpected_content_type"),
        (Fault::Huge, "too_large"),
        (Fault::Status(500), "http_error"),
        (Fault::Truncated, ""),
    ] {
        plex.set_fault(Some(fault.clone()));
        let v = wait_for(&app, &key, &format!("down after {fault:?}"), |v| {
            v["servers"].as_array().is_some_and(|a| a.iter().any(|h| h["status"] == "down"))
        })
        .await;
        if !code.is_empty() {
            assert_eq!(v["servers"][0]["code"], code, "{fault:?}");
        }
        assert_eq!(sessions_on(&v, "Plex").len(), 1, "{fault:?} never ends a stream");
        plex.set_fault(None);
        let v = wait_for(&app, &key, "back up", |v| {
            v["servers"].as_array().is_some_and(|a| a.iter().all(|h| h["status"] == "up"))
        })
        .await;
        assert_eq!(sessions_on(&v, "Plex")[0]["play"], play, "after {fault:?} the same play continues");
    }
    plex.stop(&session).expect("stops");
    let v = wait_for(&app, &key, "the stop", |v| sessions_on(v, "Plex").is_empty()).await;
    assert_eq!(v["today"]["plays"], 1);
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}

/// `kill -9` of the real binary mid-stream: the restarted process continues the same play row.
#[tokio::test]
async fn after_kill_9_a_restart_continues_the_same_play_without_duplicates() {
    let scenario = Scenario::from_toml_str(SCENARIO).expect("scenario parses");
    let sim = Simulator::start(scenario, SimOptions::manual()).await.expect("simulator starts");
    let emby = sim.first(ServerKind::Emby).expect("emby");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("site/pkg")).expect("site dir");
    std::fs::write(dir.path().join("site/pkg/sightline.wasm"), b"").expect("wasm stand-in");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sightline"))
        .args(["api-key", "create", "--name", "restart"])
        .env("SIGHTLINE_DATA_DIR", dir.path())
        .output()
        .expect("runs");
    let key = String::from_utf8_lossy(&out.stdout).lines().find(|l| l.starts_with("sl_")).expect("key").to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sightline"))
            .env("SIGHTLINE_DATA_DIR", dir.path())
            .env("SIGHTLINE_SITE_ROOT", dir.path().join("site"))
            .env("SIGHTLINE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SIGHTLINE_LOG", "warn")
            .env("SIGHTLINE_POLL_IDLE_SECS", "1")
            .env("SIGHTLINE_POLL_ACTIVE_SECS", "1")
            .spawn()
            .expect("spawns")
    };
    let client = reqwest::Client::new();
    let active = |client: reqwest::Client, base: String, key: String| async move {
        for _ in 0..150 {
            if let Ok(res) = client.get(format!("{base}/api/v1/sessions/active")).bearer_auth(&key).send().await
                && let Ok(v) = res.json::<Value>().await
                && v["sessions"].as_array().is_some_and(|a| a.len() == 1)
            {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no active stream");
    };

    let mut first = spawn();
    let body = json!({ "kind": "emby", "name": "Emby", "url": emby.base_url(), "token": emby.token() });
    let mut added = false;
    for _ in 0..100 {
        let sent = client.post(format!("{base}/api/v1/servers")).bearer_auth(&key).json(&body).send().await;
        if sent.is_ok_and(|r| r.status() == 201) {
            added = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(added, "the server was added");
    let session = emby.start_stream(&StreamSpec::new("bob", "film")).expect("starts");
    let before = active(client.clone(), base.clone(), key.clone()).await;
    first.kill().expect("kill -9");
    let _ = first.wait();

    let mut second = spawn();
    let after = active(client.clone(), base.clone(), key.clone()).await;
    assert_eq!(after["sessions"][0]["play"], before["sessions"][0]["play"], "the same play continues");
    assert_eq!(after["sessions"][0]["started_at"], before["sessions"][0]["started_at"]);
    assert_eq!(after["today"]["plays"], 1, "no duplicate row");
    emby.stop(&session).expect("stops");
    second.kill().expect("stops");
    let _ = second.wait();
    sim.shutdown().await;
}

#[tokio::test]
async fn several_accounts_behind_one_private_address_raise_a_warning() {
    let (sim, app, key) = start().await;
    let jelly = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let body = json!({ "kind": "jellyfin", "name": "Jelly", "url": jelly.base_url(), "token": jelly.token() });
    let res = app.client.post(app.url("/api/v1/servers")).bearer_auth(&key).json(&body).send().await.expect("req");
    assert_eq!(res.status(), 201);
    for user in ["alice", "bob", "dave"] {
        let mut spec = StreamSpec::new(user, "film");
        spec.ip = "172.18.0.1".parse().expect("ip");
        jelly.start_stream(&spec).expect("starts");
    }
    let v = wait_for(&app, &key, "three streams", |v| sessions_on(v, "Jelly").len() == 3).await;
    let warnings = v["warnings"].as_array().cloned().unwrap_or_default();
    assert_eq!(warnings.len(), 1, "{v:#}");
    assert!(warnings[0].as_str().is_some_and(|w| w.contains("172.18.0.1") && w.contains("Jelly")));
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
