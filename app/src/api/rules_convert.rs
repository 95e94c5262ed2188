//! Server-side helpers of the rules server functions: parsing a rule sent as JSON, mapping backend
//! errors to the form's fields, and turning a backtest report into its view.

use crate::error::AppError;
use crate::model::rules::{BacktestHit, BacktestView};
use sightline_backend::AppContext;
use sightline_backend::rules_admin::RulesAdminError;
use sightline_domain::rules::Rule;

/// A rule from the editor; a body that is not a rule is a form error, not a crash.
pub(super) fn parse_rule(json: &str) -> Result<Rule, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Invalid { field: "kind".to_owned(), message: format!("not a rule: {e}") })
}

pub(super) fn failed(e: RulesAdminError) -> AppError {
    match e {
        RulesAdminError::Invalid(err) => {
            AppError::Invalid { field: err.field.to_owned(), message: err.problem.to_string() }
        }
        RulesAdminError::NotFound => AppError::NotFound,
        RulesAdminError::Conflict(m) => AppError::Invalid { field: "id".to_owned(), message: m },
        RulesAdminError::BadFile(m) => AppError::Invalid { field: "file".to_owned(), message: m },
        RulesAdminError::Store(e) => crate::ssr::internal(&e),
    }
}

/// Most plays a backtest reads (history before the period included).
const MAX_PLAYS: u32 = 200_000;
/// History read before the period, so devices, countries and places seen just before it are known.
const LOOK_BACK_DAYS: i64 = 7;

/// Runs `rule` over the last `days` (1 to 3650) of stored plays. A draft without an id gets one for the
/// run only; nothing is stored.
pub(super) async fn backtest(ctx: &AppContext, rule: &mut Rule, days: u32) -> Result<BacktestView, AppError> {
    use sightline_backend::detect::backtest::{BacktestPlay, backtest};
    use std::collections::HashMap;
    if !(1..=3650).contains(&days) {
        return Err(AppError::Invalid { field: "days".to_owned(), message: "must be 1 to 3650 days".to_owned() });
    }
    if rule.id.0.trim().is_empty() {
        rule.id.0 = "draft".to_owned();
    }
    rule.enabled = true;
    if let Err(e) = rule.validate() {
        return Err(AppError::Invalid { field: e.field.to_owned(), message: e.problem.to_string() });
    }
    let to = sightline_backend::clock::now();
    let from = to - chrono::TimeDelta::days(i64::from(days));
    let read_from = from - chrono::TimeDelta::days(LOOK_BACK_DAYS);
    let rows =
        ctx.store.plays_between(read_from, to, None, None, MAX_PLAYS).await.map_err(|e| crate::ssr::internal(&e))?;
    let cut = rows.len() >= MAX_PLAYS as usize;
    let plays: Vec<BacktestPlay> = rows
        .into_iter()
        .map(|(server_id, server_name, user_id, facts)| BacktestPlay { server_id, server_name, user_id, facts })
        .collect();
    let mut names: HashMap<(i64, String), String> = HashMap::new();
    for server in ctx.store.list_servers().await.map_err(|e| crate::ssr::internal(&e))? {
        for account in ctx.store.accounts(server.id).await.map_err(|e| crate::ssr::internal(&e))? {
            names.insert((server.id.0, account.external_id), account.name);
        }
    }
    let server_ids: HashMap<String, i64> = plays.iter().map(|p| (p.server_name.clone(), p.server_id.0)).collect();
    let report = backtest(std::slice::from_ref(rule), plays, from, to);
    let hits = report
        .incidents
        .iter()
        .map(|i| {
            let server = server_ids.get(&i.server).copied().unwrap_or_default();
            BacktestHit {
                server: i.server.clone(),
                account: names.get(&(server, i.user.clone())).cloned().unwrap_or_else(|| i.user.clone()),
                severity: i.severity.as_str().to_owned(),
                summary: i.summary.clone(),
                occurrences: i.occurrences,
                first_at: crate::ssr::fmt_time(i.first_at),
                last_at: crate::ssr::fmt_time(i.last_at),
            }
        })
        .collect();
    let truncated = match (cut, report.truncated) {
        (true, _) => Some(format!("Only the first {MAX_PLAYS} plays of the period were read.")),
        (false, true) => Some(format!("Only the first {} incidents are listed.", report.incidents.len())),
        (false, false) => None,
    };
    Ok(BacktestView {
        days,
        plays_examined: usize::try_from(report.plays_examined).unwrap_or(usize::MAX),
        incidents: usize::try_from(report.incidents_total).unwrap_or(usize::MAX),
        violations: usize::try_from(report.violations).unwrap_or(usize::MAX),
        hits,
        truncated,
    })
}
