//! The Statistics page on a real SQLite file, through `stats::page`: local days and hours across
//! Stockholm's clock changes, a play at 23:30 local time on its own day, empty periods, and every
//! figure against a brute-force count over random plays in zones with daylight saving and with
//! half- and quarter-hour offsets.

use super::tests::{PlayRow, insert, two_servers};
use crate::stats::test_rng::Rng;
use crate::stats::{StatsQuery, TOP, page};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use sightline_domain::ServerId;
use sightline_domain::stats::{CountRow, DayStats, Period, StatsView, TitleRow, UserRow, resolve};
use std::collections::BTreeMap;

use super::super::test_fixture::store;
use super::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("test value").with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test value")
}

/// A half-hour movie of account 1 on server 1.
fn movie(at: &str, title: &str) -> PlayRow {
    let started = utc(at).timestamp_millis();
    (
        1,
        1,
        started,
        Some(started + 1_800_000),
        1_800_000,
        Some(8),
        Some("iOS".to_owned()),
        None,
        "direct_play".to_owned(),
        "movie".to_owned(),
        title.to_owned(),
        None,
        Some(2001),
    )
}

async fn with_plays(plays: &[PlayRow]) -> (tempfile::TempDir, SqliteStore) {
    let (dir, s) = store().await;
    two_servers(&s.writer).await;
    for (id, p) in (1..).zip(plays) {
        insert(&s.writer, id, p).await;
    }
    (dir, s)
}

fn custom(from: NaiveDate, to: NaiveDate, zone: &str) -> StatsQuery {
    StatsQuery {
        from: Some(from),
        to: Some(to),
        time_zone: zone.parse().expect("test value"),
        ..StatsQuery::new(Period::Custom)
    }
}

fn day_plays(view: &StatsView) -> Vec<(u32, u64, u64)> {
    view.days.iter().map(|d| (d.date.day(), d.plays, d.watch_ms / 60_000)).collect()
}

fn hour_plays(view: &StatsView) -> Vec<(usize, u64)> {
    view.hours.iter().enumerate().filter(|(_, h)| h.plays > 0).map(|(i, h)| (i, h.plays)).collect()
}

#[tokio::test]
async fn stockholm_days_across_the_clock_changes_have_their_own_plays_and_hours() {
    let (_dir, s) = with_plays(&[
        // Spring forward on Sunday 29 March 2026 (02:00 CET becomes 03:00 CEST): a 23-hour day.
        movie("2026-03-28T22:30:00Z", "a"), // 23:30 on the 28th
        movie("2026-03-28T23:30:00Z", "b"), // 00:30 on the 29th
        movie("2026-03-29T01:30:00Z", "c"), // 03:30 on the 29th
        movie("2026-03-29T21:30:00Z", "d"), // 23:30 on the 29th
        movie("2026-03-29T22:10:00Z", "e"), // 00:10 on the 30th
        // Fall back on Sunday 25 October 2026 (03:00 CEST becomes 02:00 CET): a 25-hour day.
        movie("2026-10-24T21:30:00Z", "f"), // 23:30 on the 24th
        movie("2026-10-25T00:30:00Z", "g"), // 02:30 CEST on the 25th
        movie("2026-10-25T01:30:00Z", "h"), // 02:30 CET on the 25th, an hour later
        movie("2026-10-25T22:30:00Z", "i"), // 23:30 on the 25th
        movie("2026-10-25T23:00:00Z", "j"), // 00:00 on the 26th
    ])
    .await;
    let now = utc("2026-11-26T12:00:00Z");
    let spring = page(&s, &custom(date(2026, 3, 28), date(2026, 3, 30), "Europe/Stockholm"), now).await.expect("reads");
    assert_eq!(spring.time_zone, "Europe/Stockholm");
    assert_eq!(day_plays(&spring), [(28, 1, 30), (29, 3, 90), (30, 1, 30)]);
    assert_eq!(hour_plays(&spring), [(0, 2), (3, 1), (23, 2)]);
    assert_eq!((spring.plays, spring.watch_ms), (5, 5 * 1_800_000));
    assert_eq!(spring.top_movies.iter().map(|m| m.plays).sum::<u64>(), 5);
    assert_eq!(spring.platforms, [CountRow { label: "iOS".into(), plays: 5, watch_ms: 5 * 1_800_000 }]);
    assert_eq!(spring.days.iter().map(|d| d.peak_streams).collect::<Vec<_>>(), [1, 1, 1]);
    // Saturday 28th, Sunday 29th, Monday 30th.
    assert_eq!(spring.weekdays.iter().map(|w| w.plays).collect::<Vec<_>>(), [1, 0, 0, 0, 0, 1, 3]);

    let autumn =
        page(&s, &custom(date(2026, 10, 24), date(2026, 10, 26), "Europe/Stockholm"), now).await.expect("reads");
    assert_eq!(day_plays(&autumn), [(24, 1, 30), (25, 3, 90), (26, 1, 30)]);
    assert_eq!(hour_plays(&autumn), [(0, 1), (2, 2), (23, 2)]);
    let titles: Vec<_> = autumn.top_movies.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["f", "g", "h", "i", "j"]);

    // The same plays in UTC fall on other days.
    let in_utc = page(&s, &custom(date(2026, 3, 28), date(2026, 3, 30), "UTC"), now).await.expect("reads");
    assert_eq!(day_plays(&in_utc), [(28, 2, 60), (29, 3, 90), (30, 0, 0)]);
}

#[tokio::test]
async fn a_play_at_half_past_eleven_local_time_counts_on_that_day() {
    let (_dir, s) = with_plays(&[
        movie("2026-07-02T03:30:00Z", "New York late"), // 23:30 EDT on 1 July
        movie("2026-07-01T18:00:00Z", "Kolkata late"),  // 23:30 IST on 1 July
        movie("2026-07-01T18:40:00Z", "Kolkata early"), // 00:10 IST on 2 July, the same UTC hour
    ])
    .await;
    let now = utc("2026-07-02T12:00:00Z");
    let query = |zone: &str| custom(date(2026, 7, 1), date(2026, 7, 2), zone);
    let ny = page(&s, &query("America/New_York"), now).await.expect("reads");
    assert_eq!(day_plays(&ny), [(1, 3, 90), (2, 0, 0)]);
    let kolkata = page(&s, &query("Asia/Kolkata"), now).await.expect("reads");
    assert_eq!(day_plays(&kolkata), [(1, 1, 30), (2, 2, 60)]);
    assert_eq!(hour_plays(&kolkata), [(0, 1), (9, 1), (23, 1)]);
    let day = StatsQuery { time_zone: chrono_tz::America::New_York, ..StatsQuery::new(Period::Day) };
    let today = page(&s, &day, utc("2026-07-02T03:45:00Z")).await.expect("reads");
    assert_eq!((today.from, today.plays), (date(2026, 7, 1), 3));
}

#[tokio::test]
async fn empty_periods_give_every_day_with_zeros_and_no_errors() {
    let (_dir, s) = with_plays(&[]).await;
    let now = utc("2026-11-26T12:00:00Z");
    for (period, days) in
        [(Period::Day, 1), (Period::Week, 7), (Period::Month, 30), (Period::Year, 365), (Period::All, 1)]
    {
        for server in [None, Some(ServerId(2)), Some(ServerId(99))] {
            for tz in [Tz::UTC, chrono_tz::Asia::Kathmandu] {
                let q = StatsQuery { server, time_zone: tz, ..StatsQuery::new(period) };
                let view = page(&s, &q, now).await.expect("reads");
                assert_eq!(view.days.len(), days, "{period:?}");
                assert!(view.is_empty() && view.days.iter().all(|d| d.plays == 0 && d.peak_streams == 0));
                assert!(view.platforms.is_empty() && view.top_users.is_empty() && view.top_movies.is_empty());
                assert_eq!((view.hours.len(), view.weekdays.len()), (24, 7));
            }
        }
    }
    // A period with plays elsewhere in time is empty too.
    let (_dir, s) = with_plays(&[movie("2026-01-10T12:00:00Z", "Heat")]).await;
    let view = page(&s, &custom(date(2026, 2, 1), date(2026, 2, 3), "Europe/Stockholm"), now).await.expect("reads");
    assert_eq!((view.days.len(), view.plays, view.top_movies.len()), (3, 0, 0));
}

/// The two stretches of time the random plays fall in.
const CLUSTERS: [&str; 2] = ["2026-03-01T00:00:00Z", "2026-09-24T00:00:00Z"];

/// Random plays from 1 March to mid-April and from late September to mid-October 2026, across the
/// clock changes of New York, St John's, Stockholm, Lord Howe Island (half an hour, at :30 UTC in
/// October) and the Chatham Islands.
fn random_plays(rng: &mut Rng) -> Vec<PlayRow> {
    (0..400)
        .map(|id| {
            let base = utc(rng.pick(&CLUSTERS)).timestamp_millis();
            let started = base + rng.below(46 * 86_400_000);
            let hours = if rng.below(40) == 0 { 60 } else { 5 };
            let ended = started + rng.below(hours * 3_600_000);
            let server = 1 + rng.below(2);
            (
                server,
                (server - 1) * 3 + 1 + rng.below(3),
                started,
                Some(ended),
                rng.below(3_600_000),
                rng.pick(&[None, Some(8_000), Some(2_501)]),
                rng.pick(&[None, Some("iOS"), Some("Roku"), Some("tvOS")]).map(str::to_owned),
                rng.pick(&[None, Some("Plex Web"), Some("Infuse")]).map(str::to_owned),
                rng.pick(&["direct_play", "transcode", "direct_stream"]).to_owned(),
                rng.pick(&["movie", "episode", "track"]).to_owned(),
                format!("Title {}", id % 13),
                rng.pick(&[None, Some("Severance"), Some("Andor"), Some("Dark")]).map(str::to_owned),
                rng.pick(&[None, Some(1999), Some(2024)]),
            )
        })
        .collect()
}

fn sorted_counts(map: BTreeMap<String, (u64, u64)>) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> =
        map.into_iter().map(|(label, (plays, watch_ms))| CountRow { label, plays, watch_ms }).collect();
    rows.sort_by(|a, b| (b.plays, b.watch_ms).cmp(&(a.plays, a.watch_ms)).then_with(|| a.label.cmp(&b.label)));
    rows
}

fn top_titles(map: BTreeMap<(String, i32), (u64, u64)>) -> Vec<TitleRow> {
    let mut rows: Vec<TitleRow> = map
        .into_iter()
        .map(|((title, year), (plays, watch_ms))| TitleRow {
            title,
            year: (year != 0).then_some(year),
            plays,
            watch_ms,
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.plays, b.watch_ms).cmp(&(a.plays, a.watch_ms)).then_with(|| (&a.title, a.year).cmp(&(&b.title, b.year)))
    });
    rows.truncate(TOP);
    rows
}

fn top_users(users: &[UserRow], key: impl Fn(&UserRow) -> (u64, u64)) -> Vec<UserRow> {
    let mut rows: Vec<UserRow> = users.iter().filter(|u| key(u).0 > 0).cloned().collect();
    rows.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| (&a.name, &a.user_id).cmp(&(&b.name, &b.user_id))));
    rows.truncate(TOP);
    rows
}

/// The page as the definitions say, counted play by play.
fn brute_force(plays: &[PlayRow], q: &StatsQuery, now: DateTime<Utc>) -> StatsView {
    let tz = q.time_zone;
    let local = |ms: i64| tz.timestamp_millis_opt(ms).single().expect("test value");
    let today = now.with_timezone(&tz).date_naive();
    let range = resolve(q.period, (q.from, q.to), today).expect("test value");
    let mine: Vec<&PlayRow> = plays.iter().filter(|p| q.server.is_none_or(|s| s.0 == p.0)).collect();
    let first = range
        .from
        .unwrap_or_else(|| mine.iter().map(|p| local(p.2).date_naive()).min().map_or(range.to, |d| d.min(range.to)));
    let counted: Vec<&PlayRow> =
        mine.iter().copied().filter(|p| (first..=range.to).contains(&local(p.2).date_naive())).collect();
    let mut days: BTreeMap<NaiveDate, (u64, u64, u64, u64)> = BTreeMap::new();
    let mut d = first;
    while d <= range.to {
        days.insert(d, (0, 0, 0, 0));
        d += Duration::days(1);
    }
    let mut bits_per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let (mut hours, mut weekdays) = ([(0, 0); 24], [(0, 0); 7]);
    let mut labels: [BTreeMap<String, (u64, u64)>; 4] = Default::default();
    let (mut movies, mut shows) = (BTreeMap::new(), BTreeMap::new());
    let mut users: BTreeMap<i64, (u64, u64, u64)> = BTreeMap::new();
    for p in &counted {
        let at = local(p.2);
        let ms = u64::try_from(p.4).expect("test value");
        let bits = u64::try_from(p.5.unwrap_or(0) * p.4).expect("test value");
        let day = days.get_mut(&at.date_naive()).expect("in range");
        (day.0, day.1) = (day.0 + 1, day.1 + ms);
        *bits_per_day.entry(at.date_naive()).or_default() += bits;
        let h = &mut hours[at.hour() as usize];
        *h = (h.0 + 1, h.1 + ms);
        let w = &mut weekdays[at.weekday().num_days_from_monday() as usize];
        *w = (w.0 + 1, w.1 + ms);
        let keys = [p.6.clone().unwrap_or_default(), p.7.clone().unwrap_or_default(), p.8.clone(), p.9.clone()];
        for (map, key) in labels.iter_mut().zip(keys) {
            let e = map.entry(key).or_default();
            *e = (e.0 + 1, e.1 + ms);
        }
        let title = match p.9.as_str() {
            "movie" => Some((&mut movies, (p.10.clone(), i32::try_from(p.12.unwrap_or(0)).expect("test value")))),
            "episode" => Some((&mut shows, (p.11.clone().unwrap_or_else(|| p.10.clone()), 0))),
            _ => None,
        };
        if let Some((map, key)) = title {
            let e: &mut (u64, u64) = map.entry(key).or_default();
            *e = (e.0 + 1, e.1 + ms);
        }
        let u = users.entry(p.1).or_default();
        *u = (u.0 + 1, u.1 + ms, u.2 + bits);
    }
    for (date, bits) in bits_per_day {
        days.get_mut(&date).expect("in range").2 = bits / 8;
    }
    // Peaks: streams per 15-minute slot, at the slot's local date.
    let mut slots: BTreeMap<i64, u64> = BTreeMap::new();
    for p in &mine {
        let (first_slot, end) = (p.2 / 900_000, p.3.expect("ended"));
        let last_slot = first_slot + 191.min(p.2.max(end - 1) / 900_000 - first_slot);
        for slot in first_slot..=last_slot {
            *slots.entry(slot).or_default() += 1;
        }
    }
    for (slot, streams) in slots {
        if let Some(day) = days.get_mut(&local(slot * 900_000).date_naive()) {
            day.3 = day.3.max(streams);
        }
    }
    let users: Vec<UserRow> = users
        .into_iter()
        .map(|(account, (plays, watch_ms, bits))| UserRow {
            server_name: if account <= 3 { "Den" } else { "Loft" }.to_owned(),
            user_id: format!("u{}", (account - 1) % 3 + 1),
            name: format!("User {}", (account - 1) % 3 + 1),
            plays,
            watch_ms,
            bytes: bits / 8,
        })
        .collect();
    let days: Vec<DayStats> = days
        .into_iter()
        .map(|(date, (plays, watch_ms, bytes, peak_streams))| DayStats { date, plays, watch_ms, bytes, peak_streams })
        .collect();
    let count_row = |label: String, (plays, watch_ms): (u64, u64)| CountRow { label, plays, watch_ms };
    let [platforms, products, decisions, media_types] = labels.map(sorted_counts);
    let unknown = |rows: Vec<CountRow>| -> Vec<CountRow> {
        rows.into_iter()
            .map(|r| CountRow { label: if r.label.is_empty() { "Unknown".into() } else { r.label }, ..r })
            .collect()
    };
    StatsView {
        period: q.period,
        from: first,
        to: range.to,
        time_zone: tz.name().to_owned(),
        plays: days.iter().map(|d| d.plays).sum(),
        watch_ms: days.iter().map(|d| d.watch_ms).sum(),
        bytes: days.iter().map(|d| d.bytes).sum(),
        days,
        weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            .iter()
            .zip(weekdays)
            .map(|(l, v)| count_row((*l).to_owned(), v))
            .collect(),
        hours: hours.into_iter().enumerate().map(|(h, v)| count_row(format!("{h:02}"), v)).collect(),
        platforms: unknown(platforms),
        products: unknown(products),
        decisions,
        media_types,
        top_users: top_users(&users, |u| (u.plays, u.watch_ms)),
        top_bandwidth_users: top_users(&users, |u| (u.bytes, u.watch_ms)),
        top_movies: top_titles(movies),
        top_shows: top_titles(shows),
    }
}

#[tokio::test]
async fn every_figure_equals_a_brute_force_count_in_zones_with_odd_offsets_and_clock_changes() {
    let mut rng = Rng(2026);
    let mut plays = random_plays(&mut rng);
    // Lord Howe Island moves from UTC+10:30 to +11 at 15:30 UTC on 3 October 2026: the UTC hour
    // from 15:00 is cut in two local hours of two stretches.
    plays.extend([movie("2026-10-03T15:10:00Z", "before"), movie("2026-10-03T15:40:00Z", "after")]);
    let (_dir, s) = with_plays(&plays).await;
    let zones = [
        "UTC",
        "Europe/Stockholm",
        "America/New_York",
        "America/St_Johns",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
    ];
    for case in 0..160 {
        let tz: Tz = rng.pick(&zones).parse().expect("test value");
        let base = utc(rng.pick(&CLUSTERS)) - Duration::days(4);
        let now = base + Duration::minutes(rng.below(60 * 24 * 56));
        let period = rng.pick(&[Period::Day, Period::Week, Period::Month, Period::Year, Period::All, Period::Custom]);
        let from = base.date_naive() + Duration::days(rng.below(50));
        let to = from + Duration::days(rng.below(20));
        let server = rng.pick(&[None, Some(ServerId(1)), Some(ServerId(2))]);
        let q = StatsQuery { period, from: Some(from), to: Some(to), server, time_zone: tz };
        let q = if period == Period::Custom { q } else { StatsQuery { from: None, to: None, ..q } };
        let got = page(&s, &q, now).await.expect("reads");
        assert_eq!(got, brute_force(&plays, &q, now), "case {case}: {q:?} at {now}");
    }
    let lord_howe = custom(date(2026, 10, 1), date(2026, 10, 6), "Australia/Lord_Howe");
    let now = utc("2026-10-20T00:00:00Z");
    let got = page(&s, &lord_howe, now).await.expect("reads");
    assert_eq!(got, brute_force(&plays, &lord_howe, now));
}
