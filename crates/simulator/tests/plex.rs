//! The fake Plex server against Sightline's own parsers and client, over real HTTP on loopback:
//! `/status/sessions` in XML and JSON, identity and capabilities, terminate, notifications over
//! SSE and WebSocket, artwork and plex.tv.

mod support;

use futures::StreamExt;
use sightline_backend::media::plex::{NotifiedState, parse_notification, parse_sessions_json, parse_sessions_xml};
use sightline_domain::media::{MediaType, PlaybackState, StreamDecision, VideoResolution};
use sightline_simulator::ServerKind;
use support::*;

#[tokio::test]
async fn status_sessions_in_xml_and_json_read_back_through_sightlines_parsers() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    plex.start_stream(&bob_transcoding()).expect("bob");
    plex.start_stream(&alice_paused_track()).expect("alice");

    let xml = get_authed(plex, "/status/sessions", &[]).await;
    assert!(xml.headers()["content-type"].to_str().expect("ascii").contains("xml"));
    let xml = xml.text().await.expect("body");
    let json =
        get_authed(plex, "/status/sessions", &[("Accept", "application/json")]).await.text().await.expect("body");
    for sessions in [parse_sessions_xml(&xml).expect("xml parses"), parse_sessions_json(&json).expect("json parses")] {
        assert_eq!(sessions.len(), 2);
        let bob = sessions.iter().find(|s| s.user.name == "bob").expect("bob");
        assert_eq!(bob.media.title, "Tom & \"Jerry\" <4K>");
        assert_eq!(bob.media.media_type, MediaType::Movie);
        assert_eq!(bob.position_ms, Some(600_000));
        assert_eq!(bob.state, PlaybackState::Playing);
        assert_eq!(bob.client_ip, Some(ip("81.2.69.142")));
        assert_eq!(bob.is_local, Some(false));
        assert_eq!(bob.decision.video, Some(StreamDecision::Transcode));
        assert!(bob.decision.hw_transcode);
        assert_eq!(bob.quality.resolution, Some(VideoResolution::Hd1080), "the transcoder's output");
        assert_eq!(bob.player.product.as_deref(), Some("Plex for Roku"));
        assert!(bob.upstream_session_id.is_some());
        let alice = sessions.iter().find(|s| s.user.name == "alice").expect("alice");
        assert_eq!(alice.media.media_type, MediaType::Track);
        assert_eq!(alice.media.grandparent_title.as_deref(), Some("Miles Davis"));
        assert_eq!(alice.state, PlaybackState::Paused);
        assert_eq!(alice.position_ms, Some(60_000));
        assert_eq!(alice.client_ip, Some(ip("192.168.1.10")));
        assert_eq!(alice.decision.overall, StreamDecision::DirectPlay);
        assert_eq!(alice.user.id, "1", "the owner is account 1");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn hdr_direct_play_and_episodes_read_back() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    plex.start_stream(&sightline_simulator::StreamSpec::new("alice", "film")).expect("film");
    plex.start_stream(&sightline_simulator::StreamSpec::new("bob", "ep")).expect("episode");
    let xml = get_authed(plex, "/status/sessions", &[]).await.text().await.expect("body");
    let sessions = parse_sessions_xml(&xml).expect("parses");
    let film = sessions.iter().find(|s| s.user.name == "alice").expect("film");
    assert!(film.quality.hdr);
    assert_eq!(film.quality.resolution, Some(VideoResolution::Uhd4k));
    let episode = sessions.iter().find(|s| s.user.name == "bob").expect("episode");
    assert_eq!(episode.media.grandparent_title.as_deref(), Some("Example Show"));
    assert_eq!((episode.media.season_number, episode.media.episode_number), (Some(1), Some(2)));
    assert_eq!(episode.quality.resolution, Some(VideoResolution::Hd720));
    sim.shutdown().await;
}

#[tokio::test]
async fn identity_needs_no_token_and_everything_else_does() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let identity = get(plex, "/identity", &[]).await;
    assert_eq!(identity.status(), 200);
    assert!(identity.text().await.expect("body").contains(plex.machine_id()));
    for path in ["/", "/status/sessions", "/accounts", "/:/eventsource/notifications", "/library/metadata/1/thumb/1"] {
        assert_eq!(get(plex, path, &[]).await.status(), 401, "{path}");
        assert_eq!(get(plex, path, &[("X-Plex-Token", "wrong")]).await.status(), 401, "{path}");
    }
    let root = get_authed(plex, "/", &[]).await.text().await.expect("body");
    assert!(root.contains("friendlyName=\"Plex Test\""), "{root}");
    let accounts = get_authed(plex, "/accounts", &[]).await.text().await.expect("body");
    assert!(accounts.contains("name=\"bob\""), "{accounts}");
    let thumb = get_authed(plex, "/library/metadata/123/thumb/1", &[]).await;
    assert_eq!(thumb.headers()["content-type"], "image/png");
    assert!(thumb.bytes().await.expect("png").starts_with(b"\x89PNG"));
    sim.shutdown().await;
}

#[tokio::test]
async fn terminate_is_recorded_and_ends_the_session() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    plex.start_stream(&bob_transcoding()).expect("bob");
    let session_id = plex.sessions()[0].upstream_id.clone();
    let empty = get_authed(plex, "/status/sessions/terminate?sessionId=&reason=x", &[]).await;
    assert_eq!(empty.status(), 403);
    let path = format!("/status/sessions/terminate?sessionId={session_id}&reason=Too+many+streams");
    assert_eq!(get_authed(plex, &path, &[]).await.status(), 200);
    assert!(plex.sessions().is_empty());
    let calls = plex.requests();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].method, "GET");
    assert_eq!(calls[1].query_param("sessionId"), Some(session_id));
    assert_eq!(calls[1].query_param("reason").as_deref(), Some("Too many streams"));
    assert_eq!(plex.request_counts().get("GET /status/sessions/terminate"), Some(&2));
    sim.shutdown().await;
}

/// Reads SSE frames until `n` play-state notifications arrived (pings are skipped).
async fn play_states(response: reqwest::Response, n: usize) -> Vec<(String, NotifiedState, Option<u64>)> {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut found = Vec::new();
    while found.len() < n {
        let chunk = stream.next().await.expect("stream open").expect("chunk");
        buffer.push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let event = frame.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or_default().to_owned();
            let data = frame.lines().find_map(|l| l.strip_prefix("data: ")).expect("a data line");
            for n in parse_notification(data).expect("notification parses") {
                found.push((event.clone(), n.state, n.view_offset_ms));
            }
        }
    }
    found
}

#[tokio::test]
async fn an_sse_subscriber_sees_playing_paused_and_stopped() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let response = get_authed(plex, "/:/eventsource/notifications", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let session = plex.start_stream(&bob_transcoding()).expect("start");
    plex.pause(&session).expect("pause");
    plex.stop(&session).expect("stop");
    let states = play_states(response, 3).await;
    assert_eq!(
        states,
        vec![
            ("playing".into(), NotifiedState::Playback(PlaybackState::Playing), Some(600_000)),
            ("playing".into(), NotifiedState::Playback(PlaybackState::Paused), Some(600_000)),
            ("playing".into(), NotifiedState::Playback(PlaybackState::Stopped), Some(600_000)),
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn revoking_the_token_closes_the_event_stream_and_refuses_requests() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let response = get_authed(plex, "/:/eventsource/notifications", &[]).await;
    plex.revoke_token();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        chunk.expect("ends cleanly");
    }
    assert_eq!(get_authed(plex, "/status/sessions", &[]).await.status(), 401);
    plex.restore_token();
    assert_eq!(get_authed(plex, "/status/sessions", &[]).await.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_websocket_carries_notification_containers() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let url = format!("{}/:/websockets/notifications", plex.base_url().replace("http", "ws"));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("X-Plex-Token", plex.token().parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("connects");
    let session = plex.start_stream(&bob_transcoding()).expect("start");
    let message = ws.next().await.expect("a message").expect("ok");
    let text = message.into_text().expect("text");
    assert!(
        text.starts_with(r#"{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{"#)
    );
    let parsed = parse_notification(&text).expect("parses");
    assert_eq!(parsed[0].session_key, session.0);
    sim.shutdown().await;
}

#[tokio::test]
async fn plextv_answers_for_the_owner() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    let client = reqwest::Client::new();
    let get =
        |path: &str| client.get(format!("{}{path}", sim.plextv_url())).header("X-Plex-Token", plex.token()).send();
    let user: serde_json::Value = get("/api/v2/user").await.expect("user").json().await.expect("json");
    assert_eq!(user["username"], "alice");
    let shared = get("/api/users/").await.expect("users").text().await.expect("xml");
    assert!(shared.contains("title=\"bob\"") && !shared.contains("title=\"alice\""), "{shared}");
    let friends: serde_json::Value = get("/api/v2/friends").await.expect("friends").json().await.expect("json");
    assert_eq!(friends[0]["title"], "bob");
    let refused = client.get(format!("{}/api/v2/user", sim.plextv_url())).send().await.expect("sent");
    assert_eq!(refused.status(), 401);
    sim.shutdown().await;
}
