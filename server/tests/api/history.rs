//! `/api/v1/history` over real HTTP: chains of resumed plays with their sessions, filters as query
//! parameters, keyset pages, field errors, the CSV export (escaped, formula-guarded) and bulk
//! deletes (audited, refused to read-only keys).

use crate::plays_fixture::finished;
use crate::rules::fixture;
use chrono::Duration;
use serde_json::{Value, json};
use sightline_domain::ServerId;

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|c| c["title"].as_str().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn history_lists_chains_filters_pages_exports_and_deletes() {
    let f = fixture().await;
    let server = ServerId(f.server);
    let start = sightline_backend::clock::now() - Duration::hours(5);
    let writes = [
        finished(1, "alice", "Heat", start, 600_000, None),
        finished(2, "bob", "=cmd|' /C calc'!A0", start + Duration::minutes(20), 600_000, None),
        finished(3, "alice", "Heat", start + Duration::minutes(40), 600_000, Some(1)),
        finished(4, "bob", "Lock, Stock", start + Duration::minutes(60), 600_000, None),
    ];
    f.app.running.ctx.store.write_plays(server, &writes, start).await.expect("writes");

    let (status, all) = f.json("GET", "/api/v1/history?count=true", None).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(titles(&all), ["Lock, Stock", "=cmd|' /C calc'!A0", "Heat"]);
    assert_eq!(all["total"], 3);
    assert_eq!(all["next"], Value::Null);
    let heat = &all["items"][2];
    assert_eq!(heat["sessions"].as_array().map(Vec::len), Some(2));
    assert_eq!((heat["played_ms"].as_u64(), heat["account_name"].as_str()), (Some(1_200_000), Some("alice")));
    assert_eq!(heat["sessions"][0]["decision"], "transcode");

    let (_, alice) = f.json("GET", &format!("/api/v1/history?users={}:alice", f.server), None).await;
    assert_eq!(titles(&alice), ["Heat"]);
    let (_, search) = f.json("GET", "/api/v1/history?q=lock", None).await;
    assert_eq!(titles(&search), ["Lock, Stock"]);
    let (_, none) = f.json("GET", "/api/v1/history?country=SE&platform=Roku", None).await;
    assert_eq!(titles(&none), Vec::<String>::new());

    let (_, first) = f.json("GET", "/api/v1/history?limit=2", None).await;
    assert_eq!(titles(&first).len(), 2);
    let next = first["next"].as_str().expect("a next cursor").to_owned();
    let url = reqwest::Url::parse_with_params(&f.app.url("/api/v1/history"), &[("limit", "2"), ("after", &next)])
        .expect("url");
    let second: Value = f.app.client.get(url).bearer_auth(&f.ro).send().await.expect("req").json().await.expect("json");
    assert_eq!(titles(&second), ["Heat"]);

    for bad in ["limit=501", "after=nope", "country=Sweden", "watched=perhaps", "from=2&to=1"] {
        let (status, body) = f.json("GET", &format!("/api/v1/history?{bad}"), None).await;
        assert_eq!((status, body["error"].as_str()), (422, Some("invalid")), "{bad}: {body}");
        assert!(body["field"].is_string(), "{body}");
    }

    let res = f.send("GET", "/api/v1/history.csv?sort=title", &f.ro, None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let csv = res.text().await.expect("body");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("chain,play,started_at"));
    assert!(lines[1].contains(",'=cmd|' /C calc'!A0,"), "{csv}");
    assert!(lines[4].contains(",\"Lock, Stock\","), "{csv}");
    // Streamed in pages of one chain: the same text, one chunk per chain after the header.
    let chunks: Vec<String> = futures::StreamExt::collect::<Vec<_>>(sightline_backend::history::export_csv_in_pages(
        f.app.running.ctx.clone(),
        Default::default(),
        sightline_backend::store::history::HistorySort::Title,
        1,
    ))
    .await
    .into_iter()
    .map(|c| c.expect("chunk"))
    .collect();
    assert_eq!(chunks.len(), 4, "{chunks:?}");
    assert_eq!(chunks.concat(), csv);
    // Polling again after the end (as compression layers do) answers "no more", never a panic.
    let mut ended = std::pin::pin!(sightline_backend::history::export_csv_in_pages(
        f.app.running.ctx.clone(),
        Default::default(),
        sightline_backend::store::history::HistorySort::Title,
        500,
    ));
    while futures::StreamExt::next(&mut ended).await.is_some() {}
    assert!(futures::StreamExt::next(&mut ended).await.is_none());

    let ids: Vec<i64> = heat["sessions"].as_array().expect("s").iter().filter_map(|s| s["id"].as_i64()).collect();
    let refused = f.send("POST", "/api/v1/history/delete", &f.ro, Some(json!({ "ids": ids }))).await;
    assert_eq!(refused.status(), 403);
    let (status, body) = f.json("POST", "/api/v1/history/delete", Some(json!({ "ids": [] }))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("ids")));
    let (status, body) = f.json("POST", "/api/v1/history/delete", Some(json!({ "ids": ids }))).await;
    assert_eq!((status, body["deleted"].as_u64()), (200, Some(2)));
    let (_, after) = f.json("GET", "/api/v1/history", None).await;
    assert_eq!(titles(&after), ["Lock, Stock", "=cmd|' /C calc'!A0"]);
    assert!(f.audit_actions().await.contains(&"history_deleted".to_owned()));

    let anonymous = f.app.client.get(f.app.url("/api/v1/history")).send().await.expect("req");
    assert_eq!(anonymous.status(), 401);
}
