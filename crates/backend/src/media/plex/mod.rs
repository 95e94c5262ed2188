//! Plex Media Server adapter. Today only the pure parsers for `/status/sessions` and the
//! notification stream; the HTTP client and the listener come later.

mod parser;

pub use parser::{NotifiedState, PlayStateNotification, parse_notification, parse_sessions_json, parse_sessions_xml};
