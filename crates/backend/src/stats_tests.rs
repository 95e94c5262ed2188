//! The statistics service over a stub store: what it asks the store for in the owner's zone (the
//! stretches of constant offset and the pieces of the period), where "all" starts, totals, top
//! users by plays and by data, and unlabelled platforms.

use super::*;
use crate::store::stats::{Piece, StatsRollup, Stretch};
use async_trait::async_trait;
use chrono::TimeZone;
use sightline_domain::stats::DayStats;
use std::sync::Mutex;

#[derive(Default)]
struct Stub {
    first: Option<DateTime<Utc>>,
    rollup: StatsRollup,
    asked: Mutex<Vec<(Vec<Stretch>, Vec<Piece>)>>,
}

#[async_trait]
impl StatsStore for Stub {
    async fn stats_first_play(&self, _server: Option<ServerId>) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.first)
    }

    async fn stats_rollup(&self, request: &StatsRequest<'_>) -> Result<StatsRollup, StoreError> {
        assert_eq!(request.top, 10);
        self.asked.lock().expect("test value").push((request.stretches.to_vec(), request.pieces.to_vec()));
        Ok(self.rollup.clone())
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 23, 30, 0).single().expect("test value")
}

fn ms(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text).expect("test value").timestamp_millis()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test value")
}

fn user(name: &str, plays: u64, bytes: u64) -> UserRow {
    UserRow { server_name: "Den".into(), user_id: name.into(), name: name.into(), plays, watch_ms: plays * 10, bytes }
}

#[tokio::test]
async fn the_period_is_cut_at_local_midnights_of_the_owners_zone() {
    let store = Stub::default();
    // 23:30 UTC on the 26th is already the 27th in Stockholm (UTC+1 in November).
    let q = StatsQuery { time_zone: chrono_tz::Europe::Stockholm, ..StatsQuery::new(Period::Week) };
    let view = page(&store, &q, now()).await.expect("test value");
    assert_eq!(
        (view.from, view.to, view.time_zone.as_str()),
        (date(2026, 11, 21), date(2026, 11, 27), "Europe/Stockholm")
    );
    assert_eq!(view.days.len(), 7);
    assert!(view.is_empty());
    let (stretches, pieces) = store.asked.lock().expect("test value")[0].clone();
    let (from, to) = (ms("2026-11-20T23:00:00Z"), ms("2026-11-27T23:00:00Z"));
    assert_eq!(stretches, [Stretch { from_ms: from, to_ms: to, offset_minutes: 60 }]);
    assert_eq!(pieces, plan::plan(Some(from), to, now().timestamp_millis()));
}

#[tokio::test]
async fn a_period_across_a_clock_change_is_read_in_two_stretches() {
    let store = Stub::default();
    let q = StatsQuery {
        from: Some(date(2026, 3, 28)),
        to: Some(date(2026, 3, 30)),
        time_zone: chrono_tz::Europe::Stockholm,
        ..StatsQuery::new(Period::Custom)
    };
    page(&store, &q, now()).await.expect("test value");
    let (stretches, _) = store.asked.lock().expect("test value")[0].clone();
    let offsets: Vec<_> = stretches.iter().map(|s| (s.offset_minutes, (s.to_ms - s.from_ms) / 3_600_000)).collect();
    // 24 h on the 28th and 2 h into the 29th at +1, then 21 + 24 h at +2.
    assert_eq!(offsets, [(60, 26), (120, 45)]);
}

#[tokio::test]
async fn custom_periods_are_checked() {
    let store = Stub::default();
    let q = StatsQuery { to: Some(date(2026, 1, 1)), ..StatsQuery::new(Period::Custom) };
    assert!(matches!(page(&store, &q, now()).await, Err(StatsError::Period(PeriodError::MissingDates))));
    let q = StatsQuery { from: Some(date(2026, 1, 1)), ..q };
    let view = page(&store, &q, now()).await.expect("test value");
    assert_eq!((view.from, view.to, view.days.len()), (view.to, view.to, 1));
}

#[tokio::test]
async fn all_starts_on_the_local_day_of_the_first_play_and_totals_add_up() {
    let day = |d: u32, plays: u64| DayStats {
        date: date(2026, 11, d),
        plays,
        watch_ms: plays * 50,
        bytes: 4,
        peak_streams: 1,
    };
    let store = Stub {
        // 23:30 UTC on the 19th is the 20th in Stockholm.
        first: Some(Utc.with_ymd_and_hms(2026, 11, 19, 23, 30, 0).single().expect("test value")),
        rollup: StatsRollup {
            days: vec![day(20, 2), day(21, 1)],
            platforms: vec![CountRow { label: String::new(), plays: 3, watch_ms: 150 }],
            users: vec![user("zed", 1, 900), user("amy", 2, 5), user("bob", 2, 5), user("idle", 0, 0)],
            ..StatsRollup::default()
        },
        ..Stub::default()
    };
    let q = StatsQuery { time_zone: chrono_tz::Europe::Stockholm, ..StatsQuery::new(Period::All) };
    let view = page(&store, &q, now()).await.expect("test value");
    let (stretches, pieces) = store.asked.lock().expect("test value")[0].clone();
    assert_eq!(stretches[0].from_ms, ms("2026-11-19T23:00:00Z"));
    assert_eq!(pieces[0].span, crate::store::stats::Span::AllTime);
    assert_eq!((view.from, view.days.len()), (date(2026, 11, 20), 8));
    assert_eq!((view.plays, view.watch_ms, view.bytes), (3, 150, 8));
    assert_eq!((view.days[0].plays, view.days[1].plays), (2, 1));
    assert_eq!(view.platforms[0].label, "Unknown");
    let by_plays: Vec<_> = view.top_users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(by_plays, ["amy", "bob", "zed"]);
    let by_bytes: Vec<_> = view.top_bandwidth_users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(by_bytes, ["zed", "amy", "bob"]);
}

#[tokio::test]
async fn all_without_plays_is_today() {
    let store = Stub::default();
    let view = page(&store, &StatsQuery::new(Period::All), now()).await.expect("test value");
    assert_eq!((view.from, view.days.len()), (date(2026, 11, 26), 1));
}
