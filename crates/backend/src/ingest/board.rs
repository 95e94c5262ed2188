//! The in-memory board of what is live right now: every server's active streams and health, as
//! the ingestion tasks last reported them. Read by the API and pages; written only by `ingest`.
//! The database stays the record; the board is rebuilt from the tasks after a restart.

use sightline_domain::ServerId;
use sightline_domain::live::{NowPlaying, ServerHealth};
use std::collections::BTreeMap;
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct Board {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// By server, then by play id.
    plays: BTreeMap<ServerId, BTreeMap<String, NowPlaying>>,
    health: BTreeMap<ServerId, ServerHealth>,
}

impl Board {
    /// Every active stream, newest start first.
    #[must_use]
    pub fn now_playing(&self) -> Vec<NowPlaying> {
        let inner = self.read();
        let mut all: Vec<NowPlaying> = inner.plays.values().flat_map(|m| m.values().cloned()).collect();
        all.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| a.key().cmp(&b.key())));
        all
    }

    /// One account's active streams on one server (unordered), without copying the others.
    #[must_use]
    pub fn streams_of(&self, server: ServerId, user_id: &str) -> Vec<NowPlaying> {
        let inner = self.read();
        inner
            .plays
            .get(&server)
            .map(|m| m.values().filter(|p| p.session.user.id == user_id).cloned().collect())
            .unwrap_or_default()
    }

    /// One active stream by its server and play id.
    #[must_use]
    pub fn stream(&self, server: ServerId, play: &str) -> Option<NowPlaying> {
        self.read().plays.get(&server).and_then(|m| m.get(play)).cloned()
    }

    /// The number of active streams on one server.
    #[must_use]
    pub fn streams_on(&self, server: ServerId) -> usize {
        self.read().plays.get(&server).map_or(0, BTreeMap::len)
    }

    #[must_use]
    pub fn health(&self, server: ServerId) -> Option<ServerHealth> {
        self.read().health.get(&server).cloned()
    }

    #[must_use]
    pub fn all_health(&self) -> Vec<ServerHealth> {
        self.read().health.values().cloned().collect()
    }

    pub(crate) fn upsert_play(&self, now: NowPlaying) {
        let mut inner = self.write();
        inner.plays.entry(now.server.id).or_default().insert(now.play.clone(), now);
    }

    pub(crate) fn remove_play(&self, server: ServerId, play: &str) {
        let mut inner = self.write();
        if let Some(m) = inner.plays.get_mut(&server) {
            m.remove(play);
        }
    }

    pub(crate) fn set_health(&self, health: ServerHealth) {
        self.write().health.insert(health.server, health);
    }

    /// Forgets a server that was removed or whose task ended.
    pub(crate) fn forget(&self, server: ServerId) {
        let mut inner = self.write();
        inner.plays.remove(&server);
        inner.health.remove(&server);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // A writer that panicked left whole entries behind (each write is one insert or remove).
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
