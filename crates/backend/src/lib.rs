//! Sightline's server-side services: configuration, the store, authentication and the live hub.
//!
//! Invariants: only `config` reads the process environment; only `store` speaks SQL;
//! only `clock` reads the wall clock. Nothing here renders HTML.

pub mod account_settings;
pub mod auth;
pub mod clock;
pub mod config;
pub mod context;
pub mod crypto;
pub mod detect;
pub mod enforce;
mod error_chain;
pub mod geo;
pub mod history;
pub mod hub;
pub mod images;
pub mod incidents;
pub mod ingest;
pub mod map_settings;
pub mod media;
pub mod notify;
pub mod people;
pub mod rules_admin;
pub mod secret;
pub mod servers;
pub mod stats;
pub mod store;
#[cfg(test)]
mod test_ctx;
pub mod time_zone;
pub mod trust;

pub use context::AppContext;

/// The version of this build, shown in `/healthz`, the UI and logs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
