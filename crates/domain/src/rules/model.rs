//! What a rule is: its id, name, kind with parameters, severity, scope, exceptions, actions and switch.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

use super::actions::RuleActions;
use super::params::RuleKind;
use crate::ids::ServerId;

/// A rule's identifier: stable across edits (defaults use readable slugs such as `default-impossible-travel`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(pub String);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How serious a violation of a rule is; ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The stable lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// One media-server account: its server and the server's user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRef {
    pub server_id: ServerId,
    pub user_id: String,
}

/// Which sessions a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Scope {
    /// Every account on every server.
    #[default]
    All,
    /// Every account of one server.
    Server { server_id: ServerId },
    /// One account.
    User { server_id: ServerId, user_id: String },
}

impl Scope {
    /// Whether an account is inside this scope.
    #[must_use]
    pub fn covers(&self, server_id: ServerId, user_id: &str) -> bool {
        match self {
            Self::All => true,
            Self::Server { server_id: s } => *s == server_id,
            Self::User { server_id: s, user_id: u } => *s == server_id && u == user_id,
        }
    }
}

/// Who and what a rule leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Exceptions {
    /// Accounts the rule never flags.
    #[serde(default)]
    pub users: Vec<UserRef>,
    /// Networks (IPv4 or IPv6 CIDR) whose sessions the rule ignores: they are neither counted nor compared,
    /// and a session from one never triggers the rule.
    #[serde(default)]
    pub networks: Vec<IpNet>,
    /// Also ignore sessions from the account's own household networks ([`super::UserSettings::household_networks`]).
    #[serde(default)]
    pub household_networks: bool,
}

impl Exceptions {
    /// Whether an address is in one of the rule's trusted networks or, when enabled, the account's household.
    #[must_use]
    pub fn trusts(&self, ip: IpAddr, household: &[IpNet]) -> bool {
        self.networks.iter().any(|n| n.contains(&ip))
            || (self.household_networks && household.iter().any(|n| n.contains(&ip)))
    }
}

/// A sharing-detection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: RuleId,
    /// A short name chosen by the owner, 1 to 100 characters.
    pub name: String,
    /// What the rule looks for, with its parameters.
    pub kind: RuleKind,
    pub severity: Severity,
    #[serde(default)]
    pub scope: Scope,
    pub enabled: bool,
    #[serde(default)]
    pub exceptions: Exceptions,
    /// What happens besides the incident (notifications, trust, message, stop).
    #[serde(default)]
    pub actions: RuleActions,
}

impl Rule {
    /// Whether the rule is switched on and looks at this account at all.
    #[must_use]
    pub fn applies_to(&self, server_id: ServerId, user_id: &str) -> bool {
        self.enabled
            && self.scope.covers(server_id, user_id)
            && !self.exceptions.users.iter().any(|u| u.server_id == server_id && u.user_id == user_id)
    }
}
