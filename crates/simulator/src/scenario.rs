//! `Scenario`: what the simulator plays, read from TOML (see `SCENARIO.md`) and validated, and
//! the built-in demo scenario. Pure data; the timeline of a stream is computed in `script.rs`.

use crate::devices::{Device, DeviceRef, PRESETS};
use crate::error::ScenarioError;
use crate::span::Span;
use serde::{Deserialize, Serialize};
use sightline_domain::media::ServerKind;
use std::collections::HashSet;
use std::net::IpAddr;

/// A whole scenario: servers, users, media and the streams to play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Start the script again once every stream has ended.
    #[serde(rename = "loop", default)]
    pub looping: bool,
    /// Time multiplier: 2.0 plays the script twice as fast.
    #[serde(default = "one")]
    pub speed: f64,
    #[serde(default, rename = "server")]
    pub servers: Vec<ServerSpec>,
    #[serde(default, rename = "user")]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub media: Vec<MediaSpec>,
    #[serde(default, rename = "stream")]
    pub streams: Vec<StreamScript>,
}

fn one() -> f64 {
    1.0
}

/// One fake server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    pub name: String,
    pub kind: ServerKind,
    /// The administrator token; generated when absent.
    #[serde(default)]
    pub token: Option<String>,
}

/// A person who watches; exists on every server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub name: String,
    /// The id the servers report; derived from the name when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The server owner / an administrator.
    #[serde(default)]
    pub admin: bool,
}

/// What kind of item a media entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Movie,
    Episode,
    Track,
    Live,
}

/// The source resolution of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Resolution {
    #[serde(rename = "4k")]
    Uhd4k,
    #[default]
    #[serde(rename = "1080p")]
    Hd1080,
    #[serde(rename = "720p")]
    Hd720,
    #[serde(rename = "sd")]
    Sd,
}

impl Resolution {
    /// Width and height of a typical file of this class.
    #[must_use]
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            Self::Uhd4k => (3840, 2160),
            Self::Hd1080 => (1920, 1080),
            Self::Hd720 => (1280, 720),
            Self::Sd => (720, 480),
        }
    }

    /// Plex `Media@videoResolution`.
    #[must_use]
    pub fn plex_label(self) -> &'static str {
        match self {
            Self::Uhd4k => "4k",
            Self::Hd1080 => "1080",
            Self::Hd720 => "720",
            Self::Sd => "sd",
        }
    }
}

/// A library item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSpec {
    pub id: String,
    pub kind: MediaKind,
    pub title: String,
    /// Series (episodes) or artist (tracks).
    #[serde(default)]
    pub show: Option<String>,
    /// Album of a track.
    #[serde(default)]
    pub album: Option<String>,
    #[serde(default)]
    pub season: Option<u32>,
    #[serde(default)]
    pub episode: Option<u32>,
    #[serde(default)]
    pub year: Option<u16>,
    pub duration: Span,
    #[serde(default)]
    pub resolution: Resolution,
    #[serde(default)]
    pub hdr: bool,
    #[serde(default)]
    pub video_codec: Option<String>,
    #[serde(default)]
    pub audio_codec: Option<String>,
    #[serde(default)]
    pub bitrate_kbps: Option<u32>,
}

impl MediaSpec {
    #[must_use]
    pub fn has_video(&self) -> bool {
        self.kind != MediaKind::Track
    }

    #[must_use]
    pub fn video_codec(&self) -> &str {
        self.video_codec.as_deref().unwrap_or(match self.resolution {
            Resolution::Uhd4k => "hevc",
            _ => "h264",
        })
    }

    #[must_use]
    pub fn audio_codec(&self) -> &str {
        self.audio_codec.as_deref().unwrap_or(if self.kind == MediaKind::Track { "flac" } else { "eac3" })
    }

    /// The source bitrate in kbps.
    #[must_use]
    pub fn bitrate_kbps(&self) -> u32 {
        self.bitrate_kbps.unwrap_or(match (self.kind, self.resolution) {
            (MediaKind::Track, _) => 1014,
            (_, Resolution::Uhd4k) => 40_000,
            (_, Resolution::Hd1080) => 10_000,
            (_, Resolution::Hd720) => 4_000,
            (_, Resolution::Sd) => 1_500,
        })
    }
}

/// How a stream reaches its player.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    DirectPlay,
    DirectStream,
    Transcode,
}

/// A pause within a stream: `at` after the stream starts, lasting `for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    pub at: Span,
    #[serde(rename = "for")]
    pub length: Span,
}

/// One scripted playback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamScript {
    pub server: String,
    pub user: String,
    pub media: String,
    pub device: DeviceRef,
    pub ip: IpAddr,
    /// When it starts, from the start of the script.
    #[serde(default)]
    pub start: Span,
    /// When it ends, from the start of the script; else `watch` after `start`; else at the end of the media.
    #[serde(default)]
    pub stop: Option<Span>,
    #[serde(default)]
    pub watch: Option<Span>,
    /// Where in the media playback starts.
    #[serde(default, alias = "start_offset")]
    pub position: Span,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default)]
    pub decision: Decision,
    /// Hardware transcoding (with `decision = "transcode"`).
    #[serde(default)]
    pub hw: bool,
}

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_toml_str(text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Toml(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The lively default demo: a Plex, a Jellyfin and an Emby server, eight users, looping forever.
    #[must_use]
    pub fn builtin() -> Self {
        Self::from_toml_str(include_str!("../scenarios/demo.toml"))
            .expect("the built-in scenario is tested to be valid")
    }

    /// A scenario with servers, users and media but no script, for tests driven by control calls.
    #[must_use]
    pub fn without_streams(mut self) -> Self {
        self.streams.clear();
        self
    }

    #[must_use]
    pub fn media(&self, id: &str) -> Option<&MediaSpec> {
        self.media.iter().find(|m| m.id == id)
    }

    #[must_use]
    pub fn user(&self, name: &str) -> Option<&UserSpec> {
        self.users.iter().find(|u| u.name == name)
    }

    /// Checks references, numbers and timelines; the error names the field.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if !self.speed.is_finite() || self.speed <= 0.0 {
            return Err(ScenarioError::invalid("speed", format!("must be a positive number, not {}", self.speed)));
        }
        unique("server", self.servers.iter().map(|s| s.name.as_str()))?;
        unique("user", self.users.iter().map(|u| u.name.as_str()))?;
        unique("media", self.media.iter().map(|m| m.id.as_str()))?;
        for (i, server) in self.servers.iter().enumerate() {
            if let Some(token) = &server.token
                && (token.is_empty() || token.contains(['"', '\\']) || !token.chars().all(|c| c.is_ascii_graphic()))
            {
                return Err(ScenarioError::invalid(
                    format!("server[{i}].token"),
                    "must be non-empty printable ascii without quotes or backslashes",
                ));
            }
        }
        for (i, media) in self.media.iter().enumerate() {
            if media.duration.0.is_zero() {
                return Err(ScenarioError::invalid(format!("media[{i}].duration"), "must be longer than zero"));
            }
            if media.kind == MediaKind::Episode && media.show.is_none() {
                return Err(ScenarioError::invalid(format!("media[{i}].show"), "an episode needs its show"));
            }
        }
        self.streams.iter().enumerate().try_for_each(|(i, s)| self.validate_stream(i, s))
    }

    fn validate_stream(&self, i: usize, stream: &StreamScript) -> Result<(), ScenarioError> {
        let field = |name: &str| format!("stream[{i}].{name}");
        if !self.servers.iter().any(|s| s.name == stream.server) {
            return Err(ScenarioError::invalid(field("server"), format!("no server named {:?}", stream.server)));
        }
        if self.user(&stream.user).is_none() {
            return Err(ScenarioError::invalid(field("user"), format!("no user named {:?}", stream.user)));
        }
        let media = self
            .media(&stream.media)
            .ok_or_else(|| ScenarioError::invalid(field("media"), format!("no media with id {:?}", stream.media)))?;
        if Device::resolve(&stream.device).is_none() {
            return Err(ScenarioError::invalid(
                field("device"),
                format!("unknown preset {:?} (known: {})", stream.device_name(), PRESETS.join(", ")),
            ));
        }
        if let Some(stop) = stream.stop
            && stop <= stream.start
        {
            return Err(ScenarioError::invalid(
                field("stop"),
                format!("the stream ends ({stop}) before it starts ({})", stream.start),
            ));
        }
        if stream.stop.is_some() && stream.watch.is_some() {
            return Err(ScenarioError::invalid(field("watch"), "give either stop or watch, not both"));
        }
        if stream.watch.is_some_and(|w| w.0.is_zero()) {
            return Err(ScenarioError::invalid(field("watch"), "must be longer than zero"));
        }
        if stream.position >= media.duration {
            return Err(ScenarioError::invalid(field("position"), "starts at or past the end of the media"));
        }
        let mut previous_end = Span::default();
        for (j, pause) in stream.pauses.iter().enumerate() {
            if pause.at < previous_end {
                return Err(ScenarioError::invalid(
                    format!("stream[{i}].pauses[{j}].at"),
                    "pauses must be in order and must not overlap",
                ));
            }
            previous_end = Span(pause.at.0 + pause.length.0);
        }
        Ok(())
    }
}

impl StreamScript {
    fn device_name(&self) -> &str {
        match &self.device {
            DeviceRef::Preset(name) => name,
            DeviceRef::Custom(c) => &c.name,
        }
    }
}

fn unique<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), ScenarioError> {
    let mut seen = HashSet::new();
    for (i, name) in names.enumerate() {
        if name.trim().is_empty() {
            return Err(ScenarioError::invalid(format!("{what}[{i}]"), "needs a non-empty name or id"));
        }
        if !seen.insert(name) {
            return Err(ScenarioError::invalid(format!("{what}[{i}]"), format!("{name:?} is defined twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
