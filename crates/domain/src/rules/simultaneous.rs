//! Simultaneous locations: flags a session playing while another active session of the same account is
//! further away than `min_distance_km`, after subtracting both accuracy radii. Sessions in the same place
//! (address, /24, /64, ASN + city) or on the same device are never compared.

use super::evidence::{Finding, Measure, SessionEvidence, Unit, fact, fmt_int, place_name};
use super::params::SimultaneousParams;
use super::view::{View, located, same_device, same_place};
use crate::geo::{haversine_km, min_distance_km};

pub(crate) fn check(p: &SimultaneousParams, v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    if !cur.is_active() {
        return None;
    }
    let here = located(cur)?;
    let mut far = Vec::new();
    for s in v.active.iter().copied() {
        let Some(there) = located(s) else { continue };
        if same_place(s, cur) || same_device(s, cur) {
            continue;
        }
        let km = min_distance_km(here.point, here.accuracy_km, there.point, there.accuracy_km);
        if km > 0.0 && km > p.min_distance_km {
            far.push((s, km, haversine_km(here.point, there.point)));
        }
    }
    let max_km = far.iter().map(|f| f.1).fold(0.0_f64, f64::max);
    let max_raw = far.iter().map(|f| f.2).fold(0.0_f64, f64::max);
    if far.is_empty() {
        return None;
    }
    let mut places: Vec<String> = vec![place_name(cur)];
    for (s, _, _) in &far {
        let name = place_name(s);
        if !places.contains(&name) {
            places.push(name);
        }
    }
    let listed = match places.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => places.join(""),
    };
    let apart = if far.len() == 1 { "" } else { "up to " };
    let summary = format!(
        "one account is streaming from {listed} at the same time, {apart}{} km apart: {} km > {} km",
        fmt_int(max_km),
        fmt_int(max_km),
        fmt_int(p.min_distance_km),
    );
    let mut sessions = vec![SessionEvidence::from(cur)];
    sessions.extend(far.iter().map(|(s, _, _)| SessionEvidence::from(*s)));
    Some(Finding {
        summary,
        measured: Measure::amount(max_km, Unit::Km),
        threshold: Measure::amount(p.min_distance_km, Unit::Km),
        facts: vec![fact("distance_km", max_raw, Unit::Km)],
        sessions,
        key_part: String::new(),
    })
}
