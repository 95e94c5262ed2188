//! What a rule does besides opening an incident: whether its incidents are sent to the owner's
//! notification destinations, its own trust penalty, a message to the viewer, stopping the stream
//! after a delay, a cooldown against stop loops, and a dry run that only records what it would do.
//! Pure data with its validation and its sentence for previews; the backend carries them out.

use serde::{Deserialize, Serialize};

use super::trust::MAX_SCORE;
use super::validate::{Problem, RuleError};

/// The longest wait before a stop (an hour).
pub const MAX_STOP_DELAY_SECS: u32 = 3_600;
/// The longest cooldown (a day).
pub const MAX_COOLDOWN_SECS: u32 = 86_400;
/// The longest message to a viewer.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// Stopping the violating stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StopAction {
    /// Seconds to wait first; the condition is checked again before the stop. 0 to 3600.
    #[serde(default)]
    pub delay_secs: u32,
    /// Shown to the viewer with the stop (Plex shows it as the reason), at most 500 characters.
    #[serde(default)]
    pub message: Option<String>,
}

/// A rule's actions. Every field has a default, so rules stored before actions existed still load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleActions {
    /// Send this rule's incidents to the notification destinations. Default on.
    #[serde(default = "on")]
    pub notify: bool,
    /// Points of trust an incident of this rule costs, instead of the policy's penalty for its
    /// severity (0 to 100).
    #[serde(default)]
    pub trust_penalty: Option<u8>,
    /// Shown to the viewer of the violating stream when the incident opens (Jellyfin and Emby).
    #[serde(default)]
    pub message_client: Option<String>,
    #[serde(default)]
    pub stop_stream: Option<StopAction>,
    /// After a stop, the same account is not stopped again for this many seconds (0 to 86400).
    #[serde(default)]
    pub cooldown_secs: u32,
    /// Record what would be done and do nothing that reaches a viewer (no message, no stop).
    #[serde(default)]
    pub dry_run: bool,
}

fn on() -> bool {
    true
}

impl Default for RuleActions {
    fn default() -> Self {
        Self {
            notify: true,
            trust_penalty: None,
            message_client: None,
            stop_stream: None,
            cooldown_secs: 0,
            dry_run: false,
        }
    }
}

/// What is wrong with a message to a viewer: it must say something, fit [`MAX_MESSAGE_CHARS`], and
/// keep to printable text (line breaks allowed).
#[must_use]
pub fn message_problem(text: &str) -> Option<Problem> {
    if text.trim().is_empty() {
        Some(Problem::Required)
    } else if text.chars().count() > MAX_MESSAGE_CHARS {
        Some(Problem::TooLong { max: MAX_MESSAGE_CHARS as u32 })
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        Some(Problem::Control)
    } else {
        None
    }
}

fn message(out: &mut Vec<RuleError>, field: &'static str, text: Option<&str>) {
    out.extend(text.and_then(message_problem).map(|problem| RuleError { field, problem }));
}

impl RuleActions {
    /// Every invalid field, named as in the rule's JSON (`actions.stop_stream.delay_secs`, …).
    #[must_use]
    pub fn problems(&self) -> Vec<RuleError> {
        let mut out = Vec::new();
        if self.trust_penalty.is_some_and(|p| p > MAX_SCORE) {
            out.push(RuleError {
                field: "actions.trust_penalty",
                problem: Problem::TooLarge { max: u32::from(MAX_SCORE) },
            });
        }
        message(&mut out, "actions.message_client", self.message_client.as_deref());
        if let Some(stop) = &self.stop_stream {
            if stop.delay_secs > MAX_STOP_DELAY_SECS {
                out.push(RuleError {
                    field: "actions.stop_stream.delay_secs",
                    problem: Problem::TooLarge { max: MAX_STOP_DELAY_SECS },
                });
            }
            message(&mut out, "actions.stop_stream.message", stop.message.as_deref());
        }
        if self.cooldown_secs > MAX_COOLDOWN_SECS {
            out.push(RuleError {
                field: "actions.cooldown_secs",
                problem: Problem::TooLarge { max: MAX_COOLDOWN_SECS },
            });
        }
        out
    }

    /// Whether anything reaches a viewer (a message or a stop).
    #[must_use]
    pub fn reaches_viewers(&self) -> bool {
        self.message_client.is_some() || self.stop_stream.is_some()
    }

    /// The actions as a clause for previews, starting with "then"; `None` when they are the defaults.
    #[must_use]
    pub fn describe(&self) -> Option<String> {
        let mut steps = Vec::new();
        if let Some(text) = &self.message_client {
            steps.push(format!("show the viewer “{}”", text.trim()));
        }
        if let Some(stop) = &self.stop_stream {
            let mut s = if stop.delay_secs == 0 {
                "stop the stream at once".to_owned()
            } else {
                format!("stop the stream after {} unless it ended", fmt_secs(stop.delay_secs))
            };
            if let Some(text) = &stop.message {
                s.push_str(&format!(" with the message “{}”", text.trim()));
            }
            if self.cooldown_secs > 0 {
                s.push_str(&format!(", at most once per account every {}", fmt_secs(self.cooldown_secs)));
            }
            steps.push(s);
        }
        if let Some(p) = self.trust_penalty {
            steps.push(format!("cost the account {p} points of trust"));
        }
        if !self.notify {
            steps.push("send no notification".to_owned());
        }
        if steps.is_empty() {
            return None;
        }
        let mut s = format!("then {}", steps.join(", "));
        if self.dry_run && self.reaches_viewers() {
            s.push_str(" (dry run: only recorded, nothing is sent to viewers)");
        }
        Some(s)
    }
}

/// Seconds as people say them: "45 s", "2 min", "1 h", "1 min 30 s".
#[must_use]
pub fn fmt_secs(secs: u32) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s < 3_600 && s % 60 == 0 => format!("{} min", s / 60),
        s if s < 3_600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
    }
}
