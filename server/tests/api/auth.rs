//! First-run setup, sign-in, sessions, sign-out, password change, API keys, rate limits.

use crate::helpers::{PASSWORD, TestApp, location, session_cookie, set_cookie_header};
use std::os::unix::fs::PermissionsExt as _;

#[tokio::test]
async fn a_fresh_instance_sends_everyone_to_setup_and_writes_a_private_token_file() {
    let app = TestApp::spawn().await;
    let token_file = app.running.ctx.config.data_dir.join("setup-token");
    let mode = std::fs::metadata(&token_file).expect("token file exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&token_file).expect("reads").trim(), app.setup_token());

    for path in ["/", "/account", "/login"] {
        let res = app.get(path, None).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, "/setup".to_owned()), "{path}");
    }
    let res = app.get("/api/v1/me", None).await;
    assert_eq!(res.status(), 401);
    let page = app.get("/setup", None).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("Create owner account"));
}

#[tokio::test]
async fn setup_needs_the_token_and_then_closes_for_good() {
    let app = TestApp::spawn().await;
    let res = app
        .post_form(
            "/auth/setup",
            &[("token", "wrong"), ("username", "o"), ("password", PASSWORD), ("password_confirm", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(location(&res), "/setup?error=bad_token");
    assert!(session_cookie(&res).is_none());

    let token = app.setup_token();
    let res = app
        .post_form(
            "/auth/setup",
            &[("token", &token), ("username", "o"), ("password", PASSWORD), ("password_confirm", "other")],
            None,
        )
        .await;
    assert_eq!(location(&res), "/setup?error=password_mismatch");

    let cookie = app.setup("owner").await;
    assert!(!app.running.ctx.config.data_dir.join("setup-token").exists(), "the token file is deleted");
    let res = app.get("/setup", Some(&cookie)).await;
    assert_eq!(location(&res), "/login");
    let res = app
        .post_form(
            "/auth/setup",
            &[("token", &token), ("username", "x"), ("password", PASSWORD), ("password_confirm", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(location(&res), "/login?error=setup_closed");
}

#[tokio::test]
async fn two_browsers_racing_through_setup_create_exactly_one_owner() {
    let app = TestApp::spawn().await;
    let token = app.setup_token();
    let form = |name: &'static str| {
        vec![
            ("token", token.clone()),
            ("username", name.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("password_confirm", PASSWORD.to_owned()),
        ]
    };
    let post = |name| app.client.post(app.url("/auth/setup")).header("origin", app.origin()).form(&form(name)).send();
    let (a, b) = tokio::join!(post("alice"), post("bob"));
    let (a, b) = (a.expect("a"), b.expect("b"));
    let winners = [&a, &b].iter().filter(|r| session_cookie(r).is_some()).count();
    assert_eq!(winners, 1, "{} / {}", location(&a), location(&b));
    let loser = if session_cookie(&a).is_some() { &b } else { &a };
    assert_eq!(location(loser), "/login?error=setup_closed");
}

#[tokio::test]
async fn sign_in_sets_a_hardened_cookie_and_rotates_the_session() {
    let (app, setup_cookie) = TestApp::with_owner().await;
    let res = app.login("owner", "wrong password").await;
    assert_eq!(location(&res), "/login?error=invalid");
    assert!(session_cookie(&res).is_none());

    let res = app.login("owner", PASSWORD).await;
    assert_eq!(location(&res), "/");
    let header = set_cookie_header(&res);
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/"), "{header}");
    assert!(!header.contains("Secure"), "plain http has no Secure flag: {header}");
    let cookie = session_cookie(&res).expect("cookie");
    assert_ne!(cookie, setup_cookie);

    let me: serde_json::Value = app.get("/api/v1/me", Some(&cookie)).await.json().await.expect("json");
    assert_eq!(me["kind"], "user");
    assert_eq!(me["username"], "owner");
    assert_eq!(me["role"], "owner");
    let page = app.get("/", Some(&cookie)).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("Dashboard"));
    let res = app.get("/login", Some(&cookie)).await;
    assert_eq!(location(&res), "/", "signed-in users skip the sign-in page");
}

#[tokio::test]
async fn signing_in_again_from_the_same_browser_ends_the_old_session() {
    let (app, old) = TestApp::with_owner().await;
    let res = app
        .client
        .post(app.url("/auth/login"))
        .header("origin", app.origin())
        .header("cookie", format!("sightline_session={old}"))
        .form(&[("username", "owner"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert!(session_cookie(&res).is_some());
    assert_eq!(app.get("/api/v1/me", Some(&old)).await.status(), 401);
}

#[tokio::test]
async fn sign_out_ends_the_session_and_clears_caches() {
    let (app, cookie) = TestApp::with_owner().await;
    let res = app.post_form("/auth/logout", &[], Some(&cookie)).await;
    assert_eq!(location(&res), "/login?signed_out=1");
    assert!(set_cookie_header(&res).contains("Max-Age=0"));
    assert_eq!(res.headers().get("clear-site-data").and_then(|v| v.to_str().ok()), Some("\"cache\""));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 401);
    assert_eq!(location(&app.get("/", Some(&cookie)).await), "/login");
}

#[tokio::test]
async fn a_password_change_signs_out_every_other_device() {
    let (app, first) = TestApp::with_owner().await;
    let second = session_cookie(&app.login("owner", PASSWORD).await).expect("cookie");
    let new = "a brand new password";
    let res = app
        .post_form(
            "/auth/password",
            &[("current_password", "nope"), ("new_password", new), ("new_password_confirm", new)],
            Some(&first),
        )
        .await;
    assert_eq!(location(&res), "/account?error=wrong_current");
    let res = app
        .post_form(
            "/auth/password",
            &[("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)],
            Some(&first),
        )
        .await;
    assert_eq!(location(&res), "/account?changed=1");
    let fresh = session_cookie(&res).expect("a new session for this browser");
    for old in [&first, &second] {
        assert_eq!(app.get("/api/v1/me", Some(old)).await.status(), 401);
    }
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status(), 200);
    assert_eq!(location(&app.login("owner", new).await), "/");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited_and_forged_forwarding_headers_do_not_help() {
    let (app, _) = TestApp::with_owner().await;
    for n in 0..5 {
        let res = app
            .client
            .post(app.url("/auth/login"))
            .header("origin", app.origin())
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .form(&[("username", format!("guess{n}")), ("password", "x".to_owned())])
            .send()
            .await
            .expect("request");
        assert_eq!(location(&res), "/login?error=invalid");
    }
    // The owner account allows 5 failures, then waits; this is per account, whatever the address.
    for _ in 0..5 {
        assert_eq!(location(&app.login("owner", "wrong").await), "/login?error=invalid");
    }
    let res = app.login("owner", PASSWORD).await;
    assert!(location(&res).starts_with("/login?error=rate_limited&retry="), "{}", location(&res));
    assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
    // 10 failures from 127.0.0.1 in all: the address is now limited for other accounts too,
    // because the forged X-Forwarded-For values came from an untrusted peer and were ignored.
    let res = app.login("someone-else", "x").await;
    assert!(location(&res).starts_with("/login?error=rate_limited"), "{}", location(&res));
}

#[tokio::test]
async fn forwarded_addresses_from_a_trusted_proxy_are_used_for_limits_and_the_audit_log() {
    let app = TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("cidr")]).await;
    let cookie = app.setup("owner").await;
    for n in 0..12 {
        let res = app
            .client
            .post(app.url("/auth/login"))
            .header("origin", app.origin())
            .header("x-forwarded-for", format!("6.6.6.6, 203.0.113.{n}"))
            .form(&[("username", format!("user{n}")), ("password", "x".to_owned())])
            .send()
            .await
            .expect("request");
        assert_eq!(location(&res), "/login?error=invalid", "each forwarded client has its own budget");
    }
    let audit = app.running.ctx.store.recent_audit(1).await.expect("audit");
    assert_eq!(audit[0].action, "login_failed");
    assert_eq!(audit[0].ip.as_deref(), Some("203.0.113.11"), "the rightmost untrusted hop is the client");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 200);
}

#[tokio::test]
async fn api_keys_authenticate_and_read_only_keys_cannot_mutate() {
    let (app, _) = TestApp::with_owner().await;
    let now = sightline_backend::clock::now();
    let (_, ro) = app.running.ctx.auth.create_api_key("dashboard", true, now).await.expect("key");
    let (_, rw) = app.running.ctx.auth.create_api_key("automation", false, now).await.expect("key");

    let me: serde_json::Value =
        app.client.get(app.url("/api/v1/me")).bearer_auth(&ro).send().await.expect("req").json().await.expect("json");
    assert_eq!(me["kind"], "api_key");
    assert_eq!(me["name"], "dashboard");
    assert_eq!(me["read_only"], true);

    let res = app.client.post(app.url("/api/system_status")).bearer_auth(&ro).send().await.expect("req");
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"], "read_only_key");

    let res = app.client.post(app.url("/api/system_status")).bearer_auth(&rw).send().await.expect("req");
    assert_eq!(res.status(), 200, "read-write keys may call server functions without an Origin");

    for bad in ["sl_not-a-key", "garbage"] {
        let res = app.client.get(app.url("/api/v1/me")).bearer_auth(bad).send().await.expect("req");
        assert_eq!(res.status(), 401);
    }
    let res = app.client.get(app.url("/api/v1/me")).header("authorization", "Basic abc").send().await.expect("req");
    assert_eq!(res.status(), 401, "non-bearer credentials are refused, not ignored");
}

#[tokio::test]
async fn server_functions_need_a_session_and_return_data_with_one() {
    let (app, cookie) = TestApp::with_owner().await;
    let res = app.client.post(app.url("/api/system_status")).header("origin", app.origin()).send().await.expect("req");
    assert_eq!(res.status(), 401);
    let res = app.post_form("/api/system_status", &[], Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["database_ok"], true);
    let res = app.post_form("/api/recent_audit", &[], Some(&cookie)).await;
    let body: serde_json::Value = res.json().await.expect("json");
    let actions: Vec<&str> = body.as_array().expect("array").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["setup_completed"]);
}
