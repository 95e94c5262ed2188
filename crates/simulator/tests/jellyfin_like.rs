//! The fake Jellyfin and Emby servers against Sightline's parsers: `/Sessions`, the `Sessions`
//! WebSocket message, playstate commands and messages, and token revocation.

mod support;

use futures::{SinkExt, StreamExt};
use sightline_backend::media::jellyfin_like::{parse_sessions, parse_sessions_message};
use sightline_domain::media::{MediaType, PlaybackState, StreamDecision, VideoResolution};
use sightline_simulator::{ServerHandle, ServerKind};
use support::*;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn jellyfin_likes(sim: &sightline_simulator::SimHandle) -> Vec<&ServerHandle> {
    sim.servers().iter().filter(|s| s.kind() != ServerKind::Plex).collect()
}

#[tokio::test]
async fn sessions_read_back_through_sightlines_parser_and_idle_clients_are_listed() {
    let sim = start().await;
    for server in jellyfin_likes(&sim) {
        server.start_stream(&bob_transcoding()).expect("bob");
        server.start_stream(&alice_paused_track()).expect("alice");
        let body = get_authed(server, "/Sessions", &[]).await.text().await.expect("body");
        let raw: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(raw.as_array().map(Vec::len), Some(4), "two playing and two idle clients");
        let sessions = parse_sessions(&body, server.kind()).expect("parses");
        assert_eq!(sessions.len(), 2);
        let bob = sessions.iter().find(|s| s.user.name == "bob").expect("bob");
        assert_eq!(bob.user.id, server.user_id("bob").expect("id"));
        assert_eq!(bob.media.title, "Tom & \"Jerry\" <4K>");
        assert_eq!(bob.position_ms, Some(600_000));
        assert_eq!(bob.state, PlaybackState::Playing);
        assert_eq!(bob.client_ip, Some(ip("81.2.69.142")));
        assert_eq!(bob.decision.video, Some(StreamDecision::Transcode));
        assert!(bob.decision.hw_transcode, "{:?}", server.kind());
        assert_eq!(bob.quality.resolution, Some(VideoResolution::Hd1080));
        assert!(bob.quality.hdr, "the source is HDR");
        let alice = sessions.iter().find(|s| s.user.name == "alice").expect("alice");
        assert_eq!(alice.media.media_type, MediaType::Track);
        assert_eq!(alice.state, PlaybackState::Paused);
        assert_eq!(alice.decision.overall, StreamDecision::DirectPlay);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn stop_and_message_are_recorded_and_stop_ends_the_session() {
    let sim = start().await;
    let client = reqwest::Client::new();
    for server in jellyfin_likes(&sim) {
        let session = server.start_stream(&bob_transcoding()).expect("bob");
        let (name, value) = auth(server, server.token());
        let message = match server.kind() {
            ServerKind::Jellyfin => client
                .post(format!("{}/Sessions/{}/Message", server.base_url(), session.0))
                .header(name, &value)
                .json(&serde_json::json!({"Header": "Sightline", "Text": "Please stop", "TimeoutMs": 5000})),
            _ => client
                .post(format!(
                    "{}/Sessions/{}/Message?Text=Please%20stop&Header=Sightline",
                    server.base_url(),
                    session.0
                ))
                .header(name, &value),
        };
        // Jellyfin documents 204 for both commands, Emby an empty 200.
        let ok = if server.kind() == ServerKind::Emby { 200 } else { 204 };
        assert_eq!(message.send().await.expect("sent").status(), ok);
        let stop = client
            .post(format!("{}/Sessions/{}/Playing/Stop", server.base_url(), session.0))
            .header(name, &value)
            .send()
            .await
            .expect("sent");
        assert_eq!(stop.status(), ok);
        assert!(server.sessions().is_empty());
        let calls = server.requests();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].path, format!("/Sessions/{}/Playing/Stop", session.0));
        match server.kind() {
            ServerKind::Jellyfin => assert!(calls[0].body.contains("Please stop")),
            _ => assert_eq!(calls[0].query_param("Text").as_deref(), Some("Please stop")),
        }
    }
    sim.shutdown().await;
}

async fn connect(
    server: &ServerHandle,
    path: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request =
        format!("{}{path}", server.base_url().replace("http", "ws")).into_client_request().expect("request");
    let (name, value) = auth(server, server.token());
    request.headers_mut().insert(name, value.parse().expect("header"));
    tokio_tungstenite::connect_async(request).await.expect("connects").0
}

async fn next_text(
    ws: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> String {
    loop {
        match ws.next().await.expect("open").expect("ok") {
            Message::Text(text) => return text.to_string(),
            Message::Close(_) => panic!("closed"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_websocket_client_that_sends_sessions_start_receives_sessions_messages() {
    let sim = start().await;
    for (server, path) in jellyfin_likes(&sim).into_iter().flat_map(|s| {
        let paths: &[&str] = if s.kind() == ServerKind::Emby { &["/embywebsocket", "/socket"] } else { &["/socket"] };
        paths.iter().map(move |p| (s, *p))
    }) {
        let session = server.start_stream(&bob_transcoding()).expect("bob");
        let mut ws = connect(server, path).await;
        if server.kind() == ServerKind::Jellyfin {
            let hello: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).expect("json");
            assert_eq!(hello["MessageType"], "ForceKeepAlive");
            assert_eq!(hello["Data"], 60);
            ws.send(Message::text(r#"{"MessageType":"KeepAlive"}"#)).await.expect("send");
            let reply: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).expect("json");
            assert_eq!(reply["MessageType"], "KeepAlive");
        }
        ws.send(Message::text(r#"{"MessageType":"SessionsStart","Data":"0,100"}"#)).await.expect("send");
        for _ in 0..2 {
            let text = next_text(&mut ws).await;
            let sessions = parse_sessions_message(&text, server.kind()).expect("parses").expect("a Sessions message");
            assert!(sessions.iter().any(|s| s.session_key == session.0), "{text}");
        }
        ws.send(Message::text(r#"{"MessageType":"SessionsStop","Data":""}"#)).await.expect("send");
        server.stop(&session).expect("stop");
        server.revoke_token();
        // The server closes the socket once the token is revoked.
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
        assert_eq!(get_authed(server, "/Sessions", &[]).await.status(), 401);
        server.restore_token();
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn public_info_needs_no_token_and_images_are_pngs() {
    let sim = start().await;
    for server in jellyfin_likes(&sim) {
        let public: serde_json::Value = get(server, "/System/Info/Public", &[]).await.json().await.expect("json");
        assert_eq!(public["ServerName"], server.name());
        assert_eq!(get(server, "/System/Info", &[]).await.status(), 401);
        let info: serde_json::Value = get_authed(server, "/System/Info", &[]).await.json().await.expect("json");
        assert_eq!(info["Id"], server.machine_id());
        let users: serde_json::Value = get_authed(server, "/Users", &[]).await.json().await.expect("json");
        assert_eq!(users[0]["Policy"]["IsAdministrator"], true);
        let image = get(server, "/Items/abc/Images/Primary", &[]).await;
        assert_eq!(image.headers()["content-type"], "image/png");
    }
    sim.shutdown().await;
}
