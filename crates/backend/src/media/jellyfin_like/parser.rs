//! Jellyfin and Emby parsers: `GET /Sessions` and the WebSocket `Sessions` message into
//! `MediaSession`s. Both servers send the same `SessionInfo` shape; where they differ
//! (hardware transcoding, HDR flags) the `ServerKind` decides. Pure; no HTTP.

use crate::media::server::AccountInfo;
use crate::media::{ParseError, check_size, json_error, parse_ip};
use serde::Deserialize;
use serde_json::Value;
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, ServerKind, SessionControl, SessionPlayer,
    SessionUser, StreamDecision, StreamQuality, VideoResolution, clamp_position,
};

/// Positions and runtimes are in ticks of 100 ns.
const TICKS_PER_MS: i64 = 10_000;

/// Parses a `GET /Sessions` reply. Only sessions with a `NowPlayingItem` are playbacks;
/// idle and browsing sessions are left out.
pub fn parse_sessions(body: &str, kind: ServerKind) -> Result<Vec<MediaSession>, ParseError> {
    check_kind(kind)?;
    check_size(body)?;
    let infos: Vec<SessionInfo> = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    sessions(infos, kind)
}

/// Parses a `GET /Users` reply into accounts.
pub fn parse_users(body: &str) -> Result<Vec<AccountInfo>, ParseError> {
    check_size(body)?;
    let users: Vec<UserDto> = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    Ok(users
        .into_iter()
        .filter_map(|u| {
            let id = present(u.id)?;
            let policy = u.policy.unwrap_or_default();
            Some(AccountInfo {
                name: present(u.name).unwrap_or_else(|| id.clone()),
                thumb: present(u.primary_image_tag).map(|_| format!("/Users/{id}/Images/Primary")),
                is_admin: policy.is_administrator.unwrap_or(false),
                is_disabled: policy.is_disabled.unwrap_or(false),
                external_id: id,
            })
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserDto {
    id: Option<String>,
    name: Option<String>,
    primary_image_tag: Option<String>,
    policy: Option<UserPolicy>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct UserPolicy {
    is_administrator: Option<bool>,
    is_disabled: Option<bool>,
}

/// Parses one WebSocket message. Returns `None` for messages other than `Sessions`, and the
/// playbacks of a `Sessions` message (possibly none, which means nothing plays).
pub fn parse_sessions_message(body: &str, kind: ServerKind) -> Result<Option<Vec<MediaSession>>, ParseError> {
    check_kind(kind)?;
    check_size(body)?;
    let envelope: Envelope = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    if envelope.message_type.as_deref() != Some("Sessions") {
        return Ok(None);
    }
    let infos = match envelope.data {
        None | Some(Value::Null) => Vec::new(),
        Some(data) => serde_json::from_value(data).map_err(|e| json_error(&e))?,
    };
    sessions(infos, kind).map(Some)
}

fn check_kind(kind: ServerKind) -> Result<(), ParseError> {
    match kind {
        ServerKind::Jellyfin | ServerKind::Emby => Ok(()),
        ServerKind::Plex => Err(ParseError::UnexpectedShape("plex sessions are parsed by media::plex".into())),
    }
}

/// `{"MessageType": …, "Data": …}`; `Data` is only read once the type is known.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    message_type: Option<String>,
    data: Option<Value>,
}

/// The fields of Jellyfin's `SessionInfoDto` / Emby's `Session.SessionInfo` that we read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SessionInfo {
    id: Option<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    user_primary_image_tag: Option<String>,
    client: Option<String>,
    device_name: Option<String>,
    device_type: Option<String>,
    device_id: Option<String>,
    remote_end_point: Option<String>,
    now_playing_item: Option<BaseItem>,
    play_state: Option<PlayState>,
    transcoding_info: Option<TranscodingInfo>,
    /// Jellyfin only: the client obeys playstate commands (what a stop needs).
    supports_media_control: Option<bool>,
    supports_remote_control: Option<bool>,
    supported_commands: Option<Vec<String>>,
}

impl SessionInfo {
    /// Whether the client obeys a stop: Jellyfin's `SupportsMediaControl`, else `SupportsRemoteControl`
    /// (Emby's only flag); a server that sends neither is believed when it lists commands the client takes.
    fn remote_control(&self) -> bool {
        self.supports_media_control
            .or(self.supports_remote_control)
            .unwrap_or_else(|| self.supported_commands.as_ref().is_some_and(|c| !c.is_empty()))
    }

    /// Whether the client shows messages: `DisplayMessage` among its commands, or, when the server
    /// lists none, whenever it obeys remote commands at all.
    fn messages(&self) -> bool {
        match &self.supported_commands {
            Some(commands) => commands.iter().any(|c| c == "DisplayMessage"),
            None => self.remote_control(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BaseItem {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
    media_type: Option<String>,
    run_time_ticks: Option<i64>,
    production_year: Option<i64>,
    index_number: Option<i64>,
    parent_index_number: Option<i64>,
    series_name: Option<String>,
    series_id: Option<String>,
    album_id: Option<String>,
    season_name: Option<String>,
    album: Option<String>,
    album_artist: Option<String>,
    is_live: Option<bool>,
    media_streams: Option<Vec<MediaStream>>,
    media_sources: Option<Vec<MediaSource>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MediaSource {
    id: Option<String>,
    bitrate: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MediaStream {
    #[serde(rename = "Type")]
    kind: Option<String>,
    index: Option<i64>,
    is_default: Option<bool>,
    codec: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    bit_rate: Option<i64>,
    /// Jellyfin: `Unknown`/`SDR`/`HDR`; Emby: free text.
    video_range: Option<String>,
    /// Jellyfin only: `HDR10`, `HLG`, `DOVI…`.
    video_range_type: Option<String>,
    /// Emby only: `None`, `Hdr10`, `Hdr10Plus`, `HyperLogGamma`, `DolbyVision`.
    extended_video_type: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PlayState {
    position_ticks: Option<i64>,
    is_paused: Option<bool>,
    play_method: Option<String>,
    audio_stream_index: Option<i64>,
    media_source_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TranscodingInfo {
    video_codec: Option<String>,
    audio_codec: Option<String>,
    is_video_direct: Option<bool>,
    is_audio_direct: Option<bool>,
    /// Bits per second.
    bitrate: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    /// Jellyfin only.
    hardware_acceleration_type: Option<String>,
    /// Emby only.
    video_decoder_is_hardware: Option<bool>,
    /// Emby only.
    video_encoder_is_hardware: Option<bool>,
}

fn sessions(infos: Vec<SessionInfo>, kind: ServerKind) -> Result<Vec<MediaSession>, ParseError> {
    infos.into_iter().filter(|s| s.now_playing_item.is_some()).map(|s| session(s, kind)).collect()
}

fn session(info: SessionInfo, kind: ServerKind) -> Result<MediaSession, ParseError> {
    let (remote_control, messages) = (info.remote_control(), info.messages());
    let item = info.now_playing_item.ok_or_else(|| shape("a session without NowPlayingItem"))?;
    let session_key = present(info.id).ok_or_else(|| shape("a playing session without Id"))?;
    let user_id = present(info.user_id).ok_or_else(|| shape("a playing session without UserId"))?;
    let play_state = info.play_state.unwrap_or_default();
    let media = media_item(&item)?;
    let method = match play_state.play_method.as_deref() {
        Some("DirectPlay") => StreamDecision::DirectPlay,
        Some("DirectStream") => StreamDecision::DirectStream,
        Some("Transcode") => StreamDecision::Transcode,
        _ if info.transcoding_info.is_some() => StreamDecision::Transcode,
        _ => StreamDecision::DirectPlay,
    };
    // A direct play reads the file as is, so a `TranscodingInfo` beside it describes nothing we stream.
    let transcoding = info.transcoding_info.filter(|_| method != StreamDecision::DirectPlay);
    let streams = Streams::of(&item, &play_state);
    Ok(MediaSession {
        upstream_session_id: None,
        user: SessionUser {
            id: user_id,
            name: present(info.user_name).unwrap_or_default(),
            thumb: present(info.user_primary_image_tag),
        },
        position_ms: clamp_position(ticks_to_ms(play_state.position_ticks), media.duration_ms),
        media,
        state: if play_state.is_paused == Some(true) { PlaybackState::Paused } else { PlaybackState::Playing },
        player: SessionPlayer {
            name: present(info.device_name),
            device: present(info.device_type),
            device_id: present(info.device_id),
            product: present(info.client),
            platform: None,
        },
        client_ip: info.remote_end_point.as_deref().and_then(parse_ip),
        is_local: None,
        is_relayed: false,
        quality: streams.quality(transcoding.as_ref(), kind),
        decision: streams.decision(method, transcoding.as_ref(), kind),
        bandwidth_kbps: None,
        control: Some(SessionControl { session_id: session_key.clone(), remote_control, messages }),
        session_key,
    })
}

fn media_item(item: &BaseItem) -> Result<MediaItem, ParseError> {
    let kind = item.kind.as_deref();
    let media_type = match kind {
        _ if item.is_live == Some(true) => MediaType::LiveTv,
        Some("Movie") => MediaType::Movie,
        Some("Episode") => MediaType::Episode,
        Some("Audio") => MediaType::Track,
        Some("TvChannel" | "LiveTvChannel" | "LiveTvProgram" | "TvProgram" | "Program") => MediaType::LiveTv,
        _ => MediaType::Other,
    };
    let is_episode = kind == Some("Episode");
    Ok(MediaItem {
        media_type,
        item_key: present(item.id.clone()).ok_or_else(|| shape("NowPlayingItem without Id"))?,
        title: item.name.clone().unwrap_or_default(),
        grandparent_title: present(item.series_name.clone()).or_else(|| present(item.album_artist.clone())),
        parent_title: present(item.season_name.clone()).or_else(|| present(item.album.clone())),
        season_number: if is_episode { to_u32(item.parent_index_number) } else { None },
        episode_number: if is_episode { to_u32(item.index_number) } else { None },
        year: item.production_year.and_then(|y| u16::try_from(y).ok()),
        duration_ms: ticks_to_ms(item.run_time_ticks).filter(|&d| d > 0),
        poster: [&item.series_id, &item.album_id, &item.id]
            .into_iter()
            .filter_map(|id| present(id.clone()))
            .find(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .map(|id| format!("/Items/{id}/Images/Primary")),
    })
}

/// The source streams being played and what they say about the item.
struct Streams<'a> {
    video: Option<&'a MediaStream>,
    audio: Option<&'a MediaStream>,
    source_bitrate: Option<i64>,
    has_video: bool,
    has_audio: bool,
}

impl<'a> Streams<'a> {
    fn of(item: &'a BaseItem, play_state: &PlayState) -> Self {
        let all = item.media_streams.as_deref().unwrap_or_default();
        let of_kind = |k: &'static str| all.iter().filter(move |s| s.kind.as_deref() == Some(k));
        let video = of_kind("Video").next();
        // `AudioStreamIndex` names the stream the player chose, by its `Index`.
        let audio = play_state
            .audio_stream_index
            .and_then(|i| of_kind("Audio").find(|s| s.index == Some(i)))
            .or_else(|| of_kind("Audio").find(|s| s.is_default == Some(true)))
            .or_else(|| of_kind("Audio").next());
        let sources = item.media_sources.as_deref().unwrap_or_default();
        let source = play_state
            .media_source_id
            .as_deref()
            .and_then(|id| sources.iter().find(|s| s.id.as_deref() == Some(id)))
            .or_else(|| sources.first());
        let stream_sum =
            video.and_then(|v| v.bit_rate).into_iter().chain(audio.and_then(|a| a.bit_rate)).reduce(|a, b| a + b);
        let media_type = item.media_type.as_deref();
        Self {
            video,
            audio,
            source_bitrate: source.and_then(|s| s.bitrate).or(stream_sum),
            has_video: video.is_some() || media_type == Some("Video"),
            // A video listed without its streams most likely has sound.
            has_audio: audio.is_some()
                || media_type == Some("Audio")
                || (all.is_empty() && media_type == Some("Video")),
        }
    }

    /// The transcoder's output when there is one, else the source.
    fn quality(&self, transcoding: Option<&TranscodingInfo>, kind: ServerKind) -> StreamQuality {
        let width =
            transcoding.and_then(|t| t.width).or(self.video.and_then(|v| v.width)).and_then(|w| to_u32(Some(w)));
        let height =
            transcoding.and_then(|t| t.height).or(self.video.and_then(|v| v.height)).and_then(|h| to_u32(Some(h)));
        let bitrate_bps = transcoding.and_then(|t| t.bitrate).or(self.source_bitrate);
        StreamQuality {
            resolution: VideoResolution::from_dimensions(width, height),
            width,
            height,
            bitrate_kbps: bitrate_bps.and_then(|b| to_u32(Some(b / 1000))),
            video_codec: present(transcoding.and_then(|t| t.video_codec.clone()))
                .or_else(|| present(self.video.and_then(|v| v.codec.clone()))),
            audio_codec: present(transcoding.and_then(|t| t.audio_codec.clone()))
                .or_else(|| present(self.audio.and_then(|a| a.codec.clone()))),
            hdr: self.video.is_some_and(|v| is_hdr(v, kind)),
        }
    }

    /// The play method holds for every stream, except that a transcode may pass a stream
    /// through untouched (`IsVideoDirect`/`IsAudioDirect`), which counts as a direct stream.
    fn decision(
        &self,
        method: StreamDecision,
        transcoding: Option<&TranscodingInfo>,
        kind: ServerKind,
    ) -> PlaybackDecision {
        let per_stream = |direct: Option<bool>| match (method, direct) {
            (StreamDecision::Transcode, Some(true)) => StreamDecision::DirectStream,
            _ => method,
        };
        let video = self.has_video.then(|| per_stream(transcoding.and_then(|t| t.is_video_direct)));
        let audio = self.has_audio.then(|| per_stream(transcoding.and_then(|t| t.is_audio_direct)));
        // Hardware acceleration is about video; an audio-only transcode on a GPU-enabled server is still software.
        let hw = video == Some(StreamDecision::Transcode)
            && transcoding.is_some_and(|t| match kind {
                ServerKind::Jellyfin => t
                    .hardware_acceleration_type
                    .as_deref()
                    .is_some_and(|h| !h.is_empty() && !h.eq_ignore_ascii_case("none")),
                ServerKind::Emby => {
                    t.video_decoder_is_hardware == Some(true) || t.video_encoder_is_hardware == Some(true)
                }
                ServerKind::Plex => false,
            });
        PlaybackDecision::new(video, audio, Some(method), hw)
    }
}

fn is_hdr(video: &MediaStream, kind: ServerKind) -> bool {
    let not_sdr = |v: Option<&str>| v.is_some_and(|v| !v.is_empty() && !matches!(v, "SDR" | "Unknown" | "None"));
    not_sdr(video.video_range.as_deref())
        || match kind {
            ServerKind::Jellyfin => not_sdr(video.video_range_type.as_deref()),
            ServerKind::Emby => not_sdr(video.extended_video_type.as_deref()),
            ServerKind::Plex => false,
        }
}

fn ticks_to_ms(ticks: Option<i64>) -> Option<u64> {
    u64::try_from(ticks? / TICKS_PER_MS).ok()
}

fn to_u32(n: Option<i64>) -> Option<u32> {
    u32::try_from(n?).ok()
}

/// Servers send `""` as often as `null` for "unknown".
fn present(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn shape(what: &str) -> ParseError {
    ParseError::UnexpectedShape(what.to_owned())
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
