//! `GET /api/v1/stats` over real HTTP: plays written through the store show up in the period's
//! totals, days, top lists and concurrency peak; filters by server; days in the owner's zone or the
//! one asked for; bad parameters are refused; signed-out callers are not served.

use crate::plays_fixture::finished;
use crate::rules::fixture;
use chrono::Duration;
use sightline_domain::ServerId;

#[tokio::test]
async fn stats_sum_the_periods_plays_and_refuse_bad_parameters() {
    let f = fixture().await;
    let store = &f.app.running.ctx.store;
    let server = ServerId(f.server);
    // Two overlapping plays of the same film, started 3 hours ago (so today or yesterday in UTC).
    let start = sightline_backend::clock::now() - Duration::hours(3);
    let writes = [
        finished(1, "alice", "Heat", start, 3_600_000, None),
        finished(2, "bob", "Heat", start + Duration::minutes(5), 600_000, None),
    ];
    store.write_plays(server, &writes, start).await.expect("writes");
    // Written twice (a replayed stop): still two plays.
    store.write_plays(server, &writes, start).await.expect("writes again");

    let (status, week) = f.json("GET", "/api/v1/stats?period=week", None).await;
    assert_eq!(status, 200, "{week}");
    assert_eq!((week["period"].as_str(), week["plays"].as_u64()), (Some("week"), Some(2)));
    assert_eq!(week["watch_ms"].as_u64(), Some(4_200_000));
    assert_eq!(week["bytes"].as_u64(), Some(4_000 * 4_200_000 / 8));
    let days = week["days"].as_array().expect("days");
    assert_eq!(days.len(), 7);
    assert_eq!(days.iter().map(|d| d["plays"].as_u64().unwrap_or(0)).sum::<u64>(), 2);
    assert_eq!(days.iter().filter_map(|d| d["peak_streams"].as_u64()).max(), Some(2));
    assert_eq!(week["top_movies"][0]["title"], "Heat");
    assert_eq!(week["top_movies"][0]["plays"], 2);
    assert_eq!(week["top_users"][0]["name"], "alice");
    assert_eq!(week["decisions"][0]["label"], "transcode");
    assert_eq!(week["platforms"][0]["label"], "Roku");
    assert_eq!(week["weekdays"].as_array().map(Vec::len), Some(7));
    assert_eq!(week["hours"].as_array().map(Vec::len), Some(24));

    let (_, other) = f.json("GET", &format!("/api/v1/stats?period=all&server={}", f.server + 1), None).await;
    assert_eq!(other["plays"].as_u64(), Some(0));
    let (_, custom) = f.json("GET", "/api/v1/stats?period=custom&from=2020-01-01&to=2020-01-31", None).await;
    assert_eq!((custom["plays"].as_u64(), custom["days"].as_array().map(Vec::len)), (Some(0), Some(31)));
    // Days are cut in the owner's zone (UTC until one is chosen), or in the zone asked for.
    assert_eq!(week["time_zone"], "UTC");
    let (_, east) = f.json("GET", "/api/v1/stats?period=day&tz=Pacific/Kiritimati", None).await;
    assert_eq!(east["time_zone"], "Pacific/Kiritimati");
    store.set_setting("time_zone", "Europe/Stockholm", start).await.expect("sets the owner's zone");
    let (_, owners) = f.json("GET", "/api/v1/stats?period=week", None).await;
    assert_eq!((owners["time_zone"].as_str(), owners["plays"].as_u64()), (Some("Europe/Stockholm"), Some(2)));

    for bad in [
        "period=decade",
        "period=custom&from=2020-02-01",
        "period=custom&from=2020-02-01&to=2020-01-01",
        "period=custom&from=01/02/2020&to=2020-03-01",
        "server=den",
        "tz=Mars/Olympus_Mons",
    ] {
        let (status, err) = f.json("GET", &format!("/api/v1/stats?{bad}"), None).await;
        assert_eq!((status, err["error"].as_str()), (422, Some("invalid")), "{bad}: {err}");
    }

    let anonymous = f.app.client.get(f.app.url("/api/v1/stats")).send().await.expect("request");
    assert_eq!(anonymous.status(), 401);
}
