//! The live WebSocket: authentication, origin check, events, session revocation, shutdown.

use crate::helpers::TestApp;
use futures::StreamExt as _;
use sightline_domain::LiveEvent;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, cookie: Option<&str>, origin: &str) -> Result<Socket, tungstenite::Error> {
    let mut req = format!("ws://{}/ws", app.running.addr).into_client_request().expect("request");
    req.headers_mut().insert("origin", origin.parse().expect("header"));
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", format!("sightline_session={c}").parse().expect("header"));
    }
    tokio_tungstenite::connect_async(req).await.map(|(s, _)| s)
}

fn http_status(err: &tungstenite::Error) -> Option<u16> {
    match err {
        tungstenite::Error::Http(res) => Some(res.status().as_u16()),
        _ => None,
    }
}

async fn next_event(socket: &mut Socket) -> Option<LiveEvent> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_live_socket_needs_a_session_and_our_origin() {
    let (app, cookie) = TestApp::with_owner().await;
    let err = connect(&app, None, &app.origin()).await.expect_err("refused");
    assert_eq!(http_status(&err), Some(401));
    let err = connect(&app, Some(&cookie), "http://evil.example").await.expect_err("refused");
    assert_eq!(http_status(&err), Some(403));
    assert!(connect(&app, Some(&cookie), &app.origin()).await.is_ok());
}

#[tokio::test]
async fn a_socket_gets_hello_then_published_events_and_heartbeats() {
    let (app, cookie) = TestApp::with_owner().await;
    let mut socket = connect(&app, Some(&cookie), &app.origin()).await.expect("connects");
    let hello = next_event(&mut socket).await.expect("hello");
    assert!(matches!(hello, LiveEvent::Hello { ref version, .. } if version == env!("CARGO_PKG_VERSION")), "{hello:?}");
    app.running.ctx.hub.publish(LiveEvent::Resync { missed: 7 });
    let mut saw_resync = false;
    let mut saw_heartbeat = false;
    while !(saw_resync && saw_heartbeat) {
        match next_event(&mut socket).await.expect("event") {
            LiveEvent::Resync { missed: 7 } => saw_resync = true,
            LiveEvent::Heartbeat { n_clients, .. } => {
                assert_eq!(n_clients, 1);
                saw_heartbeat = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn shutdown_tells_open_sockets_and_closes_them() {
    let (app, cookie) = TestApp::with_owner().await;
    let mut socket = connect(&app, Some(&cookie), &app.origin()).await.expect("connects");
    assert!(matches!(next_event(&mut socket).await, Some(LiveEvent::Hello { .. })));
    let TestApp { running, .. } = app;
    let stopping = tokio::spawn(running.stop());
    let mut saw_shutdown = false;
    while let Some(event) = next_event(&mut socket).await {
        saw_shutdown |= event == LiveEvent::ShuttingDown;
    }
    assert!(saw_shutdown);
    stopping.await.expect("joins").expect("stops cleanly");
}
