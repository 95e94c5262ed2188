//! Server-side helpers for server functions: fetch the `AppContext` and the caller that
//! the auth middleware attached to the request.

use crate::error::AppError;
use leptos::prelude::use_context;
use sightline_backend::AppContext;
use sightline_domain::Principal;

/// The application context and the authenticated caller, or `Unauthorized`.
pub fn require_principal() -> Result<(AppContext, Principal), AppError> {
    let ctx = use_context::<AppContext>().ok_or_else(|| {
        tracing::error!("AppContext missing from the Leptos context");
        AppError::Internal
    })?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized)?;
    let principal = parts.extensions.get::<Principal>().cloned().ok_or(AppError::Unauthorized)?;
    Ok((ctx, principal))
}

/// Read-only API keys may look but not change: `Forbidden` for them.
pub fn require_mutate(principal: &Principal) -> Result<(), AppError> {
    if principal.can_mutate() { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Logs a backend error with its cause chain and turns it into the opaque `Internal`.
pub fn internal(e: &(dyn std::error::Error + 'static)) -> AppError {
    tracing::error!(error.message = %e, error.cause_chain = ?e, "server function failed");
    AppError::Internal
}

/// Formats a UTC time the same way on every page.
#[must_use]
pub fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}
