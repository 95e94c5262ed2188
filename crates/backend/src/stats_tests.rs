//! The statistics service over a stub store: the filter it asks for in the owner's zone, where
//! "all" starts, top users by plays and by data, and unlabelled platforms.

use super::*;
use crate::store::stats::StatsRollup;
use async_trait::async_trait;
use chrono::TimeZone;
use sightline_domain::stats::{HOUR_MS, HourTotal};
use std::sync::Mutex;

struct Stub {
    rollup: StatsRollup,
    asked: Mutex<Vec<StatsFilter>>,
}

#[async_trait]
impl StatsStore for Stub {
    async fn stats_rollup(&self, filter: &StatsFilter, top: u32) -> Result<StatsRollup, StoreError> {
        assert_eq!(top, 10);
        self.asked.lock().expect("test value").push(*filter);
        Ok(self.rollup.clone())
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 23, 30, 0).single().expect("test value")
}

fn user(name: &str, plays: u64, bytes: u64) -> UserRow {
    UserRow { server_name: "Den".into(), user_id: name.into(), name: name.into(), plays, watch_ms: plays * 10, bytes }
}

fn stub(rollup: StatsRollup) -> Stub {
    Stub { rollup, asked: Mutex::new(Vec::new()) }
}

#[tokio::test]
async fn the_period_is_cut_at_local_midnights() {
    let store = stub(StatsRollup::default());
    // 23:30 UTC on the 26th is already the 27th at UTC+1.
    let q = StatsQuery { utc_offset_minutes: 60, ..StatsQuery::new(Period::Week) };
    let view = page(&store, &q, now()).await.expect("test value");
    assert_eq!((view.from.to_string(), view.to.to_string()), ("2026-11-21".into(), "2026-11-27".into()));
    assert_eq!(view.days.len(), 7);
    assert!(view.is_empty());
    let asked = store.asked.lock().expect("test value")[0];
    assert_eq!(asked.from.expect("test value").to_rfc3339(), "2026-11-20T23:00:00+00:00");
    assert_eq!(asked.to.to_rfc3339(), "2026-11-27T23:00:00+00:00");
}

#[tokio::test]
async fn custom_periods_are_checked() {
    let store = stub(StatsRollup::default());
    let q = StatsQuery { to: NaiveDate::from_ymd_opt(2026, 1, 1), ..StatsQuery::new(Period::Custom) };
    assert!(matches!(page(&store, &q, now()).await, Err(StatsError::Period(PeriodError::MissingDates))));
    let q = StatsQuery { from: NaiveDate::from_ymd_opt(2026, 1, 1), ..q };
    let view = page(&store, &q, now()).await.expect("test value");
    assert_eq!((view.from, view.to, view.days.len()), (view.to, view.to, 1));
}

#[tokio::test]
async fn all_starts_on_the_first_day_with_plays_and_totals_add_up() {
    let first = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("test value").timestamp_millis() / HOUR_MS;
    let rollup = StatsRollup {
        hours: vec![
            HourTotal { hour: first, plays: 2, watch_ms: 100, bytes: 7 },
            HourTotal { hour: first + 30, plays: 1, watch_ms: 50, bytes: 1 },
        ],
        platforms: vec![CountRow { label: String::new(), plays: 3, watch_ms: 150 }],
        users: vec![user("zed", 1, 900), user("amy", 2, 5), user("bob", 2, 5), user("idle", 0, 0)],
        ..StatsRollup::default()
    };
    let store = stub(rollup);
    let view = page(&store, &StatsQuery::new(Period::All), now()).await.expect("test value");
    assert_eq!(store.asked.lock().expect("test value")[0].from, None);
    assert_eq!(view.from.to_string(), "2026-11-20");
    assert_eq!(view.days.len(), 7);
    assert_eq!((view.plays, view.watch_ms, view.bytes), (3, 150, 8));
    assert_eq!(view.days[0].plays, 2);
    assert_eq!(view.days[1].plays, 1);
    assert_eq!(view.platforms[0].label, "Unknown");
    let by_plays: Vec<_> = view.top_users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(by_plays, ["amy", "bob", "zed"]);
    let by_bytes: Vec<_> = view.top_bandwidth_users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(by_bytes, ["zed", "amy", "bob"]);
}

#[tokio::test]
async fn all_without_plays_is_today() {
    let store = stub(StatsRollup::default());
    let view = page(&store, &StatsQuery::new(Period::All), now()).await.expect("test value");
    assert_eq!((view.from.to_string(), view.days.len()), ("2026-11-26".into(), 1));
}
