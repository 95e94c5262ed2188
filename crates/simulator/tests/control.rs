//! Sightline's adapters stopping streams and messaging viewers on the simulator: Plex terminate
//! with the Session id and the reason (and its 401 without Plex Pass), Jellyfin and Emby message
//! then stop in each server's own form, and a client without remote control refused with nothing sent.

mod support;

use sightline_backend::media::control::{MESSAGE_HEADER, MessageResult, Refusal, StopResult};
use sightline_backend::media::server::{MediaServer, connect};
use sightline_backend::secret::SecretString;
use sightline_domain::media::{MediaSession, SessionControl};
use sightline_simulator::{ServerHandle, ServerKind, StreamSpec};
use std::sync::Arc;
use support::*;

fn adapter(server: &ServerHandle) -> Arc<dyn MediaServer> {
    connect(server.kind(), server.base_url(), &SecretString::new(server.token())).expect("adapter")
}

/// The one session the adapter reads, and its control handle.
async fn only_session(adapter: &dyn MediaServer) -> (MediaSession, SessionControl) {
    let mut sessions = adapter.sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1, "{sessions:#?}");
    let session = sessions.remove(0);
    let control = session.control.clone().expect("the session can be addressed");
    (session, control)
}

#[tokio::test]
async fn plex_terminates_by_session_id_with_the_message_as_reason() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    plex.start_stream(&bob_transcoding()).expect("bob");
    let adapter = adapter(plex);
    let (session, control) = only_session(adapter.as_ref()).await;
    assert_ne!(control.session_id, session.session_key, "terminate takes Session@id, not sessionKey");
    assert!(control.remote_control, "Plex ends any client's stream itself");

    let result = adapter.stop_stream(&control, Some("Too many streams & more")).await.expect("answers");
    assert_eq!(result, StopResult::Stopped { message_shown: true });
    assert!(plex.sessions().is_empty(), "the stream ended");
    let calls = plex.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!((calls[0].method.as_str(), calls[0].path.as_str()), ("POST", "/status/sessions/terminate"));
    assert_eq!(calls[0].query_param("sessionId"), Some(control.session_id.clone()));
    assert_eq!(calls[0].query_param("reason").as_deref(), Some("Too many streams & more"));

    // The same id again: the server no longer knows it.
    assert_eq!(adapter.stop_stream(&control, None).await.expect("answers"), StopResult::AlreadyEnded);
    assert_eq!(plex.requests()[1].query_param("reason"), None, "no reason was given");
    assert_eq!(
        adapter.send_message(&control, "hello").await.expect("answers"),
        MessageResult::Refused(Refusal::PlexHasNoMessages)
    );
    assert_eq!(plex.requests().len(), 2, "a Plex message sends nothing");
    sim.shutdown().await;
}

#[tokio::test]
async fn plex_without_plex_pass_refuses_and_the_stream_plays_on() {
    let sim = start().await;
    let plex = sim.first(ServerKind::Plex).expect("plex");
    plex.start_stream(&bob_transcoding()).expect("bob");
    plex.set_plex_pass(false);
    let adapter = adapter(plex);
    let (_, control) = only_session(adapter.as_ref()).await;
    let result = adapter.stop_stream(&control, Some("bye")).await.expect("answers");
    assert_eq!(result, StopResult::Refused(Refusal::PlexPassRequired));
    assert!(result_text(result).contains("Plex Pass"));
    assert_eq!(plex.sessions().len(), 1, "still playing");
    assert!(adapter.sessions().await.is_ok(), "the token itself is still good");
    sim.shutdown().await;
}

fn result_text(result: StopResult) -> String {
    match result {
        StopResult::Refused(r) => r.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn jellyfin_and_emby_show_the_message_then_stop() {
    let sim = start().await;
    for server in [ServerKind::Jellyfin, ServerKind::Emby].map(|k| sim.first(k).expect("server")) {
        let kind = server.kind();
        server.start_stream(&bob_transcoding()).expect("bob");
        let adapter = adapter(server);
        let (session, control) = only_session(adapter.as_ref()).await;
        assert_eq!(control.session_id, session.session_key);
        assert!(control.remote_control && control.messages, "{kind:?}");

        let result = adapter.stop_stream(&control, Some("Please stop sharing")).await.expect("answers");
        assert_eq!(result, StopResult::Stopped { message_shown: true }, "{kind:?}");
        assert!(server.sessions().is_empty(), "{kind:?}: the stream ended");
        let calls = server.requests();
        assert_eq!(calls.len(), 2, "{kind:?}: {calls:?}");
        assert_eq!(calls[0].path, format!("/Sessions/{}/Message", control.session_id));
        assert_eq!(calls[1].path, format!("/Sessions/{}/Playing/Stop", control.session_id));
        match kind {
            ServerKind::Jellyfin => {
                let body: serde_json::Value = serde_json::from_str(&calls[0].body).expect("a JSON MessageCommand");
                assert_eq!(body["Text"], "Please stop sharing");
                assert_eq!(body["Header"], MESSAGE_HEADER);
                assert!(body["TimeoutMs"].as_u64().is_some_and(|t| t > 0));
            }
            _ => {
                assert_eq!(calls[0].query_param("Text").as_deref(), Some("Please stop sharing"));
                assert_eq!(calls[0].query_param("Header").as_deref(), Some(MESSAGE_HEADER));
                let body: serde_json::Value = serde_json::from_str(&calls[1].body).expect("a PlaystateRequest");
                assert_eq!(body["Command"], "Stop", "Emby's schema requires the body");
            }
        }
        assert_eq!(adapter.stop_stream(&control, None).await.expect("answers"), StopResult::AlreadyEnded);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_client_without_remote_control_is_refused_and_sent_nothing() {
    let sim = start().await;
    for server in [ServerKind::Jellyfin, ServerKind::Emby].map(|k| sim.first(k).expect("server")) {
        let kind = server.kind();
        server.start_stream(&StreamSpec { remote_control: false, ..bob_transcoding() }).expect("bob");
        let adapter = adapter(server);
        let (_, control) = only_session(adapter.as_ref()).await;
        assert!(!control.remote_control && !control.messages, "{kind:?}: read from the session list");

        let result = adapter.stop_stream(&control, Some("Please stop")).await.expect("answers");
        assert_eq!(result, StopResult::Refused(Refusal::NoRemoteControl), "{kind:?}");
        assert_eq!(result_text(result), "this client does not accept remote control, so the server cannot stop it");
        let message = adapter.send_message(&control, "hello").await.expect("answers");
        assert_eq!(message, MessageResult::Refused(Refusal::NoMessages), "{kind:?}");
        assert!(server.requests().is_empty(), "{kind:?}: nothing was called");
        assert_eq!(server.sessions().len(), 1, "{kind:?}: still playing");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stop_sent_anyway_to_such_a_client_is_accepted_and_ignored_like_the_real_servers_do() {
    let sim = start().await;
    let jellyfin = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let session = jellyfin.start_stream(&StreamSpec { remote_control: false, ..bob_transcoding() }).expect("bob");
    let (name, value) = auth(jellyfin, jellyfin.token());
    let stop = reqwest::Client::new()
        .post(format!("{}/Sessions/{}/Playing/Stop", jellyfin.base_url(), session.0))
        .header(name, value)
        .send()
        .await
        .expect("sent");
    assert_eq!(stop.status(), 204);
    assert_eq!(jellyfin.sessions().len(), 1, "why the adapter checks first: the stream plays on");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_message_alone_reaches_a_jellyfin_viewer_and_leaves_the_stream_playing() {
    let sim = start().await;
    let jellyfin = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    jellyfin.start_stream(&bob_transcoding()).expect("bob");
    let adapter = adapter(jellyfin);
    let (_, control) = only_session(adapter.as_ref()).await;
    assert_eq!(adapter.send_message(&control, "One stream at a time, please").await, Ok(MessageResult::Shown));
    assert_eq!(jellyfin.sessions().len(), 1);
    let calls = jellyfin.requests();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].body.contains("One stream at a time, please"));
    sim.shutdown().await;
}
