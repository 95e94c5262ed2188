//! Server functions of enforcement: stopping a live stream from the dashboard (with an optional
//! message to its viewer; audited as `POST /api/v1/sessions/{server}/{play}/stop` is), and what the
//! rule's actions did for one incident (its page's "Actions" section).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the dashboard says after a stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopView {
    /// `stopped`, `already_ended`, `refused` or `failed`.
    pub outcome: String,
    /// One sentence for the owner.
    pub detail: String,
}

/// One action of a rule for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRow {
    /// "Stop stream" or "Message".
    pub action: String,
    /// `scheduled`, `done`, `skipped` or `failed`.
    pub status: String,
    pub dry_run: bool,
    pub detail: String,
    /// When it was recorded.
    pub created: String,
    /// When its status last changed (or, while scheduled, when it is due).
    pub at: String,
}

/// Stops the live stream `play` of server `server`; `message` (may be empty) is shown to the viewer
/// where the client can show it. A refusal is an answer, not an error.
#[server(endpoint = "stream_stop")]
pub async fn stop_stream(server: i64, play: String, message: String) -> Result<StopView, AppError> {
    use sightline_backend::enforce::{EnforceError, StopStatus};
    let (ctx, principal) = crate::ssr::require_principal()?;
    let answered = crate::api::map::convert::answered;
    crate::ssr::require_mutate(&principal).map_err(answered)?;
    let now = sightline_backend::clock::now();
    let message = Some(message.as_str()).filter(|m| !m.trim().is_empty());
    let server = sightline_domain::ServerId(server);
    let view = |outcome: &str, detail: String| Ok(StopView { outcome: outcome.to_owned(), detail });
    match sightline_backend::enforce::stop_stream(&ctx, server, &play, message, &principal.label(), now).await {
        Ok(o) => match o.status {
            StopStatus::Stopped => view("stopped", o.detail),
            StopStatus::AlreadyEnded => view("already_ended", o.detail),
            StopStatus::Refused => view("refused", o.detail),
        },
        Err(EnforceError::NotLive) => view("already_ended", "This stream is no longer playing.".to_owned()),
        Err(EnforceError::Invalid(p)) => {
            Err(answered(AppError::Invalid { field: "message".to_owned(), message: p.to_string() }))
        }
        Err(e @ EnforceError::Media(_)) => view("failed", format!("Not stopped: {e}.")),
        Err(EnforceError::Store(e)) => Err(crate::ssr::internal(&e)),
    }
}

/// What the rule's actions did for incident `id`, oldest first.
#[server(endpoint = "incident_actions")]
pub async fn incident_actions(id: i64) -> Result<Vec<ActionRow>, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let rows = ctx.store.incident_actions(id).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(rows.into_iter().map(ssr::row).collect())
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::ActionRow;
    use crate::ssr::fmt_time;
    use sightline_backend::store::actions::{ActionKind, ActionStatus, IncidentAction};

    pub(super) fn row(a: IncidentAction) -> ActionRow {
        let at = match (a.status, a.due_at) {
            (ActionStatus::Scheduled, Some(due)) => format!("due {}", fmt_time(due)),
            _ => fmt_time(a.at),
        };
        ActionRow {
            action: match a.action {
                ActionKind::StopStream => "Stop stream",
                ActionKind::MessageClient => "Message",
            }
            .to_owned(),
            status: a.status.as_str().to_owned(),
            dry_run: a.dry_run,
            detail: a.detail,
            created: fmt_time(a.created_at),
            at,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use chrono::{TimeZone, Utc};

        #[test]
        fn a_scheduled_stop_shows_when_it_is_due_and_a_finished_one_when_it_ended() {
            let t = |s| Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, s).single().expect("time");
            let mut a = IncidentAction {
                id: 1,
                incident_id: 7,
                action: ActionKind::StopStream,
                dry_run: true,
                status: ActionStatus::Scheduled,
                detail: "stop the stream in 30 s unless the condition ends (dry run)".into(),
                play_id: Some("00000000000000ab".into()),
                due_at: Some(t(30)),
                created_at: t(0),
                at: t(0),
            };
            let r = row(a.clone());
            assert_eq!((r.action.as_str(), r.status.as_str(), r.dry_run), ("Stop stream", "scheduled", true));
            assert_eq!(r.at, "due 2026-11-26 12:00:30 UTC");
            a.status = ActionStatus::Skipped;
            a.at = t(31);
            assert_eq!(row(a).at, "2026-11-26 12:00:31 UTC");
        }
    }
}
