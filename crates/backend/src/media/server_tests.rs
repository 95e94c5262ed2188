//! Tests of `connect` and the error mapping, and `FakeServer`, the scripted axum media server on
//! 127.0.0.1:0 that the adapter tests in `plex/` and `jellyfin_like/` talk to.

use super::*;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/");

pub(crate) fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{path}")).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// What the fake answers on one path.
#[derive(Clone)]
pub(crate) struct Canned {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub body: String,
}

impl Canned {
    pub fn ok(content_type: &'static str, body: impl Into<String>) -> Self {
        Self { status: 200, content_type: Some(content_type), body: body.into() }
    }

    pub fn status(status: u16) -> Self {
        Self { status, content_type: Some("text/plain"), body: String::new() }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
}

struct Script {
    /// The header and exact value every request must carry, or the fake answers 401.
    auth: (&'static str, String),
    routes: HashMap<&'static str, Canned>,
    seen: Mutex<Vec<Seen>>,
}

pub(crate) struct FakeServer {
    pub base: String,
    script: Arc<Script>,
}

impl FakeServer {
    pub async fn spawn(auth: (&'static str, &str), routes: Vec<(&'static str, Canned)>) -> Self {
        let script = Arc::new(Script {
            auth: (auth.0, auth.1.to_owned()),
            routes: routes.into_iter().collect(),
            seen: Mutex::new(Vec::new()),
        });
        let router = Router::new().fallback(answer).with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
        Self { base: format!("http://{addr}"), script }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().expect("lock").clone()
    }
}

async fn answer(State(script): State<Arc<Script>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let seen = Seen {
        path: path.clone(),
        query: request.uri().query().map(str::to_owned),
        headers: request.headers().clone(),
    };
    script.seen.lock().expect("lock").push(seen);
    let (name, expected) = &script.auth;
    if request.headers().get(*name).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(canned) = script.routes.get(path.as_str()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (StatusCode::from_u16(canned.status).expect("status"), canned.body.clone()).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    if let Some(ct) = canned.content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, ct.parse().expect("content type"));
    }
    response
}

/// A `127.0.0.1` address where nothing listens.
pub(crate) async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

pub(crate) const LOGIN_PAGE: &str = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>proxy</body></html>";

#[test]
fn connect_refuses_the_cloud_metadata_address_for_every_kind() {
    let token = SecretString::new("t");
    for kind in [ServerKind::Plex, ServerKind::Jellyfin, ServerKind::Emby] {
        let refused = connect(kind, "http://169.254.169.254", &token).err();
        assert!(matches!(refused, Some(MediaError::Refused(UrlPolicyError::LinkLocal(_)))), "{kind:?}: {refused:?}");
    }
}

#[test]
fn connect_builds_the_adapter_for_the_kind_asked_for() {
    let token = SecretString::new("t");
    for kind in [ServerKind::Plex, ServerKind::Jellyfin, ServerKind::Emby] {
        let server = connect(kind, "http://192.168.1.20:8096/", &token).expect("connects");
        assert_eq!(server.kind(), kind);
    }
}

#[test]
fn http_failures_map_to_what_the_owner_must_fix() {
    assert_eq!(MediaError::from(HttpError::Unauthorized(401)), MediaError::BadToken);
    assert_eq!(MediaError::from(HttpError::Unauthorized(403)), MediaError::NotAdministrator);
    assert_eq!(MediaError::from(HttpError::Status(500)), MediaError::Http(500));
    assert_eq!(MediaError::from(HttpError::Redirect(302)), MediaError::Redirect(302));
    assert_eq!(MediaError::from(HttpError::TooLarge), MediaError::TooLarge);
    assert!(matches!(MediaError::from(HttpError::Unreachable("x".into())), MediaError::Unreachable(m) if m == "x"));
    assert!(matches!(MediaError::from(HttpError::NotUtf8), MediaError::UnexpectedContentType(_)));
}

#[test]
fn a_token_that_cannot_be_sent_in_a_header_is_a_bad_token() {
    let token = SecretString::new("line\nbreak");
    for kind in [ServerKind::Plex, ServerKind::Jellyfin, ServerKind::Emby] {
        assert_eq!(connect(kind, "http://192.168.1.20:8096/", &token).err(), Some(MediaError::BadToken), "{kind:?}");
    }
}
