//! `/api/v1/servers`: list, add, change, remove and connection-test media servers. Thin: the
//! rules live in `sightline_backend::servers`. Tokens are accepted but never returned.

use crate::middleware::{bad_json, json_error};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sightline_backend::secret::SecretString;
use sightline_backend::servers::{self, ServerError, ServerInput, ServerPatch};
use sightline_backend::store::ServerRecord;
use sightline_backend::{AppContext, clock};
use sightline_domain::{Principal, ServerId};

/// A server as the API shows it (no token).
#[derive(Serialize)]
pub struct ServerView {
    id: i64,
    kind: &'static str,
    name: String,
    url: String,
    color: String,
    enabled: bool,
    created_at: String,
    updated_at: String,
}

impl From<ServerRecord> for ServerView {
    fn from(r: ServerRecord) -> Self {
        Self {
            id: r.id.0,
            kind: r.kind.as_str(),
            name: r.name,
            url: r.url,
            color: r.color,
            enabled: r.enabled,
            created_at: r.created_at.to_rfc3339(),
            updated_at: r.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    kind: String,
    name: String,
    url: String,
    token: String,
    color: Option<String>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    name: Option<String>,
    url: Option<String>,
    token: Option<String>,
    color: Option<String>,
    enabled: Option<bool>,
}

fn error(e: &ServerError) -> Response {
    match e {
        ServerError::Invalid { field, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "error": "invalid", "field": field, "message": message })),
        )
            .into_response(),
        ServerError::NameTaken => json_error(StatusCode::CONFLICT, "name_taken", &e.to_string()),
        ServerError::NotFound => json_error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        ServerError::Store(inner) => {
            tracing::error!(error.message = %inner, error.cause_chain = ?inner, "server store failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not be saved; see the log")
        }
    }
}

/// `GET /api/v1/servers`
pub async fn list(State(ctx): State<AppContext>) -> Response {
    match ctx.store.list_servers().await {
        Ok(list) => Json(list.into_iter().map(ServerView::from).collect::<Vec<_>>()).into_response(),
        Err(e) => error(&ServerError::Store(e)),
    }
}

/// `POST /api/v1/servers`
pub async fn create(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let input = ServerInput {
        kind: b.kind,
        name: b.name,
        url: b.url,
        token: SecretString::new(b.token),
        color: b.color,
        enabled: b.enabled,
    };
    match servers::create(&ctx, input, &principal.label(), clock::now()).await {
        Ok(r) => (StatusCode::CREATED, Json(ServerView::from(r))).into_response(),
        Err(e) => error(&e),
    }
}

/// `PATCH /api/v1/servers/{id}`
pub async fn update(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<PatchBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let patch = ServerPatch {
        name: b.name,
        url: b.url,
        token: b.token.map(SecretString::new),
        color: b.color,
        enabled: b.enabled,
    };
    match servers::update(&ctx, ServerId(id), patch, &principal.label(), clock::now()).await {
        Ok(r) => Json(ServerView::from(r)).into_response(),
        Err(e) => error(&e),
    }
}

/// `DELETE /api/v1/servers/{id}`
pub async fn delete(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match servers::delete(&ctx, ServerId(id), &principal.label(), clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}

/// `POST /api/v1/servers/{id}/test`: `{"ok": true, "name", "version"}` or
/// `{"ok": false, "error": code, "message"}` with the media server's specific failure.
pub async fn test(State(ctx): State<AppContext>, Path(id): Path<i64>) -> Response {
    match servers::test_connection(&ctx, ServerId(id)).await {
        Ok(Ok(identity)) => Json(serde_json::json!({
            "ok": true, "name": identity.name, "version": identity.version, "machine_id": identity.machine_id,
        }))
        .into_response(),
        Ok(Err(e)) => {
            Json(serde_json::json!({ "ok": false, "error": e.code(), "message": e.to_string() })).into_response()
        }
        Err(e) => error(&e),
    }
}
