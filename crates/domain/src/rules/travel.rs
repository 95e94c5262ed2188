//! Impossible travel: flags a session whose implied speed from the account's previous located session
//! (its last sighting to this session's start) exceeds `max_speed_kmh`.
//!
//! Not travel: an unchanged address, /24, /64, or ASN + city (GeoIP moved, the viewer did not); distances
//! shorter than `min_distance_km` once both accuracy radii are subtracted; unlocatable addresses; a
//! previous session that is still streaming (two places at once is the simultaneous-locations rule's
//! condition, and one condition is one incident, not two).

use chrono::TimeDelta;

use super::context::RuleSession;
use super::evidence::{Finding, Measure, SessionEvidence, Unit, fact, fmt_duration, fmt_int, place_name};
use super::params::TravelParams;
use super::view::{View, is_device, located, same_place};
use crate::geo::{haversine_km, min_distance_km};

/// The shortest time gap used for a speed: sessions that overlap or follow each other at once are judged as
/// this far apart, so the speed stays finite (and still far above any limit for real distances).
pub const MIN_TRAVEL_GAP: TimeDelta = TimeDelta::minutes(5);

pub(crate) fn check(p: &TravelParams, v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    located(cur)?;
    let device = cur.device_key().filter(|_| p.skip_same_device);
    let prev = v
        .history
        .iter()
        .copied()
        .filter(|s| s.started_at <= cur.started_at && !device.is_some_and(|d| is_device(s, d)))
        .filter(|s| located(s).is_some())
        .filter(|s| !v.is_active(s))
        .max_by(|a, b| recency(a, b))?;
    judge(p, cur, prev)
}

/// The order in which the previous session is chosen: the latest sighting, then the latest start, then the
/// session's key (unique, so the order is total).
pub(crate) fn recency(a: &RuleSession, b: &RuleSession) -> std::cmp::Ordering {
    (a.last_seen_at, a.started_at, a.server_id, &a.session_key).cmp(&(
        b.last_seen_at,
        b.started_at,
        b.server_id,
        &b.session_key,
    ))
}

/// The verdict once the previous located session that is no longer streaming (`prev`) is chosen.
pub(crate) fn judge(p: &TravelParams, cur: &RuleSession, prev: &RuleSession) -> Option<Finding> {
    let here = located(cur)?;
    if same_place(prev, cur) {
        return None;
    }
    let there = located(prev)?;
    let raw_km = haversine_km(there.point, here.point);
    let km = min_distance_km(there.point, there.accuracy_km, here.point, here.accuracy_km);
    if km <= 0.0 || km < p.min_distance_km {
        return None;
    }
    let gap = (cur.started_at - prev.last_seen_at).max(MIN_TRAVEL_GAP);
    let hours = gap.num_milliseconds() as f64 / 3_600_000.0;
    let speed = km / hours;
    if speed <= p.max_speed_kmh {
        return None;
    }
    let apart =
        if km < raw_km { format!("at least {} km apart", fmt_int(km)) } else { format!("{} km apart", fmt_int(km)) };
    let summary = format!(
        "one account streamed from {} and then {}, {apart}, within {}: {} km/h > {} km/h",
        place_name(prev),
        place_name(cur),
        fmt_duration(gap),
        fmt_int(speed),
        fmt_int(p.max_speed_kmh),
    );
    let mut pair =
        [format!("{}:{}", prev.server_id, prev.session_key), format!("{}:{}", cur.server_id, cur.session_key)];
    pair.sort();
    Some(Finding {
        summary,
        measured: Measure::amount(speed, Unit::Kmh),
        threshold: Measure::amount(p.max_speed_kmh, Unit::Kmh),
        facts: vec![
            fact("distance_km", raw_km, Unit::Km),
            fact("distance_beyond_accuracy_km", km, Unit::Km),
            fact("time_between_hours", hours, Unit::Hours),
        ],
        sessions: vec![SessionEvidence::from(cur), SessionEvidence::from(prev)],
        key_part: pair.join("+"),
    })
}
