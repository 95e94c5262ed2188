//! Fake Plex, Jellyfin and Emby servers on loopback that speak the real HTTP, SSE and WebSocket
//! APIs, driven by a scenario: for `sightline demo`, the integration tests and the benchmark.
//!
//! Start with [`Simulator::start`] and a [`Scenario`] (TOML, see `SCENARIO.md`, or
//! [`Scenario::builtin`]); control each server through its [`ServerHandle`].

pub mod clock;
pub mod devices;
mod driver;
pub mod error;
pub mod fault;
pub mod geoip;
mod handle;
mod http;
pub mod ids;
pub mod inbox;
pub mod jellyfin_like;
pub mod output;
pub mod plex;
pub mod plextv;
pub mod png;
pub mod record;
pub mod scenario;
pub mod script;
pub mod span;
pub mod state;

pub use devices::{CustomDevice, Device, DeviceRef};
pub use error::{ScenarioError, SimError};
pub use fault::Fault;
pub use handle::{ServerHandle, SimHandle, SimOptions, Simulator, StreamSpec};
pub use record::RecordedRequest;
pub use scenario::{Decision, MediaKind, MediaSpec, Pause, Resolution, Scenario, ServerSpec, StreamScript, UserSpec};
pub use sightline_domain::media::ServerKind;
pub use span::Span;
pub use state::{PlayState, Session, SessionRef, SimUser};
