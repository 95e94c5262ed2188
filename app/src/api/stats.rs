//! Server function of the Statistics page: the period's figures (`sightline_backend::stats::page`,
//! from the rollups) in the owner's time zone (or one asked for), and the server choices of its filter.

use crate::api::map::Choice;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sightline_domain::stats::StatsView;

/// The periods the page offers: (query value, label).
pub const PERIODS: [(&str, &str); 5] =
    [("day", "Today"), ("week", "Last 7 days"), ("month", "Last 30 days"), ("year", "Last year"), ("all", "All time")];

/// Everything the Statistics page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsPage {
    pub view: StatsView,
    pub servers: Vec<Choice>,
}

/// The statistics of `period` (`day`, `week`, `month`, `year`, `all`, `custom`; empty: `week`) of
/// `server` (a server id; empty: all), `from`/`to` as `YYYY-MM-DD` for custom periods, with days cut
/// in `tz` (an IANA name; empty: the owner's zone from Settings → General).
#[server(endpoint = "stats_page")]
pub async fn get_stats(
    period: String,
    server: String,
    from: String,
    to: String,
    tz: String,
) -> Result<StatsPage, AppError> {
    use sightline_backend::stats::{StatsError, StatsQuery, page};
    use sightline_domain::stats::Period;
    let (ctx, _) = crate::ssr::require_principal()?;
    let invalid = |field: &str, message: &str| AppError::Invalid { field: field.into(), message: message.into() };
    let period = if period.is_empty() { Some(Period::Week) } else { Period::parse(&period) };
    let period = period.ok_or_else(|| invalid("period", "unknown period"))?;
    let server = match server.as_str() {
        "" => None,
        id => Some(sightline_domain::ServerId(id.parse().map_err(|_| invalid("server", "unknown server"))?)),
    };
    let date = |field: &str, text: &str| {
        if text.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| invalid(field, "use YYYY-MM-DD"))
    };
    let time_zone = if tz.trim().is_empty() {
        sightline_backend::time_zone::current(&ctx).await.map_err(|e| crate::ssr::internal(&e))?
    } else {
        sightline_backend::time_zone::parse(&tz).map_err(|m| invalid("tz", &m))?
    };
    let query = StatsQuery { period, from: date("from", &from)?, to: date("to", &to)?, server, time_zone };
    let view = match page(&*ctx.store, &query, sightline_backend::clock::now()).await {
        Ok(view) => view,
        Err(StatsError::Period(e)) => return Err(invalid("period", &e.to_string())),
        Err(StatsError::Store(e)) => return Err(crate::ssr::internal(&e)),
    };
    let servers = ctx.store.list_servers().await.map_err(|e| crate::ssr::internal(&e))?;
    let servers = servers.into_iter().map(|s| Choice { value: s.id.0.to_string(), label: s.name }).collect();
    Ok(StatsPage { view, servers })
}
