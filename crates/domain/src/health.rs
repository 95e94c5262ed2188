//! The `/healthz` answer, shared so the UI and monitoring read the same shape.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Degraded,
}

/// Process health: overall status, build version and whether the database answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    pub version: String,
    pub database: bool,
}

impl Health {
    /// Health is `ok` only when every dependency answered.
    #[must_use]
    pub fn from_checks(version: &str, database: bool) -> Self {
        Self {
            status: if database { HealthStatus::Ok } else { HealthStatus::Degraded },
            version: version.to_owned(),
            database,
        }
    }
}
