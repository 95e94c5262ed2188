//! Server functions for browser push opt-in (the Account page): the VAPID public key to subscribe
//! with, storing this browser's subscription as a `WebPush` destination, listing the browsers
//! that opted in, and removing one. The rules live in `sightline_backend::notify::webpush::devices`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One browser that receives push, as the Account page shows it (never its endpoint or keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDeviceView {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// The push service's host name.
    pub service: String,
    /// "Incident opened, Server down · medium and above".
    pub receives: String,
    pub this_browser: bool,
    pub created_at: String,
    /// How the last delivery ended ("delivered (201)", "subscription expired"), if any.
    pub last: Option<String>,
}

#[cfg(feature = "ssr")]
fn device_error(e: sightline_backend::notify::webpush::devices::DeviceError) -> AppError {
    use sightline_backend::notify::webpush::devices::DeviceError;
    match e {
        DeviceError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        DeviceError::NotFound => AppError::NotFound,
        other => crate::ssr::internal(&other),
    }
}

#[cfg(feature = "ssr")]
fn view(d: sightline_backend::notify::webpush::PushDevice) -> PushDeviceView {
    let events: Vec<&str> = d.events.iter().map(|e| e.label()).collect();
    PushDeviceView {
        id: d.id,
        name: d.name,
        enabled: d.enabled,
        service: d.service,
        receives: format!("{} · {} and above", events.join(", "), d.min_severity.as_str()),
        this_browser: d.this_browser,
        created_at: crate::ssr::fmt_time(d.created_at),
        last: d.last.map(|l| l.text),
    }
}

/// The application-server key (base64url) for `pushManager.subscribe`; created on first use.
#[server(endpoint = "push_public_key")]
pub async fn push_public_key() -> Result<String, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    sightline_backend::notify::webpush::devices::public_key(&ctx).await.map_err(device_error)
}

/// Stores this browser's subscription (the same endpoint again updates it) under `label`.
#[server(endpoint = "push_subscribe")]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
    label: String,
) -> Result<PushDeviceView, AppError> {
    use sightline_backend::notify::webpush::devices::{self, Subscription};
    use sightline_backend::secret::SecretString;
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let sub = Subscription { endpoint: SecretString::new(endpoint), p256dh, auth: SecretString::new(auth) };
    let now = sightline_backend::clock::now();
    devices::subscribe(&ctx, &sub, &label, &principal.label(), now).await.map(view).map_err(device_error)
}

/// Removes one browser's push destination (only browser-push destinations).
#[server(endpoint = "push_unsubscribe")]
pub async fn push_unsubscribe(id: i64) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::notify::webpush::devices::unsubscribe(&ctx, id, &principal.label(), now)
        .await
        .map_err(device_error)
}

/// Every browser that receives push; `endpoint` (this browser's, if subscribed) marks its own row.
/// A POST, so the endpoint never appears in a URL or an access log.
#[server(endpoint = "push_devices")]
pub async fn push_devices(endpoint: Option<String>) -> Result<Vec<PushDeviceView>, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let list =
        sightline_backend::notify::webpush::devices::devices(&ctx, endpoint.as_deref()).await.map_err(device_error)?;
    Ok(list.into_iter().map(view).collect())
}
