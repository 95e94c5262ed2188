//! Tests for the JSON webhook body and its signature.

use super::*;
use crate::notify::defaults;
use crate::notify::event::{EventKind, Var};
use chrono::TimeZone;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time")
}

#[test]
fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
    // RFC 4231 test case 2 ("Jefe"), with the message split as "<timestamp>.<body>".
    let sig = signature(b"Jefe", 0, b"what do ya want for nothing?");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
    mac.update(b"0.what do ya want for nothing?");
    assert_eq!(sig, format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
    // RFC 4231 test case 2 itself, to pin the primitive.
    let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
    mac.update(b"what do ya want for nothing?");
    assert_eq!(
        hex::encode(mac.finalize().into_bytes()),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn the_signature_matches_the_readme_verification_examples() {
    // Computed outside Rust with the README's commands: Python's hmac module and
    // `printf '%s.' "$TS" | cat - body.json | openssl dgst -sha256 -hmac "$SECRET"`.
    assert_eq!(
        signature(b"0123456789abcdef-key", 1_763_663_400, br#"{"event":"test"}"#),
        "sha256=15d6d989e4ed50fe4c84014ad21add1ae135f1da9f380a1d266707a7dd1a26bd"
    );
}

#[test]
fn the_body_carries_raw_values_and_the_rendered_texts() {
    let notice =
        defaults::sample(EventKind::IncidentOpened, at()).with(Var::User, "\"quoted\" <b>\u{202E}x</b> {{ip}}");
    let (title, text) =
        crate::notify::render::templates(crate::notify::destination::DestinationKind::Webhook, notice.kind, None, None);
    let body: serde_json::Value = serde_json::from_slice(&body(&notice, &title, &text)).expect("json");
    assert_eq!(body["event"], "incident_opened");
    assert_eq!(body["at"], "2026-11-20T18:30:00Z");
    assert_eq!(body["severity"], "high");
    assert_eq!(body["vars"]["user"], "\"quoted\" <b>x</b> {{ip}}");
    assert_eq!(body["vars"]["incident_id"], "42");
    assert_eq!(body["title"], "Incident: Impossible travel (\"quoted\" <b>x</b> {{ip}})");
    assert!(body["text"].as_str().expect("text").starts_with("Played from Lisbon"));
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["at", "event", "severity", "text", "title", "vars"]);
}
