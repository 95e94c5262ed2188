//! HTTP middleware, outermost first: client address → security headers → cross-origin
//! check → authentication guard. Each layer owns one concern.

pub mod access;
pub mod auth;
pub mod client_ip;
pub mod cookie;
pub mod origin;
pub mod security;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A small JSON error body: `{"error": code, "message": text}`.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": code, "message": message }))).into_response()
}
