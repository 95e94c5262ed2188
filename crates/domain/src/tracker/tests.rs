//! Tracker scenarios: each test feeds observations and reads the events back as one line per
//! event, so a failure shows the whole story. Sessions are built in code; no fixtures are read.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::collections::BTreeMap;

use super::*;
use crate::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionPlayer, SessionUser, StreamDecision,
    StreamQuality, VideoResolution,
};

const MIN: i64 = 60;
const HOUR: i64 = 3_600;
/// Every session plays a 100-minute item unless a test says otherwise.
const DURATION_MS: u64 = 6_000_000;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 20, 0, 0).single().expect("a valid base time") + TimeDelta::seconds(secs)
}

fn secs(at: DateTime<Utc>) -> i64 {
    (at - t(0)).num_seconds()
}

/// A playing session at position 0 of `item`, for `user`, under session key `key`.
fn play(key: &str, user: &str, item: &str) -> MediaSession {
    MediaSession {
        session_key: key.to_owned(),
        upstream_session_id: None,
        user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
        media: MediaItem {
            media_type: MediaType::Movie,
            item_key: item.to_owned(),
            title: item.to_owned(),
            grandparent_title: None,
            parent_title: None,
            season_number: None,
            episode_number: None,
            year: None,
            duration_ms: Some(DURATION_MS),
            poster: None,
        },
        position_ms: Some(0),
        state: PlaybackState::Playing,
        player: SessionPlayer::default(),
        client_ip: None,
        is_local: None,
        is_relayed: false,
        quality: StreamQuality {
            resolution: Some(VideoResolution::Hd1080),
            width: Some(1920),
            height: Some(1080),
            bitrate_kbps: Some(8_000),
            ..StreamQuality::default()
        },
        decision: PlaybackDecision::new(
            Some(StreamDecision::DirectPlay),
            Some(StreamDecision::DirectPlay),
            None,
            false,
        ),
        bandwidth_kbps: None,
        control: None,
    }
}

trait Tweak: Sized {
    fn at_secs(self, position_secs: u64) -> Self;
    fn state(self, state: PlaybackState) -> Self;
    fn paused(self) -> Self {
        self.state(PlaybackState::Paused)
    }
}

impl Tweak for MediaSession {
    fn at_secs(mut self, position_secs: u64) -> Self {
        self.position_ms = Some(position_secs * 1_000);
        self
    }
    fn state(mut self, state: PlaybackState) -> Self {
        self.state = state;
        self
    }
}

fn snap(at: i64, sessions: Vec<MediaSession>) -> Observation {
    Observation::Snapshot { at: t(at), sessions }
}

fn down(at: i64) -> Observation {
    Observation::Unreachable { at: t(at) }
}

fn tick(at: i64) -> Observation {
    Observation::Tick { at: t(at) }
}

/// Feeds observations to `tracker` with `config` and returns every event, in order.
fn run_with(tracker: &mut ServerTracker, config: &TrackerConfig, observations: Vec<Observation>) -> Vec<TrackerEvent> {
    observations.into_iter().flat_map(|o| tracker.apply(o, config)).collect()
}

fn run(observations: Vec<Observation>) -> (ServerTracker, Vec<TrackerEvent>) {
    let mut tracker = ServerTracker::new();
    let events = run_with(&mut tracker, &TrackerConfig::default(), observations);
    (tracker, events)
}

/// One line per event; plays are named `user/item`, known from their `Started` or `Stopped` event,
/// or from `names` for restored plays.
fn story_with(names: &BTreeMap<PlayId, String>, events: &[TrackerEvent]) -> Vec<String> {
    let mut names = names.clone();
    let label = |s: &MediaSession| format!("{}/{}", s.user.id, s.media.item_key);
    let pos = |p: &Option<u64>| p.map_or("?".to_owned(), |ms| format!("{}s", ms / 1_000));
    events
        .iter()
        .map(|event| {
            if let TrackerEvent::Started { play, session, .. } | TrackerEvent::Stopped { play, session, .. } = event {
                names.entry(*play).or_insert_with(|| label(session));
            }
            let name = names.get(&event.play()).cloned().unwrap_or_else(|| event.play().to_string());
            match event {
                TrackerEvent::Started { at, resumes, .. } => {
                    let resumes = resumes.map(|r| format!(" resuming {}", names.get(&r).cloned().unwrap_or_default()));
                    format!("t{} started {name}{}", secs(*at), resumes.unwrap_or_default())
                }
                TrackerEvent::Paused { at, position_ms, .. } => {
                    format!("t{} paused {name} at {}", secs(*at), pos(position_ms))
                }
                TrackerEvent::Resumed { at, position_ms, .. } => {
                    format!("t{} resumed {name} at {}", secs(*at), pos(position_ms))
                }
                TrackerEvent::Progress { at, position_ms, state, .. } => {
                    format!("t{} progress {name} {state:?} at {}", secs(*at), pos(position_ms))
                }
                TrackerEvent::QualityChanged { at, quality, decision, .. } => format!(
                    "t{} quality {name} {} {:?} {}kbps",
                    secs(*at),
                    quality.resolution.map_or("?", VideoResolution::label),
                    decision.overall,
                    quality.bitrate_kbps.unwrap_or(0)
                ),
                TrackerEvent::Stopped { reason, ended_at, summary: s, .. } => format!(
                    "t{} stopped {name} {reason:?} played {}s paused {}s at {}{}{}",
                    secs(*ended_at),
                    s.played_ms / 1_000,
                    s.paused_ms / 1_000,
                    pos(&s.position_ms),
                    if s.watched { " watched" } else { "" },
                    if s.short { " short" } else { "" },
                ),
            }
        })
        .collect()
}

fn story(events: &[TrackerEvent]) -> Vec<String> {
    story_with(&BTreeMap::new(), events)
}

fn summaries(events: &[TrackerEvent]) -> Vec<&PlaySummary> {
    events
        .iter()
        .filter_map(|e| if let TrackerEvent::Stopped { summary, .. } = e { Some(summary) } else { None })
        .collect()
}

fn started(events: &[TrackerEvent]) -> usize {
    events.iter().filter(|e| matches!(e, TrackerEvent::Started { .. })).count()
}

mod accounting;
mod lifecycle;
mod outage;
