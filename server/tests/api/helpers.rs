//! `TestApp`: a real Sightline on 127.0.0.1:0 with its own temporary data dir, and a small
//! HTTP client that does not follow redirects and carries cookies by hand.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, Response, redirect};
use server::serve::{Running, start};
use sightline_backend::config::Config;

pub struct TestApp {
    pub running: Running,
    pub base: String,
    pub client: Client,
    pub _dir: tempfile::TempDir,
}

pub const PASSWORD: &str = "correct horse battery";

pub fn test_config(dir: &std::path::Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        site_root: dir.join("site"),
        log: "warn".into(),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        adjust(&mut config);
        let running = start(config).await.expect("server starts");
        let base = format!("http://{}", running.addr);
        let client = Client::builder().redirect(redirect::Policy::none()).build().expect("client");
        Self { running, base, client, _dir: dir }
    }

    /// A started app whose owner `owner` exists; returns the session cookie too.
    pub async fn with_owner() -> (Self, String) {
        let app = Self::spawn().await;
        let cookie = app.setup("owner").await;
        (app, cookie)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn origin(&self) -> String {
        self.base.clone()
    }

    pub fn setup_token(&self) -> String {
        self.running.setup_token.clone().expect("setup is pending")
    }

    /// Posts a form with our own Origin and an optional cookie.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_str(&self.origin()).expect("header"));
        if let Some(c) = cookie {
            headers.insert("cookie", HeaderValue::from_str(&format!("sightline_session={c}")).expect("header"));
        }
        self.client.post(self.url(path)).headers(headers).form(form).send().await.expect("request")
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sightline_session={c}"));
        }
        req.send().await.expect("request")
    }

    /// Completes setup as `username` and returns the session cookie value.
    pub async fn setup(&self, username: &str) -> String {
        let token = self.setup_token();
        let res = self
            .post_form(
                "/auth/setup",
                &[("token", &token), ("username", username), ("password", PASSWORD), ("password_confirm", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/");
        session_cookie(&res).expect("setup sets a session cookie")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post_form("/auth/login", &[("username", username), ("password", password)], None).await
    }
}

pub fn location(res: &Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The session cookie value from a response's `Set-Cookie`, if it sets a non-empty one.
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("sightline_session=").map(|rest| rest.split(';').next().unwrap_or("").to_owned()))
        .filter(|v| !v.is_empty())
}

pub fn set_cookie_header(res: &Response) -> String {
    res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}
