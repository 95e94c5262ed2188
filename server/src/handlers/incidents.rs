//! `GET /api/v1/incidents` (the most recently updated incidents with their evidence) and
//! `PATCH /api/v1/incidents/{id}` (acknowledge, dismiss, reopen; audited).

use crate::middleware::json_error;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_backend::incidents::{self, StatusError};
use sightline_backend::store::IncidentRecord;
use sightline_backend::{AppContext, clock};
use sightline_domain::Principal;
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

#[derive(Deserialize)]
pub struct StatusChange {
    status: String,
}

/// `PATCH /api/v1/incidents/{id}` with `{"status":"acknowledged"|"dismissed"|"open"}`.
pub async fn update(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<StatusChange>, JsonRejection>,
) -> Response {
    let Ok(Json(change)) = body else {
        return json_error(StatusCode::BAD_REQUEST, "bad_json", "send {\"status\":\"acknowledged\"}");
    };
    match incidents::set_status(&ctx, &principal.label(), id, &change.status, clock::now()).await {
        Ok(r) => Json(view(r)).into_response(),
        Err(e @ StatusError::Invalid) => json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e.to_string()),
        Err(e @ StatusError::NotFound) => json_error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        Err(e @ StatusError::Conflict) => json_error(StatusCode::CONFLICT, "conflict", &e.to_string()),
        Err(StatusError::Store(e)) => {
            tracing::error!(error = %e, "cannot change an incident");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}

fn view(r: IncidentRecord) -> IncidentView {
    IncidentView {
        id: r.id,
        status: r.status,
        occurrences: r.occurrences,
        opened_at: r.opened_at.to_rfc3339(),
        updated_at: r.updated_at.to_rfc3339(),
        violation: r.violation,
    }
}

/// `GET /api/v1/incidents[?limit=N]`.
pub async fn list(State(ctx): State<AppContext>, Query(q): Query<ListQuery>) -> Response {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    match ctx.store.incidents(limit).await {
        Ok(rows) => Json(rows.into_iter().map(view).collect::<Vec<_>>()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot list incidents");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}
