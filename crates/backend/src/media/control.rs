//! What controlling a playback can come to: a stop or a message was done, the stream had already
//! ended, or nothing was sent because the server or client cannot do it (`Refusal`, worded for the
//! owner). Transport failures stay `MediaError`s. Shared by both adapters; no HTTP here.

use sightline_domain::media::SessionControl;
use thiserror::Error;

/// How long a message stays on the viewer's screen (Jellyfin and Emby show it modal without one).
pub const MESSAGE_TIMEOUT_MS: u64 = 15_000;
/// The title of a message to the viewer.
pub const MESSAGE_HEADER: &str = "From the server owner";

/// Why nothing was sent to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Refusal {
    /// Jellyfin and Emby accept a stop for such a client and then ignore it, so none is sent.
    #[error("this client does not accept remote control, so the server cannot stop it")]
    NoRemoteControl,
    #[error("this client cannot show messages")]
    NoMessages,
    #[error("Plex has no way to show a message without stopping the stream")]
    PlexHasNoMessages,
    /// Plex answers 401 to terminate without the feature (`session_kick` among `ownerFeatures`).
    #[error("Plex refused (http 401): stopping streams needs Plex Pass on the server owner's account")]
    PlexPassRequired,
    #[error("the media server gave no id for this stream, so it cannot be addressed")]
    NoSessionId,
}

impl Refusal {
    /// A stable snake_case code for APIs.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::NoRemoteControl => "no_remote_control",
            Self::NoMessages => "no_messages",
            Self::PlexHasNoMessages => "plex_has_no_messages",
            Self::PlexPassRequired => "plex_pass_required",
            Self::NoSessionId => "no_session_id",
        }
    }
}

/// The answer to a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopResult {
    /// The server accepted the stop. `message_shown`: the viewer was sent the message (Plex: the
    /// reason shown with the stop).
    Stopped {
        message_shown: bool,
    },
    /// The server no longer knows the stream (http 404).
    AlreadyEnded,
    Refused(Refusal),
}

/// The answer to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageResult {
    Shown,
    AlreadyEnded,
    Refused(Refusal),
}

/// The session id as a path segment, or `None` when it holds characters that could change the
/// request's path (real ids are hex or alphanumeric).
#[must_use]
pub fn path_id(control: &SessionControl) -> Option<&str> {
    let id = control.session_id.as_str();
    let plain = !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (plain && id != "." && id != "..").then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(id: &str) -> SessionControl {
        SessionControl { session_id: id.to_owned(), remote_control: true, messages: true }
    }

    #[test]
    fn only_plain_ids_become_path_segments() {
        assert_eq!(path_id(&control("a6f1c2d3e4b5a697")), Some("a6f1c2d3e4b5a697"));
        assert_eq!(path_id(&control("my-session_1.2")), Some("my-session_1.2"));
        for bad in ["", ".", "..", "../System/Info", "a/b", "a?b", "a#b", "a b", "%2e%2e", &"x".repeat(129)] {
            assert_eq!(path_id(&control(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn refusals_have_stable_codes_and_say_why() {
        assert_eq!(Refusal::NoRemoteControl.code(), "no_remote_control");
        assert!(Refusal::NoRemoteControl.to_string().contains("does not accept remote control"));
        assert!(Refusal::PlexPassRequired.to_string().contains("Plex Pass"));
    }
}
