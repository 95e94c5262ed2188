//! Jellyfin and Emby adapters, which share one parser because both servers descend from the
//! same code base and send the same session shape. `client::JellyfinLike`
//! is the `MediaServer` for both, differing only in the auth header.

pub mod client;
mod parser;
pub mod socket;

pub use parser::{parse_sessions, parse_sessions_message, parse_users};
