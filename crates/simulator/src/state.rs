//! The live state of one fake server: its identity, users, current sessions, token, fault and
//! request log, and the channels that carry change notifications to SSE and WebSocket clients.
//! Every mutation goes through `ServerShared`, which publishes the change once for all listeners.

use crate::devices::Device;
use crate::fault::Fault;
use crate::ids;
use crate::record::RequestLog;
use crate::scenario::{Decision, MediaKind, MediaSpec, Scenario, ServerSpec};
use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use sightline_domain::media::ServerKind;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

/// Identifies a session on one server: its `sessionKey` (Plex) or `Id` (Jellyfin, Emby).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionRef(pub String);

/// What the player is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayState {
    Playing,
    Paused,
    Buffering,
}

impl PlayState {
    /// Plex's word for it.
    #[must_use]
    pub fn plex(self) -> &'static str {
        match self {
            Self::Playing => "playing",
            Self::Paused => "paused",
            Self::Buffering => "buffering",
        }
    }
}

/// A user as one server reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    pub name: String,
    /// Plex: a number; Jellyfin/Emby: 32 hex digits (unless the scenario gives an id).
    pub id: String,
    pub admin: bool,
    /// Seed of avatar urls and image tags.
    pub image_tag: String,
}

/// One playback on a fake server.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Plex `sessionKey`; Jellyfin/Emby session `Id`.
    pub key: String,
    /// Plex `Session@id` (what terminate takes); the same as `key` elsewhere.
    pub upstream_id: String,
    pub user: SimUser,
    pub media: MediaSpec,
    /// Plex `ratingKey`; Jellyfin/Emby item `Id`.
    pub item_id: String,
    pub device: Device,
    /// Plex `Player@machineIdentifier`; Jellyfin/Emby `DeviceId`.
    pub device_id: String,
    pub ip: IpAddr,
    pub position_ms: u64,
    pub state: PlayState,
    pub decision: Decision,
    pub hw: bool,
    pub transcode_id: String,
    pub play_queue_item_id: u64,
    /// Jellyfin/Emby: the client obeys remote commands (stop, messages). A client that does not is
    /// still sent them by the server, which answers 204 and changes nothing, as the real servers do.
    pub remote_control: bool,
    /// `(stream index, cycle)` for scripted sessions.
    pub(crate) script: Option<(usize, u64)>,
}

impl Session {
    #[must_use]
    pub fn reference(&self) -> SessionRef {
        SessionRef(self.key.clone())
    }

    #[must_use]
    pub fn is_local(&self) -> bool {
        match self.ip {
            IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
            IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
        }
    }

    #[must_use]
    pub fn duration_ms(&self) -> u64 {
        self.media.duration.as_millis()
    }
}

/// A pre-rendered Plex notification: the SSE frame and the WebSocket text of the same event.
#[derive(Debug, Clone)]
pub struct PlexEvent {
    pub sse: Bytes,
    pub ws: Utf8Bytes,
}

/// The mutable part of a server.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub sessions: Vec<Session>,
    /// Scripted streams ended early (stop, terminate) in a cycle; not restarted in that cycle.
    pub killed: Vec<(usize, u64)>,
}

/// Everything a fake server's handlers, the driver and the control handle share.
pub struct ServerShared {
    pub kind: ServerKind,
    pub name: String,
    /// Plex `machineIdentifier`; Jellyfin/Emby `Id`.
    pub machine_id: String,
    pub version: &'static str,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub token: String,
    pub users: Vec<SimUser>,
    pub scenario: Arc<Scenario>,
    pub(crate) revoked: AtomicBool,
    /// Plex: the owner has Plex Pass, so terminate works (`session_kick`); without it Plex answers 401.
    pub(crate) session_kick: AtomicBool,
    /// Cancelled on revoke and on shutdown; open SSE and WebSocket connections end with it.
    pub(crate) connections: Mutex<CancellationToken>,
    pub(crate) fault: Mutex<Option<Fault>>,
    pub(crate) log: Mutex<RequestLog>,
    pub(crate) state: Mutex<State>,
    pub(crate) next_key: AtomicU64,
    pub(crate) plex_events: broadcast::Sender<PlexEvent>,
    /// Jellyfin/Emby: the `/Sessions` array and the `Sessions` WebSocket message, rendered once per change.
    pub(crate) snapshot: watch::Sender<Snapshot>,
    pub(crate) shutdown: CancellationToken,
}

/// The rendered session list of a Jellyfin-like server.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub array: Bytes,
    pub message: Utf8Bytes,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the data stays consistent:
/// every critical section here is a plain assignment or push).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ServerShared {
    pub(crate) fn new(
        spec: &ServerSpec,
        index: usize,
        scenario: Arc<Scenario>,
        token: String,
        base_url: String,
        shutdown: CancellationToken,
    ) -> Self {
        let seed = ids::hash(&spec.name) ^ index as u64;
        let kind = spec.kind;
        let owner = scenario.users.iter().position(|u| u.admin);
        let users = scenario.users.iter().enumerate().map(|(i, u)| sim_user(kind, u, owner == Some(i))).collect();
        let (plex_events, _) = broadcast::channel(1024);
        let (snapshot, _) = watch::channel(Snapshot::default());
        let connections = shutdown.child_token();
        Self {
            kind,
            name: spec.name.clone(),
            machine_id: match kind {
                ServerKind::Plex => format!("{:016x}{:024x}", ids::mix(seed), ids::mix(seed + 1) >> 32),
                _ => ids::hex32(seed),
            },
            version: match kind {
                ServerKind::Plex => "1.41.3.9314-a0bfb8370",
                ServerKind::Jellyfin => "10.10.3",
                ServerKind::Emby => "4.8.11.0",
            },
            base_url,
            token,
            users,
            scenario,
            revoked: AtomicBool::new(false),
            session_kick: AtomicBool::new(true),
            connections: Mutex::new(connections),
            fault: Mutex::new(None),
            log: Mutex::new(RequestLog::default()),
            state: Mutex::new(State::default()),
            next_key: AtomicU64::new(seed % 200 + 1),
            plex_events,
            snapshot,
            shutdown,
        }
    }

    /// Whether `presented` is this server's token and it has not been revoked.
    #[must_use]
    pub fn token_ok(&self, presented: Option<&str>) -> bool {
        !self.revoked.load(Ordering::SeqCst) && presented == Some(self.token.as_str())
    }

    /// The token that ends this server's open notification connections.
    pub(crate) fn connection_token(&self) -> CancellationToken {
        lock(&self.connections).clone()
    }

    pub(crate) fn set_revoked(&self, revoked: bool) {
        self.revoked.store(revoked, Ordering::SeqCst);
        let mut connections = lock(&self.connections);
        if revoked {
            connections.cancel();
        } else if connections.is_cancelled() {
            *connections = self.shutdown.child_token();
        }
    }

    pub(crate) fn fault(&self) -> Option<Fault> {
        lock(&self.fault).clone()
    }

    #[must_use]
    pub fn user(&self, name: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.name == name)
    }

    /// A copy of the current sessions.
    #[must_use]
    pub fn sessions(&self) -> Vec<Session> {
        lock(&self.state).sessions.clone()
    }

    pub(crate) fn next_key(&self) -> u64 {
        self.next_key.fetch_add(1, Ordering::SeqCst)
    }

    /// Builds a session with fresh keys.
    pub(crate) fn new_session(&self, user: SimUser, media: MediaSpec, device: Device, ip: IpAddr) -> Session {
        let n = self.next_key();
        let seed = ids::hash(&self.machine_id) ^ n.wrapping_mul(0x1000_0001);
        let item_seed = ids::hash(&media.id);
        // A real player keeps its id across sessions: one per (user, device) here.
        let device_id = ids::alnum(ids::hash(&device.name) ^ ids::hash(&user.id).rotate_left(7), 24);
        let (key, upstream_id, item_id) = match self.kind {
            ServerKind::Plex => (n.to_string(), ids::alnum(seed, 24), (10_000 + item_seed % 90_000).to_string()),
            _ => {
                let id = ids::hex32(seed);
                (id.clone(), id, ids::hex32(item_seed))
            }
        };
        Session {
            key,
            upstream_id,
            user,
            item_id,
            device_id,
            device,
            media,
            ip,
            position_ms: 0,
            state: PlayState::Playing,
            decision: Decision::DirectPlay,
            hw: false,
            transcode_id: ids::alnum(seed ^ 0xabcdef, 24),
            play_queue_item_id: 40_000 + n,
            remote_control: true,
            script: None,
        }
    }

    /// Adds a session and announces it.
    pub(crate) fn add(&self, session: Session) -> SessionRef {
        let reference = session.reference();
        lock(&self.state).sessions.push(session.clone());
        self.publish(&[session], &[]);
        reference
    }

    /// Changes a session; announces it when `announce` says the change is visible.
    pub(crate) fn update(&self, key: &SessionRef, change: impl FnOnce(&mut Session)) -> Option<Session> {
        let updated = {
            let mut state = lock(&self.state);
            let session = state.sessions.iter_mut().find(|s| s.key == key.0)?;
            change(session);
            session.clone()
        };
        self.publish(std::slice::from_ref(&updated), &[]);
        Some(updated)
    }

    /// Ends a session; scripted ones stay ended for the rest of their cycle.
    pub(crate) fn remove(&self, key: &SessionRef) -> Option<Session> {
        let removed = {
            let mut state = lock(&self.state);
            let index = state.sessions.iter().position(|s| s.key == key.0)?;
            let removed = state.sessions.remove(index);
            if let Some(script) = removed.script {
                state.killed.push(script);
            }
            removed
        };
        self.publish(&[], std::slice::from_ref(&removed));
        Some(removed)
    }

    /// Whether Plex terminate works (the owner has Plex Pass).
    pub(crate) fn can_kick(&self) -> bool {
        self.session_kick.load(Ordering::SeqCst)
    }

    /// Finds the session whose Plex `Session@id` (or key) is `id`.
    pub(crate) fn find_upstream(&self, id: &str) -> Option<SessionRef> {
        lock(&self.state).sessions.iter().find(|s| s.upstream_id == id || s.key == id).map(Session::reference)
    }

    /// Announces changed and ended sessions: Plex notifications, or a new Jellyfin snapshot.
    pub(crate) fn publish(&self, changed: &[Session], stopped: &[Session]) {
        match self.kind {
            ServerKind::Plex => {
                for s in changed {
                    let _ = self.plex_events.send(crate::plex::sse::event(s, s.state.plex()));
                }
                for s in stopped {
                    let _ = self.plex_events.send(crate::plex::sse::event(s, "stopped"));
                }
            }
            ServerKind::Jellyfin | ServerKind::Emby => self.refresh_snapshot(),
        }
    }

    /// The periodic update: Plex sends `playing` progress for every playing session; Jellyfin-like
    /// servers re-render their snapshot (positions moved).
    pub(crate) fn tick(&self) {
        match self.kind {
            ServerKind::Plex => {
                if self.plex_events.receiver_count() == 0 {
                    return;
                }
                let sessions = self.sessions();
                for s in sessions.iter().filter(|s| s.state == PlayState::Playing) {
                    let _ = self.plex_events.send(crate::plex::sse::event(s, s.state.plex()));
                }
            }
            ServerKind::Jellyfin | ServerKind::Emby => self.refresh_snapshot(),
        }
    }

    fn refresh_snapshot(&self) {
        let sessions = self.sessions();
        let array = crate::jellyfin_like::render::sessions_json(self, &sessions, crate::clock::now());
        let message = crate::jellyfin_like::render::sessions_message(self.kind, &array, self.next_key());
        self.snapshot.send_replace(Snapshot { array: Bytes::from(array), message: Utf8Bytes::from(message) });
    }
}

fn sim_user(kind: ServerKind, user: &crate::scenario::UserSpec, owner: bool) -> SimUser {
    let seed = ids::hash(&user.name);
    let id = user.id.clone().unwrap_or_else(|| match kind {
        // Plex numbers the owner 1 and other accounts from a large base.
        ServerKind::Plex if owner => "1".to_owned(),
        ServerKind::Plex => (1_000 + seed % 9_000_000).to_string(),
        _ => ids::hex32(seed),
    });
    SimUser { name: user.name.clone(), id, admin: user.admin, image_tag: ids::hex32(seed ^ 0x1234) }
}

/// Whether a media kind is a video.
#[must_use]
pub fn is_video(kind: MediaKind) -> bool {
    kind != MediaKind::Track
}
