//! `/api/v1/users` over real HTTP: the list (search, order, field errors), a person's page, merging
//! the accounts of one person across two servers and splitting them again (audited; refused to
//! read-only keys), naming, and 404s.

use crate::plays_fixture::finished;
use crate::rules::{Fixture, fixture};
use chrono::Duration;
use serde_json::{Value, json};
use sightline_backend::store::AccountInfo;
use sightline_domain::ServerId;

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|p| p["name"].as_str().unwrap_or("").to_owned()).collect()
}

fn id_of(list: &Value, name: &str) -> i64 {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no {name} in {list:#}"))
}

/// A second server, "Attic", with the account `ally`; returns its id.
async fn attic(f: &Fixture) -> i64 {
    let body =
        json!({ "kind": "plex", "name": "Attic", "url": "http://127.0.0.1:9/", "token": "t0ken", "enabled": false });
    let (status, server) = f.json("POST", "/api/v1/servers", Some(body)).await;
    assert_eq!(status, 201, "{server}");
    let id = server["id"].as_i64().expect("id");
    let ally = AccountInfo {
        external_id: "ally".into(),
        name: "ally".into(),
        thumb: None,
        is_admin: false,
        is_disabled: false,
    };
    let now = sightline_backend::clock::now();
    f.app.running.ctx.store.sync_accounts(ServerId(id), &[ally], now).await.expect("syncs");
    id
}

#[tokio::test]
async fn users_are_listed_searched_and_shown_with_their_accounts_devices_and_history() {
    let f = fixture().await;
    let start = sightline_backend::clock::now() - Duration::hours(5);
    let writes = [
        finished(1, "alice", "Heat", start, 600_000, None),
        finished(2, "alice", "Ronin", start + Duration::minutes(30), 600_000, None),
        finished(3, "bob", "Heat", start + Duration::minutes(60), 300_000, None),
    ];
    f.app.running.ctx.store.write_plays(ServerId(f.server), &writes, start).await.expect("writes");

    let (status, list) = f.json("GET", "/api/v1/users", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(names(&list), ["bob", "alice"], "last seen first");
    assert_eq!(
        (list["total"].as_u64(), list["matching"].as_u64(), list["pages"].as_u64()),
        (Some(2), Some(2), Some(1))
    );
    let alice = &list["items"][1];
    assert_eq!((alice["plays"].as_u64(), alice["played_ms"].as_u64()), (Some(2), Some(1_200_000)));
    assert_eq!((alice["servers"].clone(), alice["trust"].as_u64()), (json!(["Den"]), Some(100)));
    assert_eq!(alice["accounts"][0]["user_id"], "alice");

    let (_, by_plays) = f.json("GET", "/api/v1/users?sort=plays", None).await;
    assert_eq!(names(&by_plays), ["alice", "bob"]);
    let (_, search) = f.json("GET", "/api/v1/users?q=BO", None).await;
    assert_eq!((names(&search), search["total"].as_u64()), (vec!["bob".to_owned()], Some(2)));
    for bad in ["sort=age", "page=0", "per_page=1000"] {
        let (status, body) = f.json("GET", &format!("/api/v1/users?{bad}"), None).await;
        assert_eq!((status, body["error"].as_str()), (422, Some("invalid")), "{bad}: {body}");
    }

    let alice_id = id_of(&list, "alice");
    let res = f.send("GET", &format!("/api/v1/users/{alice_id}"), &f.ro, None).await;
    assert_eq!(res.status(), 200, "read-only keys can look");
    let page: Value = res.json().await.expect("json");
    assert_eq!((page["name"].as_str(), page["plays"].as_u64()), (Some("alice"), Some(2)));
    assert_eq!(page["accounts"][0]["server_name"], "Den");
    assert_eq!(page["accounts"][0]["trust"]["score"], 100);
    assert_eq!(page["accounts"][0]["settings"], json!({ "household_networks": [], "max_streams": null }));
    assert_eq!(page["devices"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["devices"][0]["plays"], 2);
    assert_eq!(page["addresses"][0]["ip"], "81.2.69.142");
    let titles: Vec<&str> =
        page["recent"].as_array().expect("recent").iter().filter_map(|r| r["title"].as_str()).collect();
    assert_eq!(titles, ["Ronin", "Heat"]);

    assert_eq!(f.json("GET", "/api/v1/users/99999", None).await.0, 404);
    let anonymous = f.app.client.get(f.app.url("/api/v1/users")).send().await.expect("req");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn one_persons_accounts_on_two_servers_are_merged_named_and_split_again() {
    let f = fixture().await;
    let attic = attic(&f).await;
    let (_, list) = f.json("GET", "/api/v1/users?sort=name", None).await;
    assert_eq!(names(&list), ["alice", "ally", "bob"]);
    let (alice, ally) = (id_of(&list, "alice"), id_of(&list, "ally"));

    let body = json!({ "into": alice, "people": [ally] });
    let refused = f.send("POST", "/api/v1/users/merge", &f.ro, Some(body.clone())).await;
    assert_eq!(refused.status(), 403, "read-only keys cannot merge");
    for (bad, field) in [
        (json!({ "into": alice }), "people"),
        (json!({ "into": alice, "people": [alice] }), "people"),
        (json!({ "into": alice, "people": [99999] }), "people"),
        (json!({ "into": alice, "accounts": [{ "server_id": attic, "user_id": "nobody" }] }), "accounts"),
    ] {
        let (status, err) = f.json("POST", "/api/v1/users/merge", Some(bad)).await;
        assert_eq!((status, err["field"].as_str()), (422, Some(field)), "{err}");
    }
    assert_eq!(f.json("POST", "/api/v1/users/merge", Some(json!({ "into": 99999, "people": [ally] }))).await.0, 404);
    assert_eq!(f.json("POST", "/api/v1/users/merge", Some(json!({ "into": "x" }))).await.0, 400);

    let (status, merged) = f.json("POST", "/api/v1/users/merge", Some(body)).await;
    assert_eq!((status, merged), (200, json!({ "id": alice, "moved": 1 })));
    let (_, list) = f.json("GET", "/api/v1/users?sort=name", None).await;
    assert_eq!(names(&list), ["alice", "bob"]);
    assert_eq!(list["items"][0]["servers"], json!(["Attic", "Den"]));
    assert_eq!(f.json("GET", &format!("/api/v1/users/{ally}"), None).await.0, 404, "the merged person is gone");

    let (status, named) =
        f.json("PATCH", &format!("/api/v1/users/{alice}"), Some(json!({ "name": "Alice Liddell" }))).await;
    assert_eq!(
        (status, named["name"].as_str(), named["custom_name"].as_str()),
        (200, Some("Alice Liddell"), Some("Alice Liddell"))
    );
    let (status, err) = f.json("PATCH", &format!("/api/v1/users/{alice}"), Some(json!({ "name": "a\nb" }))).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("name")));

    let split_path = format!("/api/v1/users/{alice}/split");
    let ally_account = json!({ "server_id": attic, "user_id": "ally" });
    assert_eq!(f.send("POST", &split_path, &f.ro, Some(ally_account.clone())).await.status(), 403);
    let (status, split) = f.json("POST", &split_path, Some(ally_account.clone())).await;
    assert_eq!(status, 200, "{split}");
    let again = split["id"].as_i64().expect("the new person");
    let (_, restored) = f.json("GET", &format!("/api/v1/users/{again}"), None).await;
    assert_eq!(
        (restored["name"].as_str(), restored["accounts"][0]["server_name"].as_str()),
        (Some("ally"), Some("Attic"))
    );
    let (status, err) = f.json("POST", &format!("/api/v1/users/{again}/split"), Some(ally_account)).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("account")), "an only account cannot be split off");

    let actions = f.audit_actions().await;
    for action in ["people_merged", "person_split", "person_renamed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}
