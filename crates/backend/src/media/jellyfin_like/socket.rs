//! The Jellyfin/Emby WebSocket feed: `/socket` (Jellyfin) or `/embywebsocket` (Emby), opened
//! through `MediaHttp` with the token in a header, subscribed with `SessionsStart`, yielding
//! each `Sessions` message as a complete session list. Keep-alives are sent as the server asks.

use super::parse_sessions_message;
use crate::media::feed::{Feed, FeedMessage};
use crate::media::http::{MediaHttp, WebSocketIo};
use crate::media::server::MediaError;
use async_trait::async_trait;
use futures::{SinkExt as _, StreamExt as _};
use sightline_domain::media::ServerKind;
use std::time::Duration;
use tokio::time::{Instant, interval_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// Ask for session lists right away, then every 1.5 s (what Jellyfin's own dashboard asks for).
const SUBSCRIBE: &str = r#"{"MessageType":"SessionsStart","Data":"0,1500"}"#;
const KEEP_ALIVE: &str = r#"{"MessageType":"KeepAlive"}"#;
/// Jellyfin asks for a keep-alive within its `ForceKeepAlive` timeout (60 s by default).
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(30);

pub struct SessionSocket {
    socket: WebSocketStream<WebSocketIo>,
    kind: ServerKind,
    keep_alive: tokio::time::Interval,
}

fn broken(e: &dyn std::fmt::Display) -> MediaError {
    MediaError::Unreachable(format!("the websocket broke: {e}"))
}

impl SessionSocket {
    pub async fn open(http: &MediaHttp, kind: ServerKind) -> Result<Self, MediaError> {
        let path = if kind == ServerKind::Emby { "/embywebsocket" } else { "/socket" };
        let io = http.open_websocket(path).await?;
        let mut config = WebSocketConfig::default();
        config.max_message_size = Some(crate::media::MAX_PAYLOAD_BYTES);
        config.max_frame_size = Some(crate::media::MAX_PAYLOAD_BYTES);
        let mut socket = WebSocketStream::from_raw_socket(io, Role::Client, Some(config)).await;
        socket.send(Message::text(SUBSCRIBE)).await.map_err(|e| broken(&e))?;
        let keep_alive = interval_at(Instant::now() + KEEP_ALIVE_EVERY, KEEP_ALIVE_EVERY);
        Ok(Self { socket, kind, keep_alive })
    }
}

#[async_trait]
impl Feed for SessionSocket {
    async fn next(&mut self) -> Result<Option<FeedMessage>, MediaError> {
        loop {
            let frame = tokio::select! {
                frame = self.socket.next() => frame,
                _ = self.keep_alive.tick() => {
                    self.socket.send(Message::text(KEEP_ALIVE)).await.map_err(|e| broken(&e))?;
                    continue;
                }
            };
            let text = match frame {
                None | Some(Ok(Message::Close(_))) => return Ok(None),
                Some(Err(e)) => return Err(broken(&e)),
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => return Ok(Some(FeedMessage::KeepAlive)),
            };
            return Ok(Some(match parse_sessions_message(text.as_str(), self.kind) {
                Ok(Some(sessions)) => FeedMessage::Sessions(sessions),
                Ok(None) => FeedMessage::KeepAlive,
                Err(e) => {
                    tracing::debug!(error = %e, "skipping an unreadable websocket message");
                    FeedMessage::KeepAlive
                }
            }));
        }
    }
}
