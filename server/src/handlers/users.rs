//! Users (people behind media-server accounts): `GET /api/v1/users?q=&sort=&page=&per_page=` (the
//! list), `GET /api/v1/users/{id}` (a person's page), `PATCH /api/v1/users/{id}` (`{"name": …}`),
//! `POST /api/v1/users/merge` (`{"into": 1, "people": [2], "accounts": [{"server_id": 3,
//! "user_id": "bob"}]}`) and `POST /api/v1/users/{id}/split` (`{"server_id": 3, "user_id": "bob"}`).
//! Thin: the rules live in `sightline_backend::people`, which writes the audit log.

use crate::middleware::{bad_json, json_error};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sightline_backend::people::{self, ListParams, PeopleError};
use sightline_backend::store::StoreError;
use sightline_backend::{AppContext, clock};
use sightline_domain::rules::UserRef;
use sightline_domain::{Principal, ServerId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    server_id: i64,
    user_id: String,
}

impl AccountBody {
    fn user_ref(self) -> UserRef {
        UserRef { server_id: ServerId(self.server_id), user_id: self.user_id }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    into: i64,
    #[serde(default)]
    people: Vec<i64>,
    #[serde(default)]
    accounts: Vec<AccountBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    name: String,
}

fn internal(e: &StoreError) -> Response {
    tracing::error!(error.message = %e, error.cause_chain = ?e, "people store failed");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer; see the log")
}

fn error(e: &PeopleError) -> Response {
    match e {
        PeopleError::Invalid { field, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "error": "invalid", "field": field, "message": message })),
        )
            .into_response(),
        PeopleError::NotFound => no_user(),
        PeopleError::Store(inner) => internal(inner),
    }
}

fn no_user() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such user")
}

/// `GET /api/v1/users`: a page of people with their accounts, servers, plays, last sighting and trust.
pub async fn list(State(ctx): State<AppContext>, Query(params): Query<ListParams>) -> Response {
    let query = match params.parse() {
        Ok(q) => q,
        Err(e) => return error(&e),
    };
    match people::list(&ctx, &query, clock::now()).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => internal(&e),
    }
}

/// `GET /api/v1/users/{id}`: accounts with trust and settings, devices, addresses, places, recent
/// history and incidents.
pub async fn show(State(ctx): State<AppContext>, Path(id): Path<i64>) -> Response {
    match people::page(&ctx, id, clock::now()).await {
        Ok(Some(page)) => Json(page).into_response(),
        Ok(None) => no_user(),
        Err(e) => internal(&e),
    }
}

/// `PATCH /api/v1/users/{id}` with `{"name": "Alice"}` (empty: named after the first account again).
pub async fn rename(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<RenameBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let now = clock::now();
    if let Err(e) = people::rename(&ctx, &principal.label(), id, &b.name, now).await {
        return error(&e);
    }
    show(State(ctx), Path(id)).await
}

/// `POST /api/v1/users/merge`: moves the accounts of `people` and the `accounts` to the person `into`.
pub async fn merge(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<MergeBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let accounts: Vec<UserRef> = b.accounts.into_iter().map(AccountBody::user_ref).collect();
    match people::merge(&ctx, &principal.label(), b.into, &b.people, &accounts, clock::now()).await {
        Ok(done) => Json(done).into_response(),
        Err(e) => error(&e),
    }
}

/// `POST /api/v1/users/{id}/split`: gives the account its own person again; answers with its id.
pub async fn split(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
    body: Result<Json<AccountBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    match people::split(&ctx, &principal.label(), id, &b.user_ref(), clock::now()).await {
        Ok(person) => Json(serde_json::json!({ "id": person })).into_response(),
        Err(e) => error(&e),
    }
}
