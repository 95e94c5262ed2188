//! Carrying out a rule's actions for an incident: `on_incident` (called by `detect::record` for every
//! opened or updated incident) records each action the rule asks for and starts it on the
//! `Enforcer`'s tracked tasks. A stop waits its delay, then runs only if the incident is not
//! dismissed, the stream still plays, the rule still stops streams and is not snoozed, the engine
//! still finds the same condition with that stream in it, and no cooldown holds. Every outcome is
//! written to `incident_actions` and the audit log.

use super::outcome::StopStatus;
use super::plan::{self, Planned, cooldown_detail, cooldown_until, describe_stream, scheduled_detail};
use super::stop::{message_live, stop_live};
use crate::AppContext;
use crate::clock;
use crate::media::control::MessageResult;
use crate::store::actions::{ActionKind, ActionStatus, NewIncidentAction};
use crate::store::{IncidentRecord, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::live::NowPlaying;
use sightline_domain::rules::{RuleId, Violation, evaluate};
use sightline_domain::{LiveEvent, ServerId};
use std::time::Duration;

/// Starts the actions of the violation's rule for its judged stream: each once per incident and
/// stream. Never fails the caller; problems are logged.
pub async fn on_incident(
    ctx: &AppContext,
    incident: &IncidentRecord,
    violation: &Violation,
    opened: bool,
    now: DateTime<Utc>,
) {
    if let Err(e) = start(ctx, incident, violation, now).await {
        tracing::error!(error.message = %e, error.cause_chain = ?e, incident = incident.id, opened, "cannot start the rule's actions");
    }
}

/// What a stop or message needs once it runs.
#[derive(Debug, Clone)]
struct Job {
    action_id: i64,
    kind: ActionKind,
    incident_id: i64,
    rule_id: RuleId,
    condition_key: String,
    server: ServerId,
    user_id: String,
    play: String,
    dry_run: bool,
    cooldown_secs: u32,
}

async fn start(
    ctx: &AppContext,
    incident: &IncidentRecord,
    violation: &Violation,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if incident.status == "dismissed" {
        return Ok(());
    }
    let Some(play) = plan::target_play(violation) else { return Ok(()) };
    let rules = ctx.store.rules().await?;
    let Some(actions) = rules.into_iter().find(|r| r.id == violation.rule_id).map(|r| r.actions) else {
        return Ok(());
    };
    if !actions.reaches_viewers() {
        return Ok(());
    }
    let existing = ctx.store.incident_actions(incident.id).await?;
    for planned in plan::plan(&actions, &existing, &play) {
        let job = |kind| Job {
            action_id: 0,
            kind,
            incident_id: incident.id,
            rule_id: violation.rule_id.clone(),
            condition_key: violation.condition_key.clone(),
            server: violation.server_id,
            user_id: violation.user_id.clone(),
            play: play.clone(),
            dry_run: actions.dry_run,
            cooldown_secs: actions.cooldown_secs,
        };
        match planned {
            Planned::Message(text) => {
                let mut job = job(ActionKind::MessageClient);
                let detail = format!("show the viewer “{text}”");
                job.action_id = record(ctx, &job, ActionStatus::Scheduled, detail, None, now).await?;
                let (id, incident) = (job.action_id, job.incident_id);
                if !ctx.enforce.spawn(run_message(ctx.clone(), job, text)) {
                    not_started(ctx, id, incident).await?;
                }
            }
            Planned::Stop { delay_secs, message } => {
                start_stop(ctx, job(ActionKind::StopStream), delay_secs, message, now).await?;
            }
        }
    }
    Ok(())
}

async fn start_stop(
    ctx: &AppContext,
    mut job: Job,
    delay_secs: u32,
    message: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let last = ctx.store.last_stop_of_account(job.server, &job.user_id).await?;
    if let (Some(last), Some(_)) = (last, cooldown_until(last, job.cooldown_secs, now)) {
        let detail = cooldown_detail(last, job.cooldown_secs, now);
        record(ctx, &job, ActionStatus::Skipped, detail.clone(), None, now).await?;
        audit(ctx, &job, &format!("skipped: {detail}"), now).await;
        return Ok(());
    }
    let due = now + TimeDelta::seconds(i64::from(delay_secs));
    let detail = scheduled_detail(delay_secs, job.dry_run);
    job.action_id = record(ctx, &job, ActionStatus::Scheduled, detail, Some(due), now).await?;
    let (id, incident) = (job.action_id, job.incident_id);
    let delay = Duration::from_secs(u64::from(delay_secs));
    if !ctx.enforce.spawn(run_stop(ctx.clone(), job, delay, message)) {
        not_started(ctx, id, incident).await?;
    }
    Ok(())
}

/// A recorded action whose task could not start because Sightline is stopping.
async fn not_started(ctx: &AppContext, id: i64, incident: i64) -> Result<(), StoreError> {
    ctx.store
        .finish_incident_action(id, ActionStatus::Skipped, "not done: Sightline was stopping", clock::now())
        .await?;
    changed(ctx, incident);
    Ok(())
}

async fn run_stop(ctx: AppContext, job: Job, delay: Duration, message: Option<String>) {
    tokio::select! {
        () = tokio::time::sleep(delay) => {}
        () = ctx.enforce.cancelled() => {
            finish(&ctx, &job, ActionStatus::Skipped, "not stopped: Sightline stopped before the delay ended").await;
            return;
        }
    }
    let _one_at_a_time = ctx.enforce.gate().await;
    let now = clock::now();
    let (status, detail) = match verify(&ctx, &job, now).await {
        Ok(Verdict::Skip(reason)) => (ActionStatus::Skipped, reason),
        Ok(Verdict::Go(stream)) if job.dry_run => {
            (ActionStatus::Done, format!("dry run: would have stopped {}", describe_stream(&stream)))
        }
        Ok(Verdict::Go(stream)) => match stop_live(&ctx, &stream, message.as_deref()).await {
            Ok(outcome) => match outcome.status {
                StopStatus::Stopped => (ActionStatus::Done, outcome.detail),
                StopStatus::AlreadyEnded => (ActionStatus::Skipped, outcome.detail),
                StopStatus::Refused => (ActionStatus::Failed, outcome.detail),
            },
            Err(e) => (ActionStatus::Failed, format!("could not stop {}: {e}", describe_stream(&stream))),
        },
        Err(e) => (ActionStatus::Failed, format!("could not check the condition again: {e}")),
    };
    finish(&ctx, &job, status, &detail).await;
}

async fn run_message(ctx: AppContext, job: Job, text: String) {
    let _one_at_a_time = ctx.enforce.gate().await;
    let ended = || (ActionStatus::Skipped, "not shown: the stream had ended".to_owned());
    let (status, detail) = match ctx.ingest.board.stream(job.server, &job.play) {
        None => ended(),
        Some(stream) if job.dry_run => {
            (ActionStatus::Done, format!("dry run: would have shown “{text}” to {}", describe_stream(&stream)))
        }
        Some(stream) => match message_live(&ctx, &stream, &text).await {
            Ok(MessageResult::Shown) => {
                (ActionStatus::Done, format!("showed “{text}” to {}", describe_stream(&stream)))
            }
            Ok(MessageResult::AlreadyEnded) => ended(),
            Ok(MessageResult::Refused(r)) => (ActionStatus::Failed, format!("not shown: {r}")),
            Err(e) => (ActionStatus::Failed, format!("not shown: {e}")),
        },
    };
    finish(&ctx, &job, status, &detail).await;
}

/// Whether a delayed stop still goes ahead, and on which stream.
enum Verdict {
    Go(Box<NowPlaying>),
    Skip(String),
}

async fn verify(ctx: &AppContext, job: &Job, now: DateTime<Utc>) -> Result<Verdict, StoreError> {
    let skip = |why: &str| Ok(Verdict::Skip(format!("not stopped: {why}")));
    match ctx.store.incident_listing(job.incident_id).await? {
        None => return skip("the incident was deleted"),
        Some(l) if l.record.status == "dismissed" => return skip("the incident was dismissed"),
        Some(_) => {}
    }
    let rules = ctx.store.rules().await?;
    let Some(rule) = rules.into_iter().find(|r| r.id == job.rule_id && r.enabled && r.actions.stop_stream.is_some())
    else {
        return skip("the rule no longer stops streams");
    };
    let Some(stream) = ctx.ingest.board.stream(job.server, &job.play) else {
        return skip("the stream ended before the delay was over");
    };
    if ctx.store.snoozed_rules(job.server, &job.user_id, now).await?.contains(&rule.id) {
        return skip("the rule is snoozed for this account");
    }
    let context = crate::detect::context_for(ctx, &stream, now).await?;
    let holds = evaluate(std::slice::from_ref(&rule), &context, now)
        .iter()
        .any(|v| v.condition_key == job.condition_key && plan::involves(v, &job.play));
    if !holds {
        return skip("the condition no longer holds");
    }
    let last = ctx.store.last_stop_of_account(job.server, &job.user_id).await?;
    if let (Some(last), Some(_)) = (last, cooldown_until(last, job.cooldown_secs, now)) {
        return Ok(Verdict::Skip(cooldown_detail(last, job.cooldown_secs, now)));
    }
    Ok(Verdict::Go(Box::new(stream)))
}

async fn record(
    ctx: &AppContext,
    job: &Job,
    status: ActionStatus,
    detail: String,
    due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let row = NewIncidentAction {
        incident_id: job.incident_id,
        action: job.kind,
        dry_run: job.dry_run,
        status,
        detail,
        play_id: Some(job.play.clone()),
        due_at,
        at: now,
    };
    let id = ctx.store.add_incident_action(&row).await?;
    changed(ctx, job.incident_id);
    Ok(id)
}

/// Writes an action's outcome and audits it.
async fn finish(ctx: &AppContext, job: &Job, status: ActionStatus, detail: &str) {
    let now = clock::now();
    match ctx.store.finish_incident_action(job.action_id, status, detail, now).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(action = job.action_id, "an action was no longer scheduled when it finished"),
        Err(e) => tracing::error!(error = %e, action = job.action_id, "cannot record an action's outcome"),
    }
    tracing::info!(incident = job.incident_id, rule = %job.rule_id, status = status.as_str(), "{detail}");
    audit(ctx, job, &format!("{}: {detail}", status.as_str()), now).await;
    changed(ctx, job.incident_id);
    let status_text = if job.dry_run { format!("{} (dry run)", status.as_str()) } else { status.as_str().to_owned() };
    let report = crate::notify::produce::ActionReport {
        incident_id: job.incident_id,
        server: job.server,
        user_id: &job.user_id,
        rule_id: &job.rule_id.0,
        status: &status_text,
        detail,
        action_id: job.action_id,
    };
    crate::notify::produce::action_taken(ctx, &report, now).await;
}

/// The audit entry `stream_stop` or `stream_message`, by the rule (`rule:<id>`).
async fn audit(ctx: &AppContext, job: &Job, detail: &str, now: DateTime<Utc>) {
    let action = match job.kind {
        ActionKind::StopStream => "stream_stop",
        ActionKind::MessageClient => "stream_message",
    };
    let dry = if job.dry_run { " (dry run)" } else { "" };
    let detail = format!("incident {} server {} play {}{dry}: {detail}", job.incident_id, job.server, job.play);
    ctx.auth.audit(&format!("rule:{}", job.rule_id), action, &detail, None, now).await;
}

fn changed(ctx: &AppContext, incident: i64) {
    ctx.hub.publish(LiveEvent::IncidentAction { incident });
}
