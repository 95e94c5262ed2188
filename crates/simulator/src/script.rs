//! The timeline of a scripted stream: where it is (playing or paused, at which position) at a
//! given script time, when it ends, and how long one cycle of a looping script lasts. Pure.

use crate::scenario::{MediaSpec, Scenario, StreamScript};
use std::time::Duration;

/// The pause between the end of one cycle and the start of the next.
pub const CYCLE_GAP: Duration = Duration::from_secs(5);

/// What a stream is doing at some script time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub paused: bool,
    pub position: Duration,
}

/// The stream's state at script time `t`, or `None` before it starts and once it has ended.
#[must_use]
pub fn at(stream: &StreamScript, media: &MediaSpec, t: Duration) -> Option<Planned> {
    let start = stream.start.0;
    if t < start || t >= end_of(stream, media) {
        return None;
    }
    let local = t - start;
    let mut paused_for = Duration::ZERO;
    let mut paused = false;
    for pause in &stream.pauses {
        let (from, until) = (pause.at.0, pause.at.0 + pause.length.0);
        if local >= until {
            paused_for += pause.length.0;
        } else if local >= from {
            paused_for += local - from;
            paused = true;
        }
    }
    Some(Planned { paused, position: stream.position.0 + local.saturating_sub(paused_for) })
}

/// The script time at which the stream ends: its `stop`, its `watch` time, or the end of the media.
#[must_use]
pub fn end_of(stream: &StreamScript, media: &MediaSpec) -> Duration {
    let start = stream.start.0;
    let natural = start + natural_length(stream, media);
    let asked = stream.stop.map(|s| s.0).or_else(|| stream.watch.map(|w| start + w.0));
    asked.map_or(natural, |a| a.min(natural))
}

/// Wall time from the start until the position reaches the end of the media, pauses included.
fn natural_length(stream: &StreamScript, media: &MediaSpec) -> Duration {
    let remaining = media.duration.0.saturating_sub(stream.position.0);
    let (mut played, mut cursor) = (Duration::ZERO, Duration::ZERO);
    for pause in &stream.pauses {
        let playable = pause.at.0.saturating_sub(cursor);
        if played + playable >= remaining {
            return cursor + (remaining - played);
        }
        played += playable;
        cursor = pause.at.0 + pause.length.0;
    }
    cursor + (remaining - played)
}

/// How long one pass of the script lasts (last end plus a short gap); `None` without streams.
#[must_use]
pub fn cycle_length(scenario: &Scenario) -> Option<Duration> {
    scenario.streams.iter().filter_map(|s| Some(end_of(s, scenario.media(&s.media)?))).max().map(|end| end + CYCLE_GAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario::from_toml_str(
            r#"
            [[server]]
            name = "p"
            kind = "plex"
            [[user]]
            name = "u"
            [[media]]
            id = "m"
            kind = "movie"
            title = "M"
            duration = "10m"
            [[stream]]
            server = "p"
            user = "u"
            media = "m"
            device = "roku"
            ip = "192.0.2.1"
            start = "10s"
            position = "5m"
            pauses = [{ at = "1m", for = "30s" }]
            "#,
        )
        .expect("valid")
    }

    #[test]
    fn a_stream_plays_pauses_resumes_and_ends_at_the_end_of_its_media() {
        let s = scenario();
        let (stream, media) = (&s.streams[0], &s.media[0]);
        let secs = Duration::from_secs;
        assert_eq!(at(stream, media, secs(5)), None);
        assert_eq!(at(stream, media, secs(10)), Some(Planned { paused: false, position: secs(300) }));
        assert_eq!(at(stream, media, secs(80)), Some(Planned { paused: true, position: secs(360) }));
        assert_eq!(at(stream, media, secs(110)), Some(Planned { paused: false, position: secs(370) }));
        // 5 minutes of media left, plus the 30 s pause, from t = 10 s.
        assert_eq!(end_of(stream, media), secs(10 + 300 + 30));
        assert_eq!(at(stream, media, secs(340)), None);
        assert_eq!(cycle_length(&s), Some(secs(340) + CYCLE_GAP));
    }
}
