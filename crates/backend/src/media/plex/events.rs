//! The Plex notification feed: `GET /:/eventsource/notifications` as server-sent events, decoded
//! with `sse::SseDecoder` and parsed with `parse_notification`. Only play-state entries matter to
//! ingestion; every other event (and comment lines) counts as a keep-alive.

use super::parse_notification;
use crate::media::feed::{Feed, FeedMessage};
use crate::media::http::{ByteChunks, MediaHttp};
use crate::media::server::MediaError;
use crate::media::sse::{SseDecoder, SseError, SseItem};
use async_trait::async_trait;
use std::collections::VecDeque;

/// The largest single event accepted; real play-state events are a few hundred bytes.
const MAX_EVENT_BYTES: usize = 1024 * 1024;

pub struct PlexEvents {
    chunks: ByteChunks,
    decoder: SseDecoder,
    ready: VecDeque<FeedMessage>,
}

impl PlexEvents {
    pub async fn open(http: &MediaHttp) -> Result<Self, MediaError> {
        let chunks = http.open_stream("/:/eventsource/notifications", &[], "text/event-stream").await?;
        Ok(Self { chunks, decoder: SseDecoder::new(MAX_EVENT_BYTES), ready: VecDeque::new() })
    }
}

fn sse_error(e: &SseError) -> MediaError {
    MediaError::Unreachable(format!("the notification stream broke: {e}"))
}

#[async_trait]
impl Feed for PlexEvents {
    async fn next(&mut self) -> Result<Option<FeedMessage>, MediaError> {
        loop {
            if let Some(message) = self.ready.pop_front() {
                return Ok(Some(message));
            }
            let Some(chunk) = self.chunks.next().await? else { return Ok(None) };
            let items = self.decoder.push(&chunk).map_err(|e| sse_error(&e))?;
            if items.is_empty() {
                continue;
            }
            for item in items {
                let message = match item {
                    SseItem::KeepAlive => FeedMessage::KeepAlive,
                    SseItem::Event { data, .. } => match parse_notification(&data) {
                        Ok(states) if !states.is_empty() => FeedMessage::PlayStates(states),
                        Ok(_) => FeedMessage::KeepAlive,
                        // One unreadable event is logged and skipped; the poll reconciles.
                        Err(e) => {
                            tracing::debug!(error = %e, "skipping an unreadable plex notification");
                            FeedMessage::KeepAlive
                        }
                    },
                };
                self.ready.push_back(message);
            }
        }
    }
}
