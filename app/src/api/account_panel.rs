//! Server functions of the account panel: the account's trust score with its history and a manual
//! override, addressed by incident (then also snoozing the incident's rule for that account, so the
//! panel acts on exactly the account and rule the incident names) or by account (the Users page).
//! The rules live in `sightline_backend::{trust, rules_admin}`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One change of the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRow {
    pub at: String,
    /// "−20", "+3", "→ 80".
    pub change: String,
    pub after: u8,
    pub reason: String,
}

/// The account an incident is about, or one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPanel {
    pub account: String,
    pub score: u8,
    /// The incident's rule, which the panel can snooze; `None` for a panel addressed by account.
    pub rule_name: Option<String>,
    pub incident_free_since: Option<String>,
    /// Newest first.
    pub history: Vec<TrustRow>,
    /// When the incident's rule is snoozed for this account, until when.
    pub snoozed_until: Option<String>,
}

/// How many history rows the panel shows.
#[cfg(feature = "ssr")]
const HISTORY_ROWS: u32 = 20;

#[cfg(feature = "ssr")]
async fn account_of(
    ctx: &sightline_backend::AppContext,
    incident: i64,
) -> Result<(sightline_backend::store::insight::IncidentListing, sightline_domain::ServerId, String), AppError> {
    let listing =
        ctx.store.incident_listing(incident).await.map_err(|e| crate::ssr::internal(&e))?.ok_or(AppError::NotFound)?;
    let v = &listing.record.violation;
    let (server, user) = (v.server_id, v.user_id.clone());
    Ok((listing, server, user))
}

#[cfg(feature = "ssr")]
fn trust_failed(e: sightline_backend::trust::TrustError) -> AppError {
    use sightline_backend::trust::TrustError;
    match e {
        TrustError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        TrustError::NotFound => AppError::NotFound,
        TrustError::Store(e) => crate::ssr::internal(&e),
    }
}

/// The panel of one account (`rule`: the incident's rule, whose snooze the panel shows).
#[cfg(feature = "ssr")]
async fn panel(
    ctx: &sightline_backend::AppContext,
    server: sightline_domain::ServerId,
    user: &str,
    account: String,
    rule: Option<(&sightline_domain::rules::RuleId, String)>,
) -> Result<AccountPanel, AppError> {
    let now = sightline_backend::clock::now();
    let internal = |e: sightline_backend::store::StoreError| crate::ssr::internal(&e);
    let trust = sightline_backend::trust::score(ctx, server, user, now).await.map_err(internal)?;
    let history = sightline_backend::trust::history(ctx, server, user, HISTORY_ROWS).await.map_err(internal)?;
    let snoozed_until = match &rule {
        Some((rule_id, _)) => sightline_backend::rules_admin::snoozes(ctx, now)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|s| s.rule_id == **rule_id && s.server_id == server && s.user_id == user)
            .map(|s| crate::ssr::fmt_time(s.until)),
        None => None,
    };
    Ok(AccountPanel {
        account,
        score: trust.score,
        rule_name: rule.map(|(_, name)| name),
        incident_free_since: trust.incident_free_since.map(crate::ssr::fmt_time),
        history: history
            .into_iter()
            .map(|c| TrustRow {
                at: crate::ssr::fmt_time(c.at),
                change: change_label(c.score_before, c.score_after),
                after: c.score_after,
                reason: c.reason,
            })
            .collect(),
        snoozed_until,
    })
}

/// The account of incident `incident`: score, history and the rule's snooze.
#[server(endpoint = "incident_account")]
pub async fn incident_account(incident: i64) -> Result<AccountPanel, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let (listing, server, user) = account_of(&ctx, incident).await?;
    let v = &listing.record.violation;
    let account = listing.account_name.clone().unwrap_or_else(|| user.clone());
    panel(&ctx, server, &user, account, Some((&v.rule_id, v.rule_name.clone()))).await
}

/// One account's score and history, by its server and the server's user id.
#[server(endpoint = "user_account_trust")]
pub async fn account_trust(server: i64, user: String) -> Result<AccountPanel, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let server = sightline_domain::ServerId(server);
    let accounts = ctx.store.accounts(server).await.map_err(|e| crate::ssr::internal(&e))?;
    let account = accounts.into_iter().find(|a| a.external_id == user).ok_or(AppError::NotFound)?;
    panel(&ctx, server, &user, account.name, None).await
}

#[cfg(feature = "ssr")]
fn parse_score(score: &str) -> Result<u8, AppError> {
    score.trim().parse().map_err(|_| AppError::Invalid {
        field: "score".to_owned(),
        message: "must be a whole number from 0 to 100".to_owned(),
    })
}

#[cfg(feature = "ssr")]
async fn override_score(
    ctx: &sightline_backend::AppContext,
    principal: &sightline_domain::Principal,
    server: sightline_domain::ServerId,
    user: &str,
    score: u8,
    reason: &str,
) -> Result<u8, AppError> {
    let now = sightline_backend::clock::now();
    sightline_backend::trust::set_override(ctx, &principal.label(), server, user, score, reason, now)
        .await
        .map(|v| v.score)
        .map_err(trust_failed)
}

/// Sets the account's score by hand, with a reason (audited).
#[server(endpoint = "incident_account_trust")]
pub async fn set_account_trust(incident: i64, score: String, reason: String) -> Result<u8, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let score = parse_score(&score)?;
    let (_, server, user) = account_of(&ctx, incident).await?;
    override_score(&ctx, &principal, server, &user, score, &reason).await
}

/// Sets one account's score by hand, with a reason (audited).
#[server(endpoint = "user_account_trust_set")]
pub async fn set_user_trust(server: i64, user: String, score: String, reason: String) -> Result<u8, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let score = parse_score(&score)?;
    override_score(&ctx, &principal, sightline_domain::ServerId(server), &user, score, &reason).await
}

/// Snoozes the incident's rule for its account for `hours` (1 to 8760), or lifts the snooze (`hours` 0).
#[server(endpoint = "incident_account_snooze")]
pub async fn snooze_incident_rule(incident: i64, hours: u32) -> Result<(), AppError> {
    use sightline_backend::rules_admin::{self, RulesAdminError};
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    if hours > 24 * 365 {
        return Err(AppError::Invalid { field: "hours".to_owned(), message: "must be within 365 days".to_owned() });
    }
    let (listing, server, user) = account_of(&ctx, incident).await?;
    let rule = listing.record.violation.rule_id.0.clone();
    let now = sightline_backend::clock::now();
    let actor = principal.label();
    let done = if hours == 0 {
        rules_admin::unsnooze(&ctx, &actor, &rule, server, &user, now).await
    } else {
        let until = now + chrono::TimeDelta::hours(i64::from(hours));
        rules_admin::snooze(&ctx, &actor, &rule, server, &user, until, now).await
    };
    done.map_err(|e| match e {
        // The incident's rule was deleted since.
        RulesAdminError::NotFound => AppError::NotFound,
        RulesAdminError::Store(e) => crate::ssr::internal(&e),
        other => AppError::Invalid { field: "hours".to_owned(), message: other.to_string() },
    })
}

/// "−20", "+3", or "→ 80" for an override that changed nothing.
#[must_use]
pub fn change_label(before: u8, after: u8) -> String {
    match after.cmp(&before) {
        std::cmp::Ordering::Less => format!("−{}", before - after),
        std::cmp::Ordering::Greater => format!("+{}", after - before),
        std::cmp::Ordering::Equal => format!("→ {after}"),
    }
}

#[cfg(test)]
mod tests {
    use super::change_label;

    #[test]
    fn changes_read_as_signed_points() {
        assert_eq!(change_label(100, 80), "−20");
        assert_eq!(change_label(77, 80), "+3");
        assert_eq!(change_label(80, 80), "→ 80");
    }
}
