//! The Jellyfin/Emby WebSocket (`/socket`; Emby also `/embywebsocket`). Behaviour copied from
//! Jellyfin's `SessionWebSocketListener` and `BasePeriodicWebSocketListener`:
//! - on connect Jellyfin sends `{"MessageType":"ForceKeepAlive","Data":60}` (60 s is its
//!   `WebSocketLostTimeout`; it re-sends it to sockets idle for 45–60 s and drops them after 60 s)
//!   and answers each inbound `KeepAlive` with an outbound `KeepAlive`;
//! - `{"MessageType":"SessionsStart","Data":"<initial delay ms>,<interval ms>"}` starts periodic
//!   `Sessions` messages whose `Data` is the `/Sessions` array; `SessionsStop` stops them.
//!
//! Emby's old wiki (`shared/fixtures/emby/emby-wiki/Web-Socket.md`) documents the same
//! `MessageType`/`Data` envelope but no `ForceKeepAlive`, so the Emby flavour sends none and
//! does not answer `KeepAlive` (that part is unverified against a real Emby).

use super::render::message_id;
use crate::state::ServerShared;
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde::Deserialize;
use sightline_domain::media::ServerKind;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, Interval, interval_at};

/// Jellyfin's `WebSocketLostTimeout`, sent as the `ForceKeepAlive` data.
const LOST_TIMEOUT_SECS: u64 = 60;
/// The fastest `SessionsStart` interval honoured, so a bad request cannot spin the server.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inbound {
    message_type: Option<String>,
    data: Option<serde_json::Value>,
}

pub async fn socket(State(shared): State<Arc<ServerShared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |ws| run(ws, shared))
}

/// `"0,1500"` → (initial delay, interval).
fn schedule(data: Option<&serde_json::Value>) -> (Duration, Duration) {
    let text = data.and_then(serde_json::Value::as_str).unwrap_or("0,1500");
    let mut numbers = text.split(',').map(|n| n.trim().parse::<u64>().ok());
    let delay = numbers.next().flatten().unwrap_or(0);
    let every = numbers.next().flatten().unwrap_or(1500);
    (Duration::from_millis(delay), Duration::from_millis(every).max(MIN_INTERVAL))
}

async fn next_tick(timer: &mut Option<Interval>) {
    match timer {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn run(mut ws: WebSocket, shared: Arc<ServerShared>) {
    let closed = shared.connection_token();
    let jellyfin = shared.kind == ServerKind::Jellyfin;
    if jellyfin {
        let hello = format!(
            r#"{{"MessageType":"ForceKeepAlive","MessageId":"{}","Data":{LOST_TIMEOUT_SECS}}}"#,
            message_id(shared.next_key())
        );
        if ws.send(Message::Text(Utf8Bytes::from(hello))).await.is_err() {
            return;
        }
    }
    let snapshot = shared.snapshot.subscribe();
    let mut timer: Option<Interval> = None;
    loop {
        tokio::select! {
            () = closed.cancelled() => break,
            () = next_tick(&mut timer) => {
                let message = snapshot.borrow().message.clone();
                if ws.send(Message::Text(message)).await.is_err() {
                    return;
                }
            }
            incoming = ws.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Ok(inbound) = serde_json::from_str::<Inbound>(text.as_str()) else { continue };
                    match inbound.message_type.as_deref() {
                        Some("SessionsStart") => {
                            let (delay, every) = schedule(inbound.data.as_ref());
                            let mut t = interval_at(Instant::now() + delay, every);
                            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                            timer = Some(t);
                        }
                        Some("SessionsStop") => timer = None,
                        Some("KeepAlive") if jellyfin => {
                            let reply = format!(r#"{{"MessageType":"KeepAlive","MessageId":"{}"}}"#, message_id(shared.next_key()));
                            if ws.send(Message::Text(Utf8Bytes::from(reply))).await.is_err() {
                                return;
                            }
                        }
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = ws.send(Message::Close(None)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sessions_start_schedule_is_read_from_data() {
        let data = serde_json::json!("0,1500");
        assert_eq!(schedule(Some(&data)), (Duration::ZERO, Duration::from_millis(1500)));
        let data = serde_json::json!("250,0");
        assert_eq!(schedule(Some(&data)), (Duration::from_millis(250), MIN_INTERVAL));
        assert_eq!(schedule(None), (Duration::ZERO, Duration::from_millis(1500)));
    }
}
