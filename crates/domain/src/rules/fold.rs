//! One event, one alert: when a session raises a sharing violation (impossible travel or simultaneous
//! locations), its "new device" and "new country" notices are folded into that violation as facts instead
//! of opening incidents of their own. Someone streaming from a second country at once is one condition.

use super::evidence::{Fact, Violation};
use super::params::RuleType;

fn is_sharing(kind: RuleType) -> bool {
    matches!(kind, RuleType::ImpossibleTravel | RuleType::SimultaneousLocations)
}

fn is_novelty(kind: RuleType) -> bool {
    matches!(kind, RuleType::NewDevice | RuleType::NewCountry)
}

/// Moves novelty notices into the first sharing violation, keeping the order of the rest.
pub(crate) fn fold_novelty(violations: &mut Vec<Violation>) {
    if !violations.iter().any(|v| is_sharing(v.kind)) {
        return;
    }
    let mut facts = Vec::new();
    violations.retain(|v| {
        let novelty = is_novelty(v.kind);
        if novelty {
            facts.push(Fact { name: v.kind.as_str().to_owned(), measure: v.evidence.measured.clone() });
        }
        !novelty
    });
    if let Some(v) = violations.iter_mut().find(|v| is_sharing(v.kind)) {
        v.evidence.facts.extend(facts);
    }
}
