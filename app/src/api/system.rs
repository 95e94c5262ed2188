//! Server functions about the instance itself: who am I, process status, the audit log.

use crate::error::AppError;
use crate::model::{AuditView, MeView, SystemStatus};
use leptos::prelude::*;

/// The signed-in caller.
#[server(endpoint = "me")]
pub async fn get_me() -> Result<MeView, AppError> {
    use sightline_domain::Principal;
    let (_, principal) = crate::ssr::require_principal()?;
    Ok(match &principal {
        Principal::User { username, role, .. } => {
            MeView { label: principal.label(), username: Some(username.clone()), role: Some(role.as_str().to_owned()) }
        }
        Principal::ApiKey { .. } => MeView { label: principal.label(), username: None, role: None },
    })
}

/// Version, uptime, database health and live clients.
#[server(endpoint = "system_status")]
pub async fn get_system_status() -> Result<SystemStatus, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let now = sightline_backend::clock::now();
    let geoip = ctx.geo.databases();
    Ok(SystemStatus {
        version: sightline_backend::VERSION.to_owned(),
        uptime_secs: (now - ctx.started_at).num_seconds(),
        database_ok: ctx.store.ping().await.is_ok(),
        live_clients: ctx.hub.n_clients(),
        geoip: geoip
            .infos()
            .into_iter()
            .map(|i| crate::model::GeoDbView {
                file: i.file,
                database_type: i.database_type,
                built: i.built_at.map(|t| t.format("%Y-%m-%d").to_string()),
                age_days: i.built_at.map(|t| (now - t).num_days()),
            })
            .collect(),
        geoip_problems: geoip.problems.clone(),
        geoip_dir: ctx.geo.dir().display().to_string(),
        geoip_downloads: ctx.config.maxmind_account_id.is_some() && ctx.config.maxmind_license_key.is_some(),
    })
}

/// The newest security events (sign-ins, failures, password changes, key creation).
#[server(endpoint = "recent_audit")]
pub async fn list_recent_audit() -> Result<Vec<AuditView>, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let entries = ctx.store.recent_audit(25).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(entries
        .into_iter()
        .map(|e| AuditView {
            id: e.id,
            at: crate::ssr::fmt_time(e.at),
            actor: e.actor,
            action: e.action,
            detail: e.detail,
            ip: e.ip,
        })
        .collect())
}
