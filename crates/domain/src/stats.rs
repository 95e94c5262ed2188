//! Statistics vocabulary shared by the server and the browser: the period a page asks for, the
//! rolled-up totals the store returns (per UTC hour and per 15-minute slot), and the pure folding of
//! those into the owner's local days, weekdays and hours of day that the Statistics page shows.
//!
//! The owner's zone is a fixed UTC offset per query (the browser's current offset): a day that
//! crosses a daylight-saving change is cut at the offset in force when the page was asked for.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Milliseconds in one rollup hour and one concurrency slot.
pub const HOUR_MS: i64 = 3_600_000;
pub const SLOT_MS: i64 = 900_000;
/// The widest offset a zone can have (UTC±14:00).
pub const MAX_OFFSET_MINUTES: i32 = 14 * 60;
/// The longest custom period, in days.
pub const MAX_CUSTOM_DAYS: i64 = 3_660;

/// Which days a statistics page covers, ending today (local) unless custom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Today.
    Day,
    /// The last 7 days, today included.
    Week,
    /// The last 30 days.
    Month,
    /// The last 365 days.
    Year,
    /// Everything recorded.
    All,
    /// `from..=to`, local dates.
    Custom,
}

impl Period {
    /// Parses `day`, `week`, `month`, `year`, `all` or `custom`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            "year" => Some(Self::Year),
            "all" => Some(Self::All),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
            Self::All => "all",
            Self::Custom => "custom",
        }
    }
}

/// Why a period cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("a custom period needs both from and to")]
    MissingDates,
    #[error("from is after to")]
    Reversed,
    #[error("a custom period is at most {MAX_CUSTOM_DAYS} days")]
    TooLong,
}

/// Local dates, both included; `from` is `None` for "everything".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

/// The local dates a period covers, given today's local date.
///
/// # Errors
/// A custom period without both dates, reversed, or longer than [`MAX_CUSTOM_DAYS`].
pub fn resolve(
    period: Period,
    custom: (Option<NaiveDate>, Option<NaiveDate>),
    today: NaiveDate,
) -> Result<DateRange, PeriodError> {
    let back = |days: i64| Some(today - Duration::days(days - 1));
    Ok(match period {
        Period::Day => DateRange { from: Some(today), to: today },
        Period::Week => DateRange { from: back(7), to: today },
        Period::Month => DateRange { from: back(30), to: today },
        Period::Year => DateRange { from: back(365), to: today },
        Period::All => DateRange { from: None, to: today },
        Period::Custom => {
            let (Some(from), Some(to)) = custom else { return Err(PeriodError::MissingDates) };
            if from > to {
                return Err(PeriodError::Reversed);
            }
            if (to - from).num_days() >= MAX_CUSTOM_DAYS {
                return Err(PeriodError::TooLong);
            }
            DateRange { from: Some(from), to }
        }
    })
}

fn offset(minutes: i32) -> Duration {
    Duration::minutes(i64::from(minutes.clamp(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES)))
}

/// The local date of a UTC moment.
#[must_use]
pub fn local_date(at: DateTime<Utc>, utc_offset_minutes: i32) -> NaiveDate {
    (at + offset(utc_offset_minutes)).date_naive()
}

/// The UTC moment a local date starts.
#[must_use]
pub fn day_start(date: NaiveDate, utc_offset_minutes: i32) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).map_or(DateTime::<Utc>::MIN_UTC, |m| m.and_utc()) - offset(utc_offset_minutes)
}

/// Local date and hour of day (0–23) of a bucket starting `start_ms` after the epoch.
fn local_parts(start_ms: i64, utc_offset_minutes: i32) -> Option<(NaiveDate, u32)> {
    let at = DateTime::from_timestamp_millis(start_ms)? + offset(utc_offset_minutes);
    Some((at.date_naive(), chrono::Timelike::hour(&at)))
}

/// Totals of the plays that started in one UTC hour (`hour` = start / [`HOUR_MS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourTotal {
    pub hour: i64,
    pub plays: u64,
    pub watch_ms: u64,
    pub bytes: u64,
}

/// Streams running within one 15-minute slot (`slot` = start / [`SLOT_MS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotTotal {
    pub slot: i64,
    pub streams: u64,
}

/// One local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStats {
    pub date: NaiveDate,
    pub plays: u64,
    pub watch_ms: u64,
    pub bytes: u64,
    /// The most streams running at once (15-minute resolution).
    pub peak_streams: u64,
}

/// Plays and watch time under one label (a weekday, an hour, a platform, a decision…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub label: String,
    pub plays: u64,
    pub watch_ms: u64,
}

/// One account's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub server_name: String,
    pub user_id: String,
    pub name: String,
    pub plays: u64,
    pub watch_ms: u64,
    pub bytes: u64,
}

/// A movie (with its year) or a show (all its episodes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitleRow {
    pub title: String,
    pub year: Option<i32>,
    pub plays: u64,
    pub watch_ms: u64,
}

/// Everything the Statistics page and `GET /api/v1/stats` show for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsView {
    pub period: Period,
    /// First and last local date shown (`from` is the first day with data for `all`).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub utc_offset_minutes: i32,
    pub plays: u64,
    pub watch_ms: u64,
    pub bytes: u64,
    /// Every day of the period, oldest first, zeros included.
    pub days: Vec<DayStats>,
    /// Monday first.
    pub weekdays: Vec<CountRow>,
    /// 00 to 23.
    pub hours: Vec<CountRow>,
    pub platforms: Vec<CountRow>,
    pub products: Vec<CountRow>,
    /// `direct_play`, `direct_stream`, `transcode`.
    pub decisions: Vec<CountRow>,
    pub media_types: Vec<CountRow>,
    /// By plays, then watch time.
    pub top_users: Vec<UserRow>,
    /// By data sent.
    pub top_bandwidth_users: Vec<UserRow>,
    pub top_movies: Vec<TitleRow>,
    pub top_shows: Vec<TitleRow>,
}

impl StatsView {
    /// Whether no play ended in the period.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.plays == 0
    }
}

/// Per-day, per-weekday and per-hour-of-day figures of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFold {
    pub days: Vec<DayStats>,
    pub weekdays: Vec<CountRow>,
    pub hours: Vec<CountRow>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Sums hour totals into local days, weekdays and hours of day, and takes each day's largest slot,
/// for the days `from..=to`. Buckets outside those days are ignored. With an offset that is not a
/// whole hour, an hour bucket counts in the local hour (and day) its start falls in.
#[must_use]
pub fn fold(
    from: NaiveDate,
    to: NaiveDate,
    utc_offset_minutes: i32,
    hours: &[HourTotal],
    slots: &[SlotTotal],
) -> TimeFold {
    let span = usize::try_from((to - from).num_days() + 1).unwrap_or(0);
    let mut days: Vec<DayStats> = (0..span)
        .filter_map(|i| {
            let date = from.checked_add_signed(Duration::days(i64::try_from(i).ok()?))?;
            Some(DayStats { date, plays: 0, watch_ms: 0, bytes: 0, peak_streams: 0 })
        })
        .collect();
    let mut weekdays: Vec<CountRow> =
        WEEKDAYS.iter().map(|d| CountRow { label: (*d).to_owned(), plays: 0, watch_ms: 0 }).collect();
    let mut by_hour: Vec<CountRow> =
        (0..24).map(|h| CountRow { label: format!("{h:02}"), plays: 0, watch_ms: 0 }).collect();
    let index = |date: NaiveDate| usize::try_from((date - from).num_days()).ok().filter(|i| *i < span);
    for h in hours {
        let Some((date, hour)) = local_parts(h.hour.saturating_mul(HOUR_MS), utc_offset_minutes) else { continue };
        let Some(i) = index(date) else { continue };
        let day = &mut days[i];
        day.plays += h.plays;
        day.watch_ms += h.watch_ms;
        day.bytes += h.bytes;
        let w = &mut weekdays[date.weekday().num_days_from_monday() as usize];
        w.plays += h.plays;
        w.watch_ms += h.watch_ms;
        let o = &mut by_hour[hour as usize];
        o.plays += h.plays;
        o.watch_ms += h.watch_ms;
    }
    for s in slots {
        let Some((date, _)) = local_parts(s.slot.saturating_mul(SLOT_MS), utc_offset_minutes) else { continue };
        if let Some(i) = index(date) {
            days[i].peak_streams = days[i].peak_streams.max(s.streams);
        }
    }
    TimeFold { days, weekdays, hours: by_hour }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test value")
    }

    fn hour_of(y: i32, m: u32, d: u32, h: u32) -> i64 {
        date(y, m, d).and_hms_opt(h, 0, 0).expect("test value").and_utc().timestamp_millis() / HOUR_MS
    }

    #[test]
    fn periods_end_today_and_custom_ones_are_checked() {
        let today = date(2026, 11, 26);
        assert_eq!(resolve(Period::Day, (None, None), today), Ok(DateRange { from: Some(today), to: today }));
        assert_eq!(resolve(Period::Week, (None, None), today).expect("test value").from, Some(date(2026, 11, 20)));
        assert_eq!(resolve(Period::Month, (None, None), today).expect("test value").from, Some(date(2026, 10, 28)));
        assert_eq!(resolve(Period::Year, (None, None), today).expect("test value").from, Some(date(2025, 11, 27)));
        assert_eq!(resolve(Period::All, (None, None), today).expect("test value").from, None);
        assert_eq!(resolve(Period::Custom, (Some(today), None), today), Err(PeriodError::MissingDates));
        assert_eq!(resolve(Period::Custom, (Some(today), Some(date(2026, 1, 1))), today), Err(PeriodError::Reversed));
        assert_eq!(resolve(Period::Custom, (Some(date(2000, 1, 1)), Some(today)), today), Err(PeriodError::TooLong));
        assert_eq!(
            resolve(Period::Custom, (Some(date(2026, 1, 1)), Some(date(2026, 1, 31))), today),
            Ok(DateRange { from: Some(date(2026, 1, 1)), to: date(2026, 1, 31) })
        );
        for p in ["day", "week", "month", "year", "all", "custom"] {
            assert_eq!(Period::parse(p).map(Period::as_str), Some(p));
        }
        assert_eq!(Period::parse("decade"), None);
    }

    #[test]
    fn days_start_at_local_midnight() {
        assert_eq!(day_start(date(2026, 11, 26), 60).to_rfc3339(), "2026-11-25T23:00:00+00:00");
        assert_eq!(day_start(date(2026, 11, 26), -300).to_rfc3339(), "2026-11-26T05:00:00+00:00");
        let late = DateTime::parse_from_rfc3339("2026-11-25T23:30:00Z").expect("test value").with_timezone(&Utc);
        assert_eq!(local_date(late, 60), date(2026, 11, 26));
        assert_eq!(local_date(late, 0), date(2026, 11, 25));
    }

    #[test]
    fn hours_fold_into_local_days_weekdays_and_hours() {
        let hours = [
            // 23:00 UTC on Wed 25 Nov: Thursday 00:00 at UTC+1, Wednesday 23:00 in UTC.
            HourTotal { hour: hour_of(2026, 11, 25, 23), plays: 2, watch_ms: 60_000, bytes: 10 },
            HourTotal { hour: hour_of(2026, 11, 26, 12), plays: 1, watch_ms: 1_000, bytes: 5 },
            // Outside the period either way.
            HourTotal { hour: hour_of(2026, 11, 20, 12), plays: 9, watch_ms: 9, bytes: 9 },
        ];
        let slots = [
            SlotTotal { slot: hour_of(2026, 11, 25, 23) * 4 + 3, streams: 4 },
            SlotTotal { slot: hour_of(2026, 11, 26, 12) * 4, streams: 2 },
        ];
        let utc = fold(date(2026, 11, 25), date(2026, 11, 26), 0, &hours, &slots);
        assert_eq!(utc.days.iter().map(|d| (d.plays, d.peak_streams)).collect::<Vec<_>>(), [(2, 4), (1, 2)]);
        assert_eq!(utc.weekdays[2].plays, 2);
        assert_eq!(utc.hours[23].plays, 2);
        let plus_one = fold(date(2026, 11, 25), date(2026, 11, 26), 60, &hours, &slots);
        assert_eq!(plus_one.days.iter().map(|d| (d.plays, d.peak_streams)).collect::<Vec<_>>(), [(0, 0), (3, 4)]);
        assert_eq!((plus_one.weekdays[2].plays, plus_one.weekdays[3].plays), (0, 3));
        assert_eq!((plus_one.hours[0].plays, plus_one.hours[13].plays, plus_one.hours[23].plays), (2, 1, 0));
        assert_eq!(plus_one.days[1].bytes, 15);
    }

    #[test]
    fn half_hour_offsets_count_an_hour_where_it_starts() {
        // 18:00 UTC is 23:30 at UTC+5:30: still the same local day and hour 23.
        let hours = [HourTotal { hour: hour_of(2026, 11, 25, 18), plays: 1, watch_ms: 1, bytes: 0 }];
        let f = fold(date(2026, 11, 25), date(2026, 11, 26), 330, &hours, &[]);
        assert_eq!((f.days[0].plays, f.hours[23].plays), (1, 1));
    }

    #[test]
    fn an_empty_period_has_zero_days() {
        let f = fold(date(2026, 11, 20), date(2026, 11, 26), 0, &[], &[]);
        assert_eq!(f.days.len(), 7);
        assert!(f.days.iter().all(|d| d.plays == 0 && d.peak_streams == 0));
        assert_eq!((f.weekdays.len(), f.hours.len()), (7, 24));
    }
}
