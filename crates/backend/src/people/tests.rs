//! The people service on a real database: the list searched, ordered (by last sighting, plays,
//! trust, name) and paged; a person's page gathering accounts, devices, addresses, places, recent
//! history and incidents; merges, splits and names checked field by field and audited.

use super::*;
use crate::store::{AccountInfo, NewServer, PlayWrite};
use crate::test_ctx::{context, t0};
use chrono::Duration;
use sightline_domain::geo::LatLon;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamQuality,
};
use sightline_domain::rules::{AddressClass, Evidence, Location, Measure, RuleId, RuleType, Severity, Unit, Violation};
use sightline_domain::tracker::{PlayId, PlaySummary, StopReason};

/// A finished ten-minute play of `user` on `server` from `ip`, `hours_ago` before t0, in London.
async fn play(ctx: &AppContext, server: ServerId, id: u64, user: &str, ip: &str, hours_ago: i64) {
    let at = t0() - Duration::hours(hours_ago);
    let session = MediaSession {
        session_key: format!("s{id}"),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Episode,
            item_key: format!("ep{id}"),
            title: "Pilot".to_owned(),
            grandparent_title: Some("The Bear".to_owned()),
            parent_title: Some("Season 1".to_owned()),
            season_number: Some(1),
            episode_number: Some(1),
            year: None,
            duration_ms: Some(1_800_000),
            poster: None,
        },
        position_ms: Some(600_000),
        state: PlaybackState::Playing,
        player: SessionPlayer {
            device_id: Some(format!("{user}-tv")),
            name: Some("TV".to_owned()),
            ..SessionPlayer::default()
        },
        client_ip: ip.parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(None, None, None, false),
        bandwidth_kbps: None,
        control: None,
    };
    let geo = SessionGeo {
        class: AddressClass::Public,
        country_name: Some("United Kingdom".to_owned()),
        country_code: Some("GB".to_owned()),
        location: Some(Location {
            point: LatLon::new(51.5142, -0.0931),
            accuracy_km: 10.0,
            city: Some("London".to_owned()),
            region: None,
            country: Some("GB".to_owned()),
            asn: Some(5089),
            asn_org: Some("Virgin Media".to_owned()),
        }),
        anonymous: false,
    };
    let end = at + Duration::minutes(10);
    let summary = PlaySummary {
        play: PlayId(id),
        started_at: at,
        ended_at: end,
        last_seen_at: end,
        played_ms: 600_000,
        paused_ms: 0,
        position_ms: Some(600_000),
        duration_ms: Some(1_800_000),
        watched: false,
        short: false,
        resumes: None,
    };
    let writes = [
        PlayWrite::Stopped { summary, reason: StopReason::Ended, session: Box::new(session) },
        PlayWrite::Located { play: PlayId(id), geo: Box::new(geo) },
    ];
    ctx.store.write_plays(server, &writes, at).await.expect("writes");
}

/// A second server, "Attic", with the account `ally`.
async fn attic(ctx: &AppContext) -> ServerId {
    let server = NewServer {
        kind: sightline_domain::media::ServerKind::Plex,
        name: "Attic".to_owned(),
        url: "http://127.0.0.1:32400/".to_owned(),
        color: "#38bdf8".to_owned(),
        enabled: true,
    };
    let token = crate::secret::SecretString::new("token-0123456789");
    let id = ctx.store.create_server(&server, &token, &ctx.secrets, t0()).await.expect("creates").id;
    let ally = AccountInfo {
        external_id: "ally".to_owned(),
        name: "ally".to_owned(),
        thumb: None,
        is_admin: false,
        is_disabled: false,
    };
    ctx.store.sync_accounts(id, &[ally], t0()).await.expect("syncs");
    id
}

fn user(server: ServerId, id: &str) -> UserRef {
    UserRef { server_id: server, user_id: id.to_owned() }
}

async fn person(ctx: &AppContext, server: ServerId, id: &str) -> i64 {
    ctx.store.person_of(&user(server, id)).await.expect("reads").expect("has a person")
}

async fn names(ctx: &AppContext, params: ListParams) -> Vec<String> {
    let q = params.parse().expect("valid");
    list(ctx, &q, t0()).await.expect("lists").items.into_iter().map(|p| p.name).collect()
}

fn sorted(sort: &str) -> ListParams {
    ListParams { sort: Some(sort.to_owned()), ..ListParams::default() }
}

#[tokio::test]
async fn the_list_searches_orders_and_pages_people_with_their_trust() {
    let (_dir, ctx, jelly) = context().await;
    let attic = attic(&ctx).await;
    play(&ctx, jelly, 1, "alice", "81.2.69.142", 30).await;
    play(&ctx, jelly, 2, "alice", "81.2.69.142", 20).await;
    play(&ctx, jelly, 3, "bob", "81.2.69.160", 2).await;
    trust::set_override(&ctx, "user:owner", jelly, "bob", 40, "shares", t0()).await.expect("overrides");

    assert_eq!(names(&ctx, ListParams::default()).await, ["bob", "alice", "ally"], "never seen last");
    assert_eq!(names(&ctx, sorted("plays")).await, ["alice", "bob", "ally"]);
    assert_eq!(names(&ctx, sorted("trust")).await, ["bob", "alice", "ally"]);
    assert_eq!(names(&ctx, sorted("name")).await, ["alice", "ally", "bob"]);
    let search = ListParams { q: Some(" AL ".to_owned()), sort: Some("name".to_owned()), ..ListParams::default() };
    assert_eq!(names(&ctx, search).await, ["alice", "ally"]);

    let q = ListParams { per_page: Some("2".into()), page: Some("2".into()), ..sorted("name") }.parse().expect("ok");
    let second = list(&ctx, &q, t0()).await.expect("lists");
    assert_eq!((second.items.len(), second.pages, second.matching, second.total), (1, 2, 3, 3));
    assert_eq!(second.items[0].name, "bob");
    assert_eq!((second.items[0].trust, second.items[0].band), (40, TrustBand::Bad));
    assert_eq!(second.items[0].plays, 1);

    let alice = person(&ctx, jelly, "alice").await;
    merge(&ctx, "user:owner", alice, &[person(&ctx, attic, "ally").await], &[], t0()).await.expect("merges");
    let all = list(&ctx, &ListQuery::default(), t0()).await.expect("lists");
    assert_eq!(all.total, 2);
    let merged = all.items.iter().find(|p| p.id == alice).expect("alice");
    assert_eq!(merged.servers, ["Attic", "Jelly"]);
    assert_eq!((merged.accounts.len(), merged.plays, merged.played_ms), (2, 2, 1_200_000));
}

#[tokio::test]
async fn list_parameters_are_checked_by_field() {
    let bad = |p: ListParams| field(p.parse());
    assert_eq!(bad(sorted("age")), "sort");
    assert_eq!(bad(ListParams { page: Some("0".into()), ..ListParams::default() }), "page");
    assert_eq!(bad(ListParams { per_page: Some("201".into()), ..ListParams::default() }), "per_page");
    assert_eq!(bad(ListParams { q: Some("a\u{7}b".into()), ..ListParams::default() }), "q");
    assert_eq!(bad(ListParams { q: Some("x".repeat(101)), ..ListParams::default() }), "q");
    assert_eq!(ListParams::default().parse().expect("defaults"), ListQuery::default());
}

fn violation(server: ServerId, user: &str) -> Violation {
    Violation {
        rule_id: RuleId("travel".to_owned()),
        rule_name: "Impossible travel".to_owned(),
        kind: RuleType::ImpossibleTravel,
        severity: Severity::High,
        server_id: server,
        user_id: user.to_owned(),
        session_key: Some("s1".to_owned()),
        summary: format!("{user} travelled too fast"),
        evidence: Evidence {
            measured: Measure::amount(1200.0, Unit::Kmh),
            threshold: Measure::amount(900.0, Unit::Kmh),
            facts: vec![],
            sessions: vec![],
        },
        condition_key: format!("travel|{server}|{user}"),
    }
}

#[tokio::test]
async fn a_persons_page_gathers_accounts_devices_addresses_places_history_and_incidents() {
    let (_dir, ctx, jelly) = context().await;
    let attic = attic(&ctx).await;
    play(&ctx, jelly, 1, "alice", "81.2.69.142", 30).await;
    play(&ctx, jelly, 2, "alice", "81.2.69.160", 20).await;
    play(&ctx, attic, 3, "ally", "81.2.69.142", 10).await;
    play(&ctx, jelly, 4, "bob", "81.2.69.200", 5).await;
    ctx.store.record_violation(&violation(attic, "ally"), t0()).await.expect("opens");
    let alice = person(&ctx, jelly, "alice").await;
    merge(&ctx, "user:owner", alice, &[], &[user(attic, "ally")], t0()).await.expect("merges");

    let page = page(&ctx, alice, t0()).await.expect("reads").expect("exists");
    assert_eq!((page.name.as_str(), page.plays, page.played_ms), ("alice", 3, 1_800_000));
    let servers: Vec<&str> = page.accounts.iter().map(|a| a.server_name.as_str()).collect();
    assert_eq!(servers, ["Jelly", "Attic"]);
    assert_eq!(page.accounts[1].plays, 1);
    assert!(page.accounts.iter().all(|a| a.trust.score == 100 && a.settings == UserSettings::default()));
    let devices: Vec<(&str, u64)> = page.devices.iter().map(|d| (d.key.as_str(), d.plays)).collect();
    assert_eq!(devices, [("ally-tv", 1), ("alice-tv", 2)]);
    let addresses: Vec<(&str, u64, usize)> =
        page.addresses.iter().map(|a| (a.ip.as_str(), a.plays, a.servers.len())).collect();
    assert_eq!(addresses, [("81.2.69.142", 2, 2), ("81.2.69.160", 1, 1)]);
    assert_eq!((page.n_addresses, page.addresses[0].asn_org.as_deref()), (2, Some("Virgin Media")));
    assert_eq!(page.places.len(), 1);
    assert_eq!((page.places[0].city.as_deref(), page.places[0].plays), (Some("London"), 3));
    let titles: Vec<&str> = page.recent.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["The Bear — S1 E1 · Pilot"; 3]);
    assert_eq!(page.recent[0].server_name, "Attic", "newest first");
    assert_eq!(page.incidents.len(), 1);
    assert_eq!(page.incidents[0].summary, "ally travelled too fast");

    assert!(super::page(&ctx, 9_999, t0()).await.expect("reads").is_none());
}

fn field<T: std::fmt::Debug>(r: Result<T, PeopleError>) -> &'static str {
    match r {
        Err(PeopleError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn merges_splits_and_names_are_checked_and_audited() {
    let (_dir, ctx, jelly) = context().await;
    let attic = attic(&ctx).await;
    let (alice, bob, ally) =
        (person(&ctx, jelly, "alice").await, person(&ctx, jelly, "bob").await, person(&ctx, attic, "ally").await);
    assert_eq!(field(merge(&ctx, "user:owner", alice, &[], &[], t0()).await), "people");
    assert_eq!(field(merge(&ctx, "user:owner", alice, &[alice], &[], t0()).await), "people");
    assert_eq!(field(merge(&ctx, "user:owner", alice, &[9_999], &[], t0()).await), "people");
    assert_eq!(field(merge(&ctx, "user:owner", alice, &[], &[user(attic, "nobody")], t0()).await), "accounts");
    let missing = merge(&ctx, "user:owner", 9_999, &[bob], &[], t0()).await;
    assert!(matches!(missing, Err(PeopleError::NotFound)), "{missing:?}");

    let done = merge(&ctx, "user:owner", alice, &[ally], &[], t0()).await.expect("merges");
    assert_eq!(done, MergeResult { id: alice, moved: 1 });
    assert_eq!(field(split(&ctx, "user:owner", alice, &user(jelly, "bob"), t0()).await), "account");
    let again = split(&ctx, "user:owner", alice, &user(attic, "ally"), t0()).await.expect("splits");
    assert_eq!(person(&ctx, attic, "ally").await, again);
    assert_eq!(field(split(&ctx, "user:owner", again, &user(attic, "ally"), t0()).await), "account");
    assert!(matches!(split(&ctx, "user:owner", 9_999, &user(attic, "ally"), t0()).await, Err(PeopleError::NotFound)));

    rename(&ctx, "user:owner", alice, "  Alice L.  ", t0()).await.expect("names");
    assert_eq!(ctx.store.person(alice).await.expect("r").expect("e").name(), "Alice L.");
    assert_eq!(field(rename(&ctx, "user:owner", alice, &"x".repeat(101), t0()).await), "name");
    assert_eq!(field(rename(&ctx, "user:owner", alice, "a\nb", t0()).await), "name");
    rename(&ctx, "user:owner", alice, "", t0()).await.expect("clears");
    assert_eq!(ctx.store.person(alice).await.expect("r").expect("e").name(), "alice");
    assert!(matches!(rename(&ctx, "user:owner", 9_999, "x", t0()).await, Err(PeopleError::NotFound)));

    let audit = ctx.store.recent_audit(20).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "people_merged").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "person_split").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "person_renamed").count(), 2);
    let merged = audit.iter().find(|e| e.action == "people_merged").expect("merge entry");
    assert!(merged.detail.contains("ally") && merged.detail.contains("1 accounts moved"), "{}", merged.detail);
}
