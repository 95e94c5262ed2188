//! `GET /healthz`: status, version and whether the database answers. 503 when degraded.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sightline_backend::{AppContext, VERSION};
use sightline_domain::{Health, HealthStatus};

pub async fn healthz(State(ctx): State<AppContext>) -> (StatusCode, Json<Health>) {
    let health = Health::from_checks(VERSION, ctx.store.ping().await.is_ok());
    let status = if health.status == HealthStatus::Ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(health))
}
