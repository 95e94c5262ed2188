//! The versioned REST API under `/api/v1`, for scripts and integrations (bearer API keys)
//! as well as signed-in browsers.

use crate::middleware::json_error;
use axum::Extension;
use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use sightline_domain::Principal;

/// `GET /api/v1/me`: who is calling.
pub async fn me(Extension(principal): Extension<Principal>) -> Json<Principal> {
    Json(principal)
}

/// Unknown `/api/v1/*` paths answer JSON, not the HTML 404 page.
pub async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}
