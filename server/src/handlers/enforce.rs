//! `POST /api/v1/sessions/{server}/{play}/stop` with `{"message": "…"}` (optional): stops a live
//! stream, addressed as `GET /api/v1/sessions/active` lists it (`server.id` and `play`). Read-only
//! API keys are refused by the auth guard (non-GET). Thin: `sightline_backend::enforce` does the work.

use crate::middleware::json_error;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sightline_backend::enforce::{self, EnforceError, StopStatus};
use sightline_backend::{AppContext, clock};
use sightline_domain::{Principal, ServerId};

#[derive(Deserialize)]
pub struct StopRequest {
    /// Shown to the viewer where the client can show it (Plex: as the reason of the stop).
    #[serde(default)]
    message: Option<String>,
}

/// 200 with the outcome when the stream stopped or had already ended; 409 with the outcome when
/// nothing could be sent (`code` says why: `no_remote_control`, `plex_pass_required`,
/// `no_session_id`); 404 when the stream is not live; 422 for an unacceptable message; 502 when the
/// media server failed.
pub async fn stop(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path((server, play)): Path<(i64, String)>,
    body: Result<Json<StopRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(request)) = body else {
        return json_error(StatusCode::BAD_REQUEST, "bad_json", "send {\"message\":\"…\"} or {}");
    };
    let actor = principal.label();
    match enforce::stop_stream(&ctx, ServerId(server), &play, request.message.as_deref(), &actor, clock::now()).await {
        Ok(outcome) if outcome.status == StopStatus::Refused => (StatusCode::CONFLICT, Json(outcome)).into_response(),
        Ok(outcome) => Json(outcome).into_response(),
        Err(e @ EnforceError::NotLive) => json_error(StatusCode::NOT_FOUND, "not_live", &e.to_string()),
        Err(e @ EnforceError::Invalid(_)) => json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e.to_string()),
        Err(e @ EnforceError::Media(_)) => json_error(StatusCode::BAD_GATEWAY, "media_server", &e.to_string()),
        Err(EnforceError::Store(e)) => {
            tracing::error!(error = %e, "cannot stop a stream");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}
