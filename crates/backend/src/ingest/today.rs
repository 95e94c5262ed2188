//! Today's counters for the dashboard: plays, watch time and accounts since the start of the
//! caller's day, from the stored plays plus the live board's running totals.

use crate::AppContext;
use crate::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use sightline_domain::live::TodayCounters;
use std::collections::BTreeSet;

/// The start of the day containing `now`, in a zone `utc_offset_minutes` east of UTC.
#[must_use]
pub fn start_of_day(now: DateTime<Utc>, utc_offset_minutes: i32) -> DateTime<Utc> {
    let offset = Duration::minutes(i64::from(utc_offset_minutes.clamp(-14 * 60, 14 * 60)));
    let local = now + offset;
    let midnight = local.date_naive().and_hms_opt(0, 0, 0).map_or(local, |m| m.and_utc());
    midnight - offset
}

/// Counters since the start of the caller's day.
pub async fn today(ctx: &AppContext, now: DateTime<Utc>, utc_offset_minutes: i32) -> Result<TodayCounters, StoreError> {
    let since = start_of_day(now, utc_offset_minutes);
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
    fn the_day_starts_at_local_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 23, 30, 0).single().expect("valid");
        assert_eq!(start_of_day(now, 0), Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).single().expect("valid"));
        // UTC+1: it is already 00:30 on the 26th there.
        assert_eq!(start_of_day(now, 60), Utc.with_ymd_and_hms(2026, 11, 25, 23, 0, 0).single().expect("valid"));
        // UTC-5: 18:30 on the 25th.
        assert_eq!(start_of_day(now, -300), Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0).single().expect("valid"));
    }
}
