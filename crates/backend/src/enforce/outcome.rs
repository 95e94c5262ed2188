//! What a stop came to, in words for the owner (`StopOutcome`), and why one could not be attempted
//! (`EnforceError`). Shared by the REST API, the dashboard and the rule executor.

use crate::media::control::StopResult;
use crate::media::server::MediaError;
use crate::store::StoreError;
use serde::{Deserialize, Serialize};
use sightline_domain::rules::Problem;
use thiserror::Error;

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopStatus {
    /// The media server accepted the stop.
    Stopped,
    /// The media server no longer knew the stream.
    AlreadyEnded,
    /// Nothing was sent: the client or the server cannot be told to stop (see `code`).
    Refused,
}

/// The answer to a stop, for people and programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopOutcome {
    pub status: StopStatus,
    /// A refusal's stable code (`no_remote_control`, `plex_pass_required`, `no_session_id`).
    pub code: Option<String>,
    /// Whether the viewer was shown the message (Plex: as the stop's reason).
    pub message_shown: bool,
    /// One sentence: "Stopped carol playing Dune on Plex.", "Refused: this client does not accept …".
    pub detail: String,
}

impl StopOutcome {
    /// Words for the adapter's answer about `stream` (see `plan::describe_stream`).
    #[must_use]
    pub fn of(result: StopResult, stream: &str, message_given: bool) -> Self {
        match result {
            StopResult::Stopped { message_shown } => {
                let note = match (message_given, message_shown) {
                    (true, true) => " and showed the message",
                    (true, false) => "; this client cannot show messages, so the message was not shown",
                    _ => "",
                };
                Self {
                    status: StopStatus::Stopped,
                    code: None,
                    message_shown,
                    detail: format!("Stopped {stream}{note}."),
                }
            }
            StopResult::AlreadyEnded => Self {
                status: StopStatus::AlreadyEnded,
                code: None,
                message_shown: false,
                detail: format!("The stream had already ended ({stream})."),
            },
            StopResult::Refused(refusal) => Self {
                status: StopStatus::Refused,
                code: Some(refusal.code().to_owned()),
                message_shown: false,
                detail: format!("Refused: {refusal}."),
            },
        }
    }

    /// Whether the stream is known to have stopped.
    #[must_use]
    pub fn stopped(&self) -> bool {
        self.status == StopStatus::Stopped
    }
}

/// Why a stop could not be attempted.
#[derive(Debug, Error)]
pub enum EnforceError {
    #[error("this stream is not playing (any more)")]
    NotLive,
    /// The message to the viewer is not acceptable.
    #[error("message: {0}")]
    Invalid(Problem),
    #[error("the media server did not take the stop: {0}")]
    Media(#[from] MediaError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::control::Refusal;

    #[test]
    fn each_answer_reads_as_one_sentence() {
        let stopped = StopOutcome::of(StopResult::Stopped { message_shown: true }, "carol playing Dune on Plex", true);
        assert_eq!(stopped.detail, "Stopped carol playing Dune on Plex and showed the message.");
        assert!(stopped.stopped() && stopped.message_shown);
        let silent = StopOutcome::of(StopResult::Stopped { message_shown: false }, "carol playing Dune on Jelly", true);
        assert!(silent.detail.ends_with("so the message was not shown."), "{}", silent.detail);
        let plain = StopOutcome::of(StopResult::Stopped { message_shown: false }, "x", false);
        assert_eq!(plain.detail, "Stopped x.");
        let refused = StopOutcome::of(StopResult::Refused(Refusal::NoRemoteControl), "x", true);
        assert_eq!((refused.status, refused.code.as_deref()), (StopStatus::Refused, Some("no_remote_control")));
        assert_eq!(
            refused.detail,
            "Refused: this client does not accept remote control, so the server cannot stop it."
        );
        assert!(!refused.stopped());
        assert_eq!(StopOutcome::of(StopResult::AlreadyEnded, "x", false).status, StopStatus::AlreadyEnded);
    }

    #[test]
    fn outcomes_serialise_with_snake_case_status() {
        let json = serde_json::to_value(StopOutcome::of(StopResult::AlreadyEnded, "x", false)).expect("json");
        assert_eq!(json["status"], "already_ended");
        assert_eq!(json["code"], serde_json::Value::Null);
    }
}
