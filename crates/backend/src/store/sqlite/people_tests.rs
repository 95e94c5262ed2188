//! People on a real SQLite file: one person per account from sync and from streaming, rollups equal
//! to counting `plays` directly (after inserts, running updates, moves, places and deletes), merges
//! and splits that restore what was there, names, a person's incidents, and people removed with
//! their server.

use super::*;
use crate::store::{AccountInfo, DetectionStore, HistoryStore, PlayStore, PlayWrite, ServerStore};
use chrono::Duration;
use sightline_domain::geo::LatLon;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamQuality,
};
use sightline_domain::rules::{AddressClass, Evidence, Location, Measure, RuleId, RuleType, Severity, Unit, Violation};
use sightline_domain::tracker::{ActivePlay, PlayId, PlaySummary, StopReason};

use super::super::test_fixture::{add_server, store, t0};

fn session(user: &str, device: &str, ip: &str) -> MediaSession {
    MediaSession {
        session_key: format!("s-{user}-{device}"),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Movie,
            item_key: "film".to_owned(),
            title: "Film".to_owned(),
            grandparent_title: None,
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: None,
            duration_ms: Some(6_000_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer {
            device_id: Some(format!("dev-{device}")),
            name: Some(format!("{device} player")),
            platform: Some("Roku".to_owned()),
            ..SessionPlayer::default()
        },
        client_ip: ip.parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(None, None, None, false),
        bandwidth_kbps: None,
        control: None,
    }
}

fn located(city: &str, lat: f64, lon: f64) -> SessionGeo {
    SessionGeo {
        class: AddressClass::Public,
        country_name: Some("United Kingdom".to_owned()),
        country_code: Some("GB".to_owned()),
        location: Some(Location {
            point: LatLon::new(lat, lon),
            accuracy_km: 10.0,
            city: Some(city.to_owned()),
            region: None,
            country: Some("GB".to_owned()),
            asn: Some(5089),
            asn_org: Some("Virgin Media".to_owned()),
        }),
        anonymous: false,
    }
}

/// Writes play `id` of `user` on `device` from `ip`: started `hours_ago` before t0, updated once
/// while running, located in London, and stopped after ten minutes unless `running`.
async fn play(s: &SqliteStore, server: ServerId, id: u64, user: &str, device: &str, ip: &str, hours_ago: i64) {
    let at = t0() - Duration::hours(hours_ago);
    let sess = session(user, device, ip);
    let active = |seen: i64, played: u64| {
        PlayWrite::Active(Box::new(ActivePlay {
            id: PlayId(id),
            started_at: at,
            last_seen_at: at + Duration::minutes(seen),
            played_ms: played,
            paused_ms: 0,
            resumes: None,
            session: sess.clone(),
        }))
    };
    let geo = PlayWrite::Located { play: PlayId(id), geo: Box::new(located("London", 51.5142, -0.0931)) };
    let stopped = PlayWrite::Stopped {
        summary: PlaySummary {
            play: PlayId(id),
            started_at: at,
            ended_at: at + Duration::minutes(10),
            last_seen_at: at + Duration::minutes(10),
            played_ms: 600_000,
            paused_ms: 0,
            position_ms: Some(600_000),
            duration_ms: Some(6_000_000),
            watched: false,
            short: false,
            resumes: None,
        },
        reason: StopReason::Ended,
        session: Box::new(sess.clone()),
    };
    s.write_plays(server, &[active(0, 0), geo], at).await.expect("starts");
    s.write_plays(server, &[active(5, 300_000)], at).await.expect("runs");
    s.write_plays(server, &[stopped], at).await.expect("stops");
}

async fn sync(s: &SqliteStore, server: ServerId, names: &[&str]) {
    let accounts: Vec<AccountInfo> = names
        .iter()
        .map(|n| AccountInfo {
            external_id: (*n).to_owned(),
            name: (*n).to_owned(),
            thumb: None,
            is_admin: false,
            is_disabled: false,
        })
        .collect();
    s.sync_accounts(server, &accounts, t0()).await.expect("syncs");
}

fn user(server: ServerId, id: &str) -> UserRef {
    UserRef { server_id: server, user_id: id.to_owned() }
}

async fn person_of(s: &SqliteStore, server: ServerId, id: &str) -> i64 {
    s.person_of(&user(server, id)).await.expect("reads").expect("every account has a person")
}

/// (plays, played ms, last seen ms) of one person counted straight from `plays`.
async fn direct_totals(s: &SqliteStore, person: i64) -> (i64, i64, Option<i64>) {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(p.played_ms), 0), MAX(p.last_seen_at) FROM plays p \
         JOIN media_accounts a ON a.id = p.account_id WHERE a.person_id = ?",
    )
    .bind(person)
    .fetch_one(&s.reader)
    .await
    .expect("counts")
}

/// (device key, plays) and (ip, plays) of one person counted straight from `plays`.
async fn direct_devices_and_addresses(s: &SqliteStore, person: i64) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    let devices = sqlx::query_as(
        "SELECT p.device_id, COUNT(*) FROM plays p JOIN media_accounts a ON a.id = p.account_id \
         WHERE a.person_id = ? GROUP BY 1 ORDER BY 1",
    )
    .bind(person)
    .fetch_all(&s.reader)
    .await
    .expect("devices");
    let addresses = sqlx::query_as(
        "SELECT p.client_ip, COUNT(*) FROM plays p JOIN media_accounts a ON a.id = p.account_id \
         WHERE a.person_id = ? GROUP BY 1 ORDER BY 1",
    )
    .bind(person)
    .fetch_all(&s.reader)
    .await
    .expect("addresses");
    (devices, addresses)
}

async fn rolled_up(s: &SqliteStore, person: i64) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    let mut devices: Vec<(String, i64)> = Vec::new();
    for d in s.person_devices(person).await.expect("devices") {
        let n = i64::try_from(d.plays).expect("fits");
        match devices.iter_mut().find(|(k, _)| *k == d.device_key) {
            Some(row) => row.1 += n,
            None => devices.push((d.device_key, n)),
        }
    }
    devices.sort();
    let mut addresses: Vec<(String, i64)> = Vec::new();
    for a in s.person_addresses(person, 1_000).await.expect("addresses").0 {
        let n = i64::try_from(a.plays).expect("fits");
        match addresses.iter_mut().find(|(k, _)| *k == a.ip) {
            Some(row) => row.1 += n,
            None => addresses.push((a.ip, n)),
        }
    }
    addresses.sort();
    (devices, addresses)
}

async fn assert_rollups_match(s: &SqliteStore, person: i64, deleted: bool) {
    let record = s.person(person).await.expect("reads").expect("exists");
    let (plays, played, last) = direct_totals(s, person).await;
    assert_eq!(i64::try_from(record.plays()).expect("fits"), plays, "plays of person {person}");
    assert_eq!(i64::try_from(record.played_ms()).expect("fits"), played, "played ms of person {person}");
    // The last sighting is a high-water mark: equal to the newest play's until history is deleted.
    assert!(record.last_seen_at().map(|t| t.timestamp_millis()) >= last, "last seen of person {person}");
    if !deleted {
        assert_eq!(record.last_seen_at().map(|t| t.timestamp_millis()), last, "last seen of person {person}");
    }
    assert_eq!(rolled_up(s, person).await, direct_devices_and_addresses(s, person).await, "person {person}");
}

#[tokio::test]
async fn every_account_gets_its_own_person_and_rollups_equal_direct_counts() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    sync(&s, den, &["alice", "bob"]).await;
    play(&s, den, 1, "alice", "tv", "81.2.69.142", 30).await;
    play(&s, den, 2, "alice", "phone", "81.2.69.160", 20).await;
    play(&s, den, 3, "alice", "tv", "81.2.69.142", 10).await;
    play(&s, den, 4, "bob", "tv", "81.2.69.200", 5).await;
    // Streaming creates the account, and with it a person.
    play(&s, attic, 5, "alice", "laptop", "81.2.69.142", 2).await;

    let people = s.people().await.expect("people");
    assert_eq!(people.len(), 3, "{people:#?}");
    assert!(people.iter().all(|p| p.accounts.len() == 1 && p.custom_name.is_none()));
    let alice = person_of(&s, den, "alice").await;
    let record = s.person(alice).await.expect("reads").expect("exists");
    assert_eq!(record.name(), "alice");
    let account = &record.accounts[0];
    assert_eq!((account.server_name.as_str(), account.plays, account.played_ms), ("Den", 3, 1_800_000));
    assert_eq!(account.first_play_at, Some(t0() - Duration::hours(30)));
    assert_eq!(account.last_seen_at, Some(t0() - Duration::hours(10) + Duration::minutes(10)));
    for p in &people {
        assert_rollups_match(&s, p.id, false).await;
    }

    let devices = s.person_devices(alice).await.expect("devices");
    assert_eq!(devices[0].device_key, "dev-tv", "newest first");
    assert_eq!((devices[0].player_name.as_deref(), devices[0].platform.as_deref()), (Some("tv player"), Some("Roku")));
    assert_eq!((devices[0].plays, devices[0].first_play_at), (2, t0() - Duration::hours(30)));
    let (addresses, n_addresses) = s.person_addresses(alice, 10).await.expect("addresses");
    assert_eq!((addresses.len(), n_addresses), (2, 2));
    let (newest, n_addresses) = s.person_addresses(alice, 1).await.expect("addresses");
    assert_eq!((newest.len(), newest[0].ip.as_str(), n_addresses), (1, "81.2.69.142", 2), "newest first, all counted");
    let home = addresses.iter().find(|a| a.ip == "81.2.69.142").expect("home address");
    assert_eq!((home.place.city.as_deref(), home.place.asn, home.plays), (Some("London"), Some(5089), 2));
    assert_eq!(home.place.asn_org.as_deref(), Some("Virgin Media"));
    assert_eq!(home.located_at, Some(t0() - Duration::hours(10) + Duration::minutes(10)));
    let places = s.person_places(alice, 10).await.expect("places");
    assert_eq!(places.len(), 1, "{places:?}");
    assert_eq!((places[0].lat, places[0].lon, places[0].city.as_deref()), (51.51, -0.09, Some("London")));
    assert_eq!((places[0].plays, places[0].n_addresses), (3, 2));

    // Deleting history takes its plays out of every rollup.
    assert_eq!(s.delete_plays(&[2, 3]).await.expect("deletes"), 2);
    assert_rollups_match(&s, alice, true).await;
    let after = s.person(alice).await.expect("reads").expect("exists");
    assert_eq!(after.plays(), 1);
    assert_eq!(s.person_devices(alice).await.expect("devices").len(), 1, "a device without plays goes");
}

#[tokio::test]
async fn merging_people_then_splitting_restores_each_account_and_its_totals() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    sync(&s, den, &["alice", "bob"]).await;
    sync(&s, attic, &["ally", "carol"]).await;
    play(&s, den, 1, "alice", "tv", "81.2.69.142", 30).await;
    play(&s, attic, 2, "ally", "phone", "81.2.69.160", 20).await;
    play(&s, attic, 3, "carol", "tv", "81.2.69.200", 10).await;
    let (alice, ally, carol) =
        (person_of(&s, den, "alice").await, person_of(&s, attic, "ally").await, person_of(&s, attic, "carol").await);
    let before = s.person(ally).await.expect("reads").expect("exists");

    assert_eq!(s.merge_people(9_999, &[ally], &[]).await.expect("merges"), None, "no such target");
    let moved = s.merge_people(alice, &[ally, alice], &[user(attic, "carol")]).await.expect("merges");
    assert_eq!(moved, Some(2), "its own accounts are not moved again");
    assert_eq!(s.people().await.expect("people").len(), 2, "alice (with ally and carol) and bob");
    assert_eq!(s.person(ally).await.expect("reads"), None, "an emptied person is gone");
    assert_eq!(s.person(carol).await.expect("reads"), None);
    let merged = s.person(alice).await.expect("reads").expect("exists");
    let names: Vec<&str> = merged.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["alice", "ally", "carol"], "oldest account first");
    assert_eq!((merged.name(), merged.plays()), ("alice", 3));
    assert_rollups_match(&s, alice, false).await;

    let split = s.split_account(alice, &user(attic, "ally"), t0()).await.expect("splits");
    let SplitOutcome::Split(new_person) = split else { panic!("expected a split, got {split:?}") };
    let restored = s.person(new_person).await.expect("reads").expect("exists");
    assert_eq!(restored.accounts, before.accounts, "the account comes back with its totals");
    assert_eq!(person_of(&s, attic, "ally").await, new_person);
    assert_rollups_match(&s, new_person, false).await;
    assert_rollups_match(&s, alice, false).await;

    assert_eq!(s.split_account(new_person, &user(attic, "ally"), t0()).await.expect("s"), SplitOutcome::OnlyAccount);
    assert_eq!(s.split_account(alice, &user(attic, "ally"), t0()).await.expect("s"), SplitOutcome::NotFound);
    assert_eq!(s.split_account(alice, &user(den, "nobody"), t0()).await.expect("s"), SplitOutcome::NotFound);
}

#[tokio::test]
async fn a_named_person_keeps_the_name_until_it_is_cleared() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    sync(&s, den, &["alice"]).await;
    let alice = person_of(&s, den, "alice").await;
    assert!(s.rename_person(alice, Some("Alice Liddell")).await.expect("renames"));
    assert_eq!(s.person(alice).await.expect("r").expect("e").name(), "Alice Liddell");
    assert!(s.rename_person(alice, None).await.expect("renames"));
    assert_eq!(s.person(alice).await.expect("r").expect("e").name(), "alice");
    assert!(!s.rename_person(9_999, Some("x")).await.expect("renames"));
}

fn violation(server: ServerId, user: &str, rule: &str) -> Violation {
    Violation {
        rule_id: RuleId(rule.to_owned()),
        rule_name: format!("Rule {rule}"),
        kind: RuleType::ImpossibleTravel,
        severity: Severity::High,
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
        condition_key: format!("{rule}|{server}|{user}"),
    }
}

#[tokio::test]
async fn a_persons_incidents_come_from_all_their_accounts_newest_first() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    sync(&s, den, &["alice", "bob"]).await;
    sync(&s, attic, &["ally"]).await;
    let (first, _) = s.record_violation(&violation(den, "alice", "travel"), t0()).await.expect("opens");
    s.record_violation(&violation(den, "bob", "travel"), t0() + Duration::minutes(1)).await.expect("opens");
    let (second, _) =
        s.record_violation(&violation(attic, "ally", "streams"), t0() + Duration::minutes(2)).await.expect("opens");
    let alice = person_of(&s, den, "alice").await;
    let ally = person_of(&s, attic, "ally").await;
    s.merge_people(alice, &[ally], &[]).await.expect("merges");

    let incidents = s.person_incidents(alice, 10).await.expect("incidents");
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    assert_eq!(ids, [second.id, first.id]);
    assert_eq!((incidents[0].rule_name.as_str(), incidents[0].status.as_str()), ("Rule streams", "open"));
    assert_eq!(incidents[0].account, user(attic, "ally"));
    assert_eq!(s.person_incidents(alice, 1).await.expect("incidents").len(), 1);
}

#[tokio::test]
async fn deleting_a_server_removes_the_people_it_leaves_without_accounts() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    sync(&s, den, &["alice", "bob"]).await;
    sync(&s, attic, &["ally"]).await;
    play(&s, attic, 1, "ally", "tv", "81.2.69.142", 3).await;
    let alice = person_of(&s, den, "alice").await;
    let ally = person_of(&s, attic, "ally").await;
    s.merge_people(alice, &[ally], &[]).await.expect("merges");
    assert!(s.delete_server(den).await.expect("deletes"));
    let people = s.people().await.expect("people");
    assert_eq!(people.len(), 1, "{people:#?}");
    assert_eq!((people[0].id, people[0].name(), people[0].plays()), (alice, "ally", 1));
    assert!(s.delete_server(attic).await.expect("deletes"));
    assert!(s.people().await.expect("people").is_empty());
}
