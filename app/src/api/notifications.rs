//! Server functions of the Settings → Notifications page: what the form offers (kinds and their
//! fields, events, template variables), destinations (list with the last outcome and redacted config,
//! save, switch, remove, send a test), template previews, and the outbox (counts, dead letters, retry,
//! delete). Thin: the rules live in `sightline_backend::notify::admin`, as for `/api/v1/notifications`.
//! Secrets arrive inside the draft's JSON, become `SecretString`s at once and are never returned.

#[cfg(feature = "ssr")]
#[path = "notifications/convert.rs"]
mod convert;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A value and its label, for selects and checkboxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One config field of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub name: String,
    pub label: String,
    /// `url`, `text`, `number`, `choice` or `email_list`.
    pub input: String,
    /// For `choice`.
    pub options: Vec<Choice>,
    pub secret: bool,
    pub required: bool,
    pub placeholder: String,
    pub help: String,
}

/// One kind of destination and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindView {
    pub kind: String,
    pub label: String,
    /// Browser push is added from the browser itself, not from this form.
    pub creatable: bool,
    pub fields: Vec<FieldView>,
}

/// Everything the destination form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub kinds: Vec<KindView>,
    /// The events a destination can subscribe to.
    pub events: Vec<Choice>,
    pub severities: Vec<Choice>,
    /// Template variables: value = the name (`user`), label = what it holds.
    pub variables: Vec<Choice>,
    pub default_rate: u32,
    pub max_rate: u32,
}

impl Catalogue {
    #[must_use]
    pub fn kind(&self, kind: &str) -> Option<&KindView> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// An event's label (its name when unknown).
    #[must_use]
    pub fn event_label<'a>(&'a self, event: &'a str) -> &'a str {
        self.events.iter().find(|e| e.value == event).map_or(event, |e| e.label.as_str())
    }
}

/// How the latest attempt to a destination went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastView {
    pub at: String,
    pub ok: bool,
    pub text: String,
}

/// A destination as the page shows it: settings, config with secrets redacted, the last outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationView {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub enabled: bool,
    pub events: Vec<String>,
    pub min_severity: String,
    pub allow_private: bool,
    pub rate_per_minute: u32,
    pub title_template: Option<String>,
    pub body_template: Option<String>,
    /// (field, shown value): secrets as `****` (URLs keep their host).
    pub config: Vec<(String, String)>,
    pub last: Option<LastView>,
    /// Set when the stored settings cannot be read; such a destination can only be deleted.
    pub problem: Option<String>,
}

/// What "Send test" got back from the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    pub ok: bool,
    pub outcome: String,
}

/// A draft's templates applied to a sample event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewView {
    pub title: String,
    pub body: String,
}

/// One notification in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRowView {
    pub id: i64,
    pub destination: String,
    pub event: String,
    pub summary: String,
    pub state: String,
    pub attempts: u32,
    pub next_attempt: String,
    pub last_error: Option<String>,
    pub updated: String,
}

/// The outbox's counts and the rows of one state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub queued: u64,
    pub sending: u64,
    pub delivered: u64,
    pub dead: u64,
    pub rows: Vec<OutboxRowView>,
}

/// A destination draft's JSON on its way to the server. It holds secrets, so it prints as `***` and the
/// server function's arguments never leak them into logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DraftJson(String);

impl DraftJson {
    #[must_use]
    pub fn new(json: String) -> Self {
        Self(json)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DraftJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DraftJson(***)")
    }
}

/// The form's kinds, fields, events and variables.
#[server(endpoint = "notifications_catalogue")]
pub async fn notifications_catalogue() -> Result<Catalogue, AppError> {
    let (_ctx, _principal) = crate::ssr::require_principal()?;
    Ok(convert::catalogue())
}

/// Every destination, by id.
#[server(endpoint = "notifications_list")]
pub async fn notifications_list() -> Result<Vec<DestinationView>, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let all = sightline_backend::notify::admin::list(&ctx).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(convert::views(&all))
}

/// Adds (`id` empty) or replaces a destination described by the draft's JSON (the REST body's shape).
#[server(endpoint = "notifications_save")]
pub async fn notifications_save(id: Option<i64>, draft: DraftJson) -> Result<DestinationView, AppError> {
    use sightline_backend::notify::admin;
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let input = convert::parse_draft(draft.as_str())?;
    let now = sightline_backend::clock::now();
    let saved = match id {
        None => admin::create(&ctx, &input, &principal.label(), now).await,
        Some(id) => admin::update(&ctx, id, &input, &principal.label(), now).await,
    };
    saved.map(|r| convert::view(&r)).map_err(convert::failed)
}

/// Turns a destination on or off (off drops what waits for it).
#[server(endpoint = "notifications_set_enabled")]
pub async fn notifications_set_enabled(id: i64, enabled: bool) -> Result<DestinationView, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::notify::admin::set_enabled(&ctx, id, enabled, &principal.label(), now)
        .await
        .map(|r| convert::view(&r))
        .map_err(convert::failed)
}

/// Removes a destination and what waits for it.
#[server(endpoint = "notifications_delete")]
pub async fn notifications_delete(id: i64) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::notify::admin::delete(&ctx, id, &principal.label(), now).await.map_err(convert::failed)
}

/// Sends a test message now and reports the receiver's answer.
#[server(endpoint = "notifications_test")]
pub async fn notifications_test(id: i64) -> Result<TestResult, AppError> {
    use sightline_backend::notify::DeliveryOutcome;
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let outcome = sightline_backend::notify::admin::send_test(&ctx, id, sightline_backend::clock::now())
        .await
        .map_err(convert::failed)?;
    Ok(TestResult { ok: matches!(outcome, DeliveryOutcome::Delivered { .. }), outcome: outcome.describe() })
}

/// What `kind` would show for a sample `event` with these templates (empty: the defaults).
#[server(endpoint = "notifications_preview")]
pub async fn notifications_preview(
    kind: String,
    event: String,
    title_template: String,
    body_template: String,
) -> Result<PreviewView, AppError> {
    let (_ctx, _principal) = crate::ssr::require_principal()?;
    convert::preview(&kind, &event, &title_template, &body_template)
}

/// The outbox's counts and its rows in `state` (`dead`, `queued`, `delivered`; empty: all).
#[server(endpoint = "notifications_outbox")]
pub async fn notifications_outbox(state: String) -> Result<OutboxView, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    convert::outbox(&ctx, &state).await
}

/// Queues a dead notification again.
#[server(endpoint = "notifications_retry")]
pub async fn notifications_retry(id: i64) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::notify::admin::retry(&ctx, id, &principal.label(), now).await.map_err(convert::failed)
}

/// Deletes a notification from the outbox.
#[server(endpoint = "notifications_discard")]
pub async fn notifications_discard(id: i64) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::notify::admin::discard(&ctx, id, &principal.label(), now).await.map_err(convert::failed)
}
