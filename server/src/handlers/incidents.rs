//! `GET /api/v1/incidents`: the most recently updated incidents with their evidence, as JSON.

use crate::middleware::json_error;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_backend::AppContext;
use sightline_domain::rules::Violation;

#[derive(Deserialize)]
pub struct ListQuery {
    /// 1 to 500; 100 when absent.
    limit: Option<u32>,
}

#[derive(Serialize)]
pub struct IncidentView {
    id: i64,
    status: String,
    occurrences: u32,
    opened_at: String,
    updated_at: String,
    violation: Violation,
}

/// `GET /api/v1/incidents[?limit=N]`.
pub async fn list(State(ctx): State<AppContext>, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    match ctx.store.incidents(limit).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|r| IncidentView {
                    id: r.id,
                    status: r.status,
                    occurrences: r.occurrences,
                    opened_at: r.opened_at.to_rfc3339(),
                    updated_at: r.updated_at.to_rfc3339(),
                    violation: r.violation,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot list incidents");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}
