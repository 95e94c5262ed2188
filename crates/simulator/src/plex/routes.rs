//! The Plex endpoints: token check, format negotiation (XML by default, JSON on request),
//! sessions, terminate, accounts and generated artwork.

use super::{containers, element, render_json, render_xml};
use crate::http::{header_text, query_param, wants_json};
use crate::record::RecordedRequest;
use crate::state::{ServerShared, lock};
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const UNAUTHORIZED_PAGE: &str =
    "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>";

/// Refuses requests without the server's token in `X-Plex-Token` (header or query, as Plex accepts both).
pub async fn require_token(State(shared): State<Arc<ServerShared>>, request: Request, next: Next) -> Response {
    let header_token = header_text(request.headers(), "x-plex-token").map(str::to_owned);
    let token = header_token.or_else(|| query_param(request.uri().query(), "X-Plex-Token"));
    if shared.token_ok(token.as_deref()) {
        next.run(request).await
    } else {
        (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))], UNAUTHORIZED_PAGE)
            .into_response()
    }
}

/// Renders a container in the format the client asked for.
fn reply(headers: &HeaderMap, root: &element::Element) -> Response {
    if wants_json(headers) {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], render_json::document(root))
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("text/xml;charset=utf-8"))], render_xml::document(root))
            .into_response()
    }
}

pub async fn identity(State(shared): State<Arc<ServerShared>>, headers: HeaderMap) -> Response {
    reply(&headers, &containers::identity(&shared))
}

pub async fn root(State(shared): State<Arc<ServerShared>>, headers: HeaderMap) -> Response {
    reply(&headers, &containers::root(&shared))
}

pub async fn accounts(State(shared): State<Arc<ServerShared>>, headers: HeaderMap) -> Response {
    reply(&headers, &containers::accounts(&shared))
}

pub async fn sessions(State(shared): State<Arc<ServerShared>>, headers: HeaderMap) -> Response {
    let sessions = shared.sessions();
    reply(&headers, &element::sessions_container(&shared, &sessions))
}

/// `GET|POST /status/sessions/terminate?sessionId=…&reason=…`: recorded; ends the session with
/// an empty 200. 401 without Plex Pass and 403 with an empty `sessionId` (as the LukeHagar spec
/// documents), 404 for an unknown one.
pub async fn terminate(State(shared): State<Arc<ServerShared>>, method: Method, request: Request) -> Response {
    let query = request.uri().query().unwrap_or_default().to_owned();
    let path = request.uri().path().to_owned();
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await.unwrap_or_default();
    lock(&shared.log).calls.push(RecordedRequest {
        method: method.to_string(),
        path,
        query: query.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if !shared.can_kick() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(id) = query_param(Some(&query), "sessionId").filter(|id| !id.is_empty()) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match shared.find_upstream(&id) {
        Some(key) => {
            shared.remove(&key);
            StatusCode::OK.into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /library/metadata/{ratingKey}/thumb/{n}` and `…/art/{n}`: a generated poster.
pub async fn artwork(Path((key, _version)): Path<(String, String)>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))], Bytes::from(crate::png::poster(&key)))
        .into_response()
}
