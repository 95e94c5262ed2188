//! Validation of rules before they are stored or run: one `RuleError` per offending field, each with a
//! stable snake_case code (`not_finite`, `too_large`, …) so the API and the form show the same sentence.
//! The engine skips a rule that fails validation instead of acting on absurd numbers.

use thiserror::Error;

use super::context::UserSettings;
use super::model::Rule;
use super::params::{GeoMode, RuleKind};

/// Longest rule name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest rule id.
pub const MAX_ID_CHARS: usize = 64;
/// Most trusted networks or household networks in one list.
pub const MAX_NETWORKS: usize = 256;
/// Most excepted accounts per rule.
pub const MAX_EXCEPTED_USERS: usize = 1_000;
/// Half the Earth's circumference: no two places are further apart.
pub const MAX_DISTANCE_KM: f64 = 20_038.0;

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("is required")]
    Required,
    #[error("must be a finite number")]
    NotFinite,
    #[error("must not be negative")]
    Negative,
    #[error("must be at least {min}")]
    TooSmall { min: u32 },
    #[error("must be at most {max}")]
    TooLarge { max: u32 },
    #[error("must have at most {max} entries")]
    TooMany { max: u32 },
    #[error("must be a two-letter ISO country code")]
    InvalidCountry,
    #[error("lists the same entry twice")]
    Duplicate,
    #[error("may contain only letters, digits, '-', '_' and '.'")]
    Characters,
    #[error("must be at most {max} characters")]
    TooLong { max: u32 },
    #[error("must not contain control characters")]
    Control,
}

impl Problem {
    /// A stable snake_case code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::NotFinite => "not_finite",
            Self::Negative => "negative",
            Self::TooSmall { .. } => "too_small",
            Self::TooLarge { .. } => "too_large",
            Self::TooMany { .. } => "too_many",
            Self::InvalidCountry => "invalid_country",
            Self::Duplicate => "duplicate",
            Self::Characters => "characters",
            Self::TooLong { .. } => "too_long",
            Self::Control => "control_characters",
        }
    }
}

/// One invalid field of a rule or of per-account settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{field}: {problem}")]
pub struct RuleError {
    /// The field's name as in the JSON ("max_speed_kmh", "countries", "exceptions.networks").
    pub field: &'static str,
    pub problem: Problem,
}

impl RuleError {
    /// The stable code of the problem, e.g. `not_finite`.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.problem.code()
    }
}

fn err(field: &'static str, problem: Problem) -> RuleError {
    RuleError { field, problem }
}

/// A float that must be finite, not negative, and within `min..=max`.
fn float(out: &mut Vec<RuleError>, field: &'static str, value: f64, min: f64, max: f64) {
    let problem = if !value.is_finite() {
        Some(Problem::NotFinite)
    } else if value < 0.0 {
        Some(Problem::Negative)
    } else if value < min {
        Some(Problem::TooSmall { min: min as u32 })
    } else if value > max {
        Some(Problem::TooLarge { max: max as u32 })
    } else {
        None
    };
    out.extend(problem.map(|p| err(field, p)));
}

fn int(out: &mut Vec<RuleError>, field: &'static str, value: u32, min: u32, max: u32) {
    if value < min {
        out.push(err(field, Problem::TooSmall { min }));
    } else if value > max {
        out.push(err(field, Problem::TooLarge { max }));
    }
}

/// Whether a string is a two-letter country code (any case).
#[must_use]
pub fn is_country_code(code: &str) -> bool {
    let c = code.trim();
    c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic())
}

/// Every problem of a rule kind's parameters.
#[must_use]
pub fn kind_problems(kind: &RuleKind) -> Vec<RuleError> {
    let mut out = Vec::new();
    match kind {
        RuleKind::ImpossibleTravel(p) => {
            float(&mut out, "max_speed_kmh", p.max_speed_kmh, 50.0, 50_000.0);
            float(&mut out, "min_distance_km", p.min_distance_km, 0.0, MAX_DISTANCE_KM);
        }
        RuleKind::SimultaneousLocations(p) => {
            float(&mut out, "min_distance_km", p.min_distance_km, 0.0, MAX_DISTANCE_KM);
        }
        RuleKind::DeviceVelocity(p) => {
            int(&mut out, "max_distinct", p.max_distinct, 1, 1_000);
            int(&mut out, "window_hours", p.window_hours, 1, 720);
        }
        RuleKind::ConcurrentStreams(p) => int(&mut out, "max_streams", p.max_streams, 1, 100),
        RuleKind::GeoRestriction(p) => {
            if p.mode == GeoMode::Allow && p.countries.is_empty() {
                out.push(err("countries", Problem::Required));
            }
            if p.countries.len() > 300 {
                out.push(err("countries", Problem::TooMany { max: 300 }));
            } else if !p.countries.iter().all(|c| is_country_code(c)) {
                out.push(err("countries", Problem::InvalidCountry));
            } else {
                let mut codes: Vec<String> = p.countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
                codes.sort();
                if codes.windows(2).any(|w| w[0] == w[1]) {
                    out.push(err("countries", Problem::Duplicate));
                }
            }
        }
        RuleKind::AccountInactivity(p) => int(&mut out, "max_inactive_days", p.max_inactive_days, 1, 3_650),
        RuleKind::NewDevice(_) | RuleKind::NewCountry(_) | RuleKind::TranscodeResolution(_) => {}
        RuleKind::PausedTooLong(p) => int(&mut out, "max_paused_minutes", p.max_paused_minutes, 1, 10_080),
        RuleKind::ConcurrentTranscodes(p) => int(&mut out, "max_transcodes", p.max_transcodes, 0, 100),
    }
    out
}

impl Rule {
    /// Every invalid field, in field order; empty when the rule is valid.
    #[must_use]
    pub fn problems(&self) -> Vec<RuleError> {
        let mut out = Vec::new();
        let id = self.id.0.trim();
        if id.is_empty() {
            out.push(err("id", Problem::Required));
        } else if id.chars().count() > MAX_ID_CHARS {
            out.push(err("id", Problem::TooLarge { max: MAX_ID_CHARS as u32 }));
        } else if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            out.push(err("id", Problem::Characters));
        }
        let name = self.name.trim();
        if name.is_empty() {
            out.push(err("name", Problem::Required));
        } else if name.chars().count() > MAX_NAME_CHARS {
            out.push(err("name", Problem::TooLarge { max: MAX_NAME_CHARS as u32 }));
        }
        out.extend(kind_problems(&self.kind));
        if self.exceptions.networks.len() > MAX_NETWORKS {
            out.push(err("exceptions.networks", Problem::TooMany { max: MAX_NETWORKS as u32 }));
        }
        if self.exceptions.users.len() > MAX_EXCEPTED_USERS {
            out.push(err("exceptions.users", Problem::TooMany { max: MAX_EXCEPTED_USERS as u32 }));
        }
        out.extend(self.actions.problems());
        out
    }

    /// The first invalid field, if any.
    pub fn validate(&self) -> Result<(), RuleError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

impl UserSettings {
    /// Checks the per-account stream limit (1 to 100) and the number of household networks.
    pub fn validate(&self) -> Result<(), RuleError> {
        let mut out = Vec::new();
        if let Some(n) = self.max_streams {
            int(&mut out, "max_streams", n, 1, 100);
        }
        if self.household_networks.len() > MAX_NETWORKS {
            out.push(err("household_networks", Problem::TooMany { max: MAX_NETWORKS as u32 }));
        }
        out.into_iter().next().map_or(Ok(()), Err)
    }
}
