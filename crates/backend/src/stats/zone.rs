//! Local time for statistics, with the IANA database: the local date of a moment, the first moment
//! of a local date (a day may start late when its midnight falls in a daylight-saving gap), and the
//! stretches of constant UTC offset a period is made of, so the store can cut days and hours in
//! each stretch with its own offset. Pure; time is a parameter.

use crate::store::stats::Stretch;
use chrono::offset::LocalResult;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// How far apart the offset is sampled when looking for changes; zones change at most a few times
/// a year, never twice within this.
const STEP_MS: i64 = 6 * 3_600_000;
/// Quarters of an hour in a day, the most a local day can start after its midnight.
const QUARTERS_PER_DAY: i64 = 96;

/// The local date of `at` in `tz`.
#[must_use]
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The first moment of `date` in `tz`: its midnight, or the end of the gap when the clocks skip
/// midnight (then the day starts at the change), or the earlier one when midnight comes twice.
#[must_use]
pub fn day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    for quarter in 0..=QUARTERS_PER_DAY {
        match tz.from_local_datetime(&(midnight + Duration::minutes(15 * quarter))) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => return at.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    // No zone skips a whole day of quarters; the UTC midnight keeps the result ordered if one did.
    midnight.and_utc()
}

/// The UTC offset of `tz` at `ms`, in whole minutes east, rounded down to a quarter of an hour (only
/// the local mean times before standard time had other offsets).
fn offset_minutes(tz: Tz, ms: i64) -> i32 {
    let at = DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let seconds = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
    seconds.div_euclid(15 * 60) * 15
}

/// The first moment in `(low, high]` with the offset `high` has, given that `low` has another.
fn change_between(tz: Tz, mut low: i64, mut high: i64) -> i64 {
    let after = offset_minutes(tz, high);
    // Offsets change on whole seconds.
    while high - low > 1_000 {
        let mid = low + (high - low) / 2;
        if offset_minutes(tz, mid) == after {
            high = mid;
        } else {
            low = mid;
        }
    }
    high - high.rem_euclid(1_000)
}

/// `[from_ms, to_ms)` cut where the offset of `tz` changes; empty when `from_ms >= to_ms`.
#[must_use]
pub fn stretches(tz: Tz, from_ms: i64, to_ms: i64) -> Vec<Stretch> {
    let mut out = Vec::new();
    let mut start = from_ms;
    let mut offset = offset_minutes(tz, from_ms);
    let mut probe = from_ms;
    while probe < to_ms {
        let next = probe.saturating_add(STEP_MS).min(to_ms);
        let at_next = offset_minutes(tz, next.min(to_ms - 1));
        if at_next != offset {
            let change = change_between(tz, probe, next.min(to_ms - 1)).max(start);
            if change > start {
                out.push(Stretch { from_ms: start, to_ms: change, offset_minutes: offset });
            }
            start = change;
            offset = offset_minutes(tz, change);
            probe = change;
            continue;
        }
        probe = next;
    }
    if start < to_ms {
        out.push(Stretch { from_ms: start, to_ms, offset_minutes: offset });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test value")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("test value").with_timezone(&Utc)
    }

    fn zone(name: &str) -> Tz {
        name.parse().expect("test value")
    }

    #[test]
    fn days_across_daylight_saving_changes_have_23_and_25_hours() {
        let sthlm = zone("Europe/Stockholm");
        assert_eq!(day_start(sthlm, date(2026, 3, 29)), utc("2026-03-28T23:00:00Z"));
        assert_eq!(day_start(sthlm, date(2026, 3, 30)), utc("2026-03-29T22:00:00Z"));
        assert_eq!(day_start(sthlm, date(2026, 10, 25)), utc("2026-10-24T22:00:00Z"));
        assert_eq!(day_start(sthlm, date(2026, 10, 26)), utc("2026-10-25T23:00:00Z"));
        let spring = day_start(sthlm, date(2026, 3, 30)) - day_start(sthlm, date(2026, 3, 29));
        let autumn = day_start(sthlm, date(2026, 10, 26)) - day_start(sthlm, date(2026, 10, 25));
        assert_eq!((spring.num_hours(), autumn.num_hours()), (23, 25));
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_change() {
        // Havana springs forward at midnight: 8 March 2026 begins at 01:00 local (05:00 UTC).
        let havana = zone("America/Havana");
        assert_eq!(day_start(havana, date(2026, 3, 8)), utc("2026-03-08T05:00:00Z"));
        assert_eq!(local_date(havana, utc("2026-03-08T04:59:59Z")), date(2026, 3, 7));
        assert_eq!(local_date(havana, utc("2026-03-08T05:00:00Z")), date(2026, 3, 8));
    }

    #[test]
    fn local_dates_follow_the_zone() {
        let sthlm = zone("Europe/Stockholm");
        // 23:30 local on 25 October (after falling back: UTC+1) is 22:30 UTC.
        assert_eq!(local_date(sthlm, utc("2026-10-25T22:30:00Z")), date(2026, 10, 25));
        assert_eq!(local_date(sthlm, utc("2026-10-25T23:00:00Z")), date(2026, 10, 26));
        assert_eq!(local_date(Tz::UTC, utc("2026-10-25T23:30:00Z")), date(2026, 10, 25));
        assert_eq!(local_date(zone("Asia/Kolkata"), utc("2026-10-25T18:40:00Z")), date(2026, 10, 26));
    }

    #[test]
    fn stretches_cut_a_period_where_the_offset_changes() {
        let sthlm = zone("Europe/Stockholm");
        let from = day_start(sthlm, date(2026, 1, 1)).timestamp_millis();
        let to = day_start(sthlm, date(2027, 1, 1)).timestamp_millis();
        let got = stretches(sthlm, from, to);
        let spring = utc("2026-03-29T01:00:00Z").timestamp_millis();
        let autumn = utc("2026-10-25T01:00:00Z").timestamp_millis();
        assert_eq!(
            got,
            [
                Stretch { from_ms: from, to_ms: spring, offset_minutes: 60 },
                Stretch { from_ms: spring, to_ms: autumn, offset_minutes: 120 },
                Stretch { from_ms: autumn, to_ms: to, offset_minutes: 60 },
            ]
        );
        assert_eq!(stretches(Tz::UTC, from, to).len(), 1);
        assert!(stretches(sthlm, to, from).is_empty());
        let kathmandu = stretches(zone("Asia/Kathmandu"), from, to);
        assert_eq!(kathmandu.iter().map(|s| s.offset_minutes).collect::<Vec<_>>(), [345]);
        // A period ending exactly at a change has no empty stretch after it.
        assert_eq!(stretches(sthlm, from, spring).len(), 1);
        assert_eq!(stretches(sthlm, spring, spring + 1).len(), 1);
    }
}
