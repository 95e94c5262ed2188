//! View models of the Rules page: each rule with its plain-language description, and what a backtest
//! over stored history would have flagged.

use serde::{Deserialize, Serialize};
use sightline_domain::rules::{Rule, describe};

/// One rule as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub rule: Rule,
    /// "flag when one account streams from two places more than 100 km apart …".
    pub description: String,
}

impl RuleRow {
    #[must_use]
    pub fn new(rule: Rule) -> Self {
        let description = describe(&rule);
        Self { rule, description }
    }
}

/// One incident a backtest would have opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestHit {
    pub server: String,
    /// The account's name when known, else its id on the media server.
    pub account: String,
    pub severity: String,
    pub summary: String,
    pub occurrences: u32,
    pub first_at: String,
    pub last_at: String,
}

/// What a rule would have flagged over a period, without creating incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestView {
    pub days: u32,
    pub plays_examined: usize,
    pub incidents: usize,
    pub violations: usize,
    /// The first incidents, oldest first.
    pub hits: Vec<BacktestHit>,
    /// Whether the history or the list was cut short; says where.
    pub truncated: Option<String>,
}
