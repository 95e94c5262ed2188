//! `/api/v1/rules`: list, create, replace, switch, delete, export and import detection rules, and
//! snooze a rule for one account (`/api/v1/rules/{id}/snoozes/{server}/{user}`, `/api/v1/snoozes`).
//! Thin: the rules live in `sightline_backend::rules_admin`, which also writes the audit log.

use crate::middleware::json_error;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sightline_backend::rules_admin::{self, MAX_SNOOZE_DAYS, RulesAdminError};
use sightline_backend::store::SnoozeRecord;
use sightline_backend::{AppContext, clock};
use sightline_domain::rules::{Problem, Rule, RuleError};
use sightline_domain::{Principal, ServerId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    enabled: bool,
}

/// Either an end time or a number of hours from now.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnoozeBody {
    until: Option<String>,
    hours: Option<u32>,
}

#[derive(Serialize)]
pub struct SnoozeView {
    rule_id: String,
    server_id: ServerId,
    user_id: String,
    until: DateTime<Utc>,
    actor: String,
    created_at: DateTime<Utc>,
}

impl From<SnoozeRecord> for SnoozeView {
    fn from(s: SnoozeRecord) -> Self {
        Self {
            rule_id: s.rule_id.0,
            server_id: s.server_id,
            user_id: s.user_id,
            until: s.until,
            actor: s.actor,
            created_at: s.created_at,
        }
    }
}

fn invalid(field: &str, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": "invalid", "field": field, "code": code, "message": message });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn field_message(e: &RuleError) -> String {
    match (e.field, e.problem) {
        ("until", Problem::TooSmall { .. }) => "must be in the future".to_owned(),
        ("until", Problem::TooLarge { max }) => format!("must be within {max} days"),
        (_, problem) => problem.to_string(),
    }
}

fn error(e: &RulesAdminError) -> Response {
    match e {
        RulesAdminError::Invalid(field) => invalid(field.field, field.code(), &field_message(field)),
        RulesAdminError::NotFound => json_error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        RulesAdminError::Conflict(_) => json_error(StatusCode::CONFLICT, "conflict", &e.to_string()),
        RulesAdminError::BadFile(m) => json_error(StatusCode::BAD_REQUEST, "bad_file", m),
        RulesAdminError::Store(inner) => {
            tracing::error!(error.message = %inner, error.cause_chain = ?inner, "rule store failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer; see the log")
        }
    }
}

fn bad_json(message: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, "bad_json", message)
}

/// A rule from a JSON body, with the id the route decides (empty: a new rule); else why not.
fn rule_from(body: Result<Json<serde_json::Value>, JsonRejection>, id: &str) -> Result<Rule, String> {
    let Json(mut value) = body.map_err(|r| r.body_text())?;
    let Some(object) = value.as_object_mut() else {
        return Err("send the rule as a JSON object".to_owned());
    };
    object.insert("id".to_owned(), serde_json::Value::String(id.to_owned()));
    serde_json::from_value(value).map_err(|e| format!("not a rule: {e}"))
}

/// `GET /api/v1/rules`: the rules in evaluation order.
pub async fn list(State(ctx): State<AppContext>) -> Response {
    match rules_admin::list(&ctx).await {
        Ok(rules) => Json(rules).into_response(),
        Err(e) => error(&RulesAdminError::Store(e)),
    }
}

/// `POST /api/v1/rules`: adds a rule after the others; its id is made from its name.
pub async fn create(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let rule = match rule_from(body, "") {
        Ok(r) => r,
        Err(message) => return bad_json(&message),
    };
    match rules_admin::save(&ctx, &principal.label(), rule, clock::now()).await {
        Ok(rule) => (StatusCode::CREATED, Json(rule)).into_response(),
        Err(e) => error(&e),
    }
}

/// `PUT /api/v1/rules/{id}`: replaces a rule, keeping its place.
pub async fn replace(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let rule = match rule_from(body, &id) {
        Ok(r) => r,
        Err(message) => return bad_json(&message),
    };
    match rules_admin::save(&ctx, &principal.label(), rule, clock::now()).await {
        Ok(rule) => Json(rule).into_response(),
        Err(e) => error(&e),
    }
}

/// `PATCH /api/v1/rules/{id}` with `{"enabled": bool}`.
pub async fn switch(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<SwitchBody>, JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return bad_json("send {\"enabled\": true} or {\"enabled\": false}");
    };
    match rules_admin::set_enabled(&ctx, &principal.label(), &id, b.enabled, clock::now()).await {
        Ok(rule) => Json(rule).into_response(),
        Err(e) => error(&e),
    }
}

/// `DELETE /api/v1/rules/{id}`.
pub async fn delete(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    match rules_admin::delete(&ctx, &principal.label(), &id, clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}

/// `GET /api/v1/rules/export`: the rule file, as a download.
pub async fn export(State(ctx): State<AppContext>) -> Response {
    match rules_admin::list(&ctx).await {
        Ok(rules) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"sightline-rules.json\""),
            ],
            rules_admin::export(&rules),
        )
            .into_response(),
        Err(e) => error(&RulesAdminError::Store(e)),
    }
}

/// `POST /api/v1/rules/import` with a rule file (or an array of rules) as the body: replaces the
/// whole rule set, or nothing when any rule is wrong.
pub async fn import(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: String,
) -> Response {
    match rules_admin::import(&ctx, &principal.label(), &body, clock::now()).await {
        Ok(n) => Json(serde_json::json!({ "imported": n })).into_response(),
        Err(e) => error(&e),
    }
}

/// `GET /api/v1/snoozes`: the snoozes running now, soonest to end first.
pub async fn snoozes(State(ctx): State<AppContext>) -> Response {
    match rules_admin::snoozes(&ctx, clock::now()).await {
        Ok(list) => Json(list.into_iter().map(SnoozeView::from).collect::<Vec<_>>()).into_response(),
        Err(e) => error(&RulesAdminError::Store(e)),
    }
}

fn snooze_end(body: &SnoozeBody, now: DateTime<Utc>) -> Result<DateTime<Utc>, Box<Response>> {
    let refused = match (&body.until, body.hours) {
        (Some(until), None) => match DateTime::parse_from_rfc3339(until.trim()) {
            Ok(t) => return Ok(t.with_timezone(&Utc)),
            Err(_) => invalid("until", "not_a_time", "must be a time like 2026-12-01T18:00:00Z"),
        },
        (None, Some(hours)) if (1..=MAX_SNOOZE_DAYS * 24).contains(&hours) => {
            return Ok(now + TimeDelta::hours(hours.into()));
        }
        (None, Some(_)) => invalid("hours", "out_of_range", &format!("must be 1 to {}", MAX_SNOOZE_DAYS * 24)),
        _ => bad_json("send {\"until\": \"2026-12-01T18:00:00Z\"} or {\"hours\": 24}"),
    };
    Err(Box::new(refused))
}

/// `POST /api/v1/rules/{id}/snoozes/{server}/{user}` with `{"until": "<RFC 3339>"}` or `{"hours": n}`.
pub async fn snooze(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path((id, server, user)): Path<(String, i64, String)>,
    body: Result<Json<SnoozeBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(r) => return bad_json(&r.body_text()),
    };
    let now = clock::now();
    let until = match snooze_end(&b, now) {
        Ok(t) => t,
        Err(response) => return *response,
    };
    let server = ServerId(server);
    match rules_admin::snooze(&ctx, &principal.label(), &id, server, &user, until, now).await {
        Ok(()) => {
            let view = serde_json::json!({ "rule_id": id, "server_id": server, "user_id": user, "until": until });
            (StatusCode::CREATED, Json(view)).into_response()
        }
        Err(e) => error(&e),
    }
}

/// `DELETE /api/v1/rules/{id}/snoozes/{server}/{user}`.
pub async fn unsnooze(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    Path((id, server, user)): Path<(String, i64, String)>,
) -> Response {
    match rules_admin::unsnooze(&ctx, &principal.label(), &id, ServerId(server), &user, clock::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&e),
    }
}
