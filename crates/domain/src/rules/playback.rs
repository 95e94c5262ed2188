//! Playback rules: a stream paused too long, transcoding a source above a resolution (e.g. no 4K
//! transcodes), and too many video transcodes of one account at once.

use chrono::{DateTime, Utc};

use super::context::RuleSession;
use super::evidence::{Finding, Measure, SessionEvidence, Unit, fmt_duration};
use super::params::{ConcurrentTranscodesParams, PausedParams, TranscodeResolutionParams};
use super::view::View;
use crate::media::{PlaybackState, StreamDecision};

fn session_key(s: &RuleSession) -> String {
    format!("session:{}:{}", s.server_id, s.session_key)
}

pub(crate) fn paused_too_long(p: &PausedParams, v: &View<'_>, now: DateTime<Utc>) -> Option<Finding> {
    let cur = v.current;
    if cur.state != PlaybackState::Paused {
        return None;
    }
    let paused = now - cur.paused_since?;
    let minutes = paused.num_minutes();
    if minutes < i64::from(p.max_paused_minutes) {
        return None;
    }
    Some(Finding {
        summary: format!(
            "a stream has been paused for {}: {minutes} min ≥ {} min",
            fmt_duration(paused),
            p.max_paused_minutes
        ),
        measured: Measure::amount(minutes as f64, Unit::Minutes),
        threshold: Measure::amount(f64::from(p.max_paused_minutes), Unit::Minutes),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: session_key(cur),
    })
}

fn transcoding(s: &RuleSession) -> bool {
    s.is_active() && s.decision == StreamDecision::Transcode
}

pub(crate) fn transcode_resolution(p: &TranscodeResolutionParams, v: &View<'_>) -> Option<Finding> {
    let cur = v.current;
    let source = cur.source_resolution.filter(|r| transcoding(cur) && *r > p.max_source_resolution)?;
    Some(Finding {
        summary: format!("one account is transcoding a {source} source: {source} > {}", p.max_source_resolution),
        measured: Measure::label(source.label()),
        threshold: Measure::label(p.max_source_resolution.label()),
        facts: Vec::new(),
        sessions: vec![SessionEvidence::from(cur)],
        key_part: session_key(cur),
    })
}

pub(crate) fn concurrent_transcodes(p: &ConcurrentTranscodesParams, v: &View<'_>) -> Option<Finding> {
    if !transcoding(v.current) {
        return None;
    }
    let sessions: Vec<&RuleSession> =
        std::iter::once(v.current).chain(v.active.iter().copied().filter(|s| transcoding(s))).collect();
    let n = sessions.len() as u32;
    if n <= p.max_transcodes {
        return None;
    }
    Some(Finding {
        summary: format!("one account is running {n} video transcodes at once: {n} > {}", p.max_transcodes),
        measured: Measure::amount(f64::from(n), Unit::Transcodes),
        threshold: Measure::amount(f64::from(p.max_transcodes), Unit::Transcodes),
        facts: Vec::new(),
        sessions: sessions.into_iter().map(SessionEvidence::from).collect(),
        key_part: String::new(),
    })
}
