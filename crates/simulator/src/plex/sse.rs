//! Plex notifications: the `PlaySessionStateNotification` of a session, rendered once as a
//! Server-Sent Events frame and as a WebSocket message, and the two endpoints that stream them.
//!
//! Framing, as observed on real servers:
//! - SSE (`/:/eventsource/notifications`, `text/event-stream`): one event per notification,
//!   `event: <type>` then `data: <json>` then a blank line, where the JSON is the
//!   notification object keyed by its array name but holding a single object, without the
//!   `NotificationContainer` wrapper: `{"PlaySessionStateNotification":{…}}`. A keep-alive
//!   `event: ping` with `data: {}` comes every 10 seconds. Sources: plexopedia.com "Listen for
//!   Events" (ping every 10 s, `event: ping` / `data: {}`); the `PlexEventInfo` parser of
//!   RewindSubtitleDisplayerForPlex, which reads `data` as a one-key dictionary of a single
//!   `PlayingEvent`; a Plex-for-Kodi `events.py` recorded off PMS 1.43.3 ("event: <name>, then
//!   data: <json>, then a blank line", pings as keepalive); Tracearr's constants ("Plex sends ping
//!   events every 10 seconds").
//! - WebSocket (`/:/websockets/notifications`): the whole `{"NotificationContainer":{"type":…,
//!   "size":1,"PlaySessionStateNotification":[…]}}`, as in `shared/fixtures/plex/notifications`.

use crate::state::{PlexEvent, ServerShared, Session};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::{Instant, Interval, interval_at};
use tokio_util::sync::CancellationToken;

/// How often Plex sends `event: ping` on an idle event stream.
pub const PING_EVERY: Duration = Duration::from_secs(10);
const PING: &[u8] = b"event: ping\ndata: {}\n\n";

/// One `PlaySessionStateNotification` entry; field order as in the captured messages.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    session_key: &'a str,
    client_identifier: &'a str,
    guid: String,
    rating_key: &'a str,
    url: &'static str,
    key: String,
    view_offset: u64,
    #[serde(rename = "playQueueItemID")]
    play_queue_item_id: u64,
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcode_session: Option<&'a str>,
}

#[derive(Serialize)]
struct SseData<'a> {
    #[serde(rename = "PlaySessionStateNotification")]
    entry: &'a Entry<'a>,
}

#[derive(Serialize)]
struct WsContainer<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    size: u32,
    #[serde(rename = "PlaySessionStateNotification")]
    entries: [&'a Entry<'a>; 1],
}

#[derive(Serialize)]
struct WsMessage<'a> {
    #[serde(rename = "NotificationContainer")]
    container: WsContainer<'a>,
}

/// Renders a `playing`-type notification for `session` in `state` (`playing`, `paused`, `buffering`, `stopped`).
#[must_use]
pub fn event(session: &Session, state: &str) -> PlexEvent {
    let entry = Entry {
        session_key: &session.key,
        client_identifier: &session.device_id,
        guid: super::element::guid(&session.media),
        rating_key: &session.item_id,
        url: "",
        key: format!("/library/metadata/{}", session.item_id),
        view_offset: session.position_ms,
        play_queue_item_id: session.play_queue_item_id,
        state,
        transcode_session: (session.decision != crate::scenario::Decision::DirectPlay)
            .then_some(session.transcode_id.as_str()),
    };
    let data = serde_json::to_string(&SseData { entry: &entry }).expect("plain structs serialize");
    let ws =
        serde_json::to_string(&WsMessage { container: WsContainer { kind: "playing", size: 1, entries: [&entry] } })
            .expect("plain structs serialize");
    PlexEvent { sse: Bytes::from(format!("event: playing\ndata: {data}\n\n")), ws: Utf8Bytes::from(ws) }
}

struct Feed {
    events: broadcast::Receiver<PlexEvent>,
    ping: Interval,
    closed: CancellationToken,
}

impl Feed {
    fn new(shared: &ServerShared) -> Self {
        Self {
            events: shared.plex_events.subscribe(),
            ping: interval_at(Instant::now() + PING_EVERY, PING_EVERY),
            closed: shared.connection_token(),
        }
    }

    /// The next SSE frame, or `None` once the token is revoked or the simulator stops.
    async fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            tokio::select! {
                () = self.closed.cancelled() => return None,
                _ = self.ping.tick() => return Some(Bytes::from_static(PING)),
                received = self.events.recv() => match received {
                    Ok(event) => return Some(event.sse),
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}

/// `GET /:/eventsource/notifications`.
pub async fn eventsource(State(shared): State<Arc<ServerShared>>) -> Response {
    let feed = Feed::new(&shared);
    let stream = futures::stream::unfold(feed, |mut feed| async move {
        let frame = feed.next_frame().await?;
        Some((Ok::<_, Infallible>(frame), feed))
    });
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /:/websockets/notifications`: the same notifications as WebSocket text messages.
pub async fn websocket(State(shared): State<Arc<ServerShared>>, upgrade: WebSocketUpgrade) -> Response {
    let feed = Feed::new(&shared);
    upgrade.on_upgrade(move |socket| pump(socket, feed))
}

async fn pump(mut socket: WebSocket, mut feed: Feed) {
    loop {
        tokio::select! {
            () = feed.closed.cancelled() => break,
            received = feed.events.recv() => match received {
                Ok(event) => {
                    if socket.send(Message::Text(event.ws)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}
