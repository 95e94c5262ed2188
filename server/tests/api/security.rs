//! Cross-origin refusals and security headers.

use crate::helpers::{TestApp, location};

#[tokio::test]
async fn cross_origin_and_origin_less_mutations_are_refused() {
    let (app, cookie) = TestApp::with_owner().await;
    let cases: [(&str, &str); 3] = [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("x-nothing", "no origin headers at all"),
    ];
    for (name, value) in cases {
        let res = app
            .client
            .post(app.url("/auth/logout"))
            .header("cookie", format!("sightline_session={cookie}"))
            .header(name, value)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 403, "{name}: {value}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["error"], "cross_origin");
    }
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status(), 200, "the session survived every attempt");

    let res = app
        .client
        .post(app.url("/auth/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "owner"), ("password", "x")])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 403, "login CSRF is refused too");

    let res = app
        .client
        .post(app.url("/auth/logout"))
        .header("cookie", format!("sightline_session={cookie}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("request");
    assert_eq!(location(&res), "/login?signed_out=1", "same-origin without Origin is accepted");
}

#[tokio::test]
async fn with_a_base_url_only_that_origin_may_mutate_and_cookies_are_secure() {
    let app = TestApp::spawn_with(|c| c.base_url = Some("https://sightline.example".parse().expect("url"))).await;
    let token = app.setup_token();
    let form = [
        ("token", token.as_str()),
        ("username", "o"),
        ("password", "long enough pw"),
        ("password_confirm", "long enough pw"),
    ];
    let res =
        app.client.post(app.url("/auth/setup")).header("origin", app.origin()).form(&form).send().await.expect("req");
    assert_eq!(res.status(), 403, "the local origin is not the configured public origin");
    let res = app
        .client
        .post(app.url("/auth/setup"))
        .header("origin", "https://sightline.example")
        .form(&form)
        .send()
        .await
        .expect("req");
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.starts_with("__Host-sightline_session=") && cookie.contains("; Secure"), "{cookie}");
    assert!(res.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_that_matches_their_scripts_and_no_store() {
    let (app, cookie) = TestApp::with_owner().await;
    let res = app.get("/", Some(&cookie)).await;
    let h = res.headers().clone();
    let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("csp").to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce").to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(h.get(name).and_then(|v| v.to_str().ok()), Some(value), "{name}");
    }
    let html = res.text().await.expect("body");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the header's nonce");
    let second = app.get("/", Some(&cookie)).await;
    let csp2 = second.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).expect("csp");
    assert!(!csp2.contains(&nonce), "a fresh nonce per response");
}
