//! Server-side mapping for the incident functions: query values into an `IncidentFilter` and a
//! cursor, store records into rows and details (measures in words, sessions, places and lines for
//! the map), and status changes into `AppError`s. Pure.

use super::{FacetsView, IncidentDetail, IncidentList, IncidentRow, SessionRow};
use crate::api::map::Choice;
use crate::api::map::convert::{ago, parse_user, user_value};
use crate::components::world_map::{MapLine, MapMarker, TileSpec};
use crate::error::AppError;
use crate::ssr::fmt_time;
use chrono::{DateTime, Utc};
use sightline_backend::incidents::StatusError;
use sightline_backend::store::insight::{
    IncidentCursor, IncidentFacets, IncidentFilter, IncidentListing, IncidentPage, IncidentStatus,
};
use sightline_domain::rules::{AddressClass, Measure, RuleType, SessionEvidence, Severity, Violation, fmt_int};

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Invalid { field: field.to_owned(), message: message.to_owned() }
}

fn parse_severity(s: &str) -> Option<Severity> {
    [Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().find(|v| v.as_str() == s)
}

/// The filter from the page's query values (empty: any); unknown values are refused by field.
pub(crate) fn incident_filter(
    severity: &str,
    status: &str,
    user: &str,
    rule: &str,
) -> Result<IncidentFilter, AppError> {
    let severity = match severity.trim() {
        "" => None,
        s => Some(parse_severity(s).ok_or_else(|| invalid("severity", "unknown severity"))?),
    };
    let statuses = match status.trim() {
        "" => vec![],
        "active" => vec![IncidentStatus::Open, IncidentStatus::Acknowledged],
        s => vec![IncidentStatus::parse(s).ok_or_else(|| invalid("status", "unknown status"))?],
    };
    let user = match user.trim() {
        "" => None,
        u => Some(parse_user(u).ok_or_else(|| invalid("user", "unknown account"))?),
    };
    let rule_id = Some(rule.trim().to_owned()).filter(|r| !r.is_empty());
    Ok(IncidentFilter { statuses, severity, user, rule_id })
}

/// A cursor as a query value: `<updated ms>.<id>`.
pub(crate) fn cursor_value(c: IncidentCursor) -> String {
    format!("{}.{}", c.updated_at.timestamp_millis(), c.id)
}

pub(crate) fn parse_cursor(value: &str) -> Result<Option<IncidentCursor>, AppError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let bad = || invalid("after", "not a page of this list");
    let (ms, id) = value.trim().split_once('.').ok_or_else(bad)?;
    let updated_at = ms.parse().ok().and_then(DateTime::from_timestamp_millis).ok_or_else(bad)?;
    Ok(Some(IncidentCursor { updated_at, id: id.parse().map_err(|_| bad())? }))
}

/// A refused status change, as the page shows it (next to the status buttons).
pub(crate) fn status_failed(e: StatusError) -> AppError {
    match e {
        StatusError::NotFound => AppError::NotFound,
        StatusError::Store(e) => crate::ssr::internal(&e),
        e @ (StatusError::Invalid | StatusError::Conflict) => invalid("status", &e.to_string()),
    }
}

/// "1,200 km/h", "2.5 h", "3 streams", or the label.
pub(crate) fn fmt_measure(m: &Measure) -> String {
    match m {
        Measure::Amount { value, unit } => {
            let number = if !value.is_finite() || value.abs() >= 100.0 {
                fmt_int(*value)
            } else {
                let s = format!("{value:.1}");
                s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
            };
            format!("{number} {}", unit.symbol())
        }
        Measure::Label { text } => text.clone(),
    }
}

/// "time_between" → "Time between".
fn fact_name(name: &str) -> String {
    crate::model::servers::capitalize(&name.replace('_', " "))
}

pub(crate) fn row(listing: &IncidentListing, now: DateTime<Utc>) -> IncidentRow {
    let r = &listing.record;
    let v = &r.violation;
    IncidentRow {
        id: r.id,
        severity: v.severity.as_str().to_owned(),
        status: r.status.clone(),
        summary: v.summary.clone(),
        rule_name: v.rule_name.clone(),
        kind: crate::model::rule_form::kind_label(v.kind).to_owned(),
        account: listing.account_name.clone().unwrap_or_else(|| v.user_id.clone()),
        server: listing.server_name.clone().unwrap_or_else(|| format!("server {}", v.server_id)),
        occurrences: r.occurrences,
        opened: fmt_time(r.opened_at),
        updated: fmt_time(r.updated_at),
        updated_ago: ago(now, r.updated_at),
    }
}

fn facets_view(f: IncidentFacets) -> FacetsView {
    FacetsView {
        users: f.users.iter().map(|u| Choice { value: user_value(&u.value), label: u.label.clone() }).collect(),
        rules: f.rules.into_iter().map(|r| Choice { value: r.value, label: r.label }).collect(),
        open: f.open,
        acknowledged: f.acknowledged,
        dismissed: f.dismissed,
    }
}

pub(crate) fn incident_list(page: IncidentPage, facets: IncidentFacets, now: DateTime<Utc>) -> IncidentList {
    IncidentList {
        items: page.items.iter().map(|l| row(l, now)).collect(),
        next: page.next.map(cursor_value),
        facets: facets_view(facets),
    }
}

/// Where a session was, in words: the located place, else the country, else what kind of address.
fn session_place(s: &SessionEvidence) -> String {
    if let Some(l) = &s.location {
        let name = l.city.as_deref().or(l.region.as_deref());
        let country = l.country.as_deref().or(s.country.as_deref());
        match (name, country) {
            (Some(n), Some(c)) => return format!("{n}, {c}"),
            (Some(n), None) => return n.to_owned(),
            (None, Some(c)) => return c.to_owned(),
            (None, None) => return format!("{:.2}, {:.2}", l.point.lat, l.point.lon),
        }
    }
    if let Some(c) = &s.country {
        return c.clone();
    }
    match s.address_class {
        AddressClass::Private => "Local network",
        AddressClass::Cgnat => "Carrier NAT",
        AddressClass::Relay => "Relay",
        AddressClass::Public | AddressClass::Unknown => "Unknown",
    }
    .to_owned()
}

fn session_row(s: &SessionEvidence) -> SessionRow {
    let network = match (s.asn, s.asn_org.as_deref()) {
        (Some(n), Some(org)) => format!("AS{n} {org}"),
        (Some(n), None) => format!("AS{n}"),
        (None, Some(org)) => org.to_owned(),
        (None, None) => String::new(),
    };
    let product = match (s.product.as_deref(), s.platform.as_deref()) {
        (Some(p), Some(pl)) if p != pl => format!("{p} ({pl})"),
        (Some(p), _) => p.to_owned(),
        (None, Some(pl)) => pl.to_owned(),
        (None, None) => String::new(),
    };
    SessionRow {
        ip: s.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        place: session_place(s),
        network,
        device: s.device_id.clone().unwrap_or_default(),
        player: s.player.clone().unwrap_or_default(),
        product,
        started: fmt_time(s.started_at),
        last_seen: fmt_time(s.last_seen_at),
    }
}

/// The sessions' places as markers (one per place, sized by its sessions) and, for travel and
/// simultaneous-location incidents, lines from the judged session's place to the others.
pub(crate) fn places(v: &Violation) -> (Vec<MapMarker>, Vec<MapLine>) {
    let mut markers: Vec<MapMarker> = Vec::new();
    for s in &v.evidence.sessions {
        let Some(l) = &s.location else { continue };
        let (lat, lon) = (l.point.lat, l.point.lon);
        let line = [s.ip.map(|ip| ip.to_string()), s.player.clone(), s.product.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let same = markers.iter_mut().find(|m| (m.lat - lat).abs() < 0.005 && (m.lon - lon).abs() < 0.005);
        match same {
            Some(m) => {
                m.count += 1;
                m.lines.push(line);
            }
            None => markers.push(MapMarker {
                lat,
                lon,
                count: 1,
                highlighted: true,
                title: session_place(s),
                lines: vec![line],
            }),
        }
    }
    let lines = if matches!(v.kind, RuleType::ImpossibleTravel | RuleType::SimultaneousLocations) {
        markers.iter().skip(1).map(|m| MapLine { from: (markers[0].lat, markers[0].lon), to: (m.lat, m.lon) }).collect()
    } else {
        Vec::new()
    };
    (markers, lines)
}

pub(crate) fn incident_detail(listing: IncidentListing, tiles: Option<TileSpec>, now: DateTime<Utc>) -> IncidentDetail {
    let row = row(&listing, now);
    let v = listing.record.violation;
    let (markers, lines) = places(&v);
    IncidentDetail {
        row,
        rule_id: v.rule_id.0.clone(),
        user_id: v.user_id.clone(),
        measured: fmt_measure(&v.evidence.measured),
        threshold: fmt_measure(&v.evidence.threshold),
        facts: v.evidence.facts.iter().map(|f| (fact_name(&f.name), fmt_measure(&f.measure))).collect(),
        sessions: v.evidence.sessions.iter().map(session_row).collect(),
        markers,
        lines,
        tiles,
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
