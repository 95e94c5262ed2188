//! The driver playing a scenario in real time: the example scenario's first stream appears on
//! the first tick, and the built-in demo starts with all three servers busy.

use sightline_simulator::{Scenario, ServerKind, SimOptions, Simulator};
use std::time::Duration;

/// Polls until `check` holds, failing after a generous timeout (never a timing assert).
async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not met within 10 s");
}

#[tokio::test]
async fn the_example_scenario_starts_its_first_stream_on_the_first_tick() {
    let scenario = Scenario::from_toml_str(include_str!("../scenarios/example.toml")).expect("example");
    let sim = Simulator::start(scenario, SimOptions::default()).await.expect("starts");
    let plex = sim.first(ServerKind::Plex).expect("plex").clone();
    eventually(|| !plex.sessions().is_empty()).await;
    let session = &plex.sessions()[0];
    assert_eq!(session.user.name, "friend");
    assert_eq!(session.media.id, "film");
    assert!(session.position_ms >= 600_000);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_builtin_demo_keeps_every_server_busy() {
    let mut scenario = Scenario::builtin();
    // Quicker start: every stream of the demo begins within a few script seconds.
    scenario.speed = 4.0;
    let sim = Simulator::start(scenario, SimOptions::default()).await.expect("starts");
    let servers: Vec<_> = sim.servers().to_vec();
    eventually(|| servers.iter().all(|s| s.sessions().len() >= 2)).await;
    sim.shutdown().await;
}
