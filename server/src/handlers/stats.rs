//! `GET /api/v1/stats?period=&server=&from=&to=&tz=`: the Statistics page's figures as JSON (a
//! `StatsView`). Days and hours are cut in the owner's time zone (Settings → General), or in `tz`
//! (an IANA name such as `Europe/Stockholm`) when given.

use crate::middleware::json_error;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sightline_backend::stats::{StatsError, StatsQuery, page};
use sightline_backend::store::StoreError;
use sightline_backend::time_zone::{self, Tz};
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
    /// An IANA zone name; the owner's zone when absent.
    tz: Option<String>,
}

fn date(text: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    text.filter(|t| !t.is_empty()).map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| ())).transpose()
}

fn parse(p: &Params, owners_zone: Tz) -> Result<StatsQuery, &'static str> {
    let period = match p.period.as_deref().filter(|t| !t.is_empty()) {
        None => Period::Week,
        Some(t) => Period::parse(t).ok_or("period must be day, week, month, year, all or custom")?,
    };
    let server = match p.server.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(ServerId(t.parse().map_err(|_| "server must be a server id")?)),
    };
    let time_zone = match p.tz.as_deref().filter(|t| !t.is_empty()) {
        None => owners_zone,
        Some(t) => time_zone::parse(t).map_err(|_| "tz must be an IANA time zone name such as Europe/Stockholm")?,
    };
    let from = date(p.from.as_deref()).map_err(|()| "from must be YYYY-MM-DD")?;
    let to = date(p.to.as_deref()).map_err(|()| "to must be YYYY-MM-DD")?;
    Ok(StatsQuery { period, from, to, server, time_zone })
}

/// `GET /api/v1/stats`.
pub async fn get(State(ctx): State<AppContext>, Query(params): Query<Params>) -> Response {
    let owners_zone = match time_zone::current(&ctx).await {
        Ok(tz) => tz,
        Err(e) => return unavailable(&e),
    };
    let query = match parse(&params, owners_zone) {
        Ok(q) => q,
        Err(message) => return json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
    };
    match page(&*ctx.store, &query, clock::now()).await {
        Ok(view) => Json(view).into_response(),
        Err(StatsError::Period(e)) => json_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e.to_string()),
        Err(StatsError::Store(e)) => unavailable(&e),
    }
}

fn unavailable(e: &StoreError) -> Response {
    tracing::error!(error = %e, "cannot read statistics");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the database did not answer")
}
