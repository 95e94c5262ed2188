//! `GET /api/v1/sessions/active` (what the dashboard shows, as JSON) and `GET /img/{server}`
//! (the authenticated image proxy for posters). Thin: the rules live in `sightline_backend`.

use crate::middleware::json_error;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_backend::images::{self, ImageError};
use sightline_backend::ingest::hidden::hidden_client_warnings;
use sightline_backend::ingest::today::today;
use sightline_backend::{AppContext, clock};
use sightline_domain::ServerId;
use sightline_domain::live::{NowPlaying, ServerHealth, TodayCounters};

#[derive(Serialize)]
pub struct ActiveSessions {
    sessions: Vec<NowPlaying>,
    today: TodayCounters,
    servers: Vec<ServerHealth>,
    /// Problems worth the owner's attention (e.g. a proxy hiding client addresses).
    warnings: Vec<String>,
}

/// `GET /api/v1/sessions/active`.
pub async fn active(State(ctx): State<AppContext>) -> Response {
    match today(&ctx, clock::now()).await {
        Ok(counters) => {
            let sessions = ctx.ingest.board.now_playing();
            let warnings = hidden_client_warnings(&sessions);
            Json(ActiveSessions { sessions, today: counters, servers: ctx.ingest.board.all_health(), warnings })
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot count today's plays");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}

#[derive(Deserialize)]
pub struct ImageQuery {
    path: String,
}

/// `GET /img/{server}?path=…`.
pub async fn image(State(ctx): State<AppContext>, Path(server): Path<i64>, Query(q): Query<ImageQuery>) -> Response {
    match images::fetch(&ctx, ServerId(server), &q.path).await {
        Ok(image) => {
            let mut response = image.bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&image.content_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
            response
        }
        Err(ImageError::BadPath) => StatusCode::BAD_REQUEST.into_response(),
        Err(ImageError::NoServer) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::debug!(server, error = %e, "image not proxied");
            StatusCode::BAD_GATEWAY.into_response()
        }
    }
}
