//! Geo restriction: flags a stream from a country outside the allow-list or on the block-list. Only public
//! addresses have a country here: LAN, CGNAT, relay and unknown addresses never violate, in either mode.

use super::evidence::{Finding, Measure, SessionEvidence};
use super::params::{GeoMode, GeoRestrictionParams};
use super::view::{View, public_country};

pub(crate) fn check(p: &GeoRestrictionParams, v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    let country = public_country(cur)?;
    let listed = p.countries.iter().any(|c| c.trim().eq_ignore_ascii_case(country));
    if listed != (p.mode == GeoMode::Block) {
        return None;
    }
    let country = country.to_ascii_uppercase();
    let mut list: Vec<String> = p.countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
    list.sort();
    list.dedup();
    let summary = match p.mode {
        GeoMode::Block => format!("one account streamed from {country}, which is on the block-list"),
        GeoMode::Allow => {
            format!("one account streamed from {country}, which is not on the allow-list ({})", list.join(", "))
        }
    };
    let threshold = match p.mode {
        GeoMode::Allow => format!("allowed: {}", list.join(", ")),
        GeoMode::Block => format!("blocked: {}", list.join(", ")),
    };
    Some(Finding {
        summary,
        measured: Measure::label(country.clone()),
        threshold: Measure::label(threshold),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: format!("country:{country}"),
    })
}
