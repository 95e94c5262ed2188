//! Tests for the shared rendering helpers and the pure shape of every target's request.

use super::*;
use crate::notify::text::ELLIPSIS;
use chrono::TimeZone;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time")
}

fn incident() -> Notice {
    defaults::sample(EventKind::IncidentOpened, at())
}

fn defaults_for(kind: DestinationKind, notice: &Notice) -> (Template, Template) {
    templates(kind, notice.kind, None, None)
}

fn header<'a>(out: &'a Outgoing, name: &str) -> &'a str {
    out.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("header {name}"))
}

#[test]
fn url_paths_become_absolute_under_the_base_url() {
    let base = Url::parse("https://sightline.example.net/app").expect("base");
    let n = Notice::new(EventKind::Test, at(), "t").with(Var::Url, "/alerts/42");
    assert_eq!(with_absolute_url(&n, Some(&base)).get(Var::Url), "https://sightline.example.net/app/alerts/42");
    assert_eq!(with_absolute_url(&n, None).get(Var::Url), "", "a path without a base is dropped");
    let absolute = n.clone().with(Var::Url, "https://elsewhere.example/x");
    assert!(matches!(with_absolute_url(&absolute, Some(&base)), Cow::Borrowed(_)));
    let odd = n.clone().with(Var::Url, "//evil.example/x");
    assert_eq!(with_absolute_url(&odd, Some(&base)).get(Var::Url), "");
    let unicode = n.clone().with(Var::Url, "https://sightline.example/pfad/ü");
    assert_eq!(with_absolute_url(&unicode, Some(&base)).get(Var::Url), "https://sightline.example/pfad/%C3%BC");
    let js = n.with(Var::Url, "javascript:alert(1)");
    assert_eq!(with_absolute_url(&js, Some(&base)).get(Var::Url), "");
}

#[test]
fn endpoints_stay_on_the_configured_server() {
    assert_eq!(
        endpoint("f", "https://ntfy.example/base", "topic").expect("ok").as_str(),
        "https://ntfy.example/base/topic"
    );
    assert_eq!(endpoint("f", "https://ntfy.example/", "topic").expect("ok").as_str(), "https://ntfy.example/topic");
    assert!(endpoint("f", "https://ntfy.example/", "//evil.example/x").is_err());
    assert!(endpoint("f", "https://ntfy.example/", "https://evil.example/").is_err());
    assert!(endpoint("f", "not a url", "x").is_err());
}

#[test]
fn severity_sets_colour_and_urgency() {
    let mut n = incident();
    n.severity = Some(Severity::Critical);
    assert_eq!((colour(&n), urgency(&n)), (0x0099_2d22, 5));
    n.severity = Some(Severity::Low);
    assert_eq!((colour(&n), urgency(&n)), (0x0034_98db, 2));
    let down = Notice::new(EventKind::ServerDown, at(), "d");
    assert_eq!((colour(&down), urgency(&down)), (0x00e7_4c3c, 4));
    assert_eq!(ntfy::header_text("plain"), "plain");
    assert_eq!(ntfy::header_text("two\nlines"), "two lines");
    assert_eq!(gotify::priority(5), 9);
    assert_eq!(pushover::priority(2), -1);
}

#[test]
fn previews_show_unescaped_text_within_the_targets_limits() {
    let n = incident().with(Var::User, "**al@ice**");
    let (title, body) = render_preview(DestinationKind::Discord, None, None, &n);
    assert_eq!(title, "Incident: Impossible travel (**al@ice**)");
    assert_eq!(body, "Played from Lisbon 40 minutes after Berlin (2,300 km, 3,450 km/h)");
    let (_, text_body) = render_preview(DestinationKind::Ntfy, None, None, &n);
    assert!(text_body.contains("User: **al@ice** on Living room Plex"), "{text_body}");
    let (custom, _) = render_preview(DestinationKind::Pushover, Some("{{user}} {{oops}}"), None, &n);
    assert_eq!(custom, "**al@ice** {{oops}}");
    let long = n.clone().with(Var::Summary, "z".repeat(900));
    let (_, body) = render_preview(DestinationKind::Pushover, Some("t"), Some("{{summary}} {{summary}}"), &long);
    assert_eq!(body.chars().count(), pushover::MESSAGE_MAX);
    assert!(body.ends_with(ELLIPSIS));
}

#[test]
fn ntfy_publishes_to_the_topic_with_headers() {
    let n = incident();
    let (t, b) = defaults_for(DestinationKind::Ntfy, &n);
    let out =
        ntfy::request("https://ntfy.example", "sightline_alerts", Some("tk_abc123"), &n, &t, &b).expect("request");
    assert_eq!(out.url.as_str(), "https://ntfy.example/sightline_alerts");
    assert_eq!(header(&out, "title"), "Incident: Impossible travel (alice)");
    assert_eq!(header(&out, "priority"), "4");
    assert_eq!(header(&out, "tags"), "sightline,incident_opened,warning");
    assert_eq!(header(&out, "authorization"), "Bearer tk_abc123");
    assert!(out.secrets.contains(&"tk_abc123".to_owned()) && out.secrets.contains(&"sightline_alerts".to_owned()));
    assert!(String::from_utf8(out.body).expect("utf-8").starts_with("Played from Lisbon"));
    assert!(ntfy::request("https://ntfy.example", "../admin", None, &n, &t, &b).is_err());
    let unicode = n.with(Var::Rule, "Reise unmöglich");
    let out = ntfy::request("https://ntfy.example", "t", None, &unicode, &t, &b).expect("request");
    assert!(header(&out, "title").starts_with("=?UTF-8?B?"), "non-ASCII titles are RFC 2047 encoded");
    assert!(out.headers.get("authorization").is_none());
}

#[test]
fn ntfy_messages_fit_in_4096_bytes() {
    let n = incident().with(Var::Summary, "ü".repeat(3000)).with(Var::Reason, "ü".repeat(3000));
    let (t, _) = defaults_for(DestinationKind::Ntfy, &n);
    let b = Template::parse("{{summary}}{{reason}}{{summary}}{{reason}}{{summary}}").expect("valid");
    let out = ntfy::request("https://ntfy.example", "t", None, &n, &t, &b).expect("request");
    assert!(out.body.len() <= ntfy::MESSAGE_MAX_BYTES, "{}", out.body.len());
    assert!(String::from_utf8(out.body).is_ok(), "cut on a character boundary");
}

#[test]
fn gotify_sends_the_token_in_a_header_not_the_url() {
    let n = incident();
    let (t, b) = defaults_for(DestinationKind::Gotify, &n);
    let out = gotify::request("https://push.example/gotify", "AbCdEf123", &n, &t, &b).expect("request");
    assert_eq!(out.url.as_str(), "https://push.example/gotify/message");
    assert_eq!(header(&out, "x-gotify-key"), "AbCdEf123");
    let body: serde_json::Value = serde_json::from_slice(&out.body).expect("json");
    assert_eq!(body["priority"], 8);
    assert_eq!(body["title"], "Incident: Impossible travel (alice)");
}

#[test]
fn pushover_posts_a_form_with_pushover_limits() {
    let n = incident().with(Var::Url, "https://sightline.example/alerts/42").with(Var::Summary, "s".repeat(3000));
    let (t, b) = defaults_for(DestinationKind::Pushover, &n);
    let out = pushover::request(None, "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "azGDORePK8gMaC0QOYAMyEEuzJnyUi", &n, &t, &b)
        .expect("request");
    assert_eq!(out.url.as_str(), "https://api.pushover.net/1/messages.json");
    assert_eq!(header(&out, "content-type"), "application/x-www-form-urlencoded");
    let form: std::collections::HashMap<String, String> = url::form_urlencoded::parse(&out.body).into_owned().collect();
    assert_eq!(form["token"], "azGDORePK8gMaC0QOYAMyEEuzJnyUi");
    assert_eq!(form["user"], "uQiRzpo4DXghDmr9QzzfQu27cmVRsG");
    assert_eq!(form["priority"], "1");
    assert_eq!(form["url"], "https://sightline.example/alerts/42");
    assert!(form["message"].chars().count() <= pushover::MESSAGE_MAX);
    assert!(form["message"].ends_with(ELLIPSIS));
    assert_eq!(form["timestamp"], at().timestamp().to_string());
}

#[test]
fn telegram_sends_escaped_html_and_keeps_the_token_secret() {
    let n = incident().with(Var::User, "<script>alert(1)</script> & \u{202E}moc.live");
    let (t, b) = defaults_for(DestinationKind::Telegram, &n);
    let out = telegram::request(None, "123456:AAE-xyz_09", "-1001234567890", &n, &t, &b).expect("request");
    assert_eq!(out.url.as_str(), "https://api.telegram.org/bot123456:AAE-xyz_09/sendMessage");
    assert_eq!(out.secrets, vec!["123456:AAE-xyz_09".to_owned()]);
    let body: serde_json::Value = serde_json::from_slice(&out.body).expect("json");
    assert_eq!(body["chat_id"], "-1001234567890");
    assert_eq!(body["parse_mode"], "HTML");
    assert_eq!(body["disable_web_page_preview"], true);
    let text = body["text"].as_str().expect("text");
    assert!(
        text.starts_with(
            "<b>Incident: Impossible travel (&lt;script&gt;alert(1)&lt;/script&gt; &amp; moc.live)</b>\n\n"
        ),
        "{text}"
    );
    assert!(!text.contains('\u{202E}'));
    assert!(telegram::request(None, "123/../../x", "1", &n, &t, &b).is_err());
    assert!(
        telegram::valid_chat_id("@sightline_alerts")
            && telegram::valid_chat_id("42")
            && !telegram::valid_chat_id("a b")
    );
}

#[test]
fn telegram_text_fits_4096_utf16_units_without_cutting_an_entity() {
    let n = incident().with(Var::Summary, "<&>😀".repeat(2000));
    let (t, _) = defaults_for(DestinationKind::Telegram, &n);
    let b = Template::parse("{{summary}}{{summary}}{{summary}}").expect("valid");
    let text = telegram::text(&n, &t, &b);
    assert!(text.encode_utf16().count() <= telegram::TEXT_MAX);
    let tail = text.rsplit('\n').next().expect("body");
    let stripped = tail.replace("&lt;", "").replace("&amp;", "").replace("&gt;", "").replace(['😀', '…'], "");
    assert_eq!(stripped, "", "only whole entities remain");
}

#[test]
fn email_is_plain_text_with_a_subject() {
    let n = incident();
    let (t, b) = defaults_for(DestinationKind::Email, &n);
    let (subject, body) = email::message(&n, &t, &b);
    assert_eq!(subject, "Incident: Impossible travel (alice)");
    assert!(body.contains("From: Lisbon, Lisbon, PT (203.0.113.7)"), "{body}");
    assert!(body.ends_with("Sent by Sightline\n"));
}
