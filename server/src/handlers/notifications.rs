//! `/api/v1/notifications`: destinations (list, add, read, replace, switch, remove, send a test) and
//! the outbox (list by state, retry or delete a notification). Thin: the rules live in
//! `sightline_backend::notify::admin`, which also writes the audit log. Secrets are accepted but only
//! ever returned redacted.

use crate::middleware::{bad_json, json_error};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sightline_backend::notify::DeliveryOutcome;
use sightline_backend::notify::admin::{self, AdminError, DestinationInput, fields};
use sightline_backend::store::StoreError;
use sightline_backend::store::notify::{
    DestinationRecord, OutboxCounts, OutboxRow, OutboxState, UnreadableDestination,
};
use sightline_backend::{AppContext, clock};
use sightline_domain::Principal;

/// A destination as the API shows it: settings, the config with secrets redacted, the last outcome.
fn destination_view(r: &DestinationRecord) -> Value {
    let d = &r.destination;
    let config: Map<String, Value> =
        fields::redacted(&d.config).into_iter().map(|(k, v)| (k.to_owned(), Value::String(v))).collect();
    json!({
        "id": d.id,
        "kind": d.config.kind().as_str(),
        "name": d.name,
        "enabled": d.enabled,
        "events": d.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "min_severity": d.min_severity.as_str(),
        "allow_private": d.allow_private,
        "rate_per_minute": d.rate_per_minute,
        "title_template": d.title_template,
        "body_template": d.body_template,
        "config": config,
        "last": r.last.as_ref().map(|l| json!({ "at": l.at.to_rfc3339(), "ok": l.ok, "outcome": l.text })),
        "created_at": r.created_at.to_rfc3339(),
        "updated_at": r.updated_at.to_rfc3339(),
        "readable": true,
    })
}

fn unreadable_view(u: &UnreadableDestination) -> Value {
    json!({ "id": u.id, "kind": u.kind, "name": u.name, "readable": false, "problem": u.reason })
}

fn row_view(r: &OutboxRow) -> Value {
    json!({
        "id": r.id,
        "destination_id": r.destination_id,
        "event": r.event.as_str(),
        "summary": r.notice.get(sightline_backend::notify::Var::Summary),
        "state": r.state.as_str(),
        "attempts": r.attempts,
        "next_attempt_at": r.next_attempt_at.to_rfc3339(),
        "last_error": r.last_error,
        "created_at": r.created_at.to_rfc3339(),
        "updated_at": r.updated_at.to_rfc3339(),
        "delivered_at": r.delivered_at.map(|t| t.to_rfc3339()),
    })
}

fn counts_view(c: OutboxCounts) -> Value {
    json!({ "queued": c.queued, "sending": c.sending, "delivered": c.delivered, "dead": c.dead })
}

fn store_failed(e: &StoreError) -> Response {
    tracing::error!(error.message = %e, error.cause_chain = ?e, "notification store failed");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer; see the log")
}

fn error(e: &AdminError) -> Response {
    match e {
        AdminError::Invalid(list) => {
            let first = list.first();
            let errors: Vec<Value> = list.iter().map(|f| json!({ "field": f.field, "message": f.message })).collect();
            let body = json!({
                "error": "invalid",
                "field": first.map(|f| f.field.as_str()),
                "message": first.map(|f| f.message.as_str()),
                "errors": errors,
            });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        AdminError::NotFound | AdminError::NoSuchRow => json_error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        AdminError::Store(inner) => store_failed(inner),
    }
}

/// `GET /api/v1/notifications/destinations`
pub async fn list(State(ctx): State<AppContext>) -> Response {
    match admin::list(&ctx).await {
        Ok(all) => {
            let mut views: Vec<(i64, Value)> =
                all.readable.iter().map(|r| (r.destination.id, destination_view(r))).collect();
            views.extend(all.unreadable.iter().map(|u| (u.id, unreadable_view(u))));
            views.sort_by_key(|(id, _)| *id);
            Json(views.into_iter().map(|(_, v)| v).collect::<Vec<_>>()).into_response()
        }
        Err(e) => store_failed(&e),
    }
}

/// `GET /api/v1/notifications/destinations/{id}`
pub async fn get(State(ctx): State<AppContext>, Path(id): Path<i64>) -> Response {
    match admin::list(&ctx).await {
        Ok(all) => {
            if let Some(r) = all.readable.iter().find(|r| r.destination.id == id) {
                Json(destination_view(r)).into_response()
            } else if let Some(u) = all.unreadable.iter().find(|u| u.id == id) {
                Json(unreadable_view(u)).into_response()
            } else {
                error(&AdminError::NotFound)
            }
        }
        Err(e) => store_failed(&e),
    }
}

/// `POST /api/v1/notifications/destinations`
pub async fn create(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<DestinationInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    match admin::create(&ctx, &input, &principal.label(), clock::now()).await {
        Ok(r) => (StatusCode::CREATED, Json(destination_view(&r))).into_response(),
        Err(e) => error(&e),
    }
}

/// `PUT /api/v1/notifications/destinations/{id}`: replaces the settings; blank secrets are kept.
pub async fn replace(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<DestinationInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    match admin::update(&ctx, id, &input, &principal.label(), clock::now()).await {
        Ok(r) => Json(destination_view(&r)).into_response(),
        Err(e) => error(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    enabled: bool,
}

/// `PATCH /api/v1/notifications/destinations/{id}`: `{"enabled": bool}`.
pub async fn switch(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<SwitchBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    match admin::set_enabled(&ctx, id, b.enabled, &principal.label(), clock::now()).await {
        Ok(r) => Json(destination_view(&r)).into_response(),
        Err(e) => error(&e),
    }
}

/// `DELETE /api/v1/notifications/destinations/{id}`
pub async fn delete(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match admin::delete(&ctx, id, &principal.label(), clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}

/// `POST /api/v1/notifications/destinations/{id}/test`: sends a test message now and answers with
/// what the receiver said: `{"ok", "outcome", "will_retry"}`.
pub async fn test(State(ctx): State<AppContext>, Path(id): Path<i64>) -> Response {
    match admin::send_test(&ctx, id, clock::now()).await {
        Ok(outcome) => Json(json!({
            "ok": matches!(outcome, DeliveryOutcome::Delivered { .. }),
            "outcome": outcome.describe(),
            "will_retry": matches!(outcome, DeliveryOutcome::Retry { .. }),
        }))
        .into_response(),
        Err(e) => error(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    state: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct OutboxView {
    counts: Value,
    rows: Vec<Value>,
}

/// `GET /api/v1/notifications/outbox?state=queued|sending|delivered|dead&limit=50`
pub async fn outbox(
    State(ctx): State<AppContext>,
    query: Result<Query<OutboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return json_error(StatusCode::BAD_REQUEST, "bad_query", "use state and limit only");
    };
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match OutboxState::parse(s) {
            Some(st) => Some(st),
            None => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    "state must be queued, sending, delivered or dead",
                );
            }
        },
    };
    match admin::outbox(&ctx, state, q.limit.unwrap_or(50)).await {
        Ok((rows, counts)) => {
            Json(OutboxView { counts: counts_view(counts), rows: rows.iter().map(row_view).collect() }).into_response()
        }
        Err(e) => store_failed(&e),
    }
}

/// `POST /api/v1/notifications/outbox/{id}/retry`: queues a dead notification again.
pub async fn retry(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match admin::retry(&ctx, id, &principal.label(), clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}

/// `DELETE /api/v1/notifications/outbox/{id}`
pub async fn discard(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match admin::discard(&ctx, id, &principal.label(), clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}
