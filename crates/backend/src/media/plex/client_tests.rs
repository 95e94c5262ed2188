//! Tests of the `Plex` adapter against a fake Plex on 127.0.0.1:0 serving the recorded payloads
//! in `shared/fixtures/plex`.

use super::*;
use crate::media::server::connect;
use crate::media::server::tests::{Canned, FakeServer, LOGIN_PAGE, closed_port_url, fixture};

const TOKEN: &str = "plex-owner-token";
const MACHINE_ID: &str = "96f2fe7a78c9dc1f16a16bedbe90f98149be16b4";

/// `/identity` as the legacy spec's example shows it.
const IDENTITY_JSON: &str = r#"{"MediaContainer":{"size":0,"claimed":true,"machineIdentifier":"96f2fe7a78c9dc1f16a16bedbe90f98149be16b4","version":"1.31.3.6868-28fc46b27"}}"#;

/// A JSON `/status/sessions` with one track, copied from the parser tests (the spec's example).
const JSON_TRACK_SESSION: &str = include_str!("../testdata/plex_status_sessions_track.json");

/// The Home Assistant session template, filled in as HA (and the parser tests) do.
fn xml_sessions() -> String {
    fixture("plex/ha-core/session_base.xml").replace("{user_id}", "1")
}

fn xml_root() -> String {
    fixture("plex/ha-core/plex_server_base.xml")
        .replace("{name}", "Basement Plex")
        .replace("{machine_identifier}", MACHINE_ID)
}

async fn fake(sessions: Canned) -> FakeServer {
    FakeServer::spawn(
        ("x-plex-token", TOKEN),
        vec![
            ("/identity", Canned::ok("application/json", IDENTITY_JSON)),
            ("/", Canned::ok("text/xml;charset=utf-8", xml_root())),
            ("/status/sessions", sessions),
        ],
    )
    .await
}

fn plex(base: &str, token: &str) -> Plex {
    Plex::new(Url::parse(base).expect("url"), &SecretString::new(token)).expect("builds")
}

#[tokio::test]
async fn an_owner_token_checks_out_with_the_name_version_and_machine_id() {
    let server = fake(Canned::ok("text/xml;charset=utf-8", xml_sessions())).await;
    let identity = plex(&server.base, TOKEN).check_connection().await.expect("connects");
    assert_eq!(
        identity,
        ServerIdentity {
            name: Some("Basement Plex".into()),
            version: Some("1.31.3.6868-28fc46b27".into()),
            machine_id: Some(MACHINE_ID.into()),
        }
    );
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/identity", "/status/sessions", "/"]);
}

#[tokio::test]
async fn sessions_answered_in_xml_are_read_by_the_xml_parser() {
    let server = fake(Canned::ok("text/xml;charset=utf-8", xml_sessions())).await;
    let sessions = plex(&server.base, TOKEN).sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].session_key, "1");
    assert_eq!(sessions[0].user.name, "User 1");
    assert_eq!(sessions[0].media.title, "Movie 1");
}

#[tokio::test]
async fn sessions_answered_in_json_are_read_by_the_json_parser() {
    let server = fake(Canned::ok("application/json", JSON_TRACK_SESSION)).await;
    let sessions = plex(&server.base, TOKEN).sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].session_key, "203");
    assert_eq!(sessions[0].user.name, "Blindkitty38");
}

#[tokio::test]
async fn the_token_travels_in_its_header_beside_the_product_headers_and_never_in_the_query() {
    let server = fake(Canned::ok("application/json", JSON_TRACK_SESSION)).await;
    plex(&server.base, TOKEN).sessions().await.expect("sessions");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let header = |name: &str| seen[0].headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("x-plex-token").as_deref(), Some(TOKEN));
    assert_eq!(header("x-plex-product").as_deref(), Some("Sightline"));
    assert_eq!(header("x-plex-client-identifier").as_deref(), Some("sightline"));
    assert_eq!(header("accept").as_deref(), Some("application/json"));
    assert_eq!(seen[0].query, None);
}

#[tokio::test]
async fn a_token_plex_refuses_with_401_is_a_bad_token() {
    let server = fake(Canned::ok("application/json", JSON_TRACK_SESSION)).await;
    let err = plex(&server.base, "revoked").check_connection().await.expect_err("refused");
    assert_eq!(err, MediaError::BadToken);
}

#[tokio::test]
async fn a_shared_user_token_refused_with_403_on_sessions_is_not_an_administrator() {
    let server = fake(Canned::status(403)).await;
    let err = plex(&server.base, TOKEN).check_connection().await.expect_err("refused");
    assert_eq!(err, MediaError::NotAdministrator);
}

#[tokio::test]
async fn an_html_page_answered_with_200_is_an_unexpected_content_type() {
    let server = fake(Canned::ok("text/html; charset=utf-8", LOGIN_PAGE)).await;
    let client = plex(&server.base, TOKEN);
    let err = client.sessions().await.expect_err("refused");
    assert!(matches!(&err, MediaError::UnexpectedContentType(m) if m.contains("html")), "{err:?}");
    assert_eq!(client.check_connection().await.expect_err("refused"), err);
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let err = plex(&closed_port_url().await, TOKEN).check_connection().await.expect_err("refused");
    assert!(matches!(err, MediaError::Unreachable(_)), "{err:?}");
}

#[tokio::test]
async fn connect_gives_a_working_plex_adapter() {
    let server = fake(Canned::ok("text/xml", xml_sessions())).await;
    let adapter = connect(ServerKind::Plex, &server.base, &SecretString::new(TOKEN)).expect("connects");
    assert_eq!(adapter.kind(), ServerKind::Plex);
    assert_eq!(adapter.sessions().await.expect("sessions").len(), 1);
}

#[test]
fn untyped_bodies_are_read_by_their_first_character_and_html_is_never_xml() {
    let reply = |content_type: Option<&str>, body: &str| HttpReply {
        status: 200,
        content_type: content_type.map(str::to_owned),
        body: body.to_owned(),
    };
    assert_eq!(format_of(&reply(None, " {\"MediaContainer\":{}}")), Ok(Format::Json));
    assert_eq!(format_of(&reply(None, "<MediaContainer/>")), Ok(Format::Xml));
    assert_eq!(format_of(&reply(Some("application/xml"), "<MediaContainer/>")), Ok(Format::Xml));
    assert!(format_of(&reply(None, LOGIN_PAGE)).is_err());
    assert!(format_of(&reply(Some("application/xhtml+xml"), LOGIN_PAGE)).is_err());
    assert!(format_of(&reply(Some("text/plain"), "{}")).is_err());
}

#[test]
fn identity_in_xml_reads_the_same_attributes_as_json() {
    let xml = format!(
        r#"<?xml version="1.0"?><MediaContainer size="0" claimed="1" machineIdentifier="{MACHINE_ID}" version="1.2"/>"#
    );
    let attrs = xml_container(&xml).expect("parses");
    assert_eq!(attrs.get("machineIdentifier").map(String::as_str), Some(MACHINE_ID));
    assert_eq!(attrs.get("version").map(String::as_str), Some("1.2"));
    assert!(matches!(xml_container("<html/>"), Err(ParseError::UnexpectedShape(_))));
    assert!(matches!(json_container(r#"{"size":0}"#), Err(ParseError::UnexpectedShape(_))));
}
