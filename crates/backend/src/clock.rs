//! The one place that reads the wall clock. Everything else takes `now` as a parameter,
//! so tests can pass any instant and the rule engine stays deterministic.

use chrono::{DateTime, Utc};

/// The current UTC time.
#[must_use]
#[allow(clippy::disallowed_methods, reason = "this is the single sanctioned clock read")]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
