//! The fake Plex Media Server: its router (`routes.rs`), the session model (`element.rs`) with
//! its XML and JSON renderings, the small containers, and the notification streams (`sse.rs`).

pub mod containers;
pub mod element;
pub mod render_json;
pub mod render_xml;
pub mod routes;
pub mod sse;

use crate::state::ServerShared;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use std::sync::Arc;

/// Every Plex endpoint; `/identity` needs no token, everything else does.
pub fn router(shared: Arc<ServerShared>) -> Router {
    // Plex's notification paths start with `/:/`, which axum would read as old capture syntax.
    let private = Router::new()
        .without_v07_checks()
        .route("/", get(routes::root))
        .route("/accounts", get(routes::accounts))
        .route("/status/sessions", get(routes::sessions))
        .route("/status/sessions/terminate", get(routes::terminate).post(routes::terminate))
        .route("/library/metadata/{key}/thumb/{version}", get(routes::artwork))
        .route("/library/metadata/{key}/art/{version}", get(routes::artwork))
        .route("/:/eventsource/notifications", get(sse::eventsource))
        .route("/:/websockets/notifications", get(sse::websocket))
        .route_layer(from_fn_with_state(shared.clone(), routes::require_token));
    Router::new()
        .without_v07_checks()
        .route("/identity", get(routes::identity))
        .merge(private)
        .layer(from_fn_with_state(shared.clone(), crate::fault::middleware))
        .layer(from_fn_with_state(shared.clone(), crate::http::count))
        .with_state(shared)
}
