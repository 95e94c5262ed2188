//! Notifications to the owner: what happened (`event`), where it goes (`destination`), how one delivery
//! ended (`outcome`). Senders, templates, the outbox and its worker live in the submodules.

pub mod destination;
pub mod event;
pub mod outcome;

pub use destination::{Destination, DestinationConfig, DestinationKind};
pub use event::{EventKind, Notice, Var};
pub use outcome::{Deliver, DeliveryOutcome};
