//! Reconciling a complete answer from the server with the open plays: plays it no longer lists
//! stop at their last sighting, listed plays continue (pause, resume, progress, quality) and
//! unknown ones start. Runs the same way on every poll, after an outage and after a restart.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

use super::play::{ActivePlay, PlayKey, is_paused, normalized};
use super::{ServerTracker, StopReason, TrackerConfig, TrackerEvent};
use crate::media::{MediaSession, clamp_position};

pub(super) fn snapshot(
    tracker: &mut ServerTracker,
    now: DateTime<Utc>,
    sessions: Vec<MediaSession>,
    config: &TrackerConfig,
) -> Vec<TrackerEvent> {
    let incoming = dedup(sessions);
    let listed: BTreeSet<PlayKey> = incoming.iter().map(|(key, _)| key.clone()).collect();
    let mut events = Vec::new();

    // Stops come first, so a play replaced under the same session key ends before its successor starts.
    let (kept, gone): (Vec<_>, Vec<_>) =
        std::mem::take(&mut tracker.plays).into_iter().partition(|p| listed.contains(&p.key()));
    tracker.plays = kept;
    for play in gone {
        let reason = stop_reason(&play, &incoming);
        events.push(tracker.stop(play, reason, config));
    }

    let index: BTreeMap<PlayKey, usize> = tracker.plays.iter().enumerate().map(|(i, p)| (p.key(), i)).collect();
    for (key, session) in incoming {
        if let Some(&play_idx) = index.get(&key) {
            update(&mut tracker.plays[play_idx], session, now, &mut events);
            continue;
        }
        let resumes = tracker.recent.resumable(&key.user_id, &key.item_key, now, config.resume_window);
        let id = tracker.allocate_id(&key, now);
        let play = ActivePlay::start(id, session, now, resumes);
        events.push(TrackerEvent::Started { play: id, at: now, session: Box::new(play.session.clone()), resumes });
        tracker.plays.push(play);
    }
    events
}

/// Keeps the first session of each play: a server that lists one twice must not start it twice.
fn dedup(sessions: Vec<MediaSession>) -> Vec<(PlayKey, MediaSession)> {
    let mut seen = BTreeSet::new();
    sessions.into_iter().map(|s| (PlayKey::of(&s), s)).filter(|(key, _)| seen.insert(key.clone())).collect()
}

/// Why a play missing from a complete answer ended: its session key may have moved on.
fn stop_reason(play: &ActivePlay, incoming: &[(PlayKey, MediaSession)]) -> StopReason {
    let old = &play.session;
    match incoming.iter().find(|(key, _)| key.session_key == old.session_key) {
        Some((key, _)) if key.user_id != old.user.id => StopReason::SessionKeyReused,
        Some(_) => StopReason::MediaChanged,
        None => StopReason::Ended,
    }
}

/// Continues a listed play: accrues the time since it was last seen to its previous state, then
/// reports what moved.
fn update(play: &mut ActivePlay, session: MediaSession, now: DateTime<Utc>, events: &mut Vec<TrackerEvent>) {
    play.advance(now);
    let mut session = normalized(session);
    if session.position_ms.is_none() {
        // A poll without a position says nothing about it; keep the last one.
        session.position_ms = clamp_position(play.session.position_ms, session.media.duration_ms);
    }
    let old = &play.session;
    let (id, position_ms) = (play.id, session.position_ms);
    match (is_paused(old.state), is_paused(session.state)) {
        (false, true) => events.push(TrackerEvent::Paused { play: id, at: now, position_ms }),
        (true, false) => events.push(TrackerEvent::Resumed { play: id, at: now, position_ms }),
        _ if old.state != session.state || old.position_ms != position_ms => {
            events.push(TrackerEvent::Progress { play: id, at: now, position_ms, state: session.state });
        }
        _ => {}
    }
    let (q0, q1) = (&old.quality, &session.quality);
    if q0.resolution != q1.resolution || q0.bitrate_kbps != q1.bitrate_kbps || old.decision != session.decision {
        events.push(TrackerEvent::QualityChanged {
            play: id,
            at: now,
            quality: session.quality.clone(),
            decision: session.decision,
        });
    }
    play.session = session;
}
