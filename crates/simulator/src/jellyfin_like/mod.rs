//! The fake Jellyfin and Emby servers: one implementation, differing in the fields each
//! server's schema has, the auth header forms and the WebSocket keep-alive. Routes in
//! `routes.rs`, payloads in `render.rs`, the WebSocket in `socket.rs`.

pub mod render;
pub mod routes;
pub mod socket;

use crate::state::ServerShared;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use sightline_domain::media::ServerKind;
use std::sync::Arc;

/// Every endpoint; `/System/Info/Public` and images need no token.
pub fn router(shared: Arc<ServerShared>) -> Router {
    let mut private = Router::new()
        .route("/System/Info", get(routes::system_info))
        .route("/Sessions", get(routes::sessions))
        .route("/Users", get(routes::users))
        .route("/Sessions/{id}/Playing/{command}", post(routes::playing_command))
        .route("/Sessions/{id}/Message", post(routes::message))
        .route("/socket", get(socket::socket));
    if shared.kind == ServerKind::Emby {
        private = private.route("/Users/Query", get(routes::users_query)).route("/embywebsocket", get(socket::socket));
    }
    let private = private.route_layer(from_fn_with_state(shared.clone(), routes::require_token));
    Router::new()
        .route("/System/Info/Public", get(routes::public_info))
        .route("/Items/{id}/Images/Primary", get(routes::image))
        .route("/Users/{id}/Images/Primary", get(routes::image))
        .merge(private)
        .layer(from_fn_with_state(shared.clone(), crate::fault::middleware))
        .layer(from_fn_with_state(shared.clone(), crate::http::count))
        .with_state(shared)
}
