//! Tests for turning HTTP answers into delivery outcomes.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).single().expect("valid time")
}

fn answer(status: u16, retry_after: Option<&str>, body: &str) -> DeliveryOutcome {
    let body = body.as_bytes();
    judge(DestinationKind::Discord, Answer { status, retry_after, body }, &["s3cr3t-token"], now())
}

#[test]
fn success_statuses_are_delivered() {
    assert_eq!(answer(204, None, ""), DeliveryOutcome::Delivered { status: 204 });
    assert_eq!(answer(200, None, "{}"), DeliveryOutcome::Delivered { status: 200 });
}

#[test]
fn rate_limits_wait_as_long_as_the_receiver_says() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/discord/rate_limited_429_user_body.json");
    let fixture = std::fs::read_to_string(path).expect("the Discord 429 fixture");
    let DeliveryOutcome::Retry { after: Some(after), .. } = answer(429, Some("65"), &fixture) else {
        panic!("a 429 is retried");
    };
    assert_eq!(after, Duration::from_secs_f64(64.57), "the JSON's float seconds win over the header");
    assert_eq!(
        answer(429, Some("7"), "").clone(),
        DeliveryOutcome::Retry {
            after: Some(Duration::from_secs(7)),
            reason: "Discord is rate limiting (http 429)".into()
        }
    );
    let telegram = r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 31","parameters":{"retry_after":31}}"#;
    assert!(
        matches!(answer(429, None, telegram), DeliveryOutcome::Retry { after: Some(d), .. } if d == Duration::from_secs(31))
    );
    assert!(matches!(answer(429, None, "slow down"), DeliveryOutcome::Retry { after: None, .. }));
}

#[test]
fn retry_after_headers_are_seconds_or_dates() {
    assert_eq!(parse_retry_after("120", now()), Some(Duration::from_secs(120)));
    assert_eq!(parse_retry_after(" 1.5 ", now()), Some(Duration::from_millis(1500)));
    assert_eq!(parse_retry_after("Fri, 20 Nov 2026 18:31:00 GMT", now()), Some(Duration::from_secs(60)));
    assert_eq!(parse_retry_after("Fri, 20 Nov 2026 18:00:00 GMT", now()), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("-3", now()), None);
    assert_eq!(parse_retry_after("NaN", now()), None);
    assert_eq!(parse_retry_after("soon", now()), None);
    assert_eq!(parse_retry_after("1e12", now()), Some(MAX_RETRY_AFTER));
}

#[test]
fn server_errors_and_request_timeouts_are_retried() {
    for status in [500, 502, 503, 504, 408] {
        assert!(matches!(answer(status, None, "oops"), DeliveryOutcome::Retry { .. }), "{status}");
    }
    assert!(
        matches!(answer(503, Some("30"), ""), DeliveryOutcome::Retry { after: Some(d), .. } if d == Duration::from_secs(30))
    );
}

#[test]
fn other_client_errors_fail_with_the_status_a_hint_and_a_short_snippet() {
    let DeliveryOutcome::Failed { reason } = answer(404, None, r#"{"message": "Unknown Webhook", "code": 10015}"#)
    else {
        panic!("404 fails");
    };
    assert_eq!(
        reason,
        r#"Discord answered http 404 (the webhook no longer exists; was it deleted in Discord?): {"message": "Unknown Webhook", "code": 10015}"#
    );
    let DeliveryOutcome::Failed { reason } =
        answer(400, None, &format!("bad token s3cr3t-token\n\n{}", "x".repeat(5000)))
    else {
        panic!("400 fails");
    };
    assert!(!reason.contains("s3cr3t-token"), "{reason}");
    assert!(reason.contains("bad token ***"), "{reason}");
    assert!(reason.chars().count() < 300, "{}", reason.len());
}

#[test]
fn redirects_fail_and_are_not_followed() {
    let DeliveryOutcome::Failed { reason } = answer(302, None, "") else { panic!("302 fails") };
    assert!(reason.contains("redirects are not followed"), "{reason}");
}

#[test]
fn snippets_collapse_whitespace_and_controls() {
    assert_eq!(snippet(b"  a\r\n\tb \x07 c ", &[]), "a b c");
    assert_eq!(snippet(&[0xff, b'a'], &[]), "\u{FFFD}a");
    assert_eq!(snippet(&b"y".repeat(500), &[]).chars().count(), SNIPPET_CHARS);
}
