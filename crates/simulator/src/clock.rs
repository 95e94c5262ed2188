//! The simulator's only wall-clock reads. The workspace bans `chrono::Utc::now` so that time
//! reaches Sightline's code as a parameter; the simulator cannot use `sightline_backend::clock`
//! (it must not depend on the backend), so it reads the clock here, once per use.

use chrono::{DateTime, Utc};

/// The current UTC time, for `LastActivityDate`-style fields and generated tokens.
#[must_use]
pub fn now() -> DateTime<Utc> {
    // The one sanctioned clock read of this crate; see the module comment.
    #[allow(clippy::disallowed_methods)]
    Utc::now()
}
