//! Trust and per-account settings over real HTTP: an account's score and history, the owner's
//! override with a reason, the list of scores, the policy, household networks and stream limits,
//! and an incident opened by live detection (simulated Jellyfin, MaxMind's test City database)
//! lowering the account's trust with a history row that says why.

use crate::detect_helpers::{add_server, app_with_geoip};
use crate::rules::fixture;
use serde_json::{Value, json};
use sightline_simulator::{DeviceRef, Scenario, ServerKind, SimOptions, Simulator, StreamSpec};
use std::time::Duration;

#[tokio::test]
async fn an_owner_overrides_a_score_with_a_reason_and_sees_it_in_the_history_and_the_list() {
    let f = fixture().await;
    let path = format!("/api/v1/accounts/{}/alice/trust", f.server);
    let (status, fresh) = f.json("GET", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (fresh["score"].as_u64(), fresh["band"].as_str(), fresh["scored"].as_bool()),
        (Some(100), Some("good"), Some(false))
    );
    assert_eq!(fresh["history"], json!([]));

    let (status, set) = f.json("POST", &path, Some(json!({ "score": 70, "reason": "shares with a sister" }))).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!((set["score"].as_u64(), set["band"].as_str()), (Some(70), Some("caution")));
    assert_eq!(set["history"][0]["reason"], "Set to 70 by API key admin: shares with a sister");

    // The same from a signed-in browser names the owner.
    let (app, cookie) = (&f.app, f.cookie.clone());
    let res = app
        .client
        .post(app.url(&path))
        .header("cookie", format!("sightline_session={cookie}"))
        .header("origin", app.origin())
        .json(&json!({ "score": 85, "reason": "known traveller" }))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 200);
    let (_, after) = f.json("GET", &format!("{path}?limit=5"), None).await;
    let history = after["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["reason"], "Set to 85 by owner: known traveller");
    assert_eq!((history[0]["kind"].as_str(), history[0]["score_before"].as_u64()), (Some("override"), Some(70)));
    assert_eq!(
        (history[0]["actor"].as_str(), history[1]["actor"].as_str()),
        (Some("user:owner"), Some("api-key:admin"))
    );

    for (body, field) in [
        (json!({ "score": 101, "reason": "x" }), "score"),
        (json!({ "score": -1, "reason": "x" }), "score"),
        (json!({ "score": 50, "reason": "  " }), "reason"),
    ] {
        let (status, err) = f.json("POST", &path, Some(body)).await;
        assert_eq!((status, err["field"].as_str()), (422, Some(field)), "{err}");
    }
    let nobody = format!("/api/v1/accounts/{}/nobody/trust", f.server);
    assert_eq!(f.json("GET", &nobody, None).await.0, 404);
    assert_eq!(f.json("POST", &nobody, Some(json!({ "score": 50, "reason": "x" }))).await.0, 404);
    let res = f.send("POST", &path, &f.ro, Some(json!({ "score": 50, "reason": "x" }))).await;
    assert_eq!(res.status(), 403, "read-only keys cannot override");

    let (status, all) = f.json("GET", "/api/v1/trust", None).await;
    assert_eq!(status, 200);
    assert_eq!(all["policy"]["start"], 100);
    assert_eq!(all["accounts"], json!([{ "server_id": f.server, "user_id": "alice", "score": 85, "band": "good" }]));
    assert_eq!(f.audit_actions().await.iter().filter(|a| *a == "trust_override").count(), 2);
}

#[tokio::test]
async fn the_policy_is_validated_and_stored() {
    let f = fixture().await;
    let (status, policy) = f.json("GET", "/api/v1/trust/policy", None).await;
    assert_eq!(status, 200);
    assert_eq!(policy["penalty_high"], 20);
    let mut changed = policy.clone();
    changed["penalty_high"] = json!(150);
    let (status, err) = f.json("PUT", "/api/v1/trust/policy", Some(changed.clone())).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("penalty_high")), "{err}");
    changed["penalty_high"] = json!(30);
    let (status, stored) = f.json("PUT", "/api/v1/trust/policy", Some(changed.clone())).await;
    assert_eq!((status, &stored), (200, &changed));
    assert_eq!(f.json("GET", "/api/v1/trust/policy", None).await.1, changed);
    assert!(f.audit_actions().await.iter().any(|a| a == "trust_policy_changed"));
}

#[tokio::test]
async fn account_settings_are_normalised_validated_by_field_and_stored() {
    let f = fixture().await;
    let path = format!("/api/v1/accounts/{}/alice/settings", f.server);
    let (status, empty) = f.json("GET", &path, None).await;
    assert_eq!((status, empty), (200, json!({ "household_networks": [], "max_streams": null })));

    let body = json!({ "household_networks": ["203.0.113.7/24", "2001:db8:1::/48", "198.51.100.9"], "max_streams": 4 });
    let (status, stored) = f.json("PUT", &path, Some(body)).await;
    assert_eq!(status, 200, "{stored}");
    let expected =
        json!({ "household_networks": ["203.0.113.0/24", "2001:db8:1::/48", "198.51.100.9/32"], "max_streams": 4 });
    assert_eq!(stored, expected);
    assert_eq!(f.json("GET", &path, None).await.1, expected);

    for (body, field) in [
        (json!({ "household_networks": ["my house"] }), "household_networks"),
        (json!({ "household_networks": ["0.0.0.0/0"] }), "household_networks"),
        (json!({ "household_networks": [], "max_streams": 51 }), "max_streams"),
        (json!({ "max_streams": 0 }), "max_streams"),
    ] {
        let (status, err) = f.json("PUT", &path, Some(body)).await;
        assert_eq!((status, err["field"].as_str()), (422, Some(field)), "{err}");
    }
    assert_eq!(f.json("GET", &path, None).await.1, expected, "refused changes leave the settings alone");
    let nobody = format!("/api/v1/accounts/{}/nobody/settings", f.server);
    assert_eq!(f.json("PUT", &nobody, Some(json!({}))).await.0, 404);
    assert!(f.audit_actions().await.iter().any(|a| a == "account_settings_changed"));
}

#[tokio::test]
async fn an_incident_opened_by_live_detection_lowers_the_accounts_trust_and_says_why() {
    let sim = Simulator::start(
        Scenario::from_toml_str(&crate::detect_helpers::one_account_scenario("jellyfin", "Jelly")).expect("parses"),
        SimOptions::manual(),
    )
    .await
    .expect("simulator starts");
    let (app, key) = app_with_geoip().await;
    let jelly = sim.first(ServerKind::Jellyfin).expect("jellyfin");
    let server = add_server(&app, &key, "jellyfin", "Jelly", jelly.base_url(), jelly.token()).await;

    let mut home = StreamSpec::new("carol", "film");
    home.ip = "2.125.160.216".parse().expect("ip"); // Boxford, England
    jelly.start_stream(&home).expect("starts");
    let mut away = StreamSpec::new("carol", "film");
    away.ip = "214.0.1.1".parse().expect("ip"); // Melbourne
    away.device = DeviceRef::Preset("iphone".into());
    jelly.start_stream(&away).expect("starts");

    // The simulator's user id for carol is whatever the server reports; find it in the trust list.
    let mut scored = Value::Null;
    for _ in 0..150 {
        let res = app.client.get(app.url("/api/v1/trust")).bearer_auth(&key).send().await.expect("req");
        let all: Value = res.json().await.expect("json");
        if let Some(account) = all["accounts"].as_array().and_then(|a| a.first()).cloned() {
            let path = format!("/api/v1/accounts/{server}/{}/trust", account["user_id"].as_str().expect("user"));
            let res = app.client.get(app.url(&path)).bearer_auth(&key).send().await.expect("req");
            scored = res.json().await.expect("json");
            let reasons = scored["history"].to_string();
            if reasons.contains("Simultaneous locations (high)") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let history = scored["history"].as_array().unwrap_or_else(|| panic!("no trust history: {scored:#}")).clone();
    let row = history
        .iter()
        .find(|r| r["reason"].as_str().is_some_and(|s| s.contains("Simultaneous locations (high)")))
        .unwrap_or_else(|| panic!("no simultaneous-locations penalty in {history:#?}"));
    let reason = row["reason"].as_str().expect("reason");
    let incident = row["incident_id"].as_i64().expect("an incident id");
    assert_eq!(reason, format!("Incident #{incident} opened: Simultaneous locations (high), \u{2212}20"));
    assert_eq!(row["kind"], "incident");
    assert!(history.iter().all(|r| r["kind"] == "incident"), "{history:#?}");
    assert_eq!(scored["score"], history[0]["score_after"], "the score is the newest change's result");
    assert!(scored["score"].as_u64().is_some_and(|s| s <= 80));
    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
