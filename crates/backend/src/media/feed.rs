//! Push channels from media servers: what a feed yields (`FeedMessage`) and the `Feed` trait the
//! ingestion task reads. Plex sends play-state notifications over server-sent events; Jellyfin
//! and Emby send complete session lists over their WebSocket.

use super::plex::PlayStateNotification;
use super::server::MediaError;
use async_trait::async_trait;
use sightline_domain::media::MediaSession;

/// One thing a feed delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedMessage {
    /// The complete list of playbacks (Jellyfin/Emby `Sessions`).
    Sessions(Vec<MediaSession>),
    /// Changes to some playbacks (Plex `PlaySessionStateNotification`).
    PlayStates(Vec<PlayStateNotification>),
    /// Proof of life without news.
    KeepAlive,
}

/// An open push channel. Dropping it closes the connection.
#[async_trait]
pub trait Feed: Send {
    /// The next message; `Ok(None)` when the server closed the channel.
    async fn next(&mut self) -> Result<Option<FeedMessage>, MediaError>;
}
