//! The notices producers build: the variables each event carries, and dedupe keys that let an
//! incident's updates through at most once per window and a new device once per account.

use super::*;
use crate::store::TrustChangeKind;
use chrono::{TimeDelta, TimeZone as _};
use sightline_domain::ServerId;
use sightline_domain::geo::LatLon;
use sightline_domain::live::{FeedKind, ServerHealth};
use sightline_domain::media::{
    PlaybackDecision, PlaybackState, ServerKind, SessionUser, StreamQuality, VideoResolution,
};
use sightline_domain::rules::{Evidence, Measure, PlaceEvidence, RuleId, RuleType, Severity, Unit, Violation};
use sightline_domain::tracker::PlayId;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

fn server() -> ServerRef {
    ServerRef { id: ServerId(3), name: "Den".into(), kind: ServerKind::Plex, color: "#38bdf8".into() }
}

fn session() -> MediaSession {
    MediaSession {
        session_key: "42".into(),
        upstream_session_id: None,
        user: SessionUser { id: "u7".into(), name: "alice".into(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Episode,
            item_key: "9".into(),
            title: "Static".into(),
            grandparent_title: Some("The Expanse".into()),
            parent_title: None,
            season_number: Some(2),
            episode_number: Some(3),
            year: None,
            duration_ms: Some(3_000_000),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer {
            name: Some("Living room TV".into()),
            device: None,
            device_id: Some(" tv-1 ".into()),
            product: Some("Plex for Android".into()),
            platform: Some("Android".into()),
        },
        client_ip: "81.2.69.142".parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality { resolution: Some(VideoResolution::Hd1080), ..StreamQuality::default() },
        decision: PlaybackDecision::new(Some(StreamDecision::Transcode), None, None, true),
        bandwidth_kbps: None,
        control: None,
    }
}

fn now_playing() -> NowPlaying {
    NowPlaying {
        play: "00000000000000ab".into(),
        server: server(),
        started_at: t0(),
        updated_at: t0(),
        played_ms: 0,
        paused_ms: 0,
        resumes: None,
        session: session(),
        poster_url: None,
        geo: None,
    }
}

fn incident_record(occurrences: u32) -> IncidentRecord {
    let evidence_session = SessionEvidence {
        server_id: ServerId(3),
        session_key: "42".into(),
        play_id: None,
        started_at: t0(),
        last_seen_at: t0(),
        ip: "203.0.113.7".parse().ok(),
        address_class: AddressClass::Public,
        location: Some(PlaceEvidence {
            point: LatLon { lat: 38.7, lon: -9.1 },
            accuracy_km: 20.0,
            city: Some("Lisbon".into()),
            region: Some("Lisbon".into()),
            country: Some("PT".into()),
        }),
        country: Some("PT".into()),
        asn: None,
        asn_org: None,
        device_id: Some("tv-1".into()),
        player: Some("Pixel 8".into()),
        product: None,
        platform: Some("Android".into()),
    };
    IncidentRecord {
        id: 12,
        status: "open".into(),
        occurrences,
        opened_at: t0(),
        updated_at: t0(),
        violation: Violation {
            rule_id: RuleId("travel".into()),
            rule_name: "Impossible travel".into(),
            kind: RuleType::ImpossibleTravel,
            severity: Severity::High,
            server_id: ServerId(3),
            user_id: "u7".into(),
            session_key: Some("42".into()),
            summary: "Lisbon 40 min after Berlin".into(),
            evidence: Evidence {
                measured: Measure::amount(3450.0, Unit::Kmh),
                threshold: Measure::amount(900.0, Unit::Kmh),
                facts: Vec::new(),
                sessions: vec![evidence_session],
            },
            condition_key: "travel|3|u7".into(),
        },
    }
}

fn names() -> IncidentNames {
    IncidentNames { user: "alice".into(), server: "Den".into(), title: Some("The Expanse - S02E03 - Static".into()) }
}

#[test]
fn an_opened_incident_carries_who_what_where_and_a_link() {
    let n = incident(&incident_record(1), &names(), true, t0());
    assert_eq!(
        (n.kind, n.severity, n.dedupe_key.as_str()),
        (EventKind::IncidentOpened, Some(Severity::High), "incident:12:opened")
    );
    let expect = [
        (Var::User, "alice"),
        (Var::Server, "Den"),
        (Var::Rule, "Impossible travel"),
        (Var::Severity, "high"),
        (Var::Summary, "Lisbon 40 min after Berlin"),
        (Var::IncidentId, "12"),
        (Var::Url, "/alerts/12"),
        (Var::Location, "Lisbon, Lisbon, PT"),
        (Var::Ip, "203.0.113.7"),
        (Var::Device, "Pixel 8 (Android)"),
        (Var::Title, "The Expanse - S02E03 - Static"),
        (Var::Event, "Incident opened"),
        (Var::Time, "2026-11-26T12:00:00Z"),
    ];
    for (var, value) in expect {
        assert_eq!(n.get(var), value, "{var:?}");
    }
}

#[test]
fn incident_updates_share_a_key_within_ten_minutes() {
    let at = |mins| t0() + TimeDelta::minutes(mins);
    let key = |mins| incident(&incident_record(2), &names(), false, at(mins)).dedupe_key;
    assert_eq!(key(0), key(9));
    assert_ne!(key(9), key(10));
    let n = incident(&incident_record(5), &names(), false, t0());
    assert_eq!((n.kind, n.get(Var::Reason)), (EventKind::IncidentUpdated, "seen 5 times since it opened"));
}

#[test]
fn streams_carry_title_device_and_playback() {
    let started = stream_started(&now_playing(), t0());
    assert_eq!(started.dedupe_key, "stream:3:00000000000000ab:started");
    assert_eq!(started.get(Var::Title), "The Expanse - S02E03 - Static");
    assert_eq!(started.get(Var::Device), "Living room TV (Plex for Android, Android)");
    assert_eq!(started.get(Var::Summary), "Transcode (hardware), 1080p");
    assert_eq!((started.get(Var::Ip), started.get(Var::Location)), ("81.2.69.142", "Unknown location"));
    assert_eq!(started.severity, None);

    let summary = PlaySummary {
        play: PlayId(0xab),
        started_at: t0(),
        ended_at: t0() + TimeDelta::minutes(50),
        last_seen_at: t0() + TimeDelta::minutes(50),
        played_ms: 47 * 60_000 + 59_000,
        paused_ms: 0,
        position_ms: None,
        duration_ms: None,
        watched: true,
        short: false,
        resumes: None,
    };
    let stopped = stream_stopped(&server(), &session(), &summary, None, t0());
    assert_eq!(stopped.dedupe_key, "stream:3:00000000000000ab:stopped");
    assert_eq!(stopped.get(Var::Summary), "Played 47 min, watched to the end");
}

#[test]
fn a_new_device_notifies_once_per_account_and_device() {
    assert_eq!(device_key(&session().player), Some("tv-1"));
    let unnamed = SessionPlayer { name: Some(" Den TV ".into()), ..SessionPlayer::default() };
    assert_eq!(device_key(&unnamed), Some("Den TV"));
    assert_eq!(device_key(&SessionPlayer::default()), None);
    let n = new_device(&now_playing(), "tv-1", t0());
    assert_eq!((n.kind, n.dedupe_key.as_str()), (EventKind::NewDevice, "device:3:u7:tv-1"));
    assert_eq!(n.get(Var::Summary), "First stream from this device: The Expanse - S02E03 - Static");
}

#[test]
fn a_server_notifies_when_it_goes_down_and_when_it_comes_back() {
    let health = |status, since| ServerHealth {
        server: ServerId(3),
        status,
        since,
        code: None,
        reason: None,
        feed: Some(FeedKind::WebSocket),
        last_ok_at: None,
        active_streams: 0,
    };
    let down =
        server_health(&server(), &health(ServerStatus::Up, t0()), ServerStatus::Down, Some("connection refused"), t0())
            .expect("up → down");
    assert_eq!((down.kind, down.get(Var::Reason)), (EventKind::ServerDown, "connection refused"));
    assert!(down.dedupe_key.starts_with("server:3:server_down:"));
    let later = t0() + TimeDelta::minutes(4);
    let up =
        server_health(&server(), &health(ServerStatus::Down, t0()), ServerStatus::Up, None, later).expect("down → up");
    assert_eq!((up.kind, up.get(Var::Summary)), (EventKind::ServerUp, "Reachable again after 4 min"));
    let at_start =
        server_health(&server(), &health(ServerStatus::Connecting, t0()), ServerStatus::AuthFailed, Some("401"), t0());
    assert_eq!(at_start.map(|n| n.kind), Some(EventKind::ServerDown));
    for (from, to) in [
        (ServerStatus::Connecting, ServerStatus::Up),
        (ServerStatus::Down, ServerStatus::AuthFailed),
        (ServerStatus::Up, ServerStatus::Disabled),
        (ServerStatus::Down, ServerStatus::Connecting),
    ] {
        assert_eq!(server_health(&server(), &health(from, t0()), to, None, t0()), None, "{from:?} → {to:?}");
    }
}

#[test]
fn trust_changes_carry_both_scores_and_the_reasons() {
    let change = |before, after, kind, incident_id| NewTrustChange {
        at: t0(),
        kind,
        score_before: before,
        score_after: after,
        reason: format!("{kind:?} {before}→{after}"),
        incident_id,
        actor: "system".into(),
    };
    let rows = [change(70, 72, TrustChangeKind::Recovery, None), change(72, 52, TrustChangeKind::Incident, Some(12))];
    let n = trust_changed("Den", "alice", "3:u7", &rows).expect("moved");
    assert_eq!((n.get(Var::TrustBefore), n.get(Var::TrustAfter)), ("70", "52"));
    assert_eq!(n.get(Var::Reason), "Recovery 70→72; Incident 72→52");
    assert_eq!((n.get(Var::Summary), n.get(Var::Url)), ("Trust is now 52 (caution)", "/alerts/12"));
    assert_eq!(trust_changed("Den", "alice", "3:u7", &[]), None);
    assert_eq!(trust_changed("Den", "alice", "3:u7", &[change(60, 60, TrustChangeKind::Override, None)]), None);
}

#[test]
fn titles_read_naturally_for_each_kind_of_media() {
    let mut m = session().media;
    assert_eq!(media_title(&m), "The Expanse - S02E03 - Static");
    m.media_type = MediaType::Track;
    m.grandparent_title = Some("Nina Simone".into());
    m.title = "Sinnerman".into();
    assert_eq!(media_title(&m), "Nina Simone - Sinnerman");
    m.media_type = MediaType::Movie;
    m.title = "  ".into();
    m.year = Some(2019);
    assert_eq!(media_title(&m), "Untitled (2019)");
}

#[test]
fn an_import_says_how_it_went() {
    let n = import_finished("12,408 plays imported, 3 skipped", t0());
    assert_eq!((n.kind, n.get(Var::Reason)), (EventKind::ImportFinished, "12,408 plays imported, 3 skipped"));
}
