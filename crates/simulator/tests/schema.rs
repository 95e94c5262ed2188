//! "Never invent a field": every key the fake servers send must exist in the real servers'
//! published schemas (Jellyfin and Emby OpenAPI subsets) or in real Plex payloads (the
//! fixtures under `shared/fixtures/plex`, plus a few attributes the Plex OpenAPI spec names).

mod support;

use serde_json::Value;
use sightline_simulator::{ServerHandle, ServerKind, StreamSpec};
use std::collections::{BTreeMap, BTreeSet};
use support::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/");

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{path}")).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn schema_ref(prop: &Value) -> Option<&str> {
    [&prop["$ref"], &prop["allOf"][0]["$ref"], &prop["items"]["$ref"], &prop["items"]["allOf"][0]["$ref"]]
        .into_iter()
        .find_map(Value::as_str)?
        .strip_prefix("#/components/schemas/")
}

/// Fails on any key `schema` does not define and any string outside an enum it refers to.
fn assert_follows(schemas: &Value, schema: &str, value: &Value, path: &str) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| assert_follows(schemas, schema, v, path)),
        Value::Object(map) => {
            for (key, v) in map {
                let prop = &schemas[schema]["properties"][key];
                assert!(!prop.is_null(), "{path}.{key} is not a field of {schema}");
                if let Some(target) = schema_ref(prop) {
                    assert_follows(schemas, target, v, &format!("{path}.{key}"));
                }
            }
        }
        Value::String(s) => {
            if let Some(values) = schemas[schema]["enum"].as_array() {
                assert!(values.iter().any(|e| e == s), "{path}: {s:?} is not a value of {schema}");
            }
        }
        _ => {}
    }
}

async fn json(server: &ServerHandle, path: &str) -> Value {
    get_authed(server, path, &[("Accept", "application/json")]).await.json().await.expect("json")
}

fn busy(server: &ServerHandle) {
    server.start_stream(&bob_transcoding()).expect("transcode");
    server.start_stream(&alice_paused_track()).expect("track");
    server.start_stream(&StreamSpec::new("alice", "film")).expect("hdr direct play");
    let direct_stream =
        StreamSpec { decision: sightline_simulator::Decision::DirectStream, ..StreamSpec::new("bob", "ep") };
    server.start_stream(&direct_stream).expect("direct stream");
}

#[tokio::test]
async fn jellyfin_and_emby_payloads_use_only_schema_fields_and_values() {
    let sim = start().await;
    for server in sim.servers().iter().filter(|s| s.kind() != ServerKind::Plex) {
        busy(server);
        let (openapi, session, system, public) = match server.kind() {
            ServerKind::Jellyfin => (
                "jellyfin/openapi/jellyfin-12.0.0-openapi-subset.json",
                "SessionInfoDto",
                "SystemInfo",
                "PublicSystemInfo",
            ),
            _ => (
                "emby/openapi/emby-4.8.11.0-openapi-subset.json",
                "Session.SessionInfo",
                "SystemInfo",
                "PublicSystemInfo",
            ),
        };
        let spec: Value = serde_json::from_str(&fixture(openapi)).expect("openapi");
        let schemas = &spec["components"]["schemas"];
        assert_follows(schemas, session, &json(server, "/Sessions").await, "Sessions");
        assert_follows(schemas, "UserDto", &json(server, "/Users").await, "Users");
        assert_follows(schemas, system, &json(server, "/System/Info").await, "SystemInfo");
        let public_info: Value = get(server, "/System/Info/Public", &[]).await.json().await.expect("json");
        assert_follows(schemas, public, &public_info, "PublicSystemInfo");
        if server.kind() == ServerKind::Jellyfin {
            let mut ws = format!("{}/socket", server.base_url().replace("http", "ws"));
            ws.push_str("?api_key=");
            ws.push_str(server.token());
            let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.expect("connects");
            use futures::{SinkExt, StreamExt};
            use tokio_tungstenite::tungstenite::Message;
            let hello = socket.next().await.expect("open").expect("ok").into_text().expect("text");
            assert_follows(schemas, "ForceKeepAliveMessage", &serde_json::from_str(&hello).expect("json"), "hello");
            socket.send(Message::text(r#"{"MessageType":"SessionsStart","Data":"0,1500"}"#)).await.expect("send");
            let message = socket.next().await.expect("open").expect("ok").into_text().expect("text");
            assert_follows(schemas, "SessionsMessage", &serde_json::from_str(&message).expect("json"), "message");
        } else {
            let query: Value = json(server, "/Users/Query").await;
            assert_follows(schemas, "QueryResult_UserDto", &query, "UsersQuery");
        }
    }
    sim.shutdown().await;
}

/// Attribute names per element in the real Plex payloads of the fixtures.
fn plex_vocabulary() -> BTreeMap<String, BTreeSet<String>> {
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in [
        "plex/ha-core/session_base.xml",
        "plex/ha-core/session_transient.xml",
        "plex/ha-core/livetv_sessions.xml",
        "plex/ha-core/plex_server_base.xml",
        "plex/ha-core/plex_server_accounts.xml",
        "plex/ha-core/media_1.xml",
        "plex/python-plexapi/transcode_sessions.xml",
    ] {
        let text = fixture(file);
        for tag in text.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or_default();
            if tag.starts_with(['/', '?', '!']) {
                continue;
            }
            let mut parts = tag.split_whitespace();
            let element = parts.next().unwrap_or_default().trim_end_matches('/').to_owned();
            let entry = names.entry(element).or_default();
            for attr in tag.split('"').step_by(2).filter_map(|s| s.trim().strip_suffix('=')) {
                entry.insert(attr.split_whitespace().last().unwrap_or(attr).to_owned());
            }
        }
    }
    let track: Value =
        serde_json::from_str(include_str!("../../backend/src/media/testdata/plex_status_sessions_track.json"))
            .expect("json");
    collect_json("MediaContainer", &track["MediaContainer"], &mut names);
    // Attributes of session items that the Plex OpenAPI spec (plex/openapi/plex-api-spec.yaml)
    // names but the captured sessions above happen not to carry.
    for (element, attr) in [
        ("Video", "grandparentKey"),
        ("Video", "grandparentRatingKey"),
        ("Video", "parentKey"),
        ("Video", "parentRatingKey"),
        ("Video", "parentTitle"),
        ("Track", "parentThumb"),
        ("Stream", "colorTrc"),
    ] {
        names.entry(element.to_owned()).or_default().insert(attr.to_owned());
    }
    let metadata = names.get("Metadata").cloned().unwrap_or_default();
    for item in ["Video", "Track"] {
        names.entry(item.to_owned()).or_default().extend(metadata.iter().cloned());
    }
    let video = names.get("Video").cloned().unwrap_or_default();
    names.entry("Track".to_owned()).or_default().extend(video);
    names
}

fn collect_json(name: &str, value: &Value, names: &mut BTreeMap<String, BTreeSet<String>>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::Object(_) | Value::Array(_) => collect_json(key, v, names),
                    _ => {
                        names.entry(name.to_owned()).or_default().insert(key.clone());
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_json(name, v, names)),
        _ => {}
    }
}

/// Every attribute of an XML document, by element.
fn attributes_of(xml: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for tag in xml.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if tag.starts_with(['/', '?', '!']) {
            continue;
        }
        let element = tag.split_whitespace().next().unwrap_or_default().trim_end_matches('/').to_owned();
        for attr in tag.split('"').step_by(2).filter_map(|s| s.trim().strip_suffix('=')) {
            found.push((element.clone(), attr.split_whitespace().last().unwrap_or(attr).to_owned()));
        }
    }
    found
}

#[tokio::test]
async fn plex_payloads_use_only_attributes_of_real_plex_payloads() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    busy(plex);
    let vocabulary = plex_vocabulary();
    for path in ["/status/sessions", "/", "/accounts"] {
        let xml = get_authed(plex, path, &[]).await.text().await.expect("xml");
        for (element, attr) in attributes_of(&xml) {
            if element == "xml" {
                continue;
            }
            assert!(
                vocabulary.get(&element).is_some_and(|known| known.contains(&attr)),
                "{path}: <{element} {attr}> is not in any real Plex payload"
            );
        }
    }
    sim.shutdown().await;
}
