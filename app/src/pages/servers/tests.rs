//! Server-rendered HTML of the servers page's pieces: the ids, names and classes the browser
//! tests and the forms rely on, and no token anywhere.

use super::add::AddServerForm;
use super::row::ServerRow;
use crate::model::servers::ServerView;
use chrono::TimeZone as _;
use leptos::prelude::*;
use sightline_domain::ServerId;
use sightline_domain::live::{FeedKind, ServerHealth, ServerStatus};
use sightline_domain::media::ServerKind;

fn render(f: impl FnOnce() -> AnyView) -> String {
    let owner = Owner::new();
    owner.with(|| f().to_html())
}

fn server(health: Option<ServerHealth>) -> ServerView {
    ServerView {
        id: ServerId(42),
        kind: ServerKind::Jellyfin,
        name: "Den <b>".into(),
        url: "http://127.0.0.1:9/".into(),
        color: "#38bdf8".into(),
        enabled: true,
        health,
        streams: 0,
    }
}

#[test]
fn the_add_form_has_the_inputs_the_server_function_reads() {
    let html = render(|| {
        let changed = RwSignal::new(0);
        view! { <AddServerForm changed/> }.into_any()
    });
    assert!(html.contains(r#"id="server-form""#), "{html}");
    assert!(html.contains(r#"action="/api/servers_create""#), "{html}");
    for name in ["kind", "name", "url", "token", "color"] {
        assert!(html.contains(&format!(r#"name="{name}""#)), "input {name} missing: {html}");
    }
    assert!(html.contains(r#"type="password""#) && html.contains(r#"type="color""#), "{html}");
    assert!(html.contains("#38bdf8"), "default colour: {html}");
    assert!(html.contains("X-Plex-Token") && html.contains("API Keys"), "token hint: {html}");
}

#[test]
fn a_row_shows_identity_health_and_actions_as_text() {
    let at = chrono::Utc.timestamp_opt(1_700_000_000, 0).single().expect("a valid instant");
    let health = ServerHealth {
        server: ServerId(42),
        status: ServerStatus::Down,
        since: at,
        code: Some("unreachable".into()),
        reason: Some("connection refused".into()),
        feed: Some(FeedKind::WebSocket),
        last_ok_at: None,
        active_streams: 0,
    };
    let html = render(|| {
        let changed = RwSignal::new(0);
        view! { <ServerRow server=server(Some(health)) changed/> }.into_any()
    });
    assert!(html.contains(r#"data-server-id="42""#), "{html}");
    for class in ["server-row", "server-status", "server-test", "server-edit", "server-toggle", "server-remove"] {
        assert!(html.contains(class), "{class} missing: {html}");
    }
    assert!(html.contains(r#"data-status="down""#), "{html}");
    assert!(
        html.contains("Connection refused") && html.contains("unreachable") && html.contains("websocket"),
        "{html}"
    );
    assert!(html.contains("Den &lt;b&gt;") && !html.contains("Den <b>"), "names are text: {html}");
}

#[test]
fn a_row_without_a_report_is_connecting_and_not_contacted() {
    let html = render(|| {
        let changed = RwSignal::new(0);
        view! { <ServerRow server=server(None) changed/> }.into_any()
    });
    assert!(html.contains(r#"data-status="connecting""#) && html.contains("Not contacted yet."), "{html}");
}
