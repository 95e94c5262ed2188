//! The pure decisions of enforcement: which stream of a violation is acted on (the judged one, never
//! another), which of a rule's actions still need doing for it (each once per incident and stream),
//! whether a cooldown holds, and the sentences the incident page shows. No I/O, no clock.

use crate::store::actions::{ActionKind, ActionStatus, IncidentAction};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::live::NowPlaying;
use sightline_domain::media::MediaType;
use sightline_domain::rules::{RuleActions, Violation, fmt_secs};

/// The play of the violation's judged session: the stream that raised it. `None` for scheduled
/// rules (no session) or when the judged session has no play id.
#[must_use]
pub fn target_play(violation: &Violation) -> Option<String> {
    let key = violation.session_key.as_deref()?;
    violation
        .evidence
        .sessions
        .iter()
        .find(|s| s.server_id == violation.server_id && s.session_key == key)
        .and_then(|s| s.play_id.clone())
}

/// Whether `play` is one of the violation's sessions.
#[must_use]
pub fn involves(violation: &Violation, play: &str) -> bool {
    violation.evidence.sessions.iter().any(|s| s.server_id == violation.server_id && s.play_id.as_deref() == Some(play))
}

/// An action to start for an incident's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Show this text to the viewer now.
    Message(String),
    /// Stop the stream after `delay_secs`, showing `message`.
    Stop { delay_secs: u32, message: Option<String> },
}

/// The rule's actions that were not yet started (or carried out) for `play` in this incident. An
/// action that was skipped or failed may start again when the incident recurs.
#[must_use]
pub fn plan(actions: &RuleActions, existing: &[IncidentAction], play: &str) -> Vec<Planned> {
    let started = |kind: ActionKind| {
        existing.iter().any(|a| {
            a.action == kind
                && a.play_id.as_deref() == Some(play)
                && matches!(a.status, ActionStatus::Scheduled | ActionStatus::Done)
        })
    };
    let mut out = Vec::new();
    if let Some(text) = &actions.message_client
        && !started(ActionKind::MessageClient)
    {
        out.push(Planned::Message(text.trim().to_owned()));
    }
    if let Some(stop) = &actions.stop_stream
        && !started(ActionKind::StopStream)
    {
        out.push(Planned::Stop {
            delay_secs: stop.delay_secs,
            message: stop.message.as_ref().map(|m| m.trim().to_owned()),
        });
    }
    out
}

/// When the account may be stopped again, if a cooldown of `cooldown_secs` after its last stop still
/// holds at `now`.
#[must_use]
pub fn cooldown_until(
    last_stop: Option<DateTime<Utc>>,
    cooldown_secs: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let until = last_stop? + TimeDelta::seconds(i64::from(cooldown_secs));
    (cooldown_secs > 0 && now < until).then_some(until)
}

/// "skipped: cooldown, …" as the incident page says it.
#[must_use]
pub fn cooldown_detail(last_stop: DateTime<Utc>, cooldown_secs: u32, now: DateTime<Utc>) -> String {
    let ago = u32::try_from((now - last_stop).num_seconds().max(0)).unwrap_or(u32::MAX);
    format!(
        "not stopped: the account was stopped {} ago and the rule waits {} between stops",
        fmt_secs(ago),
        fmt_secs(cooldown_secs)
    )
}

/// "carol playing Example Show S01E02 on Plex".
#[must_use]
pub fn describe_stream(stream: &NowPlaying) -> String {
    let s = &stream.session;
    let user = if s.user.name.is_empty() { s.user.id.as_str() } else { s.user.name.as_str() };
    let title = match (s.media.media_type, &s.media.grandparent_title) {
        (MediaType::Episode, Some(show)) => {
            format!("{show} S{:02}E{:02}", s.media.season_number.unwrap_or(0), s.media.episode_number.unwrap_or(0))
        }
        (MediaType::Track, Some(artist)) => format!("{artist} – {}", s.media.title),
        _ => s.media.title.clone(),
    };
    format!("{user} playing {title} on {}", stream.server.name)
}

/// What a scheduled stop says until it runs.
#[must_use]
pub fn scheduled_detail(delay_secs: u32, dry_run: bool) -> String {
    let when = if delay_secs == 0 { "now".to_owned() } else { format!("in {}", fmt_secs(delay_secs)) };
    let dry = if dry_run { " (dry run)" } else { "" };
    format!("stop the stream {when} unless the condition ends{dry}")
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
