//! Geo restriction: flags a stream from a country outside the allow-list or on the block-list. Only public
//! addresses have a country here: LAN, CGNAT, relay and unknown addresses never violate, in either mode.

use super::context::AddressClass;
use super::evidence::{Finding, Measure, SessionEvidence};
use super::params::{GeoMode, GeoRestrictionParams};
use super::view::View;

pub(crate) fn check(p: &GeoRestrictionParams, v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    if cur.address_class != AddressClass::Public || cur.ip.is_some_and(|ip| !super::net::is_public(ip)) {
        return None;
    }
    let country = cur.country_code()?;
    let mut list: Vec<String> = p.countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
    list.sort();
    list.dedup();
    let listed = list.contains(&country);
    let summary = match p.mode {
        GeoMode::Block if listed => format!("one account streamed from {country}, which is on the block-list"),
        GeoMode::Allow if !listed => {
            format!("one account streamed from {country}, which is not on the allow-list ({})", list.join(", "))
        }
        _ => return None,
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
