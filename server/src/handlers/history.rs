//! `GET /api/v1/history` (resume chains, filtered, keyset pages), `GET /api/v1/history.csv` (the
//! same filters as CSV, one line per play) and `POST /api/v1/history/delete` (`{"ids":[…]}`, audited).

use crate::middleware::json_error;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sightline_backend::history::{self, HistoryError, HistoryParams};
use sightline_backend::store::history::HistoryChain;
use sightline_backend::{AppContext, clock};
use sightline_domain::Principal;

#[derive(Serialize)]
struct ChainView {
    #[serde(flatten)]
    chain: HistoryChain,
    played_ms: u64,
    watched: bool,
}

#[derive(Serialize)]
struct PageView {
    items: Vec<ChainView>,
    /// The `after` of the next page; absent on the last page.
    next: Option<String>,
    /// How many chains match, when `count=true` was asked.
    total: Option<u64>,
}

#[derive(Deserialize)]
pub struct DeleteRequest {
    ids: Vec<i64>,
}

fn error(e: &HistoryError) -> Response {
    match e {
        HistoryError::Invalid { field, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "error": "invalid", "field": field, "message": message })),
        )
            .into_response(),
        HistoryError::Store(e) => {
            tracing::error!(error = %e, "cannot read or change the history");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}

/// `GET /api/v1/history?users=&servers=&media_type=&from=&to=&platform=&product=&device=&ip=&country=&city=&decision=&watched=&q=&sort=&after=&limit=&count=`.
pub async fn list(State(ctx): State<AppContext>, Query(params): Query<HistoryParams>) -> Response {
    let query = match params.parse() {
        Ok(q) => q,
        Err(e) => return error(&e),
    };
    match history::page(&ctx, &query).await {
        Ok(r) => Json(PageView {
            next: r.page.next.as_ref().map(history::cursor_text),
            total: r.total,
            items: r
                .page
                .items
                .into_iter()
                .map(|chain| ChainView { played_ms: chain.played_ms(), watched: chain.watched(), chain })
                .collect(),
        })
        .into_response(),
        Err(e) => error(&e),
    }
}

/// `GET /api/v1/history.csv` with the filters of [`list`], streamed page by page (no cap). A store
/// failure mid-way is logged and ends the body early.
pub async fn csv(State(ctx): State<AppContext>, Query(params): Query<HistoryParams>) -> Response {
    let query = match params.parse() {
        Ok(q) => q,
        Err(e) => return error(&e),
    };
    let chunks = history::export_csv(ctx, query.filter, query.sort).map(|chunk| {
        chunk.map(axum::body::Bytes::from).map_err(|e| {
            tracing::error!(error.message = %e, "history CSV export stopped");
            std::io::Error::other(e.to_string())
        })
    });
    let mut response = axum::body::Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"sightline-history.csv\""),
    );
    response
}

/// `POST /api/v1/history/delete` with `{"ids":[1,2,3]}`: `{"deleted":n}`.
pub async fn delete(
    State(ctx): State<AppContext>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<DeleteRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(request)) = body else {
        return json_error(StatusCode::BAD_REQUEST, "bad_json", "send {\"ids\":[1,2,3]}");
    };
    match history::delete(&ctx, &request.ids, &principal.label(), clock::now()).await {
        Ok(deleted) => Json(serde_json::json!({ "deleted": deleted })).into_response(),
        Err(e) => error(&e),
    }
}
