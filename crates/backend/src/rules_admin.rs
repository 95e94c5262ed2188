//! Managing the rule set: list, create or edit (validated, new rules last, ids generated from the
//! name), switch on and off, delete, export and import as one JSON file (validated whole, replaced
//! atomically), and snoozing a rule for one account. Every change is audited. Shared by the REST API
//! and the Rules page.

mod file;

use crate::AppContext;
use crate::account_settings::account_exists;
use crate::store::{SnoozeRecord, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{MAX_ID_CHARS, Problem, Rule, RuleError, RuleId};
use std::fmt;

pub use file::{MAX_IMPORTED_RULES, export, parse_file};

/// The longest snooze, in days.
pub const MAX_SNOOZE_DAYS: u32 = 365;

#[derive(Debug)]
pub enum RulesAdminError {
    /// The first invalid field of the rule (or of a snooze: `until`).
    Invalid(RuleError),
    NotFound,
    Conflict(String),
    /// An import that is not a rule file, or has a rule that does not parse or validate.
    BadFile(String),
    Store(StoreError),
}

impl fmt::Display for RulesAdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "{e}"),
            Self::NotFound => f.write_str("no such rule, server or account"),
            Self::Conflict(m) => write!(f, "conflict: {m}"),
            Self::BadFile(m) => write!(f, "not a rule file: {m}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RulesAdminError {}

impl From<StoreError> for RulesAdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::Store(other),
        }
    }
}

/// The rules in evaluation order.
pub async fn list(ctx: &AppContext) -> Result<Vec<Rule>, StoreError> {
    ctx.store.rules().await
}

/// `rule-<slug of the name>-<n>`, the first `n` not taken.
fn new_id(name: &str, taken: &[Rule]) -> RuleId {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    // Room for "rule-", "-" and a number of up to 8 digits.
    let mut slug: String = slug.chars().take(MAX_ID_CHARS - 14).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    let stem = if slug.is_empty() { "rule".to_owned() } else { format!("rule-{slug}") };
    let ids: Vec<&str> = taken.iter().map(|r| r.id.0.as_str()).collect();
    let n = (1..).find(|n| !ids.contains(&format!("{stem}-{n}").as_str())).unwrap_or(1);
    RuleId(format!("{stem}-{n}"))
}

/// Creates the rule when its id is empty (the id is generated from the name) or replaces the rule
/// with that id, keeping its place. Returns the rule as stored.
pub async fn save(ctx: &AppContext, actor: &str, mut rule: Rule, now: DateTime<Utc>) -> Result<Rule, RulesAdminError> {
    rule.name = rule.name.trim().to_owned();
    rule.id = RuleId(rule.id.0.trim().to_owned());
    let creating = rule.id.0.is_empty();
    if creating {
        rule.id = new_id(&rule.name, &ctx.store.rules().await?);
    }
    rule.validate().map_err(RulesAdminError::Invalid)?;
    if creating {
        ctx.store.insert_rule(&rule, now).await?;
    } else if !ctx.store.update_rule(&rule, now).await? {
        return Err(RulesAdminError::NotFound);
    }
    let action = if creating { "rule_created" } else { "rule_changed" };
    ctx.auth.audit(actor, action, &format!("{} ({})", rule.id, rule.name), None, now).await;
    Ok(rule)
}

/// Switches a rule on or off.
pub async fn set_enabled(
    ctx: &AppContext,
    actor: &str,
    id: &str,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<Rule, RulesAdminError> {
    let mut rule = ctx.store.rules().await?.into_iter().find(|r| r.id.0 == id).ok_or(RulesAdminError::NotFound)?;
    rule.enabled = enabled;
    if !ctx.store.update_rule(&rule, now).await? {
        return Err(RulesAdminError::NotFound);
    }
    let action = if enabled { "rule_enabled" } else { "rule_disabled" };
    ctx.auth.audit(actor, action, &format!("{} ({})", rule.id, rule.name), None, now).await;
    Ok(rule)
}

/// Deletes a rule and its snoozes. Its incidents stay.
pub async fn delete(ctx: &AppContext, actor: &str, id: &str, now: DateTime<Utc>) -> Result<(), RulesAdminError> {
    if !ctx.store.delete_rule(id).await? {
        return Err(RulesAdminError::NotFound);
    }
    ctx.auth.audit(actor, "rule_deleted", id, None, now).await;
    Ok(())
}

/// Replaces the whole rule set with the rules of an export file (or a bare array of rules), after
/// checking every rule; returns how many rules there are now.
pub async fn import(ctx: &AppContext, actor: &str, json: &str, now: DateTime<Utc>) -> Result<usize, RulesAdminError> {
    let rules = parse_file(json)?;
    ctx.store.replace_rules(&rules, now).await?;
    ctx.auth.audit(actor, "rules_imported", &format!("{} rules", rules.len()), None, now).await;
    Ok(rules.len())
}

fn until_error(problem: Problem) -> RulesAdminError {
    RulesAdminError::Invalid(RuleError { field: "until", problem })
}

async fn check_target(ctx: &AppContext, rule_id: &str, server: ServerId, user: &str) -> Result<(), RulesAdminError> {
    let rule_known = ctx.store.rules().await?.iter().any(|r| r.id.0 == rule_id);
    if !rule_known || !account_exists(ctx, server, user).await? {
        return Err(RulesAdminError::NotFound);
    }
    Ok(())
}

/// Silences a rule for one account until `until` (after `now`, within 365 days): detection still
/// evaluates it but records nothing for that account. Snoozing again moves the end.
/// `until` in the past is `Invalid` with `too_small`; beyond 365 days, `too_large`.
pub async fn snooze(
    ctx: &AppContext,
    actor: &str,
    rule_id: &str,
    server: ServerId,
    user: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), RulesAdminError> {
    if until <= now {
        return Err(until_error(Problem::TooSmall { min: 1 }));
    }
    if until - now > TimeDelta::days(i64::from(MAX_SNOOZE_DAYS)) {
        return Err(until_error(Problem::TooLarge { max: MAX_SNOOZE_DAYS }));
    }
    check_target(ctx, rule_id, server, user).await?;
    let record = SnoozeRecord {
        rule_id: RuleId(rule_id.to_owned()),
        server_id: server,
        user_id: user.to_owned(),
        until,
        actor: actor.to_owned(),
        created_at: now,
    };
    ctx.store.set_snooze(&record).await?;
    let detail = format!("{rule_id} for {server}/{user} until {}", until.to_rfc3339());
    ctx.auth.audit(actor, "rule_snoozed", &detail, None, now).await;
    Ok(())
}

/// Ends a snooze early; `NotFound` when the rule was not snoozed for that account.
pub async fn unsnooze(
    ctx: &AppContext,
    actor: &str,
    rule_id: &str,
    server: ServerId,
    user: &str,
    now: DateTime<Utc>,
) -> Result<(), RulesAdminError> {
    if !ctx.store.delete_snooze(rule_id, server, user).await? {
        return Err(RulesAdminError::NotFound);
    }
    ctx.auth.audit(actor, "rule_unsnoozed", &format!("{rule_id} for {server}/{user}"), None, now).await;
    Ok(())
}

/// The snoozes running at `now`, soonest to end first.
pub async fn snoozes(ctx: &AppContext, now: DateTime<Utc>) -> Result<Vec<SnoozeRecord>, StoreError> {
    ctx.store.active_snoozes(now).await
}

#[cfg(test)]
mod tests;
