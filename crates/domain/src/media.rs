//! Live playback sessions from Plex, Jellyfin and Emby in one normalized shape.
//!
//! Pure types plus the few derivations every adapter shares (resolution class, position clamp,
//! overall decision). Parsing server payloads lives in `sightline-backend::media`; nothing here does I/O.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Which media-server product a session came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    Plex,
    Jellyfin,
    Emby,
}

impl ServerKind {
    /// The stable name stored in the database and sent over the wire.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ServerKind::Plex => "plex",
            ServerKind::Jellyfin => "jellyfin",
            ServerKind::Emby => "emby",
        }
    }

    /// Parses a stored or submitted name; unknown names are `None`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "plex" => Some(ServerKind::Plex),
            "jellyfin" => Some(ServerKind::Jellyfin),
            "emby" => Some(ServerKind::Emby),
            _ => None,
        }
    }
}

/// What is being played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Movie,
    Episode,
    /// A music track.
    Track,
    /// A live TV channel or programme.
    LiveTv,
    /// Anything else the server plays: clips, pre-rolls, trailers, photos, books.
    Other,
}

/// The player's reported state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaybackState {
    Playing,
    Paused,
    Buffering,
    Stopped,
}

/// How a stream reaches the player, from cheapest to most expensive for the server.
///
/// The order is meaningful: the overall decision of a session is the most expensive of its streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamDecision {
    /// The file is sent as is.
    DirectPlay,
    /// The stream is copied into a new container (Plex "copy", a remux).
    DirectStream,
    /// The stream is re-encoded.
    Transcode,
}

/// A coarse video resolution class, derived from the frame size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VideoResolution {
    #[serde(rename = "SD")]
    Sd,
    #[serde(rename = "720p")]
    Hd720,
    #[serde(rename = "1080p")]
    Hd1080,
    #[serde(rename = "4K")]
    Uhd4k,
}

impl VideoResolution {
    /// Classifies a frame by whichever dimension implies the higher class, so letterboxed
    /// films (1280×544, 1920×800, 3840×1600) keep the class of their width.
    /// Returns `None` when neither dimension is known (or both are zero).
    #[must_use]
    pub fn from_dimensions(width: Option<u32>, height: Option<u32>) -> Option<Self> {
        let w = width.filter(|&w| w > 0);
        let h = height.filter(|&h| h > 0);
        if w.is_none() && h.is_none() {
            return None;
        }
        let (w, h) = (w.unwrap_or(0), h.unwrap_or(0));
        Some(if w >= 3200 || h >= 1800 {
            Self::Uhd4k
        } else if w >= 1700 || h >= 900 {
            Self::Hd1080
        } else if w >= 1100 || h >= 650 {
            Self::Hd720
        } else {
            Self::Sd
        })
    }

    /// The label shown in the UI: "SD", "720p", "1080p" or "4K".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Sd => "SD",
            Self::Hd720 => "720p",
            Self::Hd1080 => "1080p",
            Self::Uhd4k => "4K",
        }
    }
}

impl fmt::Display for VideoResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The media-server account that plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// The server's user id (Plex `User@id`, Jellyfin/Emby `UserId`).
    pub id: String,
    /// The display name; empty when the server sent none.
    pub name: String,
    /// The avatar as the server gives it: a URL for Plex, an image tag for Jellyfin/Emby.
    pub thumb: Option<String>,
}

/// The item being played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    pub media_type: MediaType,
    /// The server's item id: Plex `ratingKey`, Jellyfin/Emby item `Id`.
    pub item_key: String,
    /// The item's own title (the episode or track name); empty when the server sent none.
    pub title: String,
    /// The show of an episode or the artist of a track.
    pub grandparent_title: Option<String>,
    /// The season of an episode or the album of a track.
    pub parent_title: Option<String>,
    /// Only for episodes.
    pub season_number: Option<u32>,
    /// Only for episodes.
    pub episode_number: Option<u32>,
    pub year: Option<u16>,
    /// `None` when unknown or reported as zero (live streams).
    pub duration_ms: Option<u64>,
    /// The poster as a path on the media server (Plex `/library/metadata/…/thumb/…`, Jellyfin/Emby
    /// `/Items/<id>/Images/Primary`): the show's for an episode, the album's for a track.
    /// Only server-relative paths are kept; fetched through Sightline's image proxy.
    #[serde(default)]
    pub poster: Option<String>,
}

/// The client device that plays. Servers omit any of these at will.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPlayer {
    /// The name the user gave the player (Plex `Player@title`, Jellyfin/Emby `DeviceName`).
    pub name: Option<String>,
    /// The hardware or device type (Plex `Player@device`, Jellyfin/Emby `DeviceType`).
    pub device: Option<String>,
    /// A stable device identifier (Plex `machineIdentifier`, Jellyfin/Emby `DeviceId`).
    pub device_id: Option<String>,
    /// The client application (Plex `Player@product`, Jellyfin/Emby `Client`).
    pub product: Option<String>,
    /// The operating system; Jellyfin and Emby do not report one.
    pub platform: Option<String>,
}

/// What the player receives: the transcoder's output when transcoding, else the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamQuality {
    /// Derived from `width` and `height` with [`VideoResolution::from_dimensions`].
    pub resolution: Option<VideoResolution>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bitrate_kbps: Option<u32>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    /// The video is HDR10, HDR10+, HLG or Dolby Vision, as the server describes its video stream
    /// (for Jellyfin and Emby, the source stream).
    pub hdr: bool,
}

/// How the server delivers each stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackDecision {
    /// `None` when there is no video stream (music).
    pub video: Option<StreamDecision>,
    /// `None` when there is no audio stream.
    pub audio: Option<StreamDecision>,
    /// The most expensive of `video` and `audio`.
    pub overall: StreamDecision,
    /// The transcoder runs on a GPU or media engine.
    pub hw_transcode: bool,
}

impl PlaybackDecision {
    /// Builds a decision whose `overall` is the most expensive stream decision, or
    /// `fallback` (then direct play) when no stream decision is known.
    #[must_use]
    pub fn new(
        video: Option<StreamDecision>,
        audio: Option<StreamDecision>,
        fallback: Option<StreamDecision>,
        hw_transcode: bool,
    ) -> Self {
        let overall = video.max(audio).or(fallback).unwrap_or(StreamDecision::DirectPlay);
        Self { video, audio, overall, hw_transcode }
    }
}

/// One playback on a media server, as Sightline sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaSession {
    /// The server's key for this playback (Plex `sessionKey`, Jellyfin/Emby session `Id`).
    pub session_key: String,
    /// The id the server wants when terminating, when it differs from `session_key` (Plex `Session@id`).
    pub upstream_session_id: Option<String>,
    pub user: SessionUser,
    pub media: MediaItem,
    /// Clamped to `media.duration_ms` when both are known.
    pub position_ms: Option<u64>,
    pub state: PlaybackState,
    pub player: SessionPlayer,
    /// The client's address as the server saw it; IPv4-mapped IPv6 is reported as IPv4.
    pub client_ip: Option<IpAddr>,
    /// Whether the server counts the client as on its LAN; `None` when it does not say.
    pub is_local: Option<bool>,
    /// Plex only: the stream goes through Plex's relay.
    pub is_relayed: bool,
    pub quality: StreamQuality,
    pub decision: PlaybackDecision,
    /// Plex only: the bandwidth the server reserves for this playback.
    pub bandwidth_kbps: Option<u32>,
    /// How Sightline can stop this playback or show its viewer a message; `None` when the server
    /// gave no id to address it by (and for sessions stored before Sightline read it).
    #[serde(default)]
    pub control: Option<SessionControl>,
}

/// What a media server lets Sightline do to one playback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionControl {
    /// The id the server's control endpoints take: Plex `Session@id`, Jellyfin/Emby session `Id`.
    pub session_id: String,
    /// Whether the client obeys remote commands (Jellyfin `SupportsMediaControl`, Emby
    /// `SupportsRemoteControl`). Always true for Plex, whose server ends the stream itself. A stop sent
    /// to a client without it is accepted by Jellyfin and Emby and then ignored.
    pub remote_control: bool,
    /// Whether the client can show a message (`DisplayMessage` among its `SupportedCommands`). Plex
    /// shows the reason of a stop instead, and has no message of its own.
    pub messages: bool,
}

/// Clamps a position to the duration, so a player that overshoots never reads as more than 100 %.
#[must_use]
pub fn clamp_position(position_ms: Option<u64>, duration_ms: Option<u64>) -> Option<u64> {
    match (position_ms, duration_ms) {
        (Some(p), Some(d)) => Some(p.min(d)),
        (p, _) => p,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn server_kinds_round_trip_through_their_stored_names() {
        for kind in [ServerKind::Plex, ServerKind::Jellyfin, ServerKind::Emby] {
            assert_eq!(ServerKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ServerKind::parse(" Jellyfin "), Some(ServerKind::Jellyfin));
        assert_eq!(ServerKind::parse("kodi"), None);
    }

    use super::*;

    #[test]
    fn resolution_follows_the_larger_class_of_width_and_height() {
        let class = |w, h| VideoResolution::from_dimensions(w, h);
        assert_eq!(class(Some(3840), Some(2160)), Some(VideoResolution::Uhd4k));
        assert_eq!(class(Some(3840), Some(1600)), Some(VideoResolution::Uhd4k));
        assert_eq!(class(Some(1920), Some(1080)), Some(VideoResolution::Hd1080));
        assert_eq!(class(Some(1920), Some(800)), Some(VideoResolution::Hd1080));
        assert_eq!(class(Some(1440), Some(1080)), Some(VideoResolution::Hd1080));
        assert_eq!(class(Some(1280), Some(544)), Some(VideoResolution::Hd720));
        assert_eq!(class(Some(720), Some(404)), Some(VideoResolution::Sd));
        assert_eq!(class(None, Some(720)), Some(VideoResolution::Hd720));
        assert_eq!(class(None, None), None);
        assert_eq!(class(Some(0), Some(0)), None);
    }

    #[test]
    fn resolution_serializes_as_its_label() {
        let json = serde_json::to_string(&VideoResolution::Uhd4k).expect("serializes");
        assert_eq!(json, r#""4K""#);
        assert_eq!(VideoResolution::Hd720.to_string(), "720p");
    }

    #[test]
    fn overall_decision_is_the_most_expensive_stream() {
        use StreamDecision::{DirectPlay, DirectStream, Transcode};
        assert_eq!(PlaybackDecision::new(Some(DirectStream), Some(Transcode), None, false).overall, Transcode);
        assert_eq!(PlaybackDecision::new(None, Some(DirectPlay), Some(Transcode), false).overall, DirectPlay);
        assert_eq!(PlaybackDecision::new(None, None, Some(DirectStream), false).overall, DirectStream);
        assert_eq!(PlaybackDecision::new(None, None, None, false).overall, DirectPlay);
    }

    #[test]
    fn position_is_clamped_to_a_known_duration_only() {
        assert_eq!(clamp_position(Some(9_500), Some(9_000)), Some(9_000));
        assert_eq!(clamp_position(Some(500), Some(9_000)), Some(500));
        assert_eq!(clamp_position(Some(500), None), Some(500));
        assert_eq!(clamp_position(None, Some(9_000)), None);
    }
}
