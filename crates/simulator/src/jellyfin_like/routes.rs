//! The Jellyfin and Emby HTTP endpoints: token check (every header form both servers accept),
//! system info, sessions, users, playstate commands, messages and generated images.

use super::render;
use crate::http::{header_text, query_param};
use crate::record::RecordedRequest;
use crate::state::{PlayState, ServerShared, SessionRef, lock};
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sightline_domain::media::ServerKind;
use std::sync::Arc;

/// The token from `X-Emby-Token`, `X-MediaBrowser-Token`, `Authorization`/`X-Emby-Authorization:
/// MediaBrowser Token="…"`, or the `api_key` query parameter.
#[must_use]
pub fn presented_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let plain = header_text(headers, "x-emby-token").or_else(|| header_text(headers, "x-mediabrowser-token"));
    if let Some(token) = plain {
        return Some(token.to_owned());
    }
    let scheme = header_text(headers, "authorization").or_else(|| header_text(headers, "x-emby-authorization"));
    if let Some(token) = scheme.and_then(mediabrowser_token) {
        return Some(token);
    }
    query_param(query, "api_key").or_else(|| query_param(query, "ApiKey"))
}

/// `Token="…"` out of `MediaBrowser Client="…", Token="…", …`.
fn mediabrowser_token(value: &str) -> Option<String> {
    let rest = value.trim().strip_prefix("MediaBrowser")?;
    rest.split(',').find_map(|part| {
        let (key, val) = part.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("Token").then(|| val.trim().trim_matches('"').to_owned())
    })
}

pub async fn require_token(State(shared): State<Arc<ServerShared>>, request: Request, next: Next) -> Response {
    let token = presented_token(request.headers(), request.uri().query());
    if shared.token_ok(token.as_deref()) { next.run(request).await } else { StatusCode::UNAUTHORIZED.into_response() }
}

fn json_reply(body: impl Into<Bytes>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))], body.into()).into_response()
}

fn port(shared: &ServerShared) -> u16 {
    shared.base_url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
}

pub async fn public_info(State(shared): State<Arc<ServerShared>>) -> Response {
    json_reply(render::public_info(&shared).to_string())
}

pub async fn system_info(State(shared): State<Arc<ServerShared>>) -> Response {
    json_reply(render::system_info(&shared, port(&shared)).to_string())
}

/// `GET /Sessions`: the snapshot rendered at the last change or tick.
pub async fn sessions(State(shared): State<Arc<ServerShared>>) -> Response {
    let snapshot = shared.snapshot.borrow().array.clone();
    json_reply(snapshot)
}

pub async fn users(State(shared): State<Arc<ServerShared>>) -> Response {
    json_reply(render::users(&shared, crate::clock::now()).to_string())
}

/// Emby's `GET /Users/Query`: the same users in a `QueryResult`.
pub async fn users_query(State(shared): State<Arc<ServerShared>>) -> Response {
    let users = render::users(&shared, crate::clock::now());
    let total = users.as_array().map_or(0, Vec::len);
    json_reply(serde_json::json!({ "Items": users, "TotalRecordCount": total }).to_string())
}

/// Reads the body and records the call.
async fn recorded(shared: &ServerShared, request: Request) -> Bytes {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    lock(&shared.log).calls.push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    });
    bytes
}

/// `POST /Sessions/{id}/Playing/{command}`: `Stop` ends the session; `Pause`, `Unpause` and
/// `PlayPause` change its state; every call is recorded. 204 (Emby: 200), 404 for an unknown
/// session; a client without remote control is left as it is, with the same success answer.
pub async fn playing_command(
    State(shared): State<Arc<ServerShared>>,
    Path((id, command)): Path<(String, String)>,
    request: Request,
) -> Response {
    recorded(&shared, request).await;
    let key = SessionRef(id);
    // The real servers pass commands on to the client's connection; a client without remote control
    // has none, so the command is accepted and nothing happens.
    let controllable = shared.sessions().iter().find(|s| s.key == key.0).map(|s| s.remote_control);
    if controllable == Some(false) {
        return done(shared.kind);
    }
    let found = match command.as_str() {
        "Stop" => shared.remove(&key).is_some(),
        "Pause" => shared.update(&key, |s| s.state = PlayState::Paused).is_some(),
        "Unpause" => shared.update(&key, |s| s.state = PlayState::Playing).is_some(),
        "PlayPause" => shared
            .update(&key, |s| {
                s.state = if s.state == PlayState::Paused { PlayState::Playing } else { PlayState::Paused };
            })
            .is_some(),
        _ => shared.sessions().iter().any(|s| s.key == key.0),
    };
    if found { done(shared.kind) } else { StatusCode::NOT_FOUND.into_response() }
}

/// A command's success: Jellyfin documents 204, Emby an empty 200.
fn done(kind: ServerKind) -> Response {
    match kind {
        ServerKind::Emby => StatusCode::OK.into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

/// `POST /Sessions/{id}/Message`: Jellyfin takes a JSON `MessageCommand` body with a required
/// `Text`; Emby takes `Text` and `Header` as query parameters. Recorded either way.
pub async fn message(State(shared): State<Arc<ServerShared>>, Path(id): Path<String>, request: Request) -> Response {
    let query = request.uri().query().map(str::to_owned);
    let body = recorded(&shared, request).await;
    if !shared.sessions().iter().any(|s| s.key == id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let has_text = match shared.kind {
        ServerKind::Jellyfin => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("Text").and_then(Value::as_str).map(str::to_owned))
            .is_some(),
        _ => query_param(query.as_deref(), "Text").is_some(),
    };
    if has_text { done(shared.kind) } else { StatusCode::BAD_REQUEST.into_response() }
}

/// `GET /Items/{id}/Images/Primary` and `GET /Users/{id}/Images/Primary`. Both servers serve
/// images without a token, so these routes do not ask for one.
pub async fn image(Path(id): Path<String>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))], Bytes::from(crate::png::poster(&id)))
        .into_response()
}
