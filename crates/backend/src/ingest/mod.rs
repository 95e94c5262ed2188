//! Ingestion: one supervised task per media server that follows its sessions (server-sent
//! events, WebSocket or polling), feeds them to the pure `ServerTracker`, persists plays and
//! publishes live events. `Ingest` is the handle the rest of the app holds.

pub mod board;
pub mod hidden;
mod pipeline;
mod server_task;
mod supervisor;

pub mod today;

pub use supervisor::supervise;

use board::Board;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the app holds of ingestion: the live board, and a way to tell the supervisor that the
/// configured servers changed (added, edited, disabled, removed).
#[derive(Clone, Default)]
pub struct Ingest {
    pub board: Arc<Board>,
    changed: Arc<Notify>,
}

impl Ingest {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the supervisor to re-read the server list (cheap; coalesces).
    pub fn servers_changed(&self) {
        self.changed.notify_one();
    }

    /// Resolves when the server list may have changed.
    pub async fn wait_changed(&self) {
        self.changed.notified().await;
    }
}
