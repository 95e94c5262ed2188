//! Notifications to the owner: what happened (`event`), where it goes (`destination`), how one delivery
//! ended (`outcome`). Senders, templates, the outbox and its worker live in the submodules.

pub mod destination;
pub mod event;
pub mod outcome;
// The outbox: managing destinations, producing notices, queueing them and the delivery worker.
pub mod admin;
pub mod outbox;
pub mod produce;
pub mod worker;
// The senders: templates, per-target requests, the address policy, HTTP and SMTP delivery.
pub mod defaults;
mod http;
pub mod render;
pub mod reply;
pub mod resolve;
pub mod senders;
mod smtp;
pub mod ssrf;
pub mod template;
#[cfg(test)]
mod testkit;
pub mod text;
pub mod validate;
pub mod webpush;

pub use destination::{Destination, DestinationConfig, DestinationKind};
pub use event::{EventKind, Notice, Var};
pub use outbox::{Notifier, enqueue};
pub use outcome::{Deliver, DeliveryOutcome};
pub use render::render_preview;
pub use senders::{SendOptions, Senders, SendersError};
pub use template::validate_template;
pub use validate::{TargetError, check_destination, validate};
