//! Statistics vocabulary shared by the server and the browser: the period a page asks for, the
//! figures of a [`StatsView`], and the pure folding of per-local-day and per-local-hour totals into
//! the days, weekdays and hours of day the Statistics page shows.
//!
//! Time zones are resolved on the server (with the IANA database, daylight saving included): the
//! store already returns totals per local date and local hour, so nothing here knows an offset.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

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

/// Plays and watch time that started in one local hour of the day (0–23), over a stretch of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourCount {
    pub hour: u32,
    pub plays: u64,
    pub watch_ms: u64,
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
    /// The IANA name of the zone days and hours are cut in, such as `Europe/Stockholm`.
    pub time_zone: String,
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

/// Every day `from..=to` (zeros included) with the totals of `days` on it, weekdays summed from
/// those days and hours of day from `hours`. A date may come more than once (a day across a change
/// of UTC offset is read in two stretches): plays, watch time and data add up, the peak is the
/// larger. Days outside `from..=to` are ignored.
#[must_use]
pub fn fold(from: NaiveDate, to: NaiveDate, days: &[DayStats], hours: &[HourCount]) -> TimeFold {
    let span = usize::try_from((to - from).num_days() + 1).unwrap_or(0);
    let mut out: Vec<DayStats> = (0..span)
        .filter_map(|i| {
            let date = from.checked_add_signed(Duration::days(i64::try_from(i).ok()?))?;
            Some(DayStats { date, plays: 0, watch_ms: 0, bytes: 0, peak_streams: 0 })
        })
        .collect();
    let mut weekdays: Vec<CountRow> =
        WEEKDAYS.iter().map(|d| CountRow { label: (*d).to_owned(), plays: 0, watch_ms: 0 }).collect();
    let mut by_hour: Vec<CountRow> =
        (0..24).map(|h| CountRow { label: format!("{h:02}"), plays: 0, watch_ms: 0 }).collect();
    for d in days {
        let Some(i) = usize::try_from((d.date - from).num_days()).ok().filter(|i| *i < span) else { continue };
        let day = &mut out[i];
        day.plays += d.plays;
        day.watch_ms += d.watch_ms;
        day.bytes += d.bytes;
        day.peak_streams = day.peak_streams.max(d.peak_streams);
        let w = &mut weekdays[d.date.weekday().num_days_from_monday() as usize];
        w.plays += d.plays;
        w.watch_ms += d.watch_ms;
    }
    for h in hours {
        if let Some(o) = by_hour.get_mut(h.hour as usize) {
            o.plays += h.plays;
            o.watch_ms += h.watch_ms;
        }
    }
    TimeFold { days: out, weekdays, hours: by_hour }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test value")
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

    fn day(date: NaiveDate, plays: u64, peak: u64) -> DayStats {
        DayStats { date, plays, watch_ms: plays * 10, bytes: plays, peak_streams: peak }
    }

    #[test]
    fn days_fold_into_every_day_weekdays_and_hours() {
        let days = [
            // Thursday 26 November, read in two stretches (a change of offset): sums and the larger peak.
            day(date(2026, 11, 26), 2, 4),
            day(date(2026, 11, 26), 1, 2),
            day(date(2026, 11, 25), 5, 1),
            // Outside the period.
            day(date(2026, 11, 20), 9, 9),
        ];
        let hours = [
            HourCount { hour: 0, plays: 2, watch_ms: 20 },
            HourCount { hour: 23, plays: 5, watch_ms: 50 },
            HourCount { hour: 0, plays: 1, watch_ms: 10 },
            HourCount { hour: 24, plays: 7, watch_ms: 70 },
        ];
        let f = fold(date(2026, 11, 25), date(2026, 11, 27), &days, &hours);
        let got: Vec<_> = f.days.iter().map(|d| (d.date.day(), d.plays, d.watch_ms, d.bytes, d.peak_streams)).collect();
        assert_eq!(got, [(25, 5, 50, 5, 1), (26, 3, 30, 3, 4), (27, 0, 0, 0, 0)]);
        assert_eq!((f.weekdays[2].label.as_str(), f.weekdays[2].plays), ("Wed", 5));
        assert_eq!((f.weekdays[3].label.as_str(), f.weekdays[3].plays, f.weekdays[3].watch_ms), ("Thu", 3, 30));
        assert_eq!((f.hours[0].plays, f.hours[0].watch_ms, f.hours[23].plays), (3, 30, 5));
        assert_eq!(f.hours.iter().map(|h| h.plays).sum::<u64>(), 8);
    }

    #[test]
    fn an_empty_period_has_zero_days() {
        let f = fold(date(2026, 11, 20), date(2026, 11, 26), &[], &[]);
        assert_eq!(f.days.len(), 7);
        assert!(f.days.iter().all(|d| d.plays == 0 && d.peak_streams == 0));
        assert_eq!((f.weekdays.len(), f.hours.len()), (7, 24));
        assert_eq!(f.hours[9].label, "09");
    }
}
