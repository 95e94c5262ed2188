//! Server functions for the live dashboard: active streams, today's counters, server health.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sightline_domain::live::{NowPlaying, ServerHealth, TodayCounters};

/// Everything the "Now playing" section starts from; live events update it afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NowPlayingView {
    pub sessions: Vec<NowPlaying>,
    pub today: TodayCounters,
    pub servers: Vec<ServerHealth>,
    /// How many media servers are configured (enabled or not), for the empty state.
    pub servers_configured: usize,
    /// Problems worth the owner's attention (e.g. a proxy hiding client addresses).
    pub warnings: Vec<String>,
}

/// Active streams and today's counters (since midnight in the owner's time zone).
#[server(endpoint = "now_playing")]
pub async fn get_now_playing() -> Result<NowPlayingView, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let now = sightline_backend::clock::now();
    let today = sightline_backend::ingest::today::today(&ctx, now).await.map_err(|e| crate::ssr::internal(&e))?;
    let servers_configured = ctx.store.list_servers().await.map_err(|e| crate::ssr::internal(&e))?.len();
    let sessions = ctx.ingest.board.now_playing();
    let warnings = sightline_backend::ingest::hidden::hidden_client_warnings(&sessions);
    Ok(NowPlayingView { sessions, today, servers: ctx.ingest.board.all_health(), servers_configured, warnings })
}
