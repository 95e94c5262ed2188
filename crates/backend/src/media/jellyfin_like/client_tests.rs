//! Tests of the `JellyfinLike` adapter against a fake Jellyfin or Emby on 127.0.0.1:0. The
//! `/Sessions` payloads are the hand-built ones of the parser tests (copied), which a test there
//! checks against the published OpenAPI subsets.

use super::*;
use crate::media::server::connect;
use crate::media::server::tests::{Canned, FakeServer, LOGIN_PAGE, closed_port_url};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A Jellyfin `/Sessions` reply: an HDR episode transcoded on the GPU, seen over IPv6 with a
/// port, and an idle session (no `NowPlayingItem`).
const JELLYFIN_TRANSCODE: &str = include_str!("../testdata/jellyfin_sessions_transcode.json");

/// An Emby 4.8 `/Sessions` reply: a Dolby Vision film transcoded with a hardware decoder.
const EMBY_TRANSCODE: &str = include_str!("../testdata/emby_sessions_transcode.json");

/// A trimmed `/System/Info` reply (the fields Sightline reads, and a few it ignores).
const SYSTEM_INFO: &str = r#"{"ServerName":"nas","Version":"10.11.0","Id":"f0e1d2c3b4a5968778695a4b3c2d1e0f",
  "OperatingSystem":"Linux","LocalAddress":"http://192.168.1.20:8096","HasPendingRestart":false}"#;

fn jellyfin_auth() -> String {
    format!(
        r#"MediaBrowser Token="{TOKEN}", Client="Sightline", Device="Sightline", DeviceId="sightline", Version="{}""#,
        env!("CARGO_PKG_VERSION")
    )
}

async fn fake_jellyfin(info: Canned) -> FakeServer {
    let sessions = Canned::ok("application/json; charset=utf-8", JELLYFIN_TRANSCODE);
    FakeServer::spawn(("authorization", &jellyfin_auth()), vec![("/System/Info", info), ("/Sessions", sessions)]).await
}

async fn fake_emby(info: Canned) -> FakeServer {
    let sessions = Canned::ok("application/json", EMBY_TRANSCODE);
    FakeServer::spawn(("x-emby-token", TOKEN), vec![("/System/Info", info), ("/Sessions", sessions)]).await
}

fn url(base: &str) -> Url {
    Url::parse(base).expect("url")
}

fn jellyfin(base: &str, token: &str) -> JellyfinLike {
    JellyfinLike::jellyfin(url(base), &SecretString::new(token)).expect("builds")
}

fn emby(base: &str, token: &str) -> JellyfinLike {
    JellyfinLike::emby(url(base), &SecretString::new(token)).expect("builds")
}

fn info_ok() -> Canned {
    Canned::ok("application/json; charset=utf-8", SYSTEM_INFO)
}

#[tokio::test]
async fn a_jellyfin_admin_token_checks_out_and_lists_the_playing_session() {
    let server = fake_jellyfin(info_ok()).await;
    let client = jellyfin(&server.base, TOKEN);
    assert_eq!(client.kind(), ServerKind::Jellyfin);
    let identity = client.check_connection().await.expect("connects");
    assert_eq!(
        identity,
        ServerIdentity {
            name: Some("nas".into()),
            version: Some("10.11.0".into()),
            machine_id: Some("f0e1d2c3b4a5968778695a4b3c2d1e0f".into()),
        }
    );
    let sessions = client.sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1, "the idle session is not a playback");
    assert_eq!(sessions[0].user.name, "alice");
    assert_eq!(sessions[0].media.title, "Pilot");
}

#[tokio::test]
async fn an_emby_admin_token_checks_out_and_lists_the_playing_session() {
    let server = fake_emby(info_ok()).await;
    let client = emby(&server.base, TOKEN);
    assert_eq!(client.kind(), ServerKind::Emby);
    assert_eq!(client.check_connection().await.expect("connects").name.as_deref(), Some("nas"));
    let sessions = client.sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].user.name, "carol");
    assert_eq!(sessions[0].media.item_key, "123456");
}

#[tokio::test]
async fn the_jellyfin_token_travels_only_in_the_mediabrowser_authorization_header() {
    let server = fake_jellyfin(info_ok()).await;
    let client = jellyfin(&server.base, TOKEN);
    client.check_connection().await.expect("connects");
    client.sessions().await.expect("sessions");
    let seen = server.seen();
    assert_eq!(seen.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(), ["/System/Info", "/Sessions"]);
    for request in seen {
        assert_eq!(request.headers.get("authorization").and_then(|v| v.to_str().ok()), Some(jellyfin_auth().as_str()));
        assert!(request.headers.get("x-emby-token").is_none());
        assert_eq!(request.query, None);
    }
}

#[tokio::test]
async fn the_emby_token_travels_only_in_the_x_emby_token_header() {
    let server = fake_emby(info_ok()).await;
    emby(&server.base, TOKEN).sessions().await.expect("sessions");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers.get("x-emby-token").and_then(|v| v.to_str().ok()), Some(TOKEN));
    assert!(seen[0].headers.get("authorization").is_none());
    assert_eq!(seen[0].query, None);
}

#[tokio::test]
async fn a_token_refused_with_401_is_a_bad_token() {
    let server = fake_jellyfin(info_ok()).await;
    assert_eq!(jellyfin(&server.base, "wrong").check_connection().await, Err(MediaError::BadToken));
    let server = fake_emby(info_ok()).await;
    assert_eq!(emby(&server.base, "wrong").check_connection().await, Err(MediaError::BadToken));
}

#[tokio::test]
async fn a_user_token_refused_with_403_on_system_info_is_not_an_administrator() {
    let server = fake_jellyfin(Canned::status(403)).await;
    assert_eq!(jellyfin(&server.base, TOKEN).check_connection().await, Err(MediaError::NotAdministrator));
    let server = fake_emby(Canned::status(403)).await;
    assert_eq!(emby(&server.base, TOKEN).check_connection().await, Err(MediaError::NotAdministrator));
}

#[tokio::test]
async fn an_html_page_answered_with_200_is_an_unexpected_content_type() {
    let server = fake_jellyfin(Canned::ok("text/html", LOGIN_PAGE)).await;
    let err = jellyfin(&server.base, TOKEN).check_connection().await.expect_err("refused");
    assert!(matches!(&err, MediaError::UnexpectedContentType(m) if m.contains("html")), "{err:?}");
}

#[tokio::test]
async fn a_system_info_that_is_not_an_object_is_a_payload_error() {
    let server = fake_jellyfin(Canned::ok("application/json", "[]")).await;
    let err = jellyfin(&server.base, TOKEN).check_connection().await.expect_err("refused");
    assert!(matches!(err, MediaError::Payload(ParseError::UnexpectedShape(_))), "{err:?}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let base = closed_port_url().await;
    let err = jellyfin(&base, TOKEN).check_connection().await.expect_err("refused");
    assert!(matches!(err, MediaError::Unreachable(_)), "{err:?}");
    let err = emby(&base, TOKEN).sessions().await.expect_err("refused");
    assert!(matches!(err, MediaError::Unreachable(_)), "{err:?}");
}

#[tokio::test]
async fn connect_gives_working_jellyfin_and_emby_adapters() {
    let server = fake_jellyfin(info_ok()).await;
    let adapter = connect(ServerKind::Jellyfin, &server.base, &SecretString::new(TOKEN)).expect("connects");
    assert_eq!(adapter.sessions().await.expect("sessions").len(), 1);
    let server = fake_emby(info_ok()).await;
    let adapter = connect(ServerKind::Emby, &server.base, &SecretString::new(TOKEN)).expect("connects");
    assert_eq!(adapter.sessions().await.expect("sessions")[0].user.name, "carol");
}

#[test]
fn a_jellyfin_token_with_a_quote_is_refused_before_it_can_break_the_header() {
    let err = JellyfinLike::jellyfin(url("http://192.168.1.20:8096"), &SecretString::new(r#"abc", Client="x"#)).err();
    assert_eq!(err, Some(MediaError::BadToken));
}
