//! Playback rules: paused too long, transcoding above a source resolution, concurrent transcodes.

use super::*;

fn paused(max: u32) -> Rule {
    rule(RuleKind::PausedTooLong(PausedParams { max_paused_minutes: max }))
}

fn no_4k_transcodes() -> Rule {
    rule(RuleKind::TranscodeResolution(TranscodeResolutionParams::default()))
}

fn transcodes(max: u32) -> Rule {
    rule(RuleKind::ConcurrentTranscodes(ConcurrentTranscodesParams { max_transcodes: max }))
}

#[test]
fn a_stream_paused_past_the_limit_is_flagged_with_the_minutes() {
    let c = ctx(session("now").paused_at(-150), vec![], vec![]);
    let v = run(&paused(120), &c, t(0));
    assert_eq!(v[0].summary, "a stream has been paused for 2.5 h: 150 min ≥ 120 min");
    assert_eq!(v[0].condition_key, "r1|1|alice|session:1:now");
    assert!(run(&paused(120), &c, t(-31)).is_empty());
}

#[test]
fn playing_streams_are_never_paused_too_long() {
    let mut s = session("now");
    s.paused_since = Some(t(-500));
    assert!(run(&paused(1), &ctx(s, vec![], vec![]), t(0)).is_empty());
}

#[test]
fn transcoding_a_4k_source_is_flagged_but_not_direct_play_or_1080p() {
    use crate::media::VideoResolution::{Hd1080, Uhd4k};
    let v = run(&no_4k_transcodes(), &ctx(session("now").transcoding(Uhd4k), vec![], vec![]), t(0));
    assert_eq!(v[0].summary, "one account is transcoding a 4K source: 4K > 1080p");
    let mut direct = session("now");
    direct.source_resolution = Some(Uhd4k);
    assert!(run(&no_4k_transcodes(), &ctx(direct, vec![], vec![]), t(0)).is_empty());
    assert!(run(&no_4k_transcodes(), &ctx(session("now").transcoding(Hd1080), vec![], vec![]), t(0)).is_empty());
}

#[test]
fn more_transcodes_than_allowed_are_flagged_only_when_the_judged_one_transcodes() {
    use crate::media::VideoResolution::Hd1080;
    let others = vec![session("a").transcoding(Hd1080).started(-5), session("b").transcoding(Hd1080).started(-4)];
    let v = run(&transcodes(2), &ctx(session("now").transcoding(Hd1080), others.clone(), vec![]), t(0));
    assert_eq!(v[0].summary, "one account is running 3 video transcodes at once: 3 > 2");
    assert!(run(&transcodes(2), &ctx(session("now"), others.clone(), vec![]), t(0)).is_empty());
    assert!(run(&transcodes(3), &ctx(session("now").transcoding(Hd1080), others, vec![]), t(0)).is_empty());
}

#[test]
fn a_limit_of_zero_transcodes_flags_any_transcode() {
    use crate::media::VideoResolution::Sd;
    assert_eq!(run(&transcodes(0), &ctx(session("now").transcoding(Sd), vec![], vec![]), t(0)).len(), 1);
}
