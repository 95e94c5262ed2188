//! Trust scores of media-server accounts: the policy (stored as JSON in the settings under
//! `trust_policy`), penalties when an incident opens, daily recovery, the owner's overrides, and
//! reads for pages and the API. Every change is one history row; the planning is pure (`plan.rs`),
//! the store applies each plan atomically. Recovery rows are written by an hourly task and before
//! any other change, so the history is complete; reads count recovery not yet written.

pub mod plan;

use crate::AppContext;
use crate::account_settings::account_exists;
use crate::store::{IncidentRecord, StoreError, TrustChange, TrustState};
use chrono::{DateTime, Utc};
use plan::OpenedIncident;
use serde::Serialize;
use sightline_domain::ServerId;
use sightline_domain::rules::Violation;
use sightline_domain::rules::trust::{MAX_SCORE, TrustBand, TrustPolicy, band};
use std::collections::HashMap;
use thiserror::Error;

/// The settings key of the policy.
pub const POLICY_KEY: &str = "trust_policy";
/// Longest reason for an override.
pub const MAX_REASON_CHARS: usize = 200;

/// An account's trust at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustView {
    pub server_id: ServerId,
    pub user_id: String,
    pub score: u8,
    pub band: TrustBand,
    /// Whether anything ever changed the score; `false` means it is the policy's start.
    pub scored: bool,
    /// The start of the current incident-free stretch (since the last incident or override).
    pub incident_free_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Error)]
pub enum TrustError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no such account")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> TrustError {
    TrustError::Invalid { field, message: message.into() }
}

/// The policy in force: the stored one, else the default.
pub async fn policy(ctx: &AppContext) -> Result<TrustPolicy, StoreError> {
    match ctx.store.setting(POLICY_KEY).await? {
        None => Ok(TrustPolicy::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("trust policy: {e}"))),
    }
}

/// Validates and stores a policy (audited). It applies to changes from now on; past history stays.
pub async fn set_policy(
    ctx: &AppContext,
    actor: &str,
    policy: TrustPolicy,
    now: DateTime<Utc>,
) -> Result<TrustPolicy, TrustError> {
    policy.validate().map_err(|e| invalid(e.field, e.problem.to_string()))?;
    let json = serde_json::to_string(&policy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ctx.store.set_setting(POLICY_KEY, &json, now).await?;
    ctx.auth.audit(actor, "trust_policy_changed", &json, None, now).await;
    Ok(policy)
}

fn view(
    policy: &TrustPolicy,
    server: ServerId,
    user: &str,
    state: Option<TrustState>,
    now: DateTime<Utc>,
) -> TrustView {
    let score = plan::current(policy, state, now);
    TrustView {
        server_id: server,
        user_id: user.to_owned(),
        score,
        band: band(score),
        scored: state.is_some(),
        incident_free_since: state.map(|s| s.clean_since),
    }
}

/// One account's trust at `now`.
pub async fn score(
    ctx: &AppContext,
    server: ServerId,
    user: &str,
    now: DateTime<Utc>,
) -> Result<TrustView, StoreError> {
    let policy = policy(ctx).await?;
    let state = ctx.store.trust_state(server, user).await?;
    Ok(view(&policy, server, user, state, now))
}

/// Every scored account's score at `now` (one query). Accounts that are absent were never scored
/// and stand at the policy's start ([`policy`]`.start`).
pub async fn scores(ctx: &AppContext, now: DateTime<Utc>) -> Result<HashMap<(ServerId, String), u8>, StoreError> {
    let policy = policy(ctx).await?;
    let states = ctx.store.trust_states().await?;
    Ok(states
        .into_iter()
        .map(|(server, user, state)| ((server, user), plan::current(&policy, Some(state), now)))
        .collect())
}

/// The account's newest `limit` changes, newest first.
pub async fn history(
    ctx: &AppContext,
    server: ServerId,
    user: &str,
    limit: u32,
) -> Result<Vec<TrustChange>, StoreError> {
    ctx.store.trust_history(server, user, limit).await
}

/// Sets an account's score by hand, with a reason (audited); recovery continues from it.
pub async fn set_override(
    ctx: &AppContext,
    actor: &str,
    server: ServerId,
    user: &str,
    score: u8,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<TrustView, TrustError> {
    if score > MAX_SCORE {
        return Err(invalid("score", format!("must be 0 to {MAX_SCORE}")));
    }
    let why = reason.trim();
    if why.is_empty() {
        return Err(invalid("reason", "is required"));
    }
    if why.chars().count() > MAX_REASON_CHARS || why.chars().any(char::is_control) {
        return Err(invalid("reason", format!("must be at most {MAX_REASON_CHARS} characters on one line")));
    }
    if !account_exists(ctx, server, user).await? {
        return Err(TrustError::NotFound);
    }
    let policy = policy(ctx).await?;
    let planner = |stored| Some(plan::override_plan(&policy, stored, score, actor, why, now));
    let written = ctx.store.update_trust(server, user, &planner, now).await?;
    crate::notify::produce::trust_changed(ctx, server, user, written.as_ref()).await;
    ctx.auth.audit(actor, "trust_override", &format!("{server}/{user} set to {score}: {why}"), None, now).await;
    Ok(view(&policy, server, user, written.map(|p| p.state), now))
}

/// Applies the penalty of a newly opened incident to its account (the rule's own `trust_penalty`
/// when it has one, else the policy's for the severity); returns the new score. Call it only when
/// `record_violation` opened the incident, never for updates of an open one.
pub async fn on_incident_opened(
    ctx: &AppContext,
    incident: &IncidentRecord,
    violation: &Violation,
    now: DateTime<Utc>,
) -> Result<u8, StoreError> {
    let policy = policy(ctx).await?;
    let rules = ctx.store.rules().await?;
    let penalty = rules.iter().find(|r| r.id == violation.rule_id).and_then(|r| r.actions.trust_penalty);
    let opened =
        OpenedIncident { id: incident.id, rule_name: &violation.rule_name, severity: violation.severity, penalty };
    let planner = |stored| Some(plan::incident_plan(&policy, stored, opened, now));
    let written = ctx.store.update_trust(violation.server_id, &violation.user_id, &planner, now).await?;
    crate::notify::produce::trust_changed(ctx, violation.server_id, &violation.user_id, written.as_ref()).await;
    Ok(written.map_or(policy.start, |p| p.state.score))
}

/// Writes the recovery every scored account has earned by `now`; returns how many history rows
/// were written. Run hourly; cheap when nothing is due.
pub async fn recover_due(ctx: &AppContext, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let policy = policy(ctx).await?;
    if policy.recovery_per_day == 0 {
        return Ok(0);
    }
    let mut rows = 0;
    for (server, user, state) in ctx.store.trust_states().await? {
        if state.score >= MAX_SCORE || (now - state.clean_since).num_days() < 1 {
            continue;
        }
        let planner = |stored| plan::recovery_plan(&policy, stored, now);
        if let Some(written) = ctx.store.update_trust(server, &user, &planner, now).await? {
            crate::notify::produce::trust_changed(ctx, server, &user, Some(&written)).await;
            rows += written.changes.len();
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
