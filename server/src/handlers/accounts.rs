//! Media-server accounts' trust and settings: `GET /api/v1/trust` (every scored account and the
//! policy), `GET/PUT /api/v1/trust/policy`, `GET/POST /api/v1/accounts/{server}/{user}/trust` (score
//! and history; an override with a reason) and `GET/PUT /api/v1/accounts/{server}/{user}/settings`.
//! Thin: the rules live in `sightline_backend::{trust, account_settings}`, which write the audit log.

use crate::middleware::{bad_json, json_error};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sightline_backend::account_settings::{self, AccountSettingsError, SettingsInput, account_exists};
use sightline_backend::store::{StoreError, TrustChange};
use sightline_backend::trust::{self, TrustError, TrustView};
use sightline_backend::{AppContext, clock};
use sightline_domain::rules::UserSettings;
use sightline_domain::rules::trust::{TrustPolicy, band};
use sightline_domain::{Principal, ServerId};

#[derive(Deserialize)]
pub struct HistoryQuery {
    /// 1 to 500; 50 when absent.
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    score: i64,
    reason: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    #[serde(default)]
    household_networks: Vec<String>,
    #[serde(default)]
    max_streams: Option<u32>,
}

impl From<UserSettings> for SettingsBody {
    fn from(s: UserSettings) -> Self {
        Self {
            household_networks: s.household_networks.iter().map(ToString::to_string).collect(),
            max_streams: s.max_streams,
        }
    }
}

#[derive(Serialize)]
pub struct ChangeView {
    id: i64,
    at: DateTime<Utc>,
    kind: &'static str,
    score_before: u8,
    score_after: u8,
    reason: String,
    incident_id: Option<i64>,
    actor: String,
}

impl From<TrustChange> for ChangeView {
    fn from(c: TrustChange) -> Self {
        Self {
            id: c.id,
            at: c.at,
            kind: c.kind.as_str(),
            score_before: c.score_before,
            score_after: c.score_after,
            reason: c.reason,
            incident_id: c.incident_id,
            actor: c.actor,
        }
    }
}

#[derive(Serialize)]
pub struct AccountTrust {
    #[serde(flatten)]
    trust: TrustView,
    history: Vec<ChangeView>,
}

fn internal(e: &StoreError) -> Response {
    tracing::error!(error.message = %e, error.cause_chain = ?e, "account store failed");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer; see the log")
}

fn invalid(field: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": "invalid", "field": field, "message": message });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn no_account() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such account")
}

fn trust_error(e: &TrustError) -> Response {
    match e {
        TrustError::Invalid { field, message } => invalid(field, message),
        TrustError::NotFound => no_account(),
        TrustError::Store(inner) => internal(inner),
    }
}

/// `GET /api/v1/trust`: the policy and every scored account (others stand at `policy.start`).
pub async fn all(State(ctx): State<AppContext>) -> Response {
    let now = clock::now();
    let (policy, scores) = match (trust::policy(&ctx).await, trust::scores(&ctx, now).await) {
        (Ok(p), Ok(s)) => (p, s),
        (Err(e), _) | (_, Err(e)) => return internal(&e),
    };
    let mut accounts: Vec<_> = scores
        .into_iter()
        .map(|((server, user), score)| {
            serde_json::json!({ "server_id": server, "user_id": user, "score": score, "band": band(score) })
        })
        .collect();
    accounts.sort_by_key(|a| (a["server_id"].as_i64(), a["user_id"].as_str().map(str::to_owned)));
    Json(serde_json::json!({ "policy": policy, "accounts": accounts })).into_response()
}

/// `GET /api/v1/trust/policy`.
pub async fn policy(State(ctx): State<AppContext>) -> Response {
    match trust::policy(&ctx).await {
        Ok(p) => Json(p).into_response(),
        Err(e) => internal(&e),
    }
}

/// `PUT /api/v1/trust/policy` with every field of the policy.
pub async fn set_policy(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<TrustPolicy>, JsonRejection>,
) -> Response {
    let Json(policy) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    match trust::set_policy(&ctx, &principal.label(), policy, clock::now()).await {
        Ok(p) => Json(p).into_response(),
        Err(e) => trust_error(&e),
    }
}

async fn account_trust(ctx: &AppContext, server: ServerId, user: &str, limit: u32) -> Response {
    let now = clock::now();
    match (trust::score(ctx, server, user, now).await, trust::history(ctx, server, user, limit).await) {
        (Ok(trust), Ok(history)) => {
            Json(AccountTrust { trust, history: history.into_iter().map(ChangeView::from).collect() }).into_response()
        }
        (Err(e), _) | (_, Err(e)) => internal(&e),
    }
}

/// `GET /api/v1/accounts/{server}/{user}/trust[?limit=N]`: the score and the newest changes.
pub async fn trust(
    State(ctx): State<AppContext>,
    Path((server, user)): Path<(i64, String)>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let server = ServerId(server);
    match account_exists(&ctx, server, &user).await {
        Ok(true) => account_trust(&ctx, server, &user, q.limit.unwrap_or(50).clamp(1, 500)).await,
        Ok(false) => no_account(),
        Err(e) => internal(&e),
    }
}

/// `POST /api/v1/accounts/{server}/{user}/trust` with `{"score": 80, "reason": "known traveller"}`.
pub async fn set_trust(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path((server, user)): Path<(i64, String)>,
    body: Result<Json<OverrideBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let Ok(score) = u8::try_from(b.score) else {
        return invalid("score", "must be 0 to 100");
    };
    let server = ServerId(server);
    match trust::set_override(&ctx, &principal.label(), server, &user, score, &b.reason, clock::now()).await {
        Ok(_) => account_trust(&ctx, server, &user, 50).await,
        Err(e) => trust_error(&e),
    }
}

/// `GET /api/v1/accounts/{server}/{user}/settings`.
pub async fn settings(State(ctx): State<AppContext>, Path((server, user)): Path<(i64, String)>) -> Response {
    let server = ServerId(server);
    match account_exists(&ctx, server, &user).await {
        Ok(true) => match account_settings::get(&ctx, server, &user).await {
            Ok(s) => Json(SettingsBody::from(s)).into_response(),
            Err(e) => internal(&e),
        },
        Ok(false) => no_account(),
        Err(e) => internal(&e),
    }
}

/// `PUT /api/v1/accounts/{server}/{user}/settings` with `{"household_networks": [..], "max_streams": n|null}`.
pub async fn set_settings(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path((server, user)): Path<(i64, String)>,
    body: Result<Json<SettingsBody>, JsonRejection>,
) -> Response {
    let Json(b) = match body {
        Ok(b) => b,
        Err(r) => return bad_json(&r),
    };
    let input = SettingsInput { household_networks: b.household_networks, max_streams: b.max_streams };
    match account_settings::set(&ctx, &principal.label(), ServerId(server), &user, &input, clock::now()).await {
        Ok(s) => Json(SettingsBody::from(s)).into_response(),
        Err(AccountSettingsError::Invalid { field, message }) => invalid(field, &message),
        Err(AccountSettingsError::NotFound) => no_account(),
        Err(AccountSettingsError::Store(e)) => internal(&e),
    }
}
