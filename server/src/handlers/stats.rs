//! `GET /api/v1/stats?period=&server=&from=&to=&utc_offset=`: the Statistics page's figures as
//! JSON (a `StatsView`). `utc_offset` is minutes east of UTC for day boundaries (UTC when absent).

use crate::middleware::json_error;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sightline_backend::stats::{StatsError, StatsQuery, page};
use sightline_backend::{AppContext, clock};
use sightline_domain::ServerId;
use sightline_domain::stats::Period;

#[derive(Deserialize)]
pub struct Params {
    /// `day`, `week` (default), `month`, `year`, `all`, `custom`.
    period: Option<String>,
    server: Option<String>,
    /// `YYYY-MM-DD`, for `custom`.
    from: Option<String>,
    to: Option<String>,
    utc_offset: Option<String>,
}

fn date(text: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    text.filter(|t| !t.is_empty()).map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| ())).transpose()
}

fn parse(p: &Params) -> Result<StatsQuery, &'static str> {
    let period = match p.period.as_deref().filter(|t| !t.is_empty()) {
        None => Period::Week,
        Some(t) => Period::parse(t).ok_or("period must be day, week, month, year, all or custom")?,
    };
    let server = match p.server.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(ServerId(t.parse().map_err(|_| "server must be a server id")?)),
    };
    let utc_offset_minutes = match p.utc_offset.as_deref().filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => {
            t.parse::<i32>().ok().filter(|m| m.abs() <= 14 * 60).ok_or("utc_offset must be minutes within ±840")?
        }
    };
    let from = date(p.from.as_deref()).map_err(|()| "from must be YYYY-MM-DD")?;
    let to = date(p.to.as_deref()).map_err(|()| "to must be YYYY-MM-DD")?;
    Ok(StatsQuery { period, from, to, server, utc_offset_minutes })
}

/// `GET /api/v1/stats`.
pub async fn get(State(ctx): State<AppContext>, Query(params): Query<Params>) -> Response {
    let query = match parse(&params) {
        Ok(q) => q,
        Err(message) => return json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
    };
    match page(&*ctx.store, &query, clock::now()).await {
        Ok(view) => Json(view).into_response(),
        Err(StatsError::Period(e)) => json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e.to_string()),
        Err(StatsError::Store(e)) => {
            tracing::error!(error = %e, "cannot read statistics");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
        }
    }
}
