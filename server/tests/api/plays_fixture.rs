//! Finished plays for tests that write history straight into the store: a transcoded film on a
//! Roku from London, ended after `played_ms`, optionally resuming an earlier play.

use chrono::{DateTime, Duration, Utc};
use sightline_backend::store::PlayWrite;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamDecision,
    StreamQuality,
};
use sightline_domain::tracker::{PlayId, PlaySummary, StopReason};

/// Play `id` of `user` watching the film `title` from `started` for `played_ms`.
pub fn finished(
    id: u64,
    user: &str,
    title: &str,
    started: DateTime<Utc>,
    played_ms: u64,
    resumes: Option<u64>,
) -> PlayWrite {
    let session = MediaSession {
        session_key: format!("s{id}"),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Movie,
            item_key: format!("item-{title}"),
            title: title.to_owned(),
            grandparent_title: None,
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: Some(1995),
            duration_ms: Some(7_200_000),
            poster: None,
        },
        position_ms: Some(played_ms),
        state: PlaybackState::Playing,
        player: SessionPlayer { platform: Some("Roku".to_owned()), ..SessionPlayer::default() },
        client_ip: "81.2.69.142".parse().ok(),
        is_local: Some(false),
        is_relayed: false,
        quality: StreamQuality::default(),
        decision: PlaybackDecision::new(Some(StreamDecision::Transcode), None, None, false),
        bandwidth_kbps: Some(4_000),
        control: None,
    };
    let ended = started + Duration::milliseconds(i64::try_from(played_ms).expect("fits"));
    PlayWrite::Stopped {
        summary: PlaySummary {
            play: PlayId(id),
            started_at: started,
            ended_at: ended,
            last_seen_at: ended,
            played_ms,
            paused_ms: 0,
            position_ms: Some(played_ms),
            duration_ms: Some(7_200_000),
            watched: false,
            short: false,
            resumes: resumes.map(PlayId),
        },
        reason: StopReason::Ended,
        session: Box::new(session),
    }
}
