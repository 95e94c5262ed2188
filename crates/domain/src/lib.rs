//! Sightline's vocabulary: the pure types that the server and the browser share.
//!
//! Invariants: this crate never does I/O, never reads the clock (time is always a
//! parameter) and builds for `wasm32-unknown-unknown`. It never depends on tokio,
//! sqlx, reqwest or axum.

pub mod backoff;
pub mod event;
pub mod geo;
pub mod health;
pub mod ids;
pub mod live;
pub mod media;
pub mod principal;
pub mod rules;
pub mod stats;
pub mod tracker;
pub mod validate;

pub use event::LiveEvent;
pub use health::{Health, HealthStatus};
pub use ids::{ApiKeyId, ServerId, UserId};
pub use principal::{Principal, Role};
