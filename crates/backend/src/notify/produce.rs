//! The event producers: one call from each place something worth telling the owner happens
//! (detection, the ingestion pipeline, trust, the future import). Each looks at the destinations
//! first and does nothing more when none wants the event, builds the notice (`notices.rs`) and queues
//! it. They never fail their caller: problems are logged.

pub mod notices;

use super::outbox::enqueue_to;
use super::{EventKind, Notice, Var};
use crate::AppContext;
use crate::store::notify::DestinationRecord;
use crate::store::{IncidentRecord, StoreError, TrustChangeKind, TrustPlan};
use chrono::{DateTime, Utc};
use notices::IncidentNames;
use sightline_domain::ServerId;
use sightline_domain::live::{NowPlaying, ServerHealth, ServerRef, ServerStatus};
use sightline_domain::media::MediaSession;
use sightline_domain::rules::Violation;
use sightline_domain::rules::trust::band;
use sightline_domain::tracker::PlaySummary;

/// The enabled destinations subscribed to `kind`; `None` when nobody listens (or they cannot be read,
/// which is logged).
async fn listeners(ctx: &AppContext, kind: EventKind) -> Option<Vec<DestinationRecord>> {
    let all = match ctx.store.destinations(&ctx.secrets).await {
        Ok(all) => all,
        Err(e) => {
            failed(kind, &e);
            return None;
        }
    };
    let records: Vec<DestinationRecord> =
        all.readable.into_iter().filter(|r| r.destination.enabled && r.destination.events.contains(&kind)).collect();
    (!records.is_empty()).then_some(records)
}

fn failed(kind: EventKind, e: &StoreError) {
    tracing::error!(error.message = %e, error.cause_chain = ?e, event = kind.as_str(), "cannot queue a notification");
}

/// Queues `notice` for those of `records` that want it; logs what went wrong.
async fn queue(ctx: &AppContext, records: &[DestinationRecord], notice: &Notice) {
    match enqueue_to(ctx, records, notice).await {
        Ok(0) => {}
        Ok(n) => tracing::debug!(n, event = notice.kind.as_str(), "queued notifications"),
        Err(e) => failed(notice.kind, &e),
    }
}

/// The account's name on its server (its id when the server sent none) and the server's name.
async fn names(ctx: &AppContext, server: ServerId, user: &str) -> Result<(String, String), StoreError> {
    let server_name = ctx.store.server(server).await?.map_or_else(|| format!("server {server}"), |s| s.name);
    let user_name = ctx
        .store
        .accounts(server)
        .await?
        .into_iter()
        .find(|a| a.external_id == user)
        .map(|a| a.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user.to_owned());
    Ok((user_name, server_name))
}

/// An incident opened (`opened`) or was seen again. Called by `detect::record` for every violation.
pub async fn incident(
    ctx: &AppContext,
    incident: &IncidentRecord,
    violation: &Violation,
    opened: bool,
    now: DateTime<Utc>,
) {
    let kind = if opened { EventKind::IncidentOpened } else { EventKind::IncidentUpdated };
    let Some(records) = listeners(ctx, kind).await else { return };
    let (user, server) = match names(ctx, violation.server_id, &violation.user_id).await {
        Ok(n) => n,
        Err(e) => return failed(kind, &e),
    };
    let title = violation.session_key.as_deref().and_then(|key| {
        ctx.ingest
            .board
            .streams_of(violation.server_id, &violation.user_id)
            .into_iter()
            .find(|s| s.session.session_key == key)
            .map(|s| notices::media_title(&s.session.media))
    });
    let names = IncidentNames { user, server, title };
    let notice = notices::incident(incident, &names, opened, now);
    queue(ctx, &records, &notice).await;
}

/// A stream started; also tells about a device the account never used before. Called by the
/// ingestion pipeline for each new play.
pub async fn stream_started(ctx: &AppContext, stream: &NowPlaying, now: DateTime<Utc>) {
    if let Some(records) = listeners(ctx, EventKind::StreamStarted).await {
        queue(ctx, &records, &notices::stream_started(stream, now)).await;
    }
    let Some(device) = notices::device_key(&stream.session.player) else { return };
    let Some(records) = listeners(ctx, EventKind::NewDevice).await else { return };
    let known = match ctx.store.account_known(stream.server.id, &stream.session.user.id, stream.started_at).await {
        Ok((devices, _)) => devices,
        Err(e) => return failed(EventKind::NewDevice, &e),
    };
    // An account's first stream ever is not a new device; nor is one it used before.
    if known.is_empty() || known.iter().any(|k| k == device) {
        return;
    }
    queue(ctx, &records, &notices::new_device(stream, device, now)).await;
}

/// A stream ended. Called by the ingestion pipeline for each stopped play.
pub async fn stream_stopped(
    ctx: &AppContext,
    server: &ServerRef,
    session: &MediaSession,
    summary: &PlaySummary,
    now: DateTime<Utc>,
) {
    let Some(records) = listeners(ctx, EventKind::StreamStopped).await else { return };
    let geo = ctx.geo.databases().session_geo(session);
    let notice = notices::stream_stopped(server, session, summary, geo.as_ref(), now);
    queue(ctx, &records, &notice).await;
}

/// A server's status is about to change from `before` to `after`. Called by the pipeline (which is
/// not async there), so the notice is queued on its own task.
pub fn server_health(
    ctx: &AppContext,
    server: &ServerRef,
    before: &ServerHealth,
    after: ServerStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) {
    let Some(notice) = notices::server_health(server, before, after, reason, now) else { return };
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if let Some(records) = listeners(&ctx, notice.kind).await {
            queue(&ctx, &records, &notice).await;
        }
    });
}

/// An account's trust moved (`plan` as written by `TrustStore::update_trust`). Daily recovery only
/// tells when it moves the account to another band (good / caution / bad); incidents and overrides always.
pub async fn trust_changed(ctx: &AppContext, server: ServerId, user: &str, plan: Option<&TrustPlan>) {
    let Some(plan) = plan else { return };
    let (Some(first), Some(last)) = (plan.changes.first(), plan.changes.last()) else { return };
    let recovery_only = plan.changes.iter().all(|c| c.kind == TrustChangeKind::Recovery);
    if recovery_only && band(first.score_before) == band(last.score_after) {
        return;
    }
    let Some(records) = listeners(ctx, EventKind::TrustChanged).await else { return };
    let (user_name, server_name) = match names(ctx, server, user).await {
        Ok(n) => n,
        Err(e) => return failed(EventKind::TrustChanged, &e),
    };
    let account = format!("{server}:{user}");
    if let Some(notice) = notices::trust_changed(&server_name, &user_name, &account, &plan.changes) {
        queue(ctx, &records, &notice).await;
    }
}

/// What an enforcement action on an incident came to, for the `ActionTaken` event.
#[derive(Debug, Clone)]
pub struct ActionReport<'a> {
    pub incident_id: i64,
    pub server: ServerId,
    pub user_id: &'a str,
    /// The rule's id; the notice names the rule by its current name.
    pub rule_id: &'a str,
    /// "stopped", "skipped", "failed", … with the dry-run mark when it was one.
    pub status: &'a str,
    /// The outcome in words ("Stopped carol playing Dune on Plex and showed the message.").
    pub detail: &'a str,
    /// Distinguishes actions of one incident (one notice per action).
    pub action_id: i64,
}

/// An enforcement action finished (done, skipped or failed; a dry run says what it would have done).
pub async fn action_taken(ctx: &AppContext, report: &ActionReport<'_>, now: DateTime<Utc>) {
    let Some(records) = listeners(ctx, EventKind::ActionTaken).await else { return };
    let (user, server) = match names(ctx, report.server, report.user_id).await {
        Ok(n) => n,
        Err(e) => return failed(EventKind::ActionTaken, &e),
    };
    let rule = match ctx.store.rules().await {
        Ok(rules) => {
            rules.into_iter().find(|r| r.id.0 == report.rule_id).map_or_else(|| report.rule_id.to_owned(), |r| r.name)
        }
        Err(e) => return failed(EventKind::ActionTaken, &e),
    };
    let notice = Notice::new(EventKind::ActionTaken, now, format!("action:{}", report.action_id))
        .with(Var::User, user)
        .with(Var::Server, server)
        .with(Var::Rule, rule)
        .with(Var::Summary, format!("{}: {}", report.status, report.detail))
        .with(Var::Reason, report.detail)
        .with(Var::IncidentId, report.incident_id.to_string())
        .with(Var::Url, format!("/alerts/{}", report.incident_id));
    queue(ctx, &records, &notice).await;
}

/// An import of play history finished with the one-line `result`. For the importer (not written
/// yet: nothing calls this so far).
pub async fn import_finished(ctx: &AppContext, result: &str, now: DateTime<Utc>) {
    if let Some(records) = listeners(ctx, EventKind::ImportFinished).await {
        queue(ctx, &records, &notices::import_finished(result, now)).await;
    }
}

#[cfg(test)]
#[path = "produce/tests.rs"]
mod tests;
