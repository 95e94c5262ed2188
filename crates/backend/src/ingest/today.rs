//! Today's counters for the dashboard: plays, watch time and accounts since local midnight in the
//! owner's time zone (the one statistics use), from the stored plays plus the live board's running
//! totals.

use crate::AppContext;
use crate::stats::zone::{day_start, local_date};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sightline_domain::live::TodayCounters;
use std::collections::BTreeSet;

/// The start of the day containing `now` in `tz` (daylight saving included).
#[must_use]
pub fn start_of_day(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    day_start(tz, local_date(tz, now))
}

/// Counters since the start of the owner's day.
pub async fn today(ctx: &AppContext, now: DateTime<Utc>) -> Result<TodayCounters, StoreError> {
    let since = start_of_day(now, crate::time_zone::current(ctx).await?);
    let counts = ctx.store.play_counts(since).await?;
    let live = ctx.ingest.board.now_playing();
    let live_ms: u64 = live.iter().filter(|p| p.started_at >= since).map(|p| p.played_ms).sum();
    let accounts: BTreeSet<_> = live.iter().map(|p| (p.server.id, p.session.user.id.clone())).collect();
    Ok(TodayCounters {
        plays: counts.plays,
        watch_ms: counts.ended_played_ms + live_ms,
        active_users: counts.accounts.max(accounts.len() as u64),
        streaming_now: live.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_starts_at_local_midnight_daylight_saving_included() {
        let at = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).single().expect("valid");
        let now = at(25, 23, 30);
        assert_eq!(start_of_day(now, Tz::UTC), at(25, 0, 0));
        // Stockholm (UTC+1 in March before the change): already 00:30 on the 26th there.
        assert_eq!(start_of_day(now, Tz::Europe__Stockholm), at(25, 23, 0));
        // New York (UTC-4 after its change on 8 March): 19:30 on the 25th.
        assert_eq!(start_of_day(now, Tz::America__New_York), at(25, 4, 0));
        // The day Stockholm springs forward (29 March) still starts at its midnight, 23:00 UTC.
        assert_eq!(start_of_day(at(29, 12, 0), Tz::Europe__Stockholm), at(28, 23, 0));
        // The day after starts at 22:00 UTC (UTC+2).
        assert_eq!(start_of_day(at(30, 12, 0), Tz::Europe__Stockholm), at(29, 22, 0));
    }
}
