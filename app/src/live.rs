//! The browser end of the live channel: one WebSocket to `/ws`, turned into signals.
//! Reconnects with capped exponential backoff and jitter; a `Resync` from the server bumps
//! `resync`, which resources depend on so they refetch instead of patching missed events.

use leptos::prelude::*;
use sightline_domain::live::{NowPlaying, ServerHealth};
use sightline_domain::{LiveEvent, ServerId};
use std::collections::BTreeMap;

/// Connection state shown in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Rendered on the server, before the browser has run any code.
    Offline,
    Connecting,
    Connected,
    Reconnecting {
        in_secs: u64,
    },
}

/// Signals fed by the live socket. `Copy`, so closures can capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct LiveState {
    pub status: RwSignal<LiveStatus>,
    /// The server's clock from the latest hello or heartbeat (RFC 3339).
    pub server_time: RwSignal<Option<String>>,
    pub n_clients: RwSignal<usize>,
    pub n_events: RwSignal<u64>,
    /// Increments on every resync and reconnect; resources key on it to refetch.
    pub resync: RwSignal<u64>,
    /// Streams changed by live events since the last refetch, by `NowPlaying::key`;
    /// `None` marks a stream that stopped.
    pub plays: RwSignal<BTreeMap<String, Option<NowPlaying>>>,
    /// Server health reported live since the last refetch.
    pub health: RwSignal<BTreeMap<ServerId, ServerHealth>>,
    /// Increments when a stream starts or stops, so counters refetch.
    pub activity: RwSignal<u64>,
    /// Increments when an incident opens or recurs, so the alert lists refetch.
    pub incidents: RwSignal<u64>,
}

impl LiveState {
    fn new() -> Self {
        Self {
            status: RwSignal::new(LiveStatus::Offline),
            server_time: RwSignal::new(None),
            n_clients: RwSignal::new(0),
            n_events: RwSignal::new(0),
            resync: RwSignal::new(0),
            plays: RwSignal::new(BTreeMap::new()),
            health: RwSignal::new(BTreeMap::new()),
            activity: RwSignal::new(0),
            incidents: RwSignal::new(0),
        }
    }

    /// Applies one event to the signals.
    pub fn apply(&self, event: LiveEvent) {
        self.n_events.update(|n| *n += 1);
        match event {
            LiveEvent::Hello { server_time, n_clients, .. } => {
                self.server_time.set(Some(server_time.to_rfc3339()));
                self.n_clients.set(n_clients);
            }
            LiveEvent::Heartbeat { server_time, n_clients } => {
                self.server_time.set(Some(server_time.to_rfc3339()));
                self.n_clients.set(n_clients);
            }
            LiveEvent::Resync { .. } => self.resync.update(|n| *n += 1),
            LiveEvent::ShuttingDown => self.status.set(LiveStatus::Reconnecting { in_secs: 1 }),
            LiveEvent::Playing { now } => {
                let key = now.key();
                let is_new = self.plays.with_untracked(|p| !matches!(p.get(&key), Some(Some(_))));
                self.plays.update(|p| {
                    p.insert(key, Some(*now));
                });
                if is_new {
                    self.activity.update(|n| *n += 1);
                }
            }
            LiveEvent::Stopped { server, play } => {
                self.plays.update(|p| {
                    p.insert(format!("{server}-{play}"), None);
                });
                self.activity.update(|n| *n += 1);
            }
            LiveEvent::ServerHealth { health } => self.health.update(|h| {
                h.insert(health.server, health);
            }),
            LiveEvent::Incident { .. } | LiveEvent::IncidentAction { .. } => self.incidents.update(|n| *n += 1),
        }
    }
}

/// Creates the live state, provides it as context and (in the browser) connects.
pub fn provide_live() -> LiveState {
    let state = LiveState::new();
    provide_context(state);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| client::connect(state, 0));
    state
}

/// The live state provided by the signed-in layout.
#[must_use]
pub fn use_live() -> Option<LiveState> {
    use_context::<LiveState>()
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{LiveState, LiveStatus};
    use leptos::prelude::*;
    use sightline_domain::LiveEvent;
    use sightline_domain::backoff::reconnect_delay_ms;
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::JsCast as _;
    use wasm_bindgen::closure::Closure;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    fn socket_url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()?.as_str() == "https:" { "wss" } else { "ws" };
        Some(format!("{scheme}://{}/ws", location.host().ok()?))
    }

    pub(super) fn connect(state: LiveState, attempt: u32) {
        state.status.set(LiveStatus::Connecting);
        let Some(ws) = socket_url().and_then(|url| WebSocket::new(&url).ok()) else {
            schedule(state, attempt + 1);
            return;
        };
        let opened = Rc::new(Cell::new(false));

        let on_open = {
            let opened = Rc::clone(&opened);
            Closure::<dyn FnMut()>::new(move || {
                opened.set(true);
                state.status.set(LiveStatus::Connected);
                if attempt > 0 {
                    // Events were missed while disconnected.
                    state.resync.update(|n| *n += 1);
                }
            })
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(text) = e.data().as_string() {
                match serde_json::from_str::<LiveEvent>(&text) {
                    Ok(event) => state.apply(event),
                    Err(err) => leptos::logging::warn!("ignoring an unreadable live event: {err}"),
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_e: CloseEvent| {
            // A socket that had opened starts the backoff afresh.
            let next = if opened.get() { 1 } else { attempt + 1 };
            schedule(state, next);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // The socket owns its handlers for its whole life; they are few and small.
        on_open.forget();
        on_message.forget();
        on_close.forget();
    }

    fn schedule(state: LiveState, attempt: u32) {
        let delay = reconnect_delay_ms(attempt, js_sys::Math::random());
        state.status.set(LiveStatus::Reconnecting { in_secs: delay.div_ceil(1000) });
        set_timeout(move || connect(state, attempt), Duration::from_millis(delay));
    }
}
