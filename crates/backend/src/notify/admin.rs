//! Managing notification destinations and the outbox, shared by `/api/v1/notifications` and the
//! Settings → Notifications page: validation field by field, storage with the config encrypted
//! (secrets left blank on edit are kept), audit entries, the test button (a real delivery through
//! the same `Deliver` the worker uses), template previews, and dead letters (retry, delete).

pub mod fields;

use super::defaults;
use super::render::render_preview;
use super::template::validate_template;
use super::{DeliveryOutcome, Destination, DestinationKind, EventKind, Notice, Var};
use crate::AppContext;
use crate::secret::SecretString;
use crate::store::StoreError;
use crate::store::notify::{DestinationRecord, Destinations, LastOutcome, OutboxCounts, OutboxRow, OutboxState};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sightline_domain::rules::Severity;
use std::collections::BTreeMap;
use std::time::Duration;
use thiserror::Error;

/// The rate a destination gets when none is given, and the bounds.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 30;
pub const MAX_RATE_PER_MINUTE: u32 = 600;
/// How long the test button waits for the receiver.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Most outbox rows one listing returns.
pub const MAX_LISTED: u32 = 200;

const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

/// One refused field and why (`field` names the form input / JSON key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum AdminError {
    /// At least one submitted value was refused; the first is the message.
    #[error("{}", .0.first().map_or_else(String::new, |e| format!("{}: {}", e.field, e.message)))]
    Invalid(Vec<FieldError>),
    #[error("no such destination")]
    NotFound,
    #[error("no such notification in the outbox, or it is being sent")]
    NoSuchRow,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &str, message: impl Into<String>) -> AdminError {
    AdminError::Invalid(vec![FieldError { field: field.to_owned(), message: message.into() }])
}

/// What a person submits to add or change a destination (the REST body and the page's form).
/// Config values are wrapped at once, so a `Debug` of the input never shows a secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationInput {
    pub kind: String,
    pub name: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub min_severity: Option<String>,
    #[serde(default)]
    pub allow_private: bool,
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
    #[serde(default)]
    pub title_template: Option<String>,
    #[serde(default)]
    pub body_template: Option<String>,
    /// The kind's fields (see [`fields::fields`]); on edit, a blank secret keeps the stored one.
    #[serde(default)]
    pub config: BTreeMap<String, SecretString>,
    /// Optional secrets to remove on edit (an ntfy token, an SMTP password).
    #[serde(default)]
    pub clear: Vec<String>,
}

fn enabled_by_default() -> bool {
    true
}

/// The name of a severity as the API writes it.
#[must_use]
pub fn parse_severity(s: &str) -> Option<Severity> {
    SEVERITIES.into_iter().find(|v| v.as_str() == s.trim())
}

fn template(field: &str, raw: Option<&str>, problems: &mut Vec<FieldError>) -> Option<String> {
    let t = raw.filter(|t| !t.trim().is_empty())?;
    if let Err(message) = validate_template(t) {
        problems.push(FieldError { field: field.to_owned(), message });
    }
    Some(t.to_owned())
}

/// The destination `input` describes (validated), given the stored one when editing.
fn destination_from(input: &DestinationInput, existing: Option<&Destination>) -> Result<Destination, AdminError> {
    let kind = DestinationKind::parse(input.kind.trim()).ok_or_else(|| {
        let kinds: Vec<&str> = DestinationKind::ALL.iter().map(|k| k.as_str()).collect();
        invalid("kind", format!("must be one of {}", kinds.join(", ")))
    })?;
    match existing {
        Some(e) if e.config.kind() != kind => {
            return Err(invalid("kind", "cannot be changed; add a new destination instead"));
        }
        None if kind == DestinationKind::WebPush => {
            return Err(invalid("kind", "browser push is turned on from the browser that should receive it"));
        }
        _ => {}
    }
    let mut problems = Vec::new();
    let name = sightline_domain::validate::name(&input.name).unwrap_or_else(|_| {
        problems.push(FieldError { field: "name".into(), message: "must be 1 to 64 characters".into() });
        String::new()
    });
    let mut events = Vec::new();
    for raw in &input.events {
        match EventKind::parse(raw.trim()) {
            Some(EventKind::Test) | None => problems.push(FieldError {
                field: "events".into(),
                message: format!("{raw:?} is not an event a destination can subscribe to"),
            }),
            Some(e) if !events.contains(&e) => events.push(e),
            Some(_) => {}
        }
    }
    if events.is_empty() && problems.iter().all(|p| p.field != "events") {
        problems.push(FieldError { field: "events".into(), message: "choose at least one event".into() });
    }
    events.sort();
    let min_severity = match input.min_severity.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Severity::Low,
        Some(s) => parse_severity(s).unwrap_or_else(|| {
            problems.push(FieldError {
                field: "min_severity".into(),
                message: "must be low, medium, high or critical".into(),
            });
            Severity::Low
        }),
    };
    let rate_per_minute = input.rate_per_minute.unwrap_or(DEFAULT_RATE_PER_MINUTE);
    if !(1..=MAX_RATE_PER_MINUTE).contains(&rate_per_minute) {
        problems.push(FieldError {
            field: "rate_per_minute".into(),
            message: format!("must be 1 to {MAX_RATE_PER_MINUTE} per minute"),
        });
    }
    let title_template = template("title_template", input.title_template.as_deref(), &mut problems);
    let body_template = template("body_template", input.body_template.as_deref(), &mut problems);
    let config = match fields::parse(kind, &input.config, &input.clear, existing.map(|e| &e.config)) {
        Ok(c) => Some(c),
        Err(list) => {
            problems.extend(list.into_iter().map(|(field, message)| FieldError { field, message }));
            None
        }
    };
    let destination = config.map(|config| Destination {
        id: existing.map_or(0, |e| e.id),
        name,
        enabled: input.enabled,
        events,
        min_severity,
        allow_private: input.allow_private,
        rate_per_minute,
        title_template,
        body_template,
        config,
    });
    // The senders' own checks (URL shapes, literal addresses, tokens per kind), for fields not refused yet.
    if let Some(d) = &destination
        && let Err(list) = super::validate(d)
    {
        for (field, message) in list {
            if problems.iter().all(|p| p.field != field) {
                problems.push(FieldError { field: field.to_owned(), message });
            }
        }
    }
    match destination {
        Some(d) if problems.is_empty() => Ok(d),
        _ => Err(AdminError::Invalid(problems)),
    }
}

/// Resolves the destination's target and refuses private addresses unless allowed.
async fn check_target(d: &Destination) -> Result<(), AdminError> {
    super::check_destination(d).await.map_err(|e| invalid(e.field(), e.to_string()))
}

fn audit_detail(d: &Destination) -> String {
    let events: Vec<&str> = d.events.iter().map(|e| e.as_str()).collect();
    format!("{} {} ({}; {})", d.config.kind().as_str(), d.name, if d.enabled { "on" } else { "off" }, events.join(","))
}

/// Every destination.
pub async fn list(ctx: &AppContext) -> Result<Destinations, StoreError> {
    ctx.store.destinations(&ctx.secrets).await
}

/// Validates and stores a new destination (its target is resolved and checked first).
pub async fn create(
    ctx: &AppContext,
    input: &DestinationInput,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DestinationRecord, AdminError> {
    let destination = destination_from(input, None)?;
    check_target(&destination).await?;
    let record = ctx.store.create_destination(&destination, &ctx.secrets, now).await?;
    ctx.auth.audit(actor, "notification_destination_added", &audit_detail(&record.destination), None, now).await;
    Ok(record)
}

async fn existing(ctx: &AppContext, id: i64) -> Result<DestinationRecord, AdminError> {
    match ctx.store.destination(id, &ctx.secrets).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(AdminError::NotFound),
        Err(StoreError::Corrupt(_)) => Err(invalid(
            "config",
            "the stored settings of this destination cannot be read (was the secret key changed?); delete it and \
             add it again",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Validates and applies a full edit. Blank secrets keep the stored ones; the kind cannot change.
pub async fn update(
    ctx: &AppContext,
    id: i64,
    input: &DestinationInput,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DestinationRecord, AdminError> {
    let current = existing(ctx, id).await?;
    let destination = destination_from(input, Some(&current.destination))?;
    check_target(&destination).await?;
    let record = ctx.store.update_destination(&destination, &ctx.secrets, now).await?.ok_or(AdminError::NotFound)?;
    ctx.auth.audit(actor, "notification_destination_changed", &audit_detail(&record.destination), None, now).await;
    Ok(record)
}

/// Turns a destination on or off (off drops what waits for it).
pub async fn set_enabled(
    ctx: &AppContext,
    id: i64,
    enabled: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<DestinationRecord, AdminError> {
    let current = existing(ctx, id).await?;
    let destination = Destination { enabled, ..current.destination };
    let record = ctx.store.update_destination(&destination, &ctx.secrets, now).await?.ok_or(AdminError::NotFound)?;
    ctx.auth.audit(actor, "notification_destination_changed", &audit_detail(&record.destination), None, now).await;
    if enabled {
        ctx.notify.ring();
    }
    Ok(record)
}

/// Removes a destination and everything queued for it.
pub async fn delete(ctx: &AppContext, id: i64, actor: &str, now: DateTime<Utc>) -> Result<(), AdminError> {
    let all = ctx.store.destinations(&ctx.secrets).await?;
    let name = all
        .readable
        .iter()
        .find(|r| r.destination.id == id)
        .map(|r| format!("{} {}", r.destination.config.kind().as_str(), r.destination.name))
        .or_else(|| all.unreadable.iter().find(|u| u.id == id).map(|u| format!("{} {}", u.kind, u.name)))
        .ok_or(AdminError::NotFound)?;
    if !ctx.store.delete_destination(id).await? {
        return Err(AdminError::NotFound);
    }
    ctx.auth.audit(actor, "notification_destination_removed", &name, None, now).await;
    Ok(())
}

/// The notice the test button sends.
#[must_use]
pub fn test_notice(destination: &Destination, now: DateTime<Utc>) -> Notice {
    Notice::new(EventKind::Test, now, format!("test:{}:{}", destination.id, now.timestamp_millis()))
        .with(Var::Summary, format!("Test message for {}", destination.name))
        .with(Var::Url, "/settings/notifications")
}

/// Sends a test message now through the same path the worker uses, records the outcome on the
/// destination, and returns it. Works for disabled destinations too.
pub async fn send_test(ctx: &AppContext, id: i64, now: DateTime<Utc>) -> Result<DeliveryOutcome, AdminError> {
    let record = existing(ctx, id).await?;
    let notice = test_notice(&record.destination, now);
    let deliver = ctx.notify.deliver().deliver(&record.destination, &notice);
    let outcome = tokio::time::timeout(TEST_TIMEOUT, deliver).await.unwrap_or_else(|_| DeliveryOutcome::Retry {
        after: None,
        reason: format!("no answer within {} s", TEST_TIMEOUT.as_secs()),
    });
    let last = LastOutcome {
        at: crate::clock::now(),
        ok: matches!(outcome, DeliveryOutcome::Delivered { .. }),
        text: format!("test: {}", outcome.describe()),
    };
    ctx.store.set_destination_outcome(id, &last).await?;
    Ok(outcome)
}

/// What a draft's templates make of a sample `event` on `kind`: (title, body) as a person would read
/// them. Invalid templates preview their unknown names literally.
#[must_use]
pub fn preview(
    kind: DestinationKind,
    event: EventKind,
    title_template: Option<&str>,
    body_template: Option<&str>,
    now: DateTime<Utc>,
) -> (String, String) {
    let notice = defaults::sample(event, now);
    render_preview(kind, title_template, body_template, &notice)
}

/// The outbox: rows in `state` (all when `None`), most recently changed first, and the counts.
pub async fn outbox(
    ctx: &AppContext,
    state: Option<OutboxState>,
    limit: u32,
) -> Result<(Vec<OutboxRow>, OutboxCounts), StoreError> {
    let rows = ctx.store.outbox_rows(state, limit.clamp(1, MAX_LISTED)).await?;
    Ok((rows, ctx.store.outbox_counts().await?))
}

/// Queues a dead (or waiting) notification again from scratch and wakes the worker.
pub async fn retry(ctx: &AppContext, id: i64, actor: &str, now: DateTime<Utc>) -> Result<(), AdminError> {
    if !ctx.store.retry_outbox(id, now).await? {
        return Err(AdminError::NoSuchRow);
    }
    ctx.auth.audit(actor, "notification_retried", &format!("outbox row {id}"), None, now).await;
    ctx.notify.ring();
    Ok(())
}

/// Deletes a notification that is not being sent.
pub async fn discard(ctx: &AppContext, id: i64, actor: &str, now: DateTime<Utc>) -> Result<(), AdminError> {
    if !ctx.store.delete_outbox(id).await? {
        return Err(AdminError::NoSuchRow);
    }
    ctx.auth.audit(actor, "notification_deleted", &format!("outbox row {id}"), None, now).await;
    Ok(())
}

#[cfg(test)]
#[path = "admin/tests.rs"]
mod tests;
