//! Which rollup rows a period's totals are read from: `[from, to)` (UTC milliseconds, cut at the
//! owner's local midnights) as signed pieces of UTC months, UTC days and, for the partial UTC days
//! at its edges, plays read one by one. A piece may be added and another taken out ("this month
//! minus its first three days"), whichever reads fewer rows; the sum is exact either way. Pure.

use crate::store::stats::{Piece, Span};
use chrono::{Datelike, NaiveDate};

pub const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Rough cost of reading each kind of piece, in the same unit: an hour of plays, a day's rollup
/// rows, a month's rollup rows. Only the speed depends on them.
const COST_PLAY_HOUR: i64 = 1;
const COST_DAY: i64 = 10;
const COST_MONTH: i64 = 40;

/// The first day (since the epoch) of month `m` (months since January 1970).
#[must_use]
pub fn month_start_day(m: i64) -> i64 {
    let year = 1970 + m.div_euclid(12);
    let month = u32::try_from(m.rem_euclid(12)).unwrap_or(0) + 1;
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, 1))
        .map_or(0, |d| (d - NaiveDate::default()).num_days())
}

/// The month (since January 1970) day `d` (since the epoch) is in.
#[must_use]
pub fn month_of_day(d: i64) -> i64 {
    let date = NaiveDate::default() + chrono::Duration::days(d);
    (i64::from(date.year()) - 1970) * 12 + i64::from(date.month0())
}

/// What reading `span` costs, given that nothing started after `now` (so the future is free).
fn cost(span: &Span, now: i64) -> i64 {
    let today = now.div_euclid(DAY_MS);
    match *span {
        Span::Plays { from_ms, to_ms } => (to_ms.min(now) - from_ms).max(0).div_euclid(HOUR_MS) * COST_PLAY_HOUR,
        Span::Days { from, to } => (to.min(today + 1) - from).max(0) * COST_DAY,
        Span::Months { from, to } => (to.min(month_of_day(today) + 1) - from).max(0) * COST_MONTH,
        Span::AllTime => COST_MONTH,
    }
}

fn total(pieces: &[Piece], now: i64) -> i64 {
    pieces.iter().map(|p| cost(&p.span, now)).sum()
}

fn add(span: Span) -> Piece {
    Piece { span, sign: 1 }
}

fn sub(span: Span) -> Piece {
    Piece { span, sign: -1 }
}

/// The pieces that add up to exactly the plays started in `[from, to)`; `from` `None` means from the
/// beginning. `now` only steers the choice towards reading fewer rows.
#[must_use]
pub fn plan(from: Option<i64>, to: i64, now: i64) -> Vec<Piece> {
    let Some(from) = from else {
        return vec![add(Span::AllTime), sub(Span::Plays { from_ms: to, to_ms: i64::MAX })];
    };
    if from >= to {
        return Vec::new();
    }
    let mut out = Vec::new();
    // The partial UTC day at the start: its plays from `from`, or the whole day minus those before.
    let first_day = from.div_euclid(DAY_MS);
    let first_whole = if from == first_day * DAY_MS {
        first_day
    } else {
        let inside = Span::Plays { from_ms: from, to_ms: (first_day + 1) * DAY_MS };
        let outside = Span::Plays { from_ms: first_day * DAY_MS, to_ms: from };
        if cost(&inside, now) <= cost(&outside, now) + COST_DAY {
            out.push(add(inside));
            first_day + 1
        } else {
            out.push(sub(outside));
            first_day
        }
    };
    // The same at the end.
    let last_day = to.div_euclid(DAY_MS);
    let end_whole = if to == last_day * DAY_MS {
        last_day
    } else {
        let inside = Span::Plays { from_ms: last_day * DAY_MS, to_ms: to };
        let outside = Span::Plays { from_ms: to, to_ms: (last_day + 1) * DAY_MS };
        if cost(&inside, now) <= cost(&outside, now) + COST_DAY {
            out.push(add(inside));
            last_day
        } else {
            out.push(sub(outside));
            last_day + 1
        }
    };
    // Both edges in one UTC day, each read from its plays inward: they overlap, so read the plays.
    if first_whole > end_whole {
        return vec![add(Span::Plays { from_ms: from, to_ms: to })];
    }
    if first_whole < end_whole {
        out.extend(whole_days(first_whole, end_whole, now));
    }
    out
}

/// UTC days `[from, to)` as days, or as months with the days they overhang added or taken out.
fn whole_days(from: i64, to: i64, now: i64) -> Vec<Piece> {
    let mut best = vec![add(Span::Days { from, to })];
    let mut best_cost = total(&best, now);
    let first_month = month_of_day(from);
    let last_month = month_of_day(to - 1);
    // (first month read whole, the days around it) for either way of meeting `from`…
    let mut starts = vec![(first_month, None)];
    if month_start_day(first_month) != from {
        starts[0].1 = Some(sub(Span::Days { from: month_start_day(first_month), to: from }));
        starts.push((first_month + 1, Some(add(Span::Days { from, to: month_start_day(first_month + 1) }))));
    }
    // …and of meeting `to` (months up to, not including, the first value).
    let mut ends = vec![(last_month + 1, None)];
    if month_start_day(last_month + 1) != to {
        ends[0].1 = Some(sub(Span::Days { from: to, to: month_start_day(last_month + 1) }));
        ends.push((last_month, Some(add(Span::Days { from: month_start_day(last_month), to }))));
    }
    for (start, before) in &starts {
        for (end, after) in &ends {
            if start >= end {
                continue;
            }
            let mut pieces = vec![add(Span::Months { from: *start, to: *end })];
            pieces.extend(before.iter().chain(after.iter()).cloned());
            let c = total(&pieces, now);
            if c < best_cost {
                best = pieces;
                best_cost = c;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_rng::Rng;

    fn ms(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text).expect("test value").timestamp_millis()
    }

    /// How many times the pieces count a play that started at `t` (signs added).
    fn coverage(pieces: &[Piece], t: i64) -> i64 {
        let day = t.div_euclid(DAY_MS);
        pieces
            .iter()
            .filter(|p| match p.span {
                Span::Plays { from_ms, to_ms } => (from_ms..to_ms).contains(&t),
                Span::Days { from, to } => (from..to).contains(&day),
                Span::Months { from, to } => (from..to).contains(&month_of_day(day)),
                Span::AllTime => true,
            })
            .map(|p| p.sign)
            .sum()
    }

    #[test]
    fn months_and_days_convert_both_ways() {
        assert_eq!(month_start_day(0), 0);
        assert_eq!(month_start_day(1), 31);
        assert_eq!(month_of_day(0), 0);
        assert_eq!(month_of_day(30), 0);
        assert_eq!(month_of_day(31), 1);
        let d = ms("2026-03-01T00:00:00Z") / DAY_MS;
        assert_eq!(month_start_day(month_of_day(d)), d);
        assert_eq!(month_of_day(d), (2026 - 1970) * 12 + 2);
    }

    #[test]
    fn every_play_in_the_period_counts_once_and_none_outside() {
        let mut rng = Rng(7);
        let base = ms("2024-01-01T00:00:00Z");
        for case in 0..2_000 {
            // Periods from minutes to three years, edges on any quarter hour.
            let quarter = 900_000;
            let from = base + rng.below(900 * 96) * quarter;
            let len = match case % 4 {
                0 => rng.below(96) + 1,
                1 => rng.below(96 * 40) + 1,
                _ => rng.below(96 * 1_100) + 1,
            } * quarter;
            let to = from + len;
            let now = from + rng.below(len + 40 * DAY_MS) - 20 * DAY_MS;
            let pieces = plan(Some(from), to, now);
            let mut probes = vec![from - 1, from, to - 1, to, from - DAY_MS, to + DAY_MS];
            probes.extend((0..40).map(|_| from - 40 * DAY_MS + rng.below(len + 80 * DAY_MS)));
            for t in probes {
                let expected = i64::from((from..to).contains(&t));
                assert_eq!(coverage(&pieces, t), expected, "case {case}: [{from}, {to}) now {now} at {t}: {pieces:?}");
            }
        }
    }

    #[test]
    fn long_periods_read_months_and_everything_reads_the_all_time_rows() {
        let now = ms("2026-11-26T20:00:00Z");
        // A year in Stockholm: from 23:00 UTC the day before, to 23:00 UTC today.
        let year = plan(Some(ms("2025-11-26T23:00:00Z")), ms("2026-11-26T23:00:00Z"), now);
        let months: i64 = year
            .iter()
            .map(|p| match p.span {
                Span::Months { from, to } => to - from,
                _ => 0,
            })
            .sum();
        assert!(months >= 11, "{year:?}");
        assert!(year.iter().all(|p| !matches!(p.span, Span::Days { from, to } if to - from > 16)), "{year:?}");
        // The last edge lies in the future: the whole day is read, minus its (empty) future.
        assert!(
            year.contains(&sub(Span::Plays { from_ms: ms("2026-11-26T23:00:00Z"), to_ms: ms("2026-11-27T00:00:00Z") }))
        );
        let all = plan(None, ms("2026-11-26T23:00:00Z"), now);
        assert_eq!(all[0], add(Span::AllTime));
        assert_eq!(coverage(&all, ms("2001-01-01T00:00:00Z")), 1);
        assert_eq!(coverage(&all, ms("2026-11-26T23:00:00Z")), 0);
        assert!(plan(Some(5), 5, now).is_empty());
    }
}
