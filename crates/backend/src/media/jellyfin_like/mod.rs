//! Jellyfin and Emby adapters, which share one parser because both servers descend from the
//! same code base and send the same session shape. Today only the pure parsers; HTTP comes later.

mod parser;

pub use parser::{parse_sessions, parse_sessions_message};
