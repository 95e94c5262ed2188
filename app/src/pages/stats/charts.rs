//! The Statistics page's charts as plain data: one [`Panel`] per figure, with its charming `Chart`
//! (drawn by echarts in the browser) and the same numbers as a table (the fallback, readable on a
//! phone and by screen readers). Pure, so the series are tested on the server.

use charming::Chart;
use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::{Bar, Line, Pie};
use sightline_domain::stats::{CountRow, StatsView, TitleRow, UserRow};

/// The chart containers' ids, in page order.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const IDS: [&str; 12] = [
    "stats-chart-time",
    "stats-chart-weekday",
    "stats-chart-hour",
    "stats-chart-platform",
    "stats-chart-product",
    "stats-chart-decision",
    "stats-chart-concurrency",
    "stats-chart-users",
    "stats-chart-movies",
    "stats-chart-shows",
    "stats-chart-data-day",
    "stats-chart-data-user",
];

/// One figure of the page.
pub struct Panel {
    /// The chart container's element id (`stats-chart-<key>`).
    pub id: &'static str,
    pub title: &'static str,
    /// Drawn only in the browser (read by the tests on the server).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub chart: Chart,
    pub columns: [&'static str; 3],
    pub rows: Vec<[String; 3]>,
}

/// Hours with one decimal.
#[must_use]
pub fn hours(ms: u64) -> f64 {
    (ms as f64 / 360_000.0).round() / 10.0
}

/// Gigabytes with two decimals.
#[must_use]
pub fn gigabytes(bytes: u64) -> f64 {
    (bytes as f64 / 1e7).round() / 100.0
}

fn grid() -> Grid {
    Grid::new().left("3%").right("4%").bottom("3%").top("12%").contain_label(true)
}

fn columns(labels: Vec<String>, name: &str, values: Vec<f64>) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(grid())
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value))
        .series(Bar::new().name(name).data(values))
}

/// Horizontal bars, the first row on top.
fn ranking(labels: Vec<String>, name: &str, values: Vec<f64>) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(grid())
        .x_axis(Axis::new().type_(AxisType::Value))
        .y_axis(Axis::new().type_(AxisType::Category).inverse(true).data(labels))
        .series(Bar::new().name(name).data(values))
}

fn pie(name: &str, rows: &[CountRow]) -> Chart {
    let data: Vec<(f64, String)> = rows.iter().map(|r| (r.plays as f64, r.label.clone())).collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(Legend::new().bottom("0"))
        .series(Pie::new().name(name).radius(vec!["35%", "65%"]).data(data))
}

fn count_rows(rows: &[CountRow]) -> Vec<[String; 3]> {
    rows.iter().map(|r| [r.label.clone(), r.plays.to_string(), format!("{:.1}", hours(r.watch_ms))]).collect()
}

fn count_panel(id: &'static str, title: &'static str, rows: &[CountRow], as_pie: bool) -> Panel {
    let chart = if as_pie {
        pie(title, rows)
    } else {
        columns(rows.iter().map(|r| r.label.clone()).collect(), "Plays", rows.iter().map(|r| r.plays as f64).collect())
    };
    Panel { id, title, chart, columns: ["", "Plays", "Hours"], rows: count_rows(rows) }
}

fn user_label(u: &UserRow) -> String {
    u.name.clone()
}

fn title_label(t: &TitleRow) -> String {
    t.year.map_or_else(|| t.title.clone(), |y| format!("{} ({y})", t.title))
}

fn title_panel(id: &'static str, title: &'static str, rows: &[TitleRow]) -> Panel {
    Panel {
        id,
        title,
        chart: ranking(rows.iter().map(title_label).collect(), "Plays", rows.iter().map(|t| t.plays as f64).collect()),
        columns: ["Title", "Plays", "Hours"],
        rows: rows.iter().map(|t| [title_label(t), t.plays.to_string(), format!("{:.1}", hours(t.watch_ms))]).collect(),
    }
}

/// Every figure of `view`, in page order.
#[must_use]
pub fn panels(view: &StatsView) -> Vec<Panel> {
    let dates: Vec<String> = view.days.iter().map(|d| d.date.format("%m-%d").to_string()).collect();
    let over_time = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("0"))
        .grid(grid())
        .x_axis(Axis::new().type_(AxisType::Category).data(dates.clone()))
        .y_axis(Axis::new().type_(AxisType::Value).name("Plays"))
        .y_axis(Axis::new().type_(AxisType::Value).name("Hours"))
        .series(Bar::new().name("Plays").data(view.days.iter().map(|d| d.plays as f64).collect()))
        .series(Line::new().name("Hours").y_axis_index(1).data(view.days.iter().map(|d| hours(d.watch_ms)).collect()));
    let day_rows = |f: &dyn Fn(&sightline_domain::stats::DayStats) -> String| {
        view.days.iter().map(|d| [d.date.to_string(), f(d), String::new()]).collect::<Vec<_>>()
    };
    let concurrency = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(grid())
        .x_axis(Axis::new().type_(AxisType::Category).data(dates.clone()))
        .y_axis(Axis::new().type_(AxisType::Value).min_interval(1))
        .series(Line::new().name("Streams").data(view.days.iter().map(|d| d.peak_streams as f64).collect()));
    let users = &view.top_users;
    let heavy = &view.top_bandwidth_users;
    vec![
        Panel {
            id: "stats-chart-time",
            title: "Plays and watch time",
            chart: over_time,
            columns: ["Day", "Plays", "Hours"],
            rows: view
                .days
                .iter()
                .map(|d| [d.date.to_string(), d.plays.to_string(), format!("{:.1}", hours(d.watch_ms))])
                .collect(),
        },
        count_panel("stats-chart-weekday", "By day of week", &view.weekdays, false),
        count_panel("stats-chart-hour", "By hour of day", &view.hours, false),
        count_panel("stats-chart-platform", "By platform", &view.platforms, true),
        count_panel("stats-chart-product", "By player", &view.products, true),
        count_panel("stats-chart-decision", "By stream decision", &view.decisions, true),
        Panel {
            id: "stats-chart-concurrency",
            title: "Most streams at once",
            chart: concurrency,
            columns: ["Day", "Streams", ""],
            rows: day_rows(&|d| d.peak_streams.to_string()),
        },
        Panel {
            id: "stats-chart-users",
            title: "Top users",
            chart: ranking(
                users.iter().map(user_label).collect(),
                "Plays",
                users.iter().map(|u| u.plays as f64).collect(),
            ),
            columns: ["User", "Plays", "Hours"],
            rows: users
                .iter()
                .map(|u| [user_label(u), u.plays.to_string(), format!("{:.1}", hours(u.watch_ms))])
                .collect(),
        },
        title_panel("stats-chart-movies", "Top movies", &view.top_movies),
        title_panel("stats-chart-shows", "Top shows", &view.top_shows),
        Panel {
            id: "stats-chart-data-day",
            title: "Data sent per day (GB)",
            chart: columns(dates, "GB", view.days.iter().map(|d| gigabytes(d.bytes)).collect()),
            columns: ["Day", "GB", ""],
            rows: day_rows(&|d| format!("{:.2}", gigabytes(d.bytes))),
        },
        Panel {
            id: "stats-chart-data-user",
            title: "Data sent per user (GB)",
            chart: ranking(
                heavy.iter().map(user_label).collect(),
                "GB",
                heavy.iter().map(|u| gigabytes(u.bytes)).collect(),
            ),
            columns: ["User", "GB", "Hours"],
            rows: heavy
                .iter()
                .map(|u| [user_label(u), format!("{:.2}", gigabytes(u.bytes)), format!("{:.1}", hours(u.watch_ms))])
                .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::Value;
    use sightline_domain::stats::{DayStats, Period};

    fn view() -> StatsView {
        let date = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date");
        let row = |label: &str, plays| CountRow { label: label.into(), plays, watch_ms: plays * 3_600_000 };
        StatsView {
            period: Period::Week,
            from: date(25),
            to: date(26),
            time_zone: "Europe/Stockholm".into(),
            plays: 3,
            watch_ms: 5_400_000,
            bytes: 3_000_000_000,
            days: vec![
                DayStats { date: date(25), plays: 1, watch_ms: 1_800_000, bytes: 1_000_000_000, peak_streams: 1 },
                DayStats { date: date(26), plays: 2, watch_ms: 3_600_000, bytes: 2_000_000_000, peak_streams: 2 },
            ],
            weekdays: vec![row("Mon", 0), row("Tue", 3)],
            hours: vec![row("00", 1), row("01", 2)],
            platforms: vec![row("Android", 2), row("Unknown", 1)],
            products: vec![row("Plex Web", 3)],
            decisions: vec![row("transcode", 2), row("direct_play", 1)],
            media_types: vec![row("movie", 3)],
            top_users: vec![UserRow {
                server_name: "Den".into(),
                user_id: "a".into(),
                name: "alice".into(),
                plays: 3,
                watch_ms: 5_400_000,
                bytes: 3_000_000_000,
            }],
            top_bandwidth_users: vec![],
            top_movies: vec![TitleRow { title: "Heat".into(), year: Some(1995), plays: 3, watch_ms: 5_400_000 }],
            top_shows: vec![],
        }
    }

    fn json(chart: &Chart) -> Value {
        serde_json::to_value(chart).expect("serialises")
    }

    #[test]
    fn every_figure_has_a_chart_and_a_table() {
        let panels = panels(&view());
        assert_eq!(panels.len(), 12);
        assert_eq!(panels.iter().map(|p| p.id).collect::<Vec<_>>(), IDS);
        let unique: std::collections::BTreeSet<_> = IDS.iter().collect();
        assert_eq!(unique.len(), IDS.len());
    }

    #[test]
    fn plays_and_hours_share_the_days_axis() {
        let panels = panels(&view());
        let time = json(&panels[0].chart);
        assert_eq!(time["xAxis"]["data"], serde_json::json!(["11-25", "11-26"]));
        assert_eq!(time["series"][0]["type"], "bar");
        assert_eq!(time["series"][0]["data"], serde_json::json!([1.0, 2.0]));
        assert_eq!(time["series"][1]["type"], "line");
        assert_eq!(time["series"][1]["yAxisIndex"], 1.0);
        assert_eq!(time["series"][1]["data"], serde_json::json!([0.5, 1.0]));
        assert_eq!(panels[0].rows[1], ["2026-11-26".to_owned(), "2".to_owned(), "1.0".to_owned()]);
    }

    #[test]
    fn shares_are_pies_and_rankings_put_the_first_on_top() {
        let panels = panels(&view());
        let decision = json(&panels[5].chart);
        assert_eq!(decision["series"][0]["type"], "pie");
        assert_eq!(decision["series"][0]["data"][0], serde_json::json!({ "value": 2.0, "name": "transcode" }));
        let movies = json(&panels[8].chart);
        assert_eq!(movies["yAxis"]["inverse"], true);
        assert_eq!(movies["yAxis"]["data"], serde_json::json!(["Heat (1995)"]));
        let peak = json(&panels[6].chart);
        assert_eq!(peak["series"][0]["data"], serde_json::json!([1.0, 2.0]));
        let data = json(&panels[10].chart);
        assert_eq!(data["series"][0]["data"], serde_json::json!([1.0, 2.0]));
    }

    #[test]
    fn units_round_for_reading() {
        assert!((hours(5_400_000) - 1.5).abs() < 1e-9);
        assert!((gigabytes(1_234_567_890) - 1.23).abs() < 1e-9);
    }
}
