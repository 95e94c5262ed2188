//! The Statistics page and `GET /api/v1/stats`: resolves the period in the owner's zone (a fixed
//! UTC offset given per query, normally the browser's), reads the rollups once and folds them into
//! a [`StatsView`]. `page` is also what the history benchmark times.

use crate::store::StoreError;
use crate::store::stats::{StatsFilter, StatsStore};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sightline_domain::ServerId;
use sightline_domain::stats::{
    self, CountRow, DateRange, MAX_OFFSET_MINUTES, Period, PeriodError, StatsView, UserRow, fold, local_date,
};

/// How many rows the top lists keep.
pub const TOP: usize = 10;

/// What a statistics page asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    pub period: Period,
    /// Local dates of a custom period (both included).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub server: Option<ServerId>,
    /// Minutes east of UTC (UTC+1 is 60), clamped to ±14 h.
    pub utc_offset_minutes: i32,
}

impl StatsQuery {
    /// The last `period` of all servers, in UTC.
    #[must_use]
    pub fn new(period: Period) -> Self {
        Self { period, from: None, to: None, server: None, utc_offset_minutes: 0 }
    }
}

/// Why statistics could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The statistics of `query` as of `now`.
///
/// # Errors
/// An unusable custom period, or the store failing.
pub async fn page(store: &dyn StatsStore, query: &StatsQuery, now: DateTime<Utc>) -> Result<StatsView, StatsError> {
    let offset = query.utc_offset_minutes.clamp(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES);
    let today = local_date(now, offset);
    let DateRange { from, to } = stats::resolve(query.period, (query.from, query.to), today)?;
    let filter = StatsFilter {
        from: from.map(|d| stats::day_start(d, offset)),
        to: stats::day_start(to + Duration::days(1), offset),
        server: query.server,
    };
    let rollup = store.stats_rollup(&filter, u32::try_from(TOP).unwrap_or(u32::MAX)).await?;
    // "All" starts on the first day with a play (or today when there is none).
    let first = from.unwrap_or_else(|| {
        rollup
            .hours
            .first()
            .and_then(|h| DateTime::from_timestamp_millis(h.hour.saturating_mul(stats::HOUR_MS)))
            .map_or(to, |at| local_date(at, offset).min(to))
    });
    let folded = fold(first, to, offset, &rollup.hours, &rollup.slots);
    let (plays, watch_ms, bytes) =
        rollup.hours.iter().fold((0, 0, 0), |(p, w, b), h| (p + h.plays, w + h.watch_ms, b + h.bytes));
    Ok(StatsView {
        period: query.period,
        from: first,
        to,
        utc_offset_minutes: offset,
        plays,
        watch_ms,
        bytes,
        days: folded.days,
        weekdays: folded.weekdays,
        hours: folded.hours,
        platforms: labelled(rollup.platforms),
        products: labelled(rollup.products),
        decisions: rollup.decisions,
        media_types: rollup.media_types,
        top_users: top_users(&rollup.users, |u| (u.plays, u.watch_ms)),
        top_bandwidth_users: top_users(&rollup.users, |u| (u.bytes, u.watch_ms)),
        top_movies: rollup.movies,
        top_shows: rollup.shows,
    })
}

/// Names the rows players did not label.
fn labelled(rows: Vec<CountRow>) -> Vec<CountRow> {
    rows.into_iter()
        .map(|mut r| {
            if r.label.is_empty() {
                "Unknown".clone_into(&mut r.label);
            }
            r
        })
        .collect()
}

/// The [`TOP`] accounts by `key` (largest first), ties by name; accounts with a zero key are left out.
fn top_users(users: &[UserRow], key: impl Fn(&UserRow) -> (u64, u64)) -> Vec<UserRow> {
    let mut sorted: Vec<&UserRow> = users.iter().filter(|u| key(u).0 > 0).collect();
    sorted
        .sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name)).then_with(|| a.user_id.cmp(&b.user_id)));
    sorted.into_iter().take(TOP).cloned().collect()
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
