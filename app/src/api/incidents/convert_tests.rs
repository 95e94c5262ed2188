//! Tests of the incident mapping: filters and cursors from query values, rows and details from
//! records, measures in words, session places, map markers and lines, status-change errors.

use super::*;
use chrono::{Duration, TimeZone as _};
use sightline_backend::store::IncidentRecord;
use sightline_backend::store::insight::Facet;
use sightline_domain::ServerId;
use sightline_domain::geo::LatLon;
use sightline_domain::rules::{Evidence, Fact, PlaceEvidence, RuleId, Unit, UserRef};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid")
}

fn session(ip: &str, place: Option<(f64, f64, &str)>, class: AddressClass) -> SessionEvidence {
    SessionEvidence {
        server_id: ServerId(1),
        session_key: "s".into(),
        play_id: None,
        started_at: now() - Duration::hours(1),
        last_seen_at: now(),
        ip: ip.parse().ok(),
        address_class: class,
        location: place.map(|(lat, lon, city)| PlaceEvidence {
            point: LatLon::new(lat, lon),
            accuracy_km: 20.0,
            city: Some(city.to_owned()),
            region: None,
            country: Some("GB".into()),
        }),
        country: place.map(|_| "GB".to_owned()),
        asn: Some(29518),
        asn_org: Some("Bredband2".into()),
        device_id: Some("dev-1".into()),
        player: Some("Living room".into()),
        product: Some("Plex Web".into()),
        platform: Some("Chrome".into()),
    }
}

fn listing(kind: RuleType, sessions: Vec<SessionEvidence>) -> IncidentListing {
    IncidentListing {
        record: IncidentRecord {
            id: 7,
            status: "open".into(),
            occurrences: 3,
            opened_at: now() - Duration::hours(2),
            updated_at: now() - Duration::minutes(4),
            violation: Violation {
                rule_id: RuleId("default-impossible-travel".into()),
                rule_name: "Impossible travel".into(),
                kind,
                severity: Severity::High,
                server_id: ServerId(1),
                user_id: "u-1".into(),
                session_key: Some("s".into()),
                summary: "alice moved 1,500 km in 1 h".into(),
                evidence: Evidence {
                    measured: Measure::amount(1500.4, Unit::Kmh),
                    threshold: Measure::amount(900.0, Unit::Kmh),
                    facts: vec![Fact { name: "time_between".into(), measure: Measure::amount(1.0, Unit::Hours) }],
                    sessions,
                },
                condition_key: "k".into(),
            },
        },
        account_name: Some("alice".into()),
        server_name: None,
    }
}

#[test]
fn query_values_become_filters_and_unknown_values_are_refused() {
    let f = incident_filter("high", "active", "1:u-1", "default-impossible-travel").expect("valid");
    assert_eq!(f.severity, Some(Severity::High));
    assert_eq!(f.statuses, [IncidentStatus::Open, IncidentStatus::Acknowledged]);
    assert_eq!(f.user, Some(UserRef { server_id: ServerId(1), user_id: "u-1".into() }));
    assert_eq!(f.rule_id.as_deref(), Some("default-impossible-travel"));
    assert_eq!(incident_filter("", "", "", " ").expect("any"), IncidentFilter::default());
    assert_eq!(incident_filter("", "dismissed", "", "").expect("one").statuses, [IncidentStatus::Dismissed]);
    assert!(incident_filter("urgent", "", "", "").expect_err("bad").field_message("severity").is_some());
    assert!(incident_filter("", "closed", "", "").expect_err("bad").field_message("status").is_some());
    assert!(incident_filter("", "", "alice", "").expect_err("bad").field_message("user").is_some());
}

#[test]
fn cursors_survive_the_query_string_and_garbage_is_refused() {
    let c = IncidentCursor { updated_at: now(), id: 42 };
    assert_eq!(parse_cursor(&cursor_value(c)), Ok(Some(c)));
    assert_eq!(parse_cursor(""), Ok(None));
    for bad in ["42", "x.1", "1.y", "99999999999999999999.1"] {
        assert!(parse_cursor(bad).is_err(), "{bad}");
    }
}

#[test]
fn status_changes_map_to_clear_errors() {
    assert!(status_failed(StatusError::Invalid).field_message("status").is_some());
    assert_eq!(status_failed(StatusError::NotFound), AppError::NotFound);
    let conflict = status_failed(StatusError::Conflict);
    assert!(conflict.field_message("status").is_some_and(|m| m.contains("another incident")));
}

#[test]
fn rows_carry_names_badges_and_times() {
    let r = row(&listing(RuleType::ImpossibleTravel, vec![]), now());
    assert_eq!((r.id, r.severity.as_str(), r.status.as_str()), (7, "high", "open"));
    assert_eq!((r.account.as_str(), r.server.as_str(), r.kind.as_str()), ("alice", "server 1", "Impossible travel"));
    assert_eq!((r.occurrences, r.updated_ago.as_str()), (3, "4 min ago"));
    assert_eq!(r.opened, "2026-11-25 10:00:00 UTC");
    let facets = IncidentFacets {
        users: vec![Facet {
            value: UserRef { server_id: ServerId(1), user_id: "u-1".into() },
            label: "alice".into(),
            count: 2,
        }],
        rules: vec![Facet { value: "r".into(), label: "Rule".into(), count: 2 }],
        open: 1,
        acknowledged: 1,
        dismissed: 0,
    };
    let page = IncidentPage { items: vec![], next: Some(IncidentCursor { updated_at: now(), id: 3 }) };
    let list = incident_list(page, facets, now());
    assert_eq!(list.facets.users, [Choice { value: "1:u-1".into(), label: "alice".into() }]);
    assert_eq!(list.facets.total(), 2);
    assert_eq!(list.next, Some(format!("{}.3", now().timestamp_millis())));
}

#[test]
fn measures_read_as_people_write_them() {
    assert_eq!(fmt_measure(&Measure::amount(1500.4, Unit::Kmh)), "1,500 km/h");
    assert_eq!(fmt_measure(&Measure::amount(2.5, Unit::Hours)), "2.5 h");
    assert_eq!(fmt_measure(&Measure::amount(3.0, Unit::Streams)), "3 streams");
    assert_eq!(fmt_measure(&Measure::amount(f64::INFINITY, Unit::Kmh)), "∞ km/h");
    assert_eq!(fmt_measure(&Measure::label("FR")), "FR");
}

#[test]
fn details_list_sessions_and_draw_a_line_between_the_two_places_of_a_journey() {
    let sessions = vec![
        session("81.2.69.142", Some((51.5142, -0.0931, "London")), AddressClass::Public),
        session("89.160.20.112", Some((58.4167, 15.6167, "Linköping")), AddressClass::Public),
        session("81.2.69.143", Some((51.5143, -0.0932, "London")), AddressClass::Public),
        session("192.168.1.9", None, AddressClass::Private),
    ];
    let d = incident_detail(listing(RuleType::ImpossibleTravel, sessions.clone()), None, now());
    assert_eq!((d.measured.as_str(), d.threshold.as_str()), ("1,500 km/h", "900 km/h"));
    assert_eq!(d.facts, [("Time between".to_owned(), "1 h".to_owned())]);
    assert_eq!(d.sessions.len(), 4);
    let first = &d.sessions[0];
    assert_eq!(
        (first.ip.as_str(), first.place.as_str(), first.network.as_str(), first.product.as_str()),
        ("81.2.69.142", "London, GB", "AS29518 Bredband2", "Plex Web (Chrome)")
    );
    assert_eq!(d.sessions[3].place, "Local network");
    assert_eq!(d.markers.len(), 2, "two London sessions share a marker");
    assert_eq!((d.markers[0].count, d.markers[0].title.as_str()), (2, "London, GB"));
    assert!(d.markers.iter().all(|m| m.highlighted));
    assert_eq!(d.markers[0].lines[0], "81.2.69.142 · Living room · Plex Web");
    assert_eq!(d.lines, [MapLine { from: (51.5142, -0.0931), to: (58.4167, 15.6167) }]);

    let streams = incident_detail(listing(RuleType::ConcurrentStreams, sessions), None, now());
    assert!(streams.lines.is_empty(), "only journeys get lines");
}
