//! The Statistics page and `GET /api/v1/stats`: resolves the period in the owner's time zone (IANA,
//! daylight saving included: `zone`), splits it into what the rollups are read by (stretches of
//! constant offset for the charts over time, signed pieces for the totals: `plan`), reads the
//! rollups once and folds them into a [`StatsView`]. `page` is also what the history benchmark times.

pub mod plan;
#[cfg(test)]
pub(crate) mod test_rng;
pub mod zone;

use crate::store::StoreError;
use crate::store::stats::{StatsRequest, StatsStore};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sightline_domain::ServerId;
use sightline_domain::stats::{self, CountRow, DateRange, Period, PeriodError, StatsView, UserRow, fold};

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
    /// The zone days and hours are cut in (normally the owner's, see `time_zone::current`).
    pub time_zone: Tz,
}

impl StatsQuery {
    /// The last `period` of all servers, in UTC.
    #[must_use]
    pub fn new(period: Period) -> Self {
        Self { period, from: None, to: None, server: None, time_zone: Tz::UTC }
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
    let tz = query.time_zone;
    let today = zone::local_date(tz, now);
    let DateRange { from, to } = stats::resolve(query.period, (query.from, query.to), today)?;
    let end = zone::day_start(tz, to + Duration::days(1)).timestamp_millis();
    // "All" starts on the local day of the first play (or today when there is none).
    let first = match from {
        Some(date) => date,
        None => store.stats_first_play(query.server).await?.map_or(to, |at| zone::local_date(tz, at).min(to)),
    };
    let start = zone::day_start(tz, first).timestamp_millis();
    let stretches = zone::stretches(tz, start, end);
    let pieces = plan::plan(from.map(|_| start), end, now.timestamp_millis());
    let request = StatsRequest {
        server: query.server,
        stretches: &stretches,
        pieces: &pieces,
        top: u32::try_from(TOP).unwrap_or(u32::MAX),
    };
    let rollup = store.stats_rollup(&request).await?;
    let folded = fold(first, to, &rollup.days, &rollup.hours);
    let (plays, watch_ms, bytes) =
        folded.days.iter().fold((0, 0, 0), |(p, w, b), d| (p + d.plays, w + d.watch_ms, b + d.bytes));
    Ok(StatsView {
        period: query.period,
        from: first,
        to,
        time_zone: tz.name().to_owned(),
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
