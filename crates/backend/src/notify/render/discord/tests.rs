//! Tests for the Discord payload: shape, escaping, and every limit in LIMITS.md.

use super::*;
use crate::notify::defaults;
use crate::notify::destination::DestinationKind;
use crate::notify::event::EventKind;
use crate::notify::render::templates;
use chrono::TimeZone;
use sightline_domain::rules::Severity;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time")
}

const HOOK: &str = "https://discord.com/api/webhooks/223704706495545344/3d89bb7572e0fb30d8128367b3b1b44fecd1726de";

fn payload(notice: &Notice) -> serde_json::Value {
    let (title, body) = templates(DestinationKind::Discord, notice.kind, None, None);
    let out = request(HOOK, false, notice, &title, &body).expect("request");
    serde_json::from_slice(&out.body).expect("json")
}

/// Checks an embed against every per-field limit and the total.
fn assert_within_limits(embed: &Embed) {
    let m = Measure::Chars;
    assert!(m.of(&embed.title) <= TITLE_MAX, "title {}", m.of(&embed.title));
    assert!(m.of(&embed.description) <= DESCRIPTION_MAX, "description");
    assert!(embed.fields.len() <= FIELDS_MAX, "{} fields", embed.fields.len());
    for f in &embed.fields {
        assert!(m.of(&f.name) <= FIELD_NAME_MAX && !f.name.is_empty(), "field name");
        assert!(m.of(&f.value) <= FIELD_VALUE_MAX && !f.value.is_empty(), "field value");
    }
    assert!(m.of(&embed.footer.text) <= FOOTER_MAX);
    assert!(embed_chars(embed) <= TOTAL_MAX, "total {}", embed_chars(embed));
}

#[test]
fn the_payload_has_one_embed_no_mentions_and_our_name() {
    let notice =
        defaults::sample(EventKind::IncidentOpened, at()).with(Var::Url, "https://sightline.example/alerts/42");
    let p = payload(&notice);
    assert_eq!(p["username"], "Sightline");
    assert_eq!(p["allowed_mentions"], serde_json::json!({"parse": []}));
    assert!(p.get("content").is_none());
    let embeds = p["embeds"].as_array().expect("embeds");
    assert_eq!(embeds.len(), 1);
    let e = &embeds[0];
    assert_eq!(e["title"], "Incident: Impossible travel (alice)", "the owner's literal text stays as written");
    assert_eq!(e["color"], 0x00e7_4c3c);
    assert_eq!(e["timestamp"], "2026-11-20T18:30:00Z");
    assert_eq!(e["url"], "https://sightline.example/alerts/42");
    assert_eq!(e["footer"]["text"], "Sightline · incident 42");
    let fields: Vec<(String, String)> = e["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| (f["name"].as_str().expect("name").to_owned(), f["value"].as_str().expect("value").to_owned()))
        .collect();
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["User", "Server", "Severity", "Rule", "Playing", "Location", "Device", "IP address"]);
    assert_eq!(fields[0].1, "alice");
    assert_eq!(fields[7].1, "203.0.113.7");
    assert_eq!(fields[6].1, "Pixel 8 \\(Android\\)");
}

#[test]
fn severity_picks_the_colour() {
    let mut notice = defaults::sample(EventKind::IncidentOpened, at());
    notice.severity = Some(Severity::Critical);
    assert_eq!(payload(&notice)["embeds"][0]["color"], 0x0099_2d22);
    notice.severity = Some(Severity::Medium);
    assert_eq!(payload(&notice)["embeds"][0]["color"], 0x00f3_9c12);
}

#[test]
fn mentions_markdown_and_markup_in_names_are_neutralised() {
    let notice = defaults::sample(EventKind::StreamStarted, at())
        .with(Var::User, "@everyone <@123456789> @here")
        .with(Var::Device, "<script>alert(1)</script>")
        .with(Var::Title, "**[free nitro](https://evil.example)**");
    let raw = serde_json::to_string(&payload(&notice)).expect("json");
    for forbidden in ["@everyone", "@here", "<@123456789>", "<script>", "[free nitro](", "**"] {
        assert!(!raw.contains(forbidden), "{forbidden} survived in {raw}");
    }
    let p = payload(&notice);
    assert_eq!(p["embeds"][0]["fields"][0]["value"], "@\u{200B}everyone \\<@\u{200B}123456789\\> @\u{200B}here");
}

#[test]
fn right_to_left_overrides_are_stripped() {
    let notice = defaults::sample(EventKind::NewDevice, at()).with(Var::Device, "\u{202E}exe.txt\u{2066}x\u{2069}");
    let raw = serde_json::to_string(&payload(&notice)).expect("json");
    assert!(!raw.chars().any(|c| ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)));
    assert!(raw.contains("exe.txtx"));
}

#[test]
fn ten_kilobyte_values_and_thirty_fields_fit_every_limit() {
    let huge = "W".repeat(10_000);
    let mut notice = defaults::sample(EventKind::IncidentOpened, at());
    for var in Var::ALL {
        notice = notice.with(var, format!("{}{huge}", var.name()));
    }
    let title = Template::parse("{{title}} {{user}} {{summary}}").expect("valid");
    let body =
        Template::parse("{{summary}}\n{{reason}}\n{{title}}\n{{user}}\n{{device}}\n{{location}}").expect("valid");
    let mut draft = Draft::new(&notice, &title, &body);
    for i in 0..30 {
        draft.fields.push((format!("Extra {i} {huge}"), escaped(&format!("{i}{huge}")), i % 2 == 0));
    }
    let embed = draft.fit();
    assert_within_limits(&embed);
    assert_eq!(embed.title.chars().count(), TITLE_MAX, "cut exactly to the limit");
    assert!(embed.title.ends_with('…'));
    assert!(!embed.fields.is_empty(), "fields are shortened before they are dropped");
    let payload =
        Payload { username: "Sightline", allowed_mentions: AllowedMentions { parse: Vec::new() }, embeds: vec![embed] };
    assert!(payload.embeds.len() <= EMBEDS_MAX);
}

#[test]
fn a_long_description_gives_way_to_the_total() {
    let notice = defaults::sample(EventKind::IncidentOpened, at()).with(Var::Summary, "d".repeat(900));
    let body = Template::parse(&"{{summary}}\n".repeat(8)).expect("valid");
    let (title, _) = templates(DestinationKind::Discord, notice.kind, None, None);
    let embed = Draft::new(&notice, &title, &body).fit();
    assert_within_limits(&embed);
    assert_eq!(embed.description.chars().count(), DESCRIPTION_MAX);
}

#[test]
fn escapes_are_never_cut_in_half_at_the_limit() {
    let notice = defaults::sample(EventKind::IncidentOpened, at()).with(Var::Rule, "_".repeat(600));
    let title = Template::parse("{{rule}}").expect("valid");
    let embed = Draft::new(&notice, &title, &title).fit();
    let kept = embed.title.trim_end_matches('…');
    assert_eq!(kept.replace("\\_", ""), "", "{kept}");
}

#[test]
fn empty_titles_and_fields_are_never_sent() {
    let notice = Notice::new(EventKind::Test, at(), "t").with(Var::User, "   ");
    let title = Template::parse("{{user}}").expect("valid");
    let embed = Draft::new(&notice, &title, &title).fit();
    assert_eq!(embed.title, "Sightline");
    assert!(embed.fields.is_empty());
    assert!(embed.description.is_empty());
}

#[test]
fn only_discord_webhook_urls_are_accepted_unless_private_is_allowed() {
    let check = |raw: &str, private| check_webhook_url(&Url::parse(raw).expect("url"), private);
    assert!(check(HOOK, false).is_ok());
    assert!(check("https://discordapp.com/api/webhooks/1/x", false).is_ok());
    assert!(check("https://canary.discord.com/api/webhooks/1/x", false).is_ok());
    assert!(check("https://evil.example/api/webhooks/1/x", false).is_err());
    assert!(check("https://discord.com.evil.example/api/webhooks/1/x", false).is_err());
    assert!(check("http://discord.com/api/webhooks/1/x", false).is_err());
    assert!(check("https://discord.com/api/users/@me", false).is_err());
    assert!(check("http://127.0.0.1:9/api/webhooks/1/x", true).is_ok());
}

#[test]
fn the_token_is_a_secret_of_the_request() {
    let notice = defaults::sample(EventKind::Test, at());
    let (title, body) = templates(DestinationKind::Discord, notice.kind, None, None);
    let out = request(HOOK, false, &notice, &title, &body).expect("request");
    assert!(out.secrets.iter().any(|s| s == "3d89bb7572e0fb30d8128367b3b1b44fecd1726de"));
    assert!(!format!("{out:?}").contains("3d89bb"), "Debug shows only the host");
}
