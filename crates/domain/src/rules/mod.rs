//! The sharing-detection rule engine: `evaluate(rules, context, now)` judges one session of one account
//! against every rule and returns the violations, with evidence. Pure and deterministic: no I/O, no
//! clock (time is a parameter), geo already resolved by the backend; the backend decides what to do.
//!
//! Rules it keeps, beyond Tracearr's (see each kind's file):
//! - Only public addresses are located; private, CGNAT (100.64/10), relay and unknown addresses are never
//!   compared for distance, country or travel.
//! - Two sessions on the same address, the same IPv4 /24 or IPv6 /64, or the same ASN and city are in the
//!   same place, whatever GeoIP says; distances subtract both accuracy radii.
//! - A rule that is disabled, out of scope, excepts the account, or fails validation never fires; sessions
//!   from trusted networks (and, per rule, household networks) are left out of its evaluation.
//! - The other sessions are de-duplicated by (server, session key) and sorted, so their order never matters.

mod account;
mod actions;
mod concurrent;
mod context;
mod defaults;
mod describe;
mod evidence;
mod fold;
mod geo_restriction;
mod index;
mod indexed;
mod model;
pub mod net;
mod params;
mod playback;
mod simultaneous;
mod travel;
pub mod trust;
mod validate;
mod velocity;
mod view;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use actions::{
    MAX_COOLDOWN_SECS, MAX_MESSAGE_CHARS, MAX_STOP_DELAY_SECS, RuleActions, StopAction, fmt_secs, message_problem,
};
pub use context::{AccountActivity, AddressClass, EvalContext, Location, RuleSession, UserSettings};
pub use defaults::default_rules;
pub use describe::{describe, describe_kind};
pub use evidence::{Evidence, Fact, Measure, PlaceEvidence, SessionEvidence, Unit, Violation, fmt_duration, fmt_int};
pub use index::AccountIndex;
pub use indexed::evaluate_indexed;
pub use model::{Exceptions, Rule, RuleId, Scope, Severity, UserRef};
pub use params::{
    ConcurrentParams, ConcurrentTranscodesParams, GeoMode, GeoRestrictionParams, InactivityParams, NewCountryParams,
    NewDeviceParams, PausedParams, RuleKind, RuleType, SimultaneousParams, TranscodeResolutionParams, TravelParams,
    VelocityCount, VelocityParams,
};
pub use validate::{MAX_DISTANCE_KM, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_NETWORKS, Problem, RuleError, is_country_code};

use evidence::Finding;
use view::View;

/// Judges `context.session` against every rule, in the order of `rules`. Scheduled rules (account
/// inactivity) are skipped here; see [`evaluate_account`].
#[must_use]
pub fn evaluate(rules: &[Rule], context: &EvalContext, now: DateTime<Utc>) -> Vec<Violation> {
    let s = &context.session;
    let parts = view::Parts::of(context);
    // Rules that trust no network see the same view; it is built once, when the first of them needs it.
    let mut shared: Option<View<'_>> = None;
    let mut out = Vec::new();
    for rule in rules {
        if matches!(rule.kind, RuleKind::AccountInactivity(_))
            || !rule.applies_to(s.server_id, &s.user_id)
            || !rule.problems().is_empty()
        {
            continue;
        }
        let finding = if View::filters(rule, &context.settings) {
            View::new(rule, parts, s).and_then(|view| check(rule, &view, now))
        } else {
            check(rule, shared.get_or_insert_with(|| View::unfiltered(parts, s)), now)
        };
        out.extend(finding.map(|f| f.into_violation(rule, s.server_id, &s.user_id, Some(&s.session_key))));
    }
    fold::fold_novelty(&mut out);
    out
}

/// Judges one account against the scheduled rules (account inactivity), e.g. from an hourly job.
#[must_use]
pub fn evaluate_account(rules: &[Rule], account: &AccountActivity, now: DateTime<Utc>) -> Vec<Violation> {
    rules
        .iter()
        .filter(|rule| rule.applies_to(account.server_id, &account.user_id) && rule.problems().is_empty())
        .filter_map(|rule| {
            match &rule.kind {
                RuleKind::AccountInactivity(p) => account::inactivity(p, account, now),
                _ => None,
            }
            .map(|f| f.into_violation(rule, account.server_id, &account.user_id, None))
        })
        .collect()
}

fn check(rule: &Rule, v: &View<'_>, now: DateTime<Utc>) -> Option<Finding> {
    match &rule.kind {
        RuleKind::ImpossibleTravel(p) => travel::check(p, v),
        RuleKind::SimultaneousLocations(p) => simultaneous::check(p, v),
        RuleKind::DeviceVelocity(p) => velocity::check(p, v, now),
        RuleKind::ConcurrentStreams(p) => concurrent::check(p, v),
        RuleKind::GeoRestriction(p) => geo_restriction::check(p, v),
        RuleKind::AccountInactivity(_) => None,
        RuleKind::NewDevice(_) => account::new_device(v),
        RuleKind::NewCountry(_) => account::new_country(v),
        RuleKind::PausedTooLong(p) => playback::paused_too_long(p, v, now),
        RuleKind::TranscodeResolution(p) => playback::transcode_resolution(p, v),
        RuleKind::ConcurrentTranscodes(p) => playback::concurrent_transcodes(p, v),
    }
}
