//! History queries on a real SQLite file: chains folded from resumed plays, every filter, period
//! boundaries, empty results, title search, the three orders, paging without repeats or gaps while
//! plays are added, and bulk deletes.

use super::*;
use crate::store::{PlayStore, PlayWrite};
use chrono::Duration;
use sightline_domain::geo::LatLon;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamQuality,
};
use sightline_domain::rules::{AddressClass, Location};
use sightline_domain::tracker::{ActivePlay, PlayId};

use super::super::test_fixture::{add_server, store, t0};

/// What a test play is.
#[derive(Clone)]
struct P {
    id: u64,
    user: &'static str,
    item: &'static str,
    title: &'static str,
    show: Option<&'static str>,
    minutes_ago: i64,
    resumes: Option<u64>,
    platform: &'static str,
    ip: &'static str,
    country: Option<&'static str>,
    transcode: bool,
}

fn p(id: u64, user: &'static str, title: &'static str, minutes_ago: i64) -> P {
    P {
        id,
        user,
        item: title,
        title,
        show: None,
        minutes_ago,
        resumes: None,
        platform: "Chrome",
        ip: "81.2.69.142",
        country: None,
        transcode: false,
    }
}

async fn write(s: &SqliteStore, server: ServerId, play: &P) {
    let at = t0() - Duration::minutes(play.minutes_ago);
    let session = MediaSession {
        session_key: format!("s{}", play.id),
        upstream_session_id: None,
        user: SessionUser { id: play.user.to_owned(), name: play.user.to_uppercase(), thumb: None },
        media: MediaItem {
            media_type: if play.show.is_some() { MediaType::Episode } else { MediaType::Movie },
            item_key: play.item.to_owned(),
            title: play.title.to_owned(),
            grandparent_title: play.show.map(str::to_owned),
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: None,
            duration_ms: Some(600_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer { platform: Some(play.platform.to_owned()), ..SessionPlayer::default() },
        client_ip: play.ip.parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: if play.transcode {
            PlaybackDecision::new(Some(sightline_domain::media::StreamDecision::Transcode), None, None, false)
        } else {
            PlaybackDecision::new(None, None, None, false)
        },
        bandwidth_kbps: None,
        control: None,
    };
    let active = ActivePlay {
        id: PlayId(play.id),
        started_at: at,
        last_seen_at: at,
        played_ms: 60_000,
        paused_ms: 0,
        resumes: play.resumes.map(PlayId),
        session,
    };
    let mut writes = vec![PlayWrite::Active(Box::new(active))];
    if let Some(country) = play.country {
        let geo = SessionGeo {
            class: AddressClass::Public,
            country_name: Some(format!("{country} name")),
            country_code: Some(country.to_owned()),
            location: Some(Location {
                point: LatLon::new(51.5, -0.1),
                accuracy_km: 10.0,
                city: Some(format!("{country} city")),
                region: None,
                country: Some(country.to_owned()),
                asn: Some(29518),
                asn_org: Some("Bredband2".to_owned()),
            }),
            anonymous: false,
        };
        writes.push(PlayWrite::Located { play: PlayId(play.id), geo: Box::new(geo) });
    }
    s.write_plays(server, &writes, at).await.expect("writes");
}

async fn page(s: &SqliteStore, f: &HistoryFilter) -> Vec<String> {
    let page = s.history_page(f, HistorySort::Newest, None, 100).await.expect("page");
    page.items.iter().map(|c| c.title.clone()).collect()
}

#[tokio::test]
async fn resumed_plays_fold_into_one_chain_headed_by_the_first() {
    let (_dir, s) = store().await;
    let server = add_server(&s, "Den").await;
    write(&s, server, &p(1, "alice", "Heat", 300)).await;
    write(&s, server, &p(2, "bob", "Alien", 200)).await;
    write(&s, server, &P { resumes: Some(1), ..p(3, "alice", "Heat", 100) }).await;
    write(&s, server, &P { resumes: Some(3), ..p(4, "alice", "Heat", 50) }).await;
    // A play runs on: its upserts leave the chain alone.
    write(&s, server, &P { resumes: Some(3), ..p(4, "alice", "Heat", 50) }).await;

    let page = s.history_page(&HistoryFilter::default(), HistorySort::Newest, None, 10).await.expect("page");
    assert_eq!(page.next, None);
    assert_eq!(page.items.len(), 2);
    let (alien, heat) = (&page.items[0], &page.items[1]);
    assert_eq!(alien.title, "Alien");
    assert_eq!(heat.title, "Heat");
    assert_eq!(heat.account_name, "ALICE");
    assert_eq!(heat.account.user_id, "alice");
    assert_eq!(heat.server_name, "Den");
    assert_eq!(heat.started_at, t0() - Duration::minutes(300));
    let keys: Vec<&str> = heat.sessions.iter().map(|x| x.session_key.as_str()).collect();
    assert_eq!(keys, ["s1", "s3", "s4"]);
    assert_eq!(heat.head, heat.sessions[0].id);
    assert_eq!(heat.played_ms(), 180_000);
    assert_eq!(s.history_count(&HistoryFilter::default()).await.expect("count"), 2);

    let by_later_play = s.history_chain(heat.sessions[2].id).await.expect("chain").expect("exists");
    assert_eq!(by_later_play.head, heat.head);
    assert_eq!(by_later_play.sessions.len(), 3);
    assert_eq!(s.history_chain(999_999).await.expect("chain"), None);
}

#[tokio::test]
async fn every_filter_narrows_and_a_chain_matches_through_any_of_its_plays() {
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    let attic = add_server(&s, "Attic").await;
    write(&s, den, &P { country: Some("GB"), ..p(1, "alice", "Heat", 300) }).await;
    write(&s, den, &P { platform: "Roku", ip: "89.160.20.112", country: Some("SE"), ..p(2, "bob", "Alien", 200) })
        .await;
    write(&s, attic, &P { show: Some("The Bear"), transcode: true, ..p(3, "carol", "System", 100) }).await;
    // Alice resumes Heat from Sweden: the chain matches a Swedish filter through its second play.
    write(&s, den, &P { resumes: Some(1), country: Some("SE"), ..p(4, "alice", "Heat", 50) }).await;

    let all = HistoryFilter::default();
    assert_eq!(page(&s, &all).await, ["System", "Alien", "Heat"]);
    let alice = UserRef { server_id: den, user_id: "alice".to_owned() };
    let carol = UserRef { server_id: attic, user_id: "carol".to_owned() };
    let cases: Vec<(HistoryFilter, Vec<&str>)> = vec![
        (HistoryFilter { accounts: vec![alice.clone()], ..all.clone() }, vec!["Heat"]),
        (HistoryFilter { accounts: vec![alice, carol], ..all.clone() }, vec!["System", "Heat"]),
        (
            HistoryFilter { accounts: vec![UserRef { server_id: attic, user_id: "alice".to_owned() }], ..all.clone() },
            vec![],
        ),
        (HistoryFilter { servers: vec![attic], ..all.clone() }, vec!["System"]),
        (HistoryFilter { media_types: vec!["episode".to_owned()], ..all.clone() }, vec!["System"]),
        (HistoryFilter { media_types: vec!["movie".to_owned()], ..all.clone() }, vec!["Alien", "Heat"]),
        (HistoryFilter { platform: Some("Roku".to_owned()), ..all.clone() }, vec!["Alien"]),
        (HistoryFilter { ip: Some("89.160.20.112".to_owned()), ..all.clone() }, vec!["Alien"]),
        (HistoryFilter { country: Some("SE".to_owned()), ..all.clone() }, vec!["Alien", "Heat"]),
        (HistoryFilter { country: Some("GB".to_owned()), ..all.clone() }, vec!["Heat"]),
        (HistoryFilter { city: Some("SE city".to_owned()), ..all.clone() }, vec!["Alien", "Heat"]),
        (HistoryFilter { decision: Some("transcode".to_owned()), ..all.clone() }, vec!["System"]),
        (HistoryFilter { watched: Some(true), ..all.clone() }, vec![]),
        (HistoryFilter { watched: Some(false), ..all.clone() }, vec!["System", "Alien", "Heat"]),
        (HistoryFilter { product: Some("Plex Web".to_owned()), ..all.clone() }, vec![]),
        (HistoryFilter { device: Some("iPhone".to_owned()), ..all.clone() }, vec![]),
        (HistoryFilter { text: Some("bea".to_owned()), ..all.clone() }, vec!["System"]),
        (HistoryFilter { text: Some("  HEAT ".to_owned()), ..all.clone() }, vec!["Heat"]),
        (HistoryFilter { text: Some("heat alien".to_owned()), ..all.clone() }, vec![]),
        (HistoryFilter { text: Some("\"*:(".to_owned()), ..all.clone() }, vec!["System", "Alien", "Heat"]),
        (HistoryFilter { text: Some("ali".to_owned()), country: Some("SE".to_owned()), ..all.clone() }, vec!["Alien"]),
    ];
    for (filter, want) in cases {
        assert_eq!(page(&s, &filter).await, want, "{filter:?}");
        let n = s.history_count(&filter).await.expect("count");
        assert_eq!(n, u64::try_from(want.len()).expect("small"), "{filter:?}");
    }
}

#[tokio::test]
async fn the_period_is_half_open_on_the_chain_start() {
    let (_dir, s) = store().await;
    let server = add_server(&s, "Den").await;
    write(&s, server, &p(1, "alice", "Early", 120)).await;
    write(&s, server, &p(2, "alice", "Edge", 60)).await;
    write(&s, server, &p(3, "alice", "Late", 0)).await;
    // Resumed inside the period, started before it: the chain belongs to its start.
    write(&s, server, &P { resumes: Some(1), ..p(4, "alice", "Early", 30) }).await;
    let edge = t0() - Duration::minutes(60);
    let f = HistoryFilter { from: Some(edge), to: Some(t0()), ..HistoryFilter::default() };
    assert_eq!(page(&s, &f).await, ["Edge"]);
    let f = HistoryFilter { from: Some(edge + Duration::milliseconds(1)), to: Some(t0()), ..HistoryFilter::default() };
    assert!(page(&s, &f).await.is_empty());
    let f = HistoryFilter { to: Some(edge), ..HistoryFilter::default() };
    assert_eq!(page(&s, &f).await, ["Early"]);
    let f = HistoryFilter { from: Some(t0() + Duration::days(1)), ..HistoryFilter::default() };
    let empty = s.history_page(&f, HistorySort::Newest, None, 25).await.expect("page");
    assert!(empty.items.is_empty() && empty.next.is_none());
}

/// Pages every chain of `f` in `sort` order, 2 at a time, adding a new play after every page.
async fn walk(s: &SqliteStore, server: ServerId, sort: HistorySort) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut after = None;
    let mut added = 100;
    loop {
        let page = s.history_page(&HistoryFilter::default(), sort, after.as_ref(), 2).await.expect("page");
        seen.extend(page.items.iter().map(|c| c.head));
        // New plays arrive: one new chain and one resume of the first chain.
        added += 1;
        write(s, server, &P { title: "Zulu", item: "z", ..p(added, "dave", "Zulu", -added.cast_signed()) }).await;
        match page.next {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn keyset_pages_neither_repeat_nor_skip_while_plays_arrive() {
    let (_dir, s) = store().await;
    let server = add_server(&s, "Den").await;
    let titles = ["Heat", "alien", "Brazil", "Alien", "Cube", "heat", "Dune"];
    for (i, title) in titles.iter().enumerate() {
        let n = u64::try_from(i).expect("small") + 1;
        // Two chains start at the same moment, so the head id breaks the tie.
        let minutes = if n == 3 { 40 } else { 10 * i64::try_from(n).expect("small") };
        write(&s, server, &p(n, "alice", title, minutes)).await;
    }
    write(&s, server, &P { resumes: Some(1), ..p(8, "alice", "Heat", 1) }).await;
    let mut existing =
        s.history_page(&HistoryFilter::default(), HistorySort::Newest, None, 100).await.expect("p").items;
    let newest: Vec<i64> = existing.iter().map(|c| c.head).collect();
    assert_eq!(newest.len(), 7);

    assert_eq!(walk(&s, server, HistorySort::Newest).await, newest);
    let oldest = walk(&s, server, HistorySort::Oldest).await;
    let (old, new) = oldest.split_at(7);
    assert_eq!(old, newest.iter().rev().copied().collect::<Vec<_>>());
    assert!(!new.is_empty(), "plays added behind the cursor are reached in oldest order");

    existing.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(b.started_at.cmp(&a.started_at))
            .then(b.head.cmp(&a.head))
    });
    let by_title: Vec<i64> =
        walk(&s, server, HistorySort::Title).await.into_iter().filter(|h| newest.contains(h)).collect();
    assert_eq!(by_title, existing.iter().map(|c| c.head).collect::<Vec<_>>());
}

#[tokio::test]
async fn bulk_delete_removes_plays_from_history_and_search() {
    let (_dir, s) = store().await;
    let server = add_server(&s, "Den").await;
    write(&s, server, &p(1, "alice", "Heat", 30)).await;
    write(&s, server, &P { resumes: Some(1), ..p(2, "alice", "Heat", 20) }).await;
    write(&s, server, &p(3, "alice", "Alien", 10)).await;
    let page = s.history_page(&HistoryFilter::default(), HistorySort::Newest, None, 10).await.expect("page");
    let heat: Vec<i64> = page.items[1].sessions.iter().map(|x| x.id).collect();
    assert_eq!(s.delete_plays(&[heat[0], heat[1], 424_242]).await.expect("deletes"), 2);
    assert_eq!(page_titles(&s).await, ["Alien"]);
    let f = HistoryFilter { text: Some("heat".to_owned()), ..HistoryFilter::default() };
    assert_eq!(s.history_count(&f).await.expect("count"), 0);
    assert_eq!(s.delete_plays(&[]).await.expect("nothing"), 0);
}

async fn page_titles(s: &SqliteStore) -> Vec<String> {
    page(s, &HistoryFilter::default()).await
}

#[test]
fn free_text_becomes_quoted_prefix_terms() {
    assert_eq!(fts_query("The Bear").as_deref(), Some("\"The\"* \"Bear\"*"));
    assert_eq!(fts_query("l'été\"x").as_deref(), Some("\"l\"* \"été\"* \"x\"*"));
    assert_eq!(fts_query(" *:() "), None);
    assert_eq!(fts_query("a b c d e f g h i j").map(|q| q.matches('*').count()), Some(8));
}

fn evidence_for(server: ServerId, play: u64) -> sightline_domain::rules::SessionEvidence {
    sightline_domain::rules::SessionEvidence {
        server_id: server,
        session_key: format!("s{play}"),
        play_id: Some(PlayId(play).to_string()),
        started_at: t0(),
        last_seen_at: t0(),
        ip: None,
        address_class: AddressClass::Public,
        location: None,
        country: None,
        asn: None,
        asn_org: None,
        device_id: None,
        player: None,
        product: None,
        platform: None,
    }
}

#[tokio::test]
async fn a_play_lists_the_incidents_whose_evidence_names_it() {
    use crate::store::DetectionStore;
    use sightline_domain::rules::{Evidence, Measure, RuleId, RuleType, Severity, Unit, Violation};
    let (_dir, s) = store().await;
    let den = add_server(&s, "Den").await;
    write(&s, den, &p(1, "alice", "Alien", 30)).await;
    write(&s, den, &p(2, "alice", "Brazil", 20)).await;
    write(&s, den, &p(3, "bob", "Cube", 10)).await;
    let violation = |sessions: Vec<u64>, key: &str| Violation {
        rule_id: RuleId("sim".to_owned()),
        rule_name: "Two places".to_owned(),
        kind: RuleType::SimultaneousLocations,
        severity: Severity::High,
        server_id: den,
        user_id: "alice".to_owned(),
        session_key: Some("s1".to_owned()),
        summary: format!("alice in two places ({key})"),
        evidence: Evidence {
            measured: Measure::amount(1400.0, Unit::Km),
            threshold: Measure::amount(100.0, Unit::Km),
            facts: vec![],
            sessions: sessions.into_iter().map(|id| evidence_for(den, id)).collect(),
        },
        condition_key: format!("sim|alice|{key}"),
    };
    let (first, _) = s.record_violation(&violation(vec![1, 2], "a"), t0()).await.expect("records");
    // A repeat of the same condition names play 1 again: still one link.
    s.record_violation(&violation(vec![1], "a"), t0()).await.expect("records");
    let (second, _) = s.record_violation(&violation(vec![2], "b"), t0()).await.expect("records");

    let page = s.history_page(&HistoryFilter::default(), HistorySort::Oldest, None, 10).await.expect("page");
    let found: Vec<(String, Vec<i64>)> =
        page.items.iter().map(|c| (c.title.clone(), c.sessions[0].incidents.iter().map(|i| i.id).collect())).collect();
    assert_eq!(
        found,
        vec![
            ("Alien".to_owned(), vec![first.id]),
            ("Brazil".to_owned(), vec![second.id, first.id]),
            ("Cube".to_owned(), vec![]),
        ]
    );
    let brazil = &page.items[1].sessions[0].incidents[0];
    assert_eq!(
        (brazil.rule_kind.as_str(), brazil.severity.as_str(), brazil.status.as_str()),
        ("simultaneous_locations", "high", "open")
    );
    let chain = s.history_chain(page.items[0].head).await.expect("reads").expect("exists");
    assert_eq!(chain.sessions[0].incidents.len(), 1);
}
