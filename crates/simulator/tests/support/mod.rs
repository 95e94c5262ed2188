//! Shared helpers of the simulator's integration tests: a small scenario with one server of
//! each kind, started in manual mode, and a few HTTP helpers.

#![allow(dead_code)]

use sightline_simulator::{Decision, Scenario, ServerHandle, SimHandle, SimOptions, Simulator, StreamSpec};
use std::net::IpAddr;
use std::time::Duration;

pub const SCENARIO: &str = r#"
[[server]]
name = "Plex Test"
kind = "plex"
token = "plex-token"

[[server]]
name = "Jellyfin Test"
kind = "jellyfin"
token = "jellyfin-token"

[[server]]
name = "Emby Test"
kind = "emby"
token = "emby-token"

[[user]]
name = "alice"
admin = true

[[user]]
name = "bob"

[[media]]
id = "film"
kind = "movie"
title = "Tom & \"Jerry\" <4K>"
year = 2021
duration = "2h"
resolution = "4k"
hdr = true

[[media]]
id = "ep"
kind = "episode"
title = "Pilot"
show = "Example Show"
season = 1
episode = 2
year = 2008
duration = "45m"
resolution = "720p"

[[media]]
id = "song"
kind = "track"
title = "So What"
show = "Miles Davis"
album = "Kind of Blue"
duration = "9m"
"#;

pub async fn start() -> SimHandle {
    let scenario = Scenario::from_toml_str(SCENARIO).expect("test scenario");
    Simulator::start(scenario, SimOptions::manual()).await.expect("simulator starts")
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().expect("ip")
}

/// Bob transcodes the 4K HDR film on the GPU from a public address, 10 minutes in.
pub fn bob_transcoding() -> StreamSpec {
    StreamSpec {
        ip: ip("81.2.69.142"),
        position: Duration::from_secs(600),
        decision: Decision::Transcode,
        hw: true,
        device: sightline_simulator::DeviceRef::Preset("roku".into()),
        ..StreamSpec::new("bob", "film")
    }
}

/// Alice listens to a track on the LAN, paused 1 minute in.
pub fn alice_paused_track() -> StreamSpec {
    StreamSpec { position: Duration::from_secs(60), paused: true, ..StreamSpec::new("alice", "song") }
}

pub async fn get(server: &ServerHandle, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

/// The auth header each kind expects for `token`.
pub fn auth(server: &ServerHandle, token: &str) -> (&'static str, String) {
    match server.kind() {
        sightline_simulator::ServerKind::Plex => ("X-Plex-Token", token.to_owned()),
        sightline_simulator::ServerKind::Jellyfin => (
            "Authorization",
            format!(r#"MediaBrowser Token="{token}", Client="test", Device="t", DeviceId="t", Version="1""#),
        ),
        sightline_simulator::ServerKind::Emby => ("X-Emby-Token", token.to_owned()),
    }
}

pub async fn get_authed(server: &ServerHandle, path: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let (name, value) = auth(server, server.token());
    let mut headers: Vec<(&str, &str)> = vec![(name, value.as_str())];
    headers.extend_from_slice(extra);
    get(server, path, &headers).await
}
