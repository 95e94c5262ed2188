//! What a player receives for a session: the source streams, or the transcoder's output. Shared
//! by the Plex and Jellyfin-like renderers so both describe a transcode the same way.

use crate::scenario::{Decision, MediaKind, Resolution};
use crate::state::Session;

/// The delivered stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub width: u32,
    pub height: u32,
    pub video_codec: String,
    pub audio_codec: String,
    pub bitrate_kbps: u32,
    /// HDR survives direct play and direct stream; transcodes are tone-mapped to SDR.
    pub hdr: bool,
    pub video_transcoded: bool,
    pub audio_transcoded: bool,
}

/// The transcoder's target for a transcode: at most 1080p H.264 with AAC at 8 Mbps.
#[must_use]
pub fn of(session: &Session) -> Output {
    let media = &session.media;
    let (width, height) = media.resolution.dimensions();
    let source = Output {
        width,
        height,
        video_codec: media.video_codec().to_owned(),
        audio_codec: media.audio_codec().to_owned(),
        bitrate_kbps: media.bitrate_kbps(),
        hdr: media.hdr,
        video_transcoded: false,
        audio_transcoded: false,
    };
    if session.decision != Decision::Transcode {
        return source;
    }
    if media.kind == MediaKind::Track {
        return Output { audio_codec: "mp3".into(), bitrate_kbps: 320, audio_transcoded: true, ..source };
    }
    let (width, height) =
        if media.resolution == Resolution::Uhd4k { Resolution::Hd1080.dimensions() } else { (width, height) };
    Output {
        width,
        height,
        video_codec: "h264".into(),
        audio_codec: "aac".into(),
        bitrate_kbps: source.bitrate_kbps.min(8_000),
        hdr: false,
        video_transcoded: true,
        audio_transcoded: true,
    }
}
