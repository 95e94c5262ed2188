//! Changing an incident's status (acknowledge, dismiss, reopen), audited: the one rule shared by
//! `PATCH /api/v1/incidents/{id}` and the Alerts pages.

use crate::AppContext;
use crate::store::insight::IncidentStatus;
use crate::store::{IncidentRecord, StoreError};
use chrono::{DateTime, Utc};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StatusError {
    #[error("status must be open, acknowledged or dismissed")]
    Invalid,
    #[error("no such incident")]
    NotFound,
    /// Reopening would make two open incidents of one condition.
    #[error("another incident of the same condition is open; acknowledge or dismiss that one instead")]
    Conflict,
    #[error(transparent)]
    Store(StoreError),
}

/// Sets incident `id` to `status` (`open`, `acknowledged` or `dismissed`, any case) and writes the
/// audit entry `incident_status`.
pub async fn set_status(
    ctx: &AppContext,
    actor: &str,
    id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<IncidentRecord, StatusError> {
    let status = IncidentStatus::parse(&status.trim().to_ascii_lowercase()).ok_or(StatusError::Invalid)?;
    let record = match ctx.store.set_incident_status(id, status.as_str(), now).await {
        Ok(Some(record)) => record,
        Ok(None) => return Err(StatusError::NotFound),
        Err(StoreError::Conflict(_)) => return Err(StatusError::Conflict),
        Err(e) => return Err(StatusError::Store(e)),
    };
    ctx.auth.audit(actor, "incident_status", &format!("incident {id} {}", status.as_str()), None, now).await;
    Ok(record)
}
