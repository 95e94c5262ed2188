//! Tests for template parsing, validation and rendering.

use super::*;
use crate::notify::defaults;
use crate::notify::event::EventKind;
use chrono::TimeZone;

fn notice() -> Notice {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time");
    Notice::new(EventKind::IncidentOpened, at, "incident:1:opened")
        .with(Var::User, "alice")
        .with(Var::Server, "Plex")
        .with(Var::Rule, "Impossible travel")
}

fn plain(src: &str, n: &Notice) -> String {
    Template::parse(src).expect("valid template").render(n, Style::Plain).as_str().to_owned()
}

#[test]
fn variables_are_substituted_with_or_without_spaces() {
    assert_eq!(plain("{{user}} on {{ server }}: {{rule}}", &notice()), "alice on Plex: Impossible travel");
}

#[test]
fn unknown_variables_are_refused_by_name() {
    let err = validate_template("Hi {{user}} from {{password}}").expect_err("unknown variable");
    assert!(err.contains("{{password}}"), "{err}");
    assert!(err.contains("user, server"), "lists the known variables: {err}");
    assert_eq!(Template::parse("{{ __class__ }}"), Err(TemplateError::Unknown("__class__".into())));
    assert!(matches!(Template::parse("{{user.name}}"), Err(TemplateError::Unknown(_))));
}

#[test]
fn unclosed_and_empty_braces_are_refused_with_a_position() {
    assert_eq!(Template::parse("ab {{user"), Err(TemplateError::Unclosed(4)));
    assert_eq!(Template::parse("{{ }}"), Err(TemplateError::Empty(1)));
    assert!(Template::parse(&"x".repeat(MAX_TEMPLATE_CHARS + 1)).is_err());
    assert!(Template::parse("lonely }} braces } {").is_ok());
}

#[test]
fn values_that_look_like_templates_are_never_expanded() {
    let n = notice().with(Var::User, "{{server}} {{ip}} {{__import__('os')}}");
    assert_eq!(plain("{{user}}", &n), "{{server}} {{ip}} {{__import__('os')}}");
}

#[test]
fn missing_variables_render_empty_and_lines_without_any_value_are_dropped() {
    let src = "Head\nUser: {{user}}\nIP: {{ip}}\nFrom: {{location}} ({{ip}})\nTail {{user}}";
    assert_eq!(plain(src, &notice()), "Head\nUser: alice\nTail alice");
    assert_eq!(plain("A {{ip}} B", &notice().with(Var::Ip, "  ")), "", "a line of blank variables is dropped");
    assert_eq!(plain("{{user}}{{ip}}", &notice()), "alice");
}

#[test]
fn lenient_parsing_shows_what_strict_parsing_refuses() {
    let t = Template::parse_lenient("Hi {{user}} {{nope}} {{ip");
    assert_eq!(t.render(&notice(), Style::Plain).as_str(), "Hi alice {{nope}} {{ip");
}

#[test]
fn values_are_sanitized_and_escaped_but_literals_follow_the_style() {
    let n = notice().with(Var::User, "<b>\u{202E}eve</b>");
    let t = Template::parse("<i>{{user}}</i>").expect("valid");
    assert_eq!(t.render(&n, Style::Html).as_str(), "&lt;i&gt;&lt;b&gt;eve&lt;/b&gt;&lt;/i&gt;");
    assert_eq!(t.render(&n, Style::Markdown).as_str(), "<i>\\<b\\>eve\\</b\\></i>");
}

#[test]
fn every_default_template_parses_and_reads_well() {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time");
    for kind in EventKind::ALL {
        let sample = defaults::sample(kind, at);
        let title = Template::parse(defaults::title(kind)).expect("default title");
        let body = Template::parse(&defaults::body(kind)).expect("default body");
        Template::parse(defaults::lead(kind)).expect("default lead");
        let title = title.render(&sample, Style::Plain);
        let body = body.render(&sample, Style::Plain);
        assert!(!title.is_blank() && !body.is_blank(), "{kind:?}");
        assert!(!title.as_str().contains("{{") && !body.as_str().contains("{{"), "{kind:?}");
    }
}
