//! HTTP middleware, outermost first: client address → security headers → cross-origin
//! check → authentication guard. Each layer owns one concern.

pub mod access;
pub mod auth;
pub mod client_ip;
pub mod cookie;
pub mod origin;
pub mod security;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A small JSON error body: `{"error": code, "message": text}`.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": code, "message": message }))).into_response()
}

/// A request body that is not the expected JSON: 400 `bad_json` with axum's description of it.
pub fn bad_json(rejection: &JsonRejection) -> Response {
    json_error(StatusCode::BAD_REQUEST, "bad_json", &rejection.body_text())
}
