//! HTTP plumbing shared by every fake server: serving a router on a fault-aware listener until
//! shutdown, counting requests per endpoint, and reading tokens and query parameters.

use crate::fault::FaultyListener;
use crate::state::{ServerShared, lock};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Serves `router` until `cancel` fires, then lets open requests finish.
pub async fn serve(listener: FaultyListener, router: Router, cancel: CancellationToken) {
    let result = axum::serve(listener, router).with_graceful_shutdown(async move { cancel.cancelled().await }).await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "simulated server stopped with an error");
    }
}

/// Counts each request under `METHOD /route/template`.
pub async fn count(State(shared): State<Arc<ServerShared>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| request.uri().path().to_owned(), |m| m.as_str().to_owned());
    let key = format!("{} {route}", request.method());
    *lock(&shared.log).counts.entry(key).or_insert(0) += 1;
    next.run(request).await
}

/// Whether the client asked for JSON (`Accept: application/json`).
#[must_use]
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// A header's value as text.
#[must_use]
pub fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The first value of a query parameter, decoded.
#[must_use]
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| crate::record::decode(v))
}
