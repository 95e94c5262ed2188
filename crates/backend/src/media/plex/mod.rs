//! Plex Media Server adapter: the pure parsers for `/status/sessions` and the notification
//! stream, and `client::Plex`, the `MediaServer` that fetches them. The listener comes later.

pub mod client;
pub mod events;
mod parser;

pub use parser::{
    NotifiedState, PlayStateNotification, parse_accounts_json, parse_accounts_xml, parse_notification,
    parse_sessions_json, parse_sessions_xml,
};
