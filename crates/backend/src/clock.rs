//! The one place that reads the wall clock. Everything else takes `now` as a parameter,
//! so tests can pass any instant and the rule engine stays deterministic.

use chrono::{DateTime, Utc};

/// The current UTC time.
#[must_use]
#[allow(clippy::disallowed_methods, reason = "this is the single sanctioned clock read")]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The current UTC time in whole milliseconds, the precision the store keeps: what ingestion
/// stamps observations with, so a play restored after a restart reads back exactly.
#[must_use]
pub fn now_ms() -> DateTime<Utc> {
    let now = now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}
