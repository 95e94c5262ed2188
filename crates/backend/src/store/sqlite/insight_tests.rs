//! The Map and Alerts queries on a real SQLite file: places grouped and counted per filter, the
//! empty-state totals, incidents filtered in SQL and paged without gaps or repeats, and facets.

use super::*;
use crate::store::{DetectionStore, PlayStore, PlayWrite};
use chrono::Duration;
use sightline_domain::geo::LatLon;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamQuality,
};
use sightline_domain::rules::{AddressClass, Evidence, Location, Measure, RuleId, RuleType, Severity, Unit, Violation};
use sightline_domain::tracker::{ActivePlay, PlayId};

use super::super::test_fixture::{add_server, store, t0};

fn session(key: &str, user: &str) -> MediaSession {
    MediaSession {
        session_key: key.to_owned(),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_uppercase(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Movie,
            item_key: format!("item-{key}"),
            title: "Film".to_owned(),
            grandparent_title: None,
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: None,
            duration_ms: Some(600_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer::default(),
        client_ip: "81.2.69.142".parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(None, None, None, false),
        bandwidth_kbps: None,
        control: None,
    }
}

/// Where a play was: (lat, lon, city, country code).
type Place = (f64, f64, &'static str, &'static str);
const LONDON_A: Place = (51.5142, -0.0931, "London", "GB");
const LONDON_B: Place = (51.5138, -0.0929, "London", "GB");
const LINKOPING: Place = (58.4167, 15.6167, "Linköping", "SE");

/// Writes one play of `user` started `hours_ago` before t0, located at `place` when given.
async fn play(s: &SqliteStore, server: ServerId, id: u64, user: &str, hours_ago: i64, place: Option<Place>) {
    let at = t0() - Duration::hours(hours_ago);
    let active = ActivePlay {
        id: PlayId(id),
        started_at: at,
        last_seen_at: at,
        played_ms: 0,
        paused_ms: 0,
        resumes: None,
        session: session(&id.to_string(), user),
    };
    let mut writes = vec![PlayWrite::Active(Box::new(active))];
    if let Some((lat, lon, city, country)) = place {
        let geo = SessionGeo {
            class: AddressClass::Public,
            country_name: Some(format!("{country} name")),
            country_code: Some(country.to_owned()),
            location: Some(Location {
                point: LatLon::new(lat, lon),
                accuracy_km: 10.0,
                city: Some(city.to_owned()),
                region: None,
                country: Some(country.to_owned()),
                asn: Some(29518),
                asn_org: Some("Bredband2".to_owned()),
            }),
            anonymous: false,
        };
        writes.push(PlayWrite::Located { play: PlayId(id), geo: Box::new(geo) });
    }
    s.write_plays(server, &writes, at).await.expect("writes");
}

#[tokio::test]
async fn places_are_grouped_by_rounded_point_city_and_country_with_plays_and_users() {
    let (_dir, s) = store().await;
    let server = add_server(&s, "Den").await;
    play(&s, server, 1, "alice", 1, Some(LONDON_A)).await;
    play(&s, server, 2, "bob", 2, Some(LONDON_B)).await;
    play(&s, server, 3, "alice", 3, Some(LONDON_A)).await;
    play(&s, server, 4, "carol", 4, Some(LINKOPING)).await;
    play(&s, server, 5, "dave", 5, None).await;

    let places = s.play_places(&PlaceFilter::default(), 100).await.expect("places");
    assert_eq!(places.len(), 2, "{places:?}");
    let london = &places[0];
    assert_eq!((london.lat, london.lon), (51.51, -0.09));
    assert_eq!((london.city.as_deref(), london.country_code.as_deref()), (Some("London"), Some("GB")));
    assert_eq!(london.country_name.as_deref(), Some("GB name"));
    assert_eq!((london.plays, london.n_users), (3, 2));
    assert_eq!(london.users, ["ALICE", "BOB"]);
    assert_eq!(london.last_started_at, t0() - Duration::hours(1));
    assert_eq!((places[1].city.as_deref(), places[1].plays, places[1].n_users), (Some("Linköping"), 1, 1));

    let top = s.play_places(&PlaceFilter::default(), 1).await.expect("places");
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].city.as_deref(), Some("London"));

    let totals = s.place_totals(&PlaceFilter::default()).await.expect("totals");
    assert_eq!(totals, PlaceTotals { plays: 5, located: 4, any_located: true });
}

#[tokio::test]
async fn place_filters_narrow_by_period_server_and_account() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    play(&s, den, 1, "alice", 1, Some(LONDON_A)).await;
    play(&s, den, 2, "alice", 48, Some(LINKOPING)).await;
    play(&s, den, 3, "bob", 2, Some(LONDON_B)).await;
    play(&s, attic, 4, "alice", 3, Some(LINKOPING)).await;
    play(&s, attic, 5, "erin", 4, None).await;

    let cities = |places: &[PlaceRecord]| -> Vec<(String, u64)> {
        places.iter().map(|p| (p.city.clone().unwrap_or_default(), p.plays)).collect()
    };
    let want =
        |list: &[(&str, u64)]| -> Vec<(String, u64)> { list.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect() };
    let day = PlaceFilter { since: Some(t0() - Duration::hours(24)), ..PlaceFilter::default() };
    assert_eq!(cities(&s.play_places(&day, 10).await.expect("day")), want(&[("London", 2), ("Linköping", 1)]));

    let on_den = PlaceFilter { server: Some(den), ..PlaceFilter::default() };
    assert_eq!(cities(&s.play_places(&on_den, 10).await.expect("den")), want(&[("London", 2), ("Linköping", 1)]));

    let alice_on_den =
        PlaceFilter { user: Some(UserRef { server_id: den, user_id: "alice".into() }), ..PlaceFilter::default() };
    let alice = s.play_places(&alice_on_den, 10).await.expect("alice");
    assert_eq!(cities(&alice), want(&[("London", 1), ("Linköping", 1)]));
    assert!(alice.iter().all(|p| p.users == ["ALICE"]));

    let attic_only = PlaceFilter { server: Some(attic), ..PlaceFilter::default() };
    assert_eq!(
        s.place_totals(&attic_only).await.expect("totals"),
        PlaceTotals { plays: 2, located: 1, any_located: true }
    );
    let empty_period = PlaceFilter { since: Some(t0() + Duration::hours(1)), ..PlaceFilter::default() };
    assert!(s.play_places(&empty_period, 10).await.expect("none").is_empty());
    assert_eq!(
        s.place_totals(&empty_period).await.expect("t"),
        PlaceTotals { plays: 0, located: 0, any_located: true }
    );

    let accounts = s.streaming_accounts().await.expect("accounts");
    let names: Vec<(String, String)> = accounts.iter().map(|a| (a.name.clone(), a.server_name.clone())).collect();
    assert_eq!(
        names,
        [("ALICE", "Attic"), ("ALICE", "Den"), ("BOB", "Den"), ("ERIN", "Attic")].map(|(a, b)| (a.into(), b.into()))
    );
}

#[tokio::test]
async fn a_database_without_located_plays_says_so() {
    let (_dir, s) = store().await;
    assert_eq!(s.place_totals(&PlaceFilter::default()).await.expect("t"), PlaceTotals::default());
    let server = add_server(&s, "Den").await;
    play(&s, server, 1, "alice", 1, None).await;
    assert_eq!(
        s.place_totals(&PlaceFilter::default()).await.expect("t"),
        PlaceTotals { plays: 1, located: 0, any_located: false }
    );
    assert!(s.play_places(&PlaceFilter::default(), 10).await.expect("places").is_empty());
}

fn violation(server: ServerId, user: &str, rule: &str, severity: Severity, key: &str) -> Violation {
    Violation {
        rule_id: RuleId(rule.to_owned()),
        rule_name: format!("Rule {rule}"),
        kind: RuleType::ImpossibleTravel,
        severity,
        server_id: server,
        user_id: user.to_owned(),
        session_key: Some("1".to_owned()),
        summary: format!("{user} broke {rule}"),
        evidence: Evidence {
            measured: Measure::amount(1200.0, Unit::Kmh),
            threshold: Measure::amount(900.0, Unit::Kmh),
            facts: vec![],
            sessions: vec![],
        },
        condition_key: format!("{rule}|{server}|{user}|{key}"),
    }
}

/// Opens incidents one minute apart (the last is the newest) and returns their ids.
async fn incidents(s: &SqliteStore, list: &[Violation]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (n, v) in list.iter().enumerate() {
        let at = t0() + Duration::minutes(i64::try_from(n).expect("small"));
        ids.push(s.record_violation(v, at).await.expect("records").0.id);
    }
    ids
}

fn ids(page: &IncidentPage) -> Vec<i64> {
    page.items.iter().map(|l| l.record.id).collect()
}

#[tokio::test]
async fn incidents_are_filtered_in_sql_and_carry_account_and_server_names() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    play(&s, den, 1, "alice", 1, None).await;
    let made = incidents(
        &s,
        &[
            violation(den, "alice", "travel", Severity::High, "a"),
            violation(den, "bob", "travel", Severity::Medium, "b"),
            violation(den, "alice", "streams", Severity::Medium, "c"),
            violation(den, "alice", "travel", Severity::High, "d"),
        ],
    )
    .await;
    s.set_incident_status(made[3], "acknowledged", t0() + Duration::minutes(10)).await.expect("ack");
    s.set_incident_status(made[1], "dismissed", t0() + Duration::minutes(11)).await.expect("dismiss");

    let all = s.incident_page(&IncidentFilter::default(), None, 50).await.expect("all");
    assert_eq!(ids(&all), [made[1], made[3], made[2], made[0]], "newest update first");
    assert_eq!(all.next, None);
    let first = &all.items[3];
    assert_eq!((first.account_name.as_deref(), first.server_name.as_deref()), (Some("ALICE"), Some("Den")));
    assert_eq!(all.items[0].account_name, None, "bob never streamed, so no account row");

    let active = IncidentFilter {
        statuses: vec![IncidentStatus::Open, IncidentStatus::Acknowledged],
        ..IncidentFilter::default()
    };
    assert_eq!(ids(&s.incident_page(&active, None, 50).await.expect("active")), [made[3], made[2], made[0]]);
    let high = IncidentFilter { severity: Some(Severity::High), ..IncidentFilter::default() };
    assert_eq!(ids(&s.incident_page(&high, None, 50).await.expect("high")), [made[3], made[0]]);
    let bob =
        IncidentFilter { user: Some(UserRef { server_id: den, user_id: "bob".into() }), ..IncidentFilter::default() };
    assert_eq!(ids(&s.incident_page(&bob, None, 50).await.expect("bob")), [made[1]]);
    let streams = IncidentFilter { rule_id: Some("streams".into()), ..IncidentFilter::default() };
    assert_eq!(ids(&s.incident_page(&streams, None, 50).await.expect("rule")), [made[2]]);
    let nothing = IncidentFilter {
        statuses: vec![IncidentStatus::Dismissed],
        severity: Some(Severity::High),
        ..IncidentFilter::default()
    };
    assert!(s.incident_page(&nothing, None, 50).await.expect("none").items.is_empty());

    let one = s.incident_listing(made[2]).await.expect("reads").expect("exists");
    assert_eq!((one.record.status.as_str(), one.record.violation.rule_id.0.as_str()), ("open", "streams"));
    assert_eq!(s.incident_listing(9999).await.expect("reads"), None);
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats_even_on_equal_times() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let mut made = Vec::new();
    for n in 0..7 {
        let v = violation(den, "alice", "travel", Severity::Low, &n.to_string());
        // Pairs share an update time, so the id must break the tie.
        let at = t0() + Duration::minutes(n / 2);
        made.push(s.record_violation(&v, at).await.expect("records").0.id);
    }
    let mut seen = Vec::new();
    let mut after = None;
    let mut n_pages = 0;
    loop {
        let page = s.incident_page(&IncidentFilter::default(), after, 3).await.expect("page");
        assert!(page.items.len() <= 3);
        seen.extend(ids(&page));
        n_pages += 1;
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made);
    assert_eq!(n_pages, 3);
}

#[tokio::test]
async fn facets_count_statuses_accounts_and_rules_and_tell_same_names_apart() {
    let (_dir, s) = store().await;
    assert_eq!(s.incident_facets().await.expect("facets").total(), 0);
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    play(&s, den, 1, "alice", 1, None).await;
    play(&s, attic, 2, "alice", 1, None).await;
    let made = incidents(
        &s,
        &[
            violation(den, "alice", "travel", Severity::High, "a"),
            violation(attic, "alice", "travel", Severity::High, "b"),
            violation(den, "zed", "streams", Severity::Low, "c"),
        ],
    )
    .await;
    s.set_incident_status(made[0], "dismissed", t0() + Duration::minutes(5)).await.expect("dismiss");

    let f = s.incident_facets().await.expect("facets");
    assert_eq!((f.open, f.acknowledged, f.dismissed, f.total()), (2, 0, 1, 3));
    let users: Vec<(String, u64)> = f.users.iter().map(|u| (u.label.clone(), u.count)).collect();
    assert_eq!(users, [("ALICE (Attic)".into(), 1), ("ALICE (Den)".into(), 1), ("zed".into(), 1)]);
    assert_eq!(f.users[2].value, UserRef { server_id: den, user_id: "zed".into() });
    let rules: Vec<(String, String, u64)> =
        f.rules.iter().map(|r| (r.value.clone(), r.label.clone(), r.count)).collect();
    assert_eq!(rules, [("streams".into(), "Rule streams".into(), 1), ("travel".into(), "Rule travel".into(), 2)]);
}
