//! The notifications page's pieces on the server: the draft's JSON (the REST body's shape, secrets
//! blank on edit), a row's text and actions with nothing secret in it, and a config field's input.

use super::draft::Draft;
use super::editor::config_input;
use super::row::DestinationRow;
use crate::api::notifications::{Catalogue, Choice, DestinationView, FieldView, KindView, LastView};
use leptos::prelude::*;

fn render(f: impl FnOnce() -> AnyView) -> String {
    let owner = Owner::new();
    owner.with(|| f().to_html())
}

fn field(name: &str, secret: bool, required: bool, input: &str) -> FieldView {
    FieldView {
        name: name.into(),
        label: format!("{name} label"),
        input: input.into(),
        options: Vec::new(),
        secret,
        required,
        placeholder: String::new(),
        help: String::new(),
    }
}

fn catalogue() -> Catalogue {
    Catalogue {
        kinds: vec![KindView {
            kind: "ntfy".into(),
            label: "ntfy".into(),
            creatable: true,
            fields: vec![
                field("server_url", false, true, "url"),
                field("topic", true, true, "text"),
                field("token", true, false, "text"),
            ],
        }],
        events: vec![
            Choice { value: "incident_opened".into(), label: "Incident opened".into() },
            Choice { value: "server_down".into(), label: "Server down".into() },
        ],
        severities: vec![Choice { value: "low".into(), label: "low".into() }],
        variables: vec![Choice { value: "user".into(), label: "the account".into() }],
        default_rate: 30,
        max_rate: 600,
    }
}

fn saved() -> DestinationView {
    DestinationView {
        id: 5,
        kind: "ntfy".into(),
        kind_label: "ntfy".into(),
        name: "Phone <b>".into(),
        enabled: true,
        events: vec!["incident_opened".into(), "server_down".into()],
        min_severity: "medium".into(),
        allow_private: true,
        rate_per_minute: 12,
        title_template: Some("{{user}}".into()),
        body_template: None,
        config: vec![
            ("server_url".into(), "http://10.0.0.2:8080".into()),
            ("topic".into(), "****".into()),
            ("token".into(), "****".into()),
        ],
        last: Some(LastView { at: "2026-11-26 12:00:00 UTC".into(), ok: false, text: "ntfy answered http 500".into() }),
        problem: None,
    }
}

#[test]
fn a_new_draft_becomes_the_rest_body() {
    let c = catalogue();
    let mut d = Draft::new(&c.kinds[0], &c);
    d.name = "Phone".into();
    d.config.insert("server_url".into(), "https://ntfy.sh".into());
    d.config.insert("topic".into(), "secret-topic".into());
    let json: serde_json::Value = serde_json::from_str(&d.to_json().expect("valid")).expect("json");
    assert_eq!(json["kind"], "ntfy");
    assert_eq!(json["rate_per_minute"], 30);
    assert_eq!(json["events"], serde_json::json!(["incident_opened", "server_down", "server_up"]));
    assert_eq!(json["config"]["topic"], "secret-topic");
    assert!(json["title_template"].is_null() && json["clear"].as_array().is_some_and(Vec::is_empty));
    d.rate = "fast".into();
    assert_eq!(d.to_json().map_err(|e| e.0), Err("rate_per_minute".to_owned()));
}

#[test]
fn editing_fills_the_plain_fields_and_keeps_secrets_blank() {
    let c = catalogue();
    let d = Draft::edit(&saved(), &c.kinds[0]);
    assert_eq!(d.id, Some(5));
    assert_eq!(d.config.get("server_url").map(String::as_str), Some("http://10.0.0.2:8080"));
    assert!(!d.config.contains_key("topic") && !d.config.contains_key("token"), "never the redacted text");
    assert_eq!(
        (d.rate.as_str(), d.title_template.as_str(), d.preview_event()),
        ("12", "{{user}}", "incident_opened".to_owned())
    );
}

#[test]
fn a_row_shows_settings_and_the_last_outcome_as_text() {
    let html = render(|| {
        let changed = RwSignal::new(0);
        view! { <DestinationRow destination=saved() catalogue=catalogue() changed/> }.into_any()
    });
    assert!(html.contains(r#"data-destination-id="5""#), "{html}");
    for class in ["notify-test", "notify-edit", "notify-toggle", "notify-remove"] {
        assert!(html.contains(class), "{class} missing: {html}");
    }
    assert!(html.contains("Phone &lt;b&gt;") && !html.contains("Phone <b>"), "names are text: {html}");
    assert!(html.contains("Incident opened, Server down") && html.contains("medium and up"), "{html}");
    assert!(html.contains("topic label") && html.contains("****"), "{html}");
    assert!(html.contains("ntfy answered http 500") && html.contains(r#"data-ok="false""#), "{html}");
}

#[test]
fn an_unreadable_destination_can_only_be_deleted() {
    let mut broken = saved();
    broken.problem = Some("the stored secret was encrypted with another key; delete it and add it again".into());
    broken.config.clear();
    let html = render(|| {
        let changed = RwSignal::new(0);
        view! { <DestinationRow destination=broken catalogue=catalogue() changed/> }.into_any()
    });
    assert!(html.contains("another key") && html.contains("notify-remove"), "{html}");
    assert!(!html.contains("notify-test") && !html.contains("notify-edit"), "{html}");
}

#[test]
fn secret_fields_are_password_inputs_that_keep_the_stored_value_on_edit() {
    let c = catalogue();
    let html = render(|| {
        let draft = RwSignal::new(Draft::edit(&saved(), &c.kinds[0]));
        let none = |_: &str| None::<String>;
        config_input(field("token", true, false, "text"), draft, true, "notify-5-token".into(), none)
    });
    assert!(html.contains(r#"type="password""#) && html.contains("Leave empty to keep the current one"), "{html}");
    assert!(html.contains("Remove the stored token label"), "optional secrets can be removed: {html}");
    let url = render(|| {
        let draft = RwSignal::new(Draft::new(&c.kinds[0], &c));
        config_input(
            field("server_url", false, true, "url"),
            draft,
            false,
            "notify-new-server_url".into(),
            |_: &str| None,
        )
    });
    assert!(url.contains(r#"type="url""#) && url.contains("required"), "{url}");
}
