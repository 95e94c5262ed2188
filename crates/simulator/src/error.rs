//! The simulator's error types: a scenario that does not parse or validate, and a simulator
//! that cannot start or be controlled.

use thiserror::Error;

/// Why a scenario was refused. Messages name the field (`stream[2].media`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    /// The TOML is malformed or a value has the wrong type; the message carries toml's location.
    #[error("scenario is not valid: {0}")]
    Toml(String),
    /// The TOML is well-formed but says something impossible.
    #[error("scenario field {field}: {problem}")]
    Invalid { field: String, problem: String },
}

impl ScenarioError {
    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), problem: problem.into() }
    }
}

/// Why the simulator could not start or do what a control call asked.
#[derive(Debug, Error)]
pub enum SimError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("could not bind {what}: {source}")]
    Bind { what: String, source: std::io::Error },
    #[error("no {what} named {name:?} in the scenario")]
    Unknown { what: &'static str, name: String },
    #[error("no session {0:?} on this server")]
    NoSession(String),
}
