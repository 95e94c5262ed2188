//! `DeliveryOutcome`: how one attempt to deliver a notice to a destination ended, which decides
//! whether the outbox retries it.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Accepted by the receiver (HTTP 2xx, SMTP 250).
    Delivered { status: u16 },
    /// Worth trying again: timeouts, connection errors, 5xx, 429. `after` is the receiver's own
    /// `Retry-After` / `retry_after` when it sent one; otherwise the outbox's backoff decides.
    Retry { after: Option<Duration>, reason: String },
    /// Will never work as configured (4xx other than 408/429, refused address, bad credentials):
    /// dead-lettered at once.
    Failed { reason: String },
}

impl DeliveryOutcome {
    /// A short person-readable line for the UI and the audit log (never contains secrets).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Delivered { status } => format!("delivered ({status})"),
            Self::Retry { after: Some(d), reason } => format!("{reason}; retry in {} s", d.as_secs()),
            Self::Retry { after: None, reason } => format!("{reason}; will retry"),
            Self::Failed { reason } => reason.clone(),
        }
    }
}

/// Delivers one notice to one destination, once (the outbox decides about retries).
/// `notify::senders::Senders` implements it for every kind; tests may implement it too.
#[async_trait::async_trait]
pub trait Deliver: Send + Sync {
    async fn deliver(&self, dest: &super::Destination, notice: &super::Notice) -> DeliveryOutcome;
}
