//! `ServerState`: what axum handlers can extract, by `FromRef`.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sightline_backend::AppContext;
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub ctx: AppContext,
    /// Cancelled when the server begins shutting down; long-lived handlers watch it.
    pub shutdown: CancellationToken,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<ServerState> for AppContext {
    fn from_ref(s: &ServerState) -> Self {
        s.ctx.clone()
    }
}

impl FromRef<ServerState> for CancellationToken {
    fn from_ref(s: &ServerState) -> Self {
        s.shutdown.clone()
    }
}
