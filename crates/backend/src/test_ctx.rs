//! Test support (built only for tests): a real `AppContext` on a temporary SQLite file with one
//! media server and its accounts, for service tests that go through the store.

use crate::AppContext;
use crate::auth::setup::SetupGate;
use crate::auth::{AuthService, SessionPolicy};
use crate::config::Config;
use crate::crypto::SecretBox;
use crate::geo::Geo;
use crate::hub::Hub;
use crate::ingest::Ingest;
use crate::secret::SecretString;
use crate::store::sqlite::SqliteStore;
use crate::store::{AccountInfo, NewServer, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sightline_domain::ServerId;
use sightline_domain::media::ServerKind;
use std::sync::Arc;

/// A fixed base time.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
}

/// A context on a fresh database holding one Jellyfin server with the accounts `alice` and `bob`.
pub(crate) async fn context() -> (tempfile::TempDir, AppContext, ServerId) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("t.db")).await.expect("opens"));
    let secrets = SecretBox::new(&[3; 32]);
    let server = NewServer {
        kind: ServerKind::Jellyfin,
        name: "Jelly".to_owned(),
        url: "http://127.0.0.1:8096/".to_owned(),
        color: "#38bdf8".to_owned(),
        enabled: true,
    };
    let token = SecretString::new("token-0123456789");
    let id = store.create_server(&server, &token, &secrets, t0()).await.expect("creates").id;
    let accounts: Vec<AccountInfo> = ["alice", "bob"]
        .into_iter()
        .map(|u| AccountInfo {
            external_id: u.to_owned(),
            name: u.to_owned(),
            thumb: None,
            is_admin: false,
            is_disabled: false,
        })
        .collect();
    store.sync_accounts(id, &accounts, t0()).await.expect("syncs");
    let policy = SessionPolicy { idle: Duration::hours(1), absolute: Duration::hours(2) };
    let ctx = AppContext {
        config: Arc::new(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }),
        auth: Arc::new(AuthService::new(Arc::clone(&store), policy, SetupGate::detached())),
        store,
        hub: Hub::default(),
        ingest: Ingest::new(),
        geo: Geo::open(dir.path()),
        secrets: Arc::new(secrets),
        notify: crate::notify::Notifier::new(Arc::new(
            crate::notify::Senders::new(crate::notify::SendOptions::default()).expect("senders build"),
        )),
        enforce: crate::enforce::Enforcer::new(),
        started_at: t0(),
    };
    (dir, ctx, id)
}

/// A stream of `user` on `server` from `ip` on its own device, started at `at`, put on the live
/// board as ingestion would.
pub(crate) fn stream(
    ctx: &AppContext,
    server: ServerId,
    user: &str,
    play: &str,
    ip: &str,
    at: DateTime<Utc>,
) -> sightline_domain::live::NowPlaying {
    use sightline_domain::live::{NowPlaying, ServerRef};
    use sightline_domain::media::{
        MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamQuality,
    };
    let session = MediaSession {
        session_key: format!("session-{play}"),
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
        player: SessionPlayer { device_id: Some(format!("device-{play}")), ..SessionPlayer::default() },
        client_ip: ip.parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(None, None, None, false),
        bandwidth_kbps: None,
        control: None,
    };
    let now_playing = NowPlaying {
        play: play.to_owned(),
        server: ServerRef {
            id: server,
            name: "Jelly".to_owned(),
            kind: ServerKind::Jellyfin,
            color: "#38bdf8".to_owned(),
        },
        started_at: at,
        updated_at: at,
        played_ms: 0,
        paused_ms: 0,
        resumes: None,
        session,
        poster_url: None,
        geo: None,
    };
    ctx.ingest.board.upsert_play(now_playing.clone());
    now_playing
}

/// The rule set with only "Too many streams at once" (medium) switched on, limited to one stream.
pub(crate) async fn only_one_stream_allowed(ctx: &AppContext) {
    use sightline_domain::rules::{RuleKind, default_rules};
    let rules: Vec<_> = default_rules()
        .into_iter()
        .map(|mut r| {
            r.enabled = r.id.0 == "default-concurrent-streams";
            if let RuleKind::ConcurrentStreams(p) = &mut r.kind {
                p.max_streams = 1;
            }
            r
        })
        .collect();
    ctx.store.replace_rules(&rules, t0()).await.expect("installs the rules");
}
