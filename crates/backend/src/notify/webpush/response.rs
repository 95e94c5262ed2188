//! What a push service's answer means for the outbox (RFC 8030 §5, §6.2, §7.3): accepted,
//! try again later, or never again (the subscription is gone).

use crate::notify::DeliveryOutcome;
use crate::notify::reply::parse_retry_after;
use chrono::{DateTime, Utc};

/// The reason given when the push service says the subscription no longer exists.
pub const EXPIRED: &str = "subscription expired";

/// Whether an outcome means the subscription is gone for good (404/410).
#[must_use]
pub fn is_expired(outcome: &DeliveryOutcome) -> bool {
    matches!(outcome, DeliveryOutcome::Failed { reason } if reason == EXPIRED)
}

/// The outcome of one answer: its status and its `Retry-After` header, if any.
#[must_use]
pub fn outcome(status: u16, retry_after: Option<&str>, now: DateTime<Utc>) -> DeliveryOutcome {
    let after = retry_after.and_then(|v| parse_retry_after(v, now));
    match status {
        200..=299 => DeliveryOutcome::Delivered { status },
        404 | 410 => DeliveryOutcome::Failed { reason: EXPIRED.to_owned() },
        429 => DeliveryOutcome::Retry { after, reason: "push service rate limit (429)".to_owned() },
        408 => DeliveryOutcome::Retry { after, reason: "push service timed out (408)".to_owned() },
        500..=599 => DeliveryOutcome::Retry { after, reason: format!("push service error ({status})") },
        413 => DeliveryOutcome::Failed { reason: "push service refused the message size (413)".to_owned() },
        401 | 403 => DeliveryOutcome::Failed {
            reason: format!(
                "push service refused Sightline's VAPID key ({status}); the browser may have subscribed with \
                 another key: opt in again on that device"
            ),
        },
        _ => DeliveryOutcome::Failed { reason: format!("push service refused the message ({status})") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use std::time::Duration;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("valid date")
    }

    #[test]
    fn created_and_accepted_are_delivered() {
        assert_eq!(outcome(201, None, now()), DeliveryOutcome::Delivered { status: 201 });
        assert_eq!(outcome(202, None, now()), DeliveryOutcome::Delivered { status: 202 });
    }

    #[test]
    fn gone_subscriptions_fail_as_expired() {
        for status in [404, 410] {
            let o = outcome(status, None, now());
            assert!(is_expired(&o), "{status}: {o:?}");
        }
        assert!(!is_expired(&outcome(400, None, now())));
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_after_what_the_service_asks() {
        assert_eq!(
            outcome(429, Some("30"), now()),
            DeliveryOutcome::Retry {
                after: Some(Duration::from_secs(30)),
                reason: "push service rate limit (429)".to_owned()
            }
        );
        let DeliveryOutcome::Retry { after, .. } = outcome(503, Some("Sun, 01 Mar 2026 12:02:00 GMT"), now()) else {
            panic!("503 must be retried");
        };
        assert_eq!(after, Some(Duration::from_secs(120)));
        assert!(matches!(outcome(500, None, now()), DeliveryOutcome::Retry { after: None, .. }));
    }

    #[test]
    fn an_unreadable_retry_after_leaves_the_wait_to_the_outbox() {
        assert!(matches!(outcome(429, Some("soon"), now()), DeliveryOutcome::Retry { after: None, .. }));
    }

    #[test]
    fn other_client_errors_fail_at_once() {
        assert!(matches!(outcome(400, None, now()), DeliveryOutcome::Failed { .. }));
        assert!(matches!(outcome(403, None, now()), DeliveryOutcome::Failed { .. }));
        assert!(matches!(outcome(413, None, now()), DeliveryOutcome::Failed { .. }));
    }
}
