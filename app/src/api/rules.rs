//! Server functions of the Rules page: list, save (create or edit), switch, delete, export and import
//! the rule set, and backtest a saved or draft rule over stored history. Thin: the rules live in
//! `sightline_backend::rules_admin` (shared with `/api/v1/rules`) and `detect::backtest`.

use crate::error::AppError;
use crate::model::rules::{BacktestView, RuleRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
#[path = "rules_convert.rs"]
mod convert;

/// Every rule in evaluation order, with its description.
#[server(endpoint = "rules_list")]
pub async fn rules_list() -> Result<Vec<RuleRow>, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let rules = sightline_backend::rules_admin::list(&ctx).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(rules.into_iter().map(RuleRow::new).collect())
}

/// Creates (empty id) or replaces a rule, given as the rule's JSON.
#[server(endpoint = "rules_save")]
pub async fn rules_save(rule_json: String) -> Result<RuleRow, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let rule = convert::parse_rule(&rule_json)?;
    let saved = sightline_backend::rules_admin::save(&ctx, &principal.label(), rule, sightline_backend::clock::now())
        .await
        .map_err(convert::failed)?;
    Ok(RuleRow::new(saved))
}

/// Switches a rule on or off.
#[server(endpoint = "rules_set_enabled")]
pub async fn rules_set_enabled(id: String, enabled: bool) -> Result<RuleRow, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    let rule = sightline_backend::rules_admin::set_enabled(&ctx, &principal.label(), &id, enabled, now)
        .await
        .map_err(convert::failed)?;
    Ok(RuleRow::new(rule))
}

/// Deletes a rule; its incidents stay.
#[server(endpoint = "rules_delete")]
pub async fn rules_delete(id: String) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    sightline_backend::rules_admin::delete(&ctx, &principal.label(), &id, sightline_backend::clock::now())
        .await
        .map_err(convert::failed)
}

/// The rule set as a RULES.json file (`sightline replay --rules` reads it).
#[server(endpoint = "rules_export")]
pub async fn rules_export() -> Result<String, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let rules = sightline_backend::rules_admin::list(&ctx).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(sightline_backend::rules_admin::export(&rules))
}

/// Replaces the whole rule set with a RULES.json file, all or nothing; returns how many rules it has.
#[server(endpoint = "rules_import")]
pub async fn rules_import(json: String) -> Result<usize, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    sightline_backend::rules_admin::import(&ctx, &principal.label(), &json, sightline_backend::clock::now())
        .await
        .map_err(convert::failed)
}

/// Runs a rule (saved or draft, as JSON) over the last `days` of stored plays and lists what it would
/// have flagged. Creates no incident.
#[server(endpoint = "rules_backtest")]
pub async fn rules_backtest(rule_json: String, days: u32) -> Result<BacktestView, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let mut rule = convert::parse_rule(&rule_json)?;
    convert::backtest(&ctx, &mut rule, days).await
}
