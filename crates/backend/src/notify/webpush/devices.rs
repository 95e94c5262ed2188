//! Browsers that opted in to push: subscribing (one `WebPush` destination per endpoint, incidents
//! of medium severity and above by default), listing, unsubscribing, and `DisableExpired`, which
//! switches a destination off when its push service says the subscription is gone. Audited with
//! the same actions as the Settings → Notifications page.

use super::endpoint::check_endpoint;
use super::keys;
use super::sender::ExpiredSubscriptions;
use super::vapid::{VapidError, VapidKeys};
use crate::AppContext;
use crate::auth::AuthService;
use crate::crypto::SecretBox;
use crate::notify::admin::{self, AdminError, DEFAULT_RATE_PER_MINUTE};
use crate::notify::{Destination, DestinationConfig, EventKind};
use crate::secret::SecretString;
use crate::store::notify::{DestinationRecord, LastOutcome};
use crate::store::{Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::rules::Severity;
use std::sync::Arc;
use thiserror::Error;

/// What a new device receives until the owner changes it on Settings → Notifications.
pub const DEFAULT_EVENTS: [EventKind; 1] = [EventKind::IncidentOpened];
pub const DEFAULT_MIN_SEVERITY: Severity = Severity::Medium;
/// More browsers than this is a mistake or abuse, not a household.
pub const MAX_DEVICES: usize = 50;
/// The longest device label, in characters.
pub const LABEL_MAX: usize = 64;

#[derive(Debug, Error)]
pub enum DeviceError {
    /// `field` is `label`, `endpoint` or `keys`.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("no such browser")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vapid(#[from] VapidError),
}

impl From<AdminError> for DeviceError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound | AdminError::NoSuchRow => Self::NotFound,
            AdminError::Store(e) => Self::Store(e),
            AdminError::Invalid(list) => Self::Invalid {
                field: "label",
                message: list.into_iter().next().map_or_else(String::new, |f| f.message),
            },
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> DeviceError {
    DeviceError::Invalid { field, message: message.into() }
}

/// A `PushSubscription` as the browser reports it (`endpoint`, `keys.p256dh`, `keys.auth`).
#[derive(Clone)]
pub struct Subscription {
    pub endpoint: SecretString,
    pub p256dh: String,
    pub auth: SecretString,
}

/// One browser that opted in, as the Account page lists it (no endpoint, no keys).
#[derive(Debug, Clone, PartialEq)]
pub struct PushDevice {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// The push service's host (`fcm.googleapis.com`), to tell devices apart.
    pub service: String,
    /// The events it receives and the lowest severity.
    pub events: Vec<EventKind>,
    pub min_severity: Severity,
    /// Whether it is the browser that asked (same endpoint).
    pub this_browser: bool,
    pub created_at: DateTime<Utc>,
    pub last: Option<LastOutcome>,
}

/// The application-server public key browsers subscribe with (base64url), creating the key pair
/// on first use. Reads a small file on the blocking pool.
pub async fn public_key(ctx: &AppContext) -> Result<String, DeviceError> {
    let dir = ctx.config.data_dir.clone();
    let keys = tokio::task::spawn_blocking(move || VapidKeys::load_or_create(&dir))
        .await
        .map_err(|e| VapidError::Io { path: "keys/vapid.key".to_owned(), reason: e.to_string() })??;
    Ok(keys.public_key().to_owned())
}

/// A label as typed (or the browser's own summary): control characters out, trimmed, 1–64 characters.
pub fn clean_label(raw: &str) -> Result<String, DeviceError> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let label = cleaned.trim();
    if label.is_empty() || label.chars().count() > LABEL_MAX {
        return Err(invalid("label", format!("name this browser in 1 to {LABEL_MAX} characters")));
    }
    Ok(label.to_owned())
}

fn endpoint_of(d: &Destination) -> Option<&str> {
    match &d.config {
        DestinationConfig::WebPush { endpoint, .. } => Some(endpoint.expose()),
        _ => None,
    }
}

/// Stores this browser's subscription. The same endpoint again (a re-subscribe, new keys, a new
/// label) updates its destination and switches it back on, keeping the owner's event choices.
pub async fn subscribe(
    ctx: &AppContext,
    sub: &Subscription,
    label: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PushDevice, DeviceError> {
    let name = clean_label(label)?;
    let url = check_endpoint(sub.endpoint.expose(), false, true).map_err(|e| invalid("endpoint", e.to_string()))?;
    if keys::decode(&sub.p256dh, sub.auth.expose()).is_none() {
        return Err(invalid("keys", "the browser's subscription keys are malformed"));
    }
    let config = DestinationConfig::WebPush {
        endpoint: SecretString::new(url.as_str()),
        p256dh: sub.p256dh.trim().to_owned(),
        auth: SecretString::new(sub.auth.expose().trim()),
    };
    let all = ctx.store.destinations(&ctx.secrets).await?;
    let pushes: Vec<&DestinationRecord> =
        all.readable.iter().filter(|r| endpoint_of(&r.destination).is_some()).collect();
    let same = pushes.iter().find(|r| endpoint_of(&r.destination) == Some(url.as_str()));
    let record = if let Some(current) = same {
        let destination = Destination { name, enabled: true, config, ..current.destination.clone() };
        let record =
            ctx.store.update_destination(&destination, &ctx.secrets, now).await?.ok_or(DeviceError::NotFound)?;
        ctx.auth.audit(actor, "notification_destination_changed", &detail(&record.destination), None, now).await;
        record
    } else {
        if pushes.len() >= MAX_DEVICES {
            return Err(invalid(
                "endpoint",
                format!("at most {MAX_DEVICES} browsers can receive push; remove one first"),
            ));
        }
        let destination = Destination {
            id: 0,
            name,
            enabled: true,
            events: DEFAULT_EVENTS.to_vec(),
            min_severity: DEFAULT_MIN_SEVERITY,
            allow_private: false,
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
            title_template: None,
            body_template: None,
            config,
        };
        let record = ctx.store.create_destination(&destination, &ctx.secrets, now).await?;
        ctx.auth.audit(actor, "notification_destination_added", &detail(&record.destination), None, now).await;
        record
    };
    Ok(device(&record, Some(url.as_str())))
}

fn detail(d: &Destination) -> String {
    format!("{} {} ({})", d.config.kind().as_str(), d.name, if d.enabled { "on" } else { "off" })
}

fn device(r: &DestinationRecord, current: Option<&str>) -> PushDevice {
    let endpoint = endpoint_of(&r.destination).unwrap_or_default();
    let service = url::Url::parse(endpoint).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    PushDevice {
        id: r.destination.id,
        name: r.destination.name.clone(),
        enabled: r.destination.enabled,
        service,
        events: r.destination.events.clone(),
        min_severity: r.destination.min_severity,
        this_browser: current.is_some_and(|c| c.trim() == endpoint),
        created_at: r.created_at,
        last: r.last.clone(),
    }
}

/// Every browser that opted in, oldest first; `current` (this browser's endpoint) marks its own.
pub async fn devices(ctx: &AppContext, current: Option<&str>) -> Result<Vec<PushDevice>, DeviceError> {
    let all = ctx.store.destinations(&ctx.secrets).await?;
    let current = current.and_then(|c| url::Url::parse(c.trim()).ok()).map(String::from);
    Ok(all
        .readable
        .iter()
        .filter(|r| endpoint_of(&r.destination).is_some())
        .map(|r| device(r, current.as_deref()))
        .collect())
}

/// Removes one browser's destination (and what waits for it). Only browser-push destinations:
/// other kinds are managed on Settings → Notifications.
pub async fn unsubscribe(ctx: &AppContext, id: i64, actor: &str, now: DateTime<Utc>) -> Result<(), DeviceError> {
    let record = ctx.store.destination(id, &ctx.secrets).await?.ok_or(DeviceError::NotFound)?;
    if endpoint_of(&record.destination).is_none() {
        return Err(DeviceError::NotFound);
    }
    admin::delete(ctx, id, actor, now).await?;
    Ok(())
}

/// Switches a browser's destination off when its push service reports the subscription gone
/// (404/410). It is disabled, not deleted: it stays listed with "subscription expired" as its last
/// outcome (and its dead letter stays in the outbox), and opting in again on that browser creates
/// a fresh subscription that replaces nothing.
pub struct DisableExpired {
    store: Arc<dyn Store>,
    secrets: Arc<SecretBox>,
    auth: Arc<AuthService>,
}

impl DisableExpired {
    #[must_use]
    pub fn new(store: Arc<dyn Store>, secrets: Arc<SecretBox>, auth: Arc<AuthService>) -> Self {
        Self { store, secrets, auth }
    }

    async fn disable(&self, id: i64) -> Result<bool, StoreError> {
        let Some(record) = self.store.destination(id, &self.secrets).await? else { return Ok(false) };
        if !record.destination.enabled || endpoint_of(&record.destination).is_none() {
            return Ok(false);
        }
        let destination = Destination { enabled: false, ..record.destination };
        let now = crate::clock::now();
        let updated = self.store.update_destination(&destination, &self.secrets, now).await?;
        if let Some(r) = &updated {
            let text = format!("{} (subscription expired)", detail(&r.destination));
            self.auth.audit("web-push", "notification_destination_changed", &text, None, now).await;
        }
        Ok(updated.is_some())
    }
}

#[async_trait]
impl ExpiredSubscriptions for DisableExpired {
    async fn expired(&self, destination_id: i64) {
        match self.disable(destination_id).await {
            Ok(true) => tracing::info!(destination_id, "browser push subscription expired; destination disabled"),
            Ok(false) => {}
            Err(e) => tracing::warn!(destination_id, error = %e, "could not disable an expired push subscription"),
        }
    }
}

#[cfg(test)]
#[path = "devices_tests.rs"]
mod tests;
