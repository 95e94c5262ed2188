//! The Plex session model as a small element tree (name, typed attributes, children), built once
//! from a `Session` and rendered as XML (`render_xml.rs`) or JSON (`render_json.rs`). Only
//! attributes seen in real Plex payloads are used (see the module's test and
//! `../../shared/fixtures/plex`).

use crate::output;
use crate::scenario::{Decision, MediaKind};
use crate::state::{ServerShared, Session};

/// An attribute value; XML writes them all as text, JSON keeps the type Plex uses.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    /// `1`/`0` in XML, `true`/`false` in JSON.
    Bool(bool),
}

/// One XML element / JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: &'static str,
    pub attrs: Vec<(&'static str, Value)>,
    pub children: Vec<Element>,
    /// In JSON, children of this name form a list (`Media`, `Part`, `Stream`) rather than an object.
    pub listed: bool,
}

impl Element {
    #[must_use]
    pub fn new(name: &'static str) -> Self {
        Self { name, attrs: Vec::new(), children: Vec::new(), listed: false }
    }

    #[must_use]
    pub fn listed(mut self) -> Self {
        self.listed = true;
        self
    }

    #[must_use]
    pub fn s(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((key, Value::Str(value.into())));
        self
    }

    #[must_use]
    pub fn i(mut self, key: &'static str, value: impl TryInto<i64>) -> Self {
        self.attrs.push((key, Value::Int(value.try_into().unwrap_or(i64::MAX))));
        self
    }

    #[must_use]
    pub fn f(mut self, key: &'static str, value: f64) -> Self {
        self.attrs.push((key, Value::Float(value)));
        self
    }

    #[must_use]
    pub fn b(mut self, key: &'static str, value: bool) -> Self {
        self.attrs.push((key, Value::Bool(value)));
        self
    }

    #[must_use]
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }
}

/// Seconds since the epoch at which the simulated library added its items.
const ADDED_AT: i64 = 1_700_000_000;
/// The public address of the simulated household, reported for LAN players.
const HOME_PUBLIC_ADDRESS: &str = "203.0.113.10";

/// `MediaContainer` with one element per session, as `/status/sessions` returns it.
#[must_use]
pub fn sessions_container(shared: &ServerShared, sessions: &[Session]) -> Element {
    let container = Element::new("MediaContainer").i("size", sessions.len());
    sessions.iter().fold(container, |c, s| c.child(session(shared, s)))
}

fn session(shared: &ServerShared, s: &Session) -> Element {
    let media = &s.media;
    let key = &s.item_id;
    let (name, kind) = match media.kind {
        MediaKind::Movie => ("Video", "movie"),
        MediaKind::Episode | MediaKind::Live => ("Video", "episode"),
        MediaKind::Track => ("Track", "track"),
    };
    let library = match media.kind {
        MediaKind::Movie => ("1", "Movies"),
        MediaKind::Episode => ("2", "TV Shows"),
        MediaKind::Track => ("3", "Music"),
        MediaKind::Live => ("4", "Live TV"),
    };
    let parent_key = parent_key(key);
    let mut item = Element::new(name)
        .i("addedAt", ADDED_AT)
        .s("art", format!("/library/metadata/{key}/art/{ADDED_AT}"))
        .i("duration", s.duration_ms())
        .s("guid", guid(media))
        .s(
            "key",
            if media.kind == MediaKind::Live {
                format!("/livetv/sessions/{}", s.transcode_id)
            } else {
                format!("/library/metadata/{key}")
            },
        )
        .s("librarySectionID", library.0)
        .s("librarySectionKey", format!("/library/sections/{}", library.0))
        .s("librarySectionTitle", library.1)
        .s("ratingKey", key.clone())
        .s("sessionKey", s.key.clone())
        .s("thumb", format!("/library/metadata/{key}/thumb/{ADDED_AT}"))
        .s("title", media.title.clone())
        .s("type", kind)
        .i("updatedAt", ADDED_AT)
        .i("viewOffset", s.position_ms);
    match media.kind {
        MediaKind::Episode | MediaKind::Live => {
            if let Some(show) = &media.show {
                item = item
                    .s("grandparentKey", format!("/library/metadata/{}", parent_key + 1))
                    .s("grandparentRatingKey", (parent_key + 1).to_string())
                    .s("grandparentThumb", format!("/library/metadata/{}/thumb/{ADDED_AT}", parent_key + 1))
                    .s("grandparentTitle", show.clone());
            }
            if let Some(season) = media.season {
                item = item
                    .s("parentKey", format!("/library/metadata/{parent_key}"))
                    .s("parentRatingKey", parent_key.to_string())
                    .s("parentTitle", format!("Season {season}"))
                    .i("parentIndex", season);
            }
            if let Some(episode) = media.episode {
                item = item.i("index", episode);
            }
            if media.kind == MediaKind::Live {
                item = item.b("live", true);
            }
        }
        MediaKind::Track => {
            item = item.i("index", media.episode.unwrap_or(1)).i("parentIndex", media.season.unwrap_or(1));
            if let Some(artist) = &media.show {
                item =
                    item.s("grandparentRatingKey", (parent_key + 1).to_string()).s("grandparentTitle", artist.clone());
            }
            if let Some(album) = &media.album {
                item = item
                    .s("parentRatingKey", parent_key.to_string())
                    .s("parentThumb", format!("/library/metadata/{parent_key}/thumb/{ADDED_AT}"))
                    .s("parentTitle", album.clone());
            }
        }
        MediaKind::Movie => {}
    }
    if let Some(year) = media.year {
        item = if media.kind == MediaKind::Track { item.i("parentYear", year) } else { item.i("year", year) };
    }
    let item = item.child(media_element(s)).child(user(s)).child(player(s)).child(plex_session(s));
    match transcode_session(shared, s) {
        Some(t) => item.child(t),
        None => item,
    }
}

/// The item's `plex://` guid.
#[must_use]
pub fn guid(media: &crate::scenario::MediaSpec) -> String {
    let kind = match media.kind {
        MediaKind::Movie => "movie",
        MediaKind::Episode | MediaKind::Live => "episode",
        MediaKind::Track => "track",
    };
    format!("plex://{kind}/{:024x}", u128::from(crate::ids::hash(&media.id)))
}

/// Parents (season, album) and grandparents get keys next to the item's.
fn parent_key(key: &str) -> u64 {
    key.parse::<u64>().map_or(1, |k| k + 100_000)
}

fn part_decision(s: &Session) -> &'static str {
    match s.decision {
        Decision::DirectPlay => "directplay",
        Decision::DirectStream | Decision::Transcode => "transcode",
    }
}

fn stream_decision(s: &Session, transcoded: bool) -> &'static str {
    match s.decision {
        Decision::DirectPlay => "directplay",
        _ if transcoded => "transcode",
        _ => "copy",
    }
}

fn media_element(s: &Session) -> Element {
    let out = output::of(s);
    let media = &s.media;
    let id = crate::ids::hash(&media.id) % 1_000_000;
    let container = match s.decision {
        Decision::DirectPlay if media.kind == MediaKind::Track => "flac",
        Decision::DirectPlay => "mkv",
        _ if media.kind == MediaKind::Track => "mp3",
        _ => "mpegts",
    };
    let channels: i64 = if media.kind == MediaKind::Track || out.audio_transcoded { 2 } else { 6 };
    let mut m = Element::new("Media").listed().i("audioChannels", channels).s("audioCodec", out.audio_codec.clone());
    m = m.i("bitrate", out.bitrate_kbps).s("container", container).i("duration", s.duration_ms());
    if media.has_video() {
        m = m
            .i("height", out.height)
            .s("videoCodec", out.video_codec.clone())
            .s("videoFrameRate", "24p")
            .s("videoResolution", resolution_label(out.width, out.height))
            .i("width", out.width);
    }
    m = m.s("id", id.to_string()).b("selected", true);
    let mut part = Element::new("Part")
        .listed()
        .i("bitrate", out.bitrate_kbps)
        .s("container", container)
        .s("decision", part_decision(s))
        .i("duration", s.duration_ms())
        .s("id", (id + 1).to_string())
        .b("selected", true);
    if media.has_video() {
        let mut video = Element::new("Stream")
            .listed()
            .i("bitrate", out.bitrate_kbps.saturating_sub(640))
            .s("codec", out.video_codec.clone())
            .s("decision", stream_decision(s, out.video_transcoded))
            .b("default", true)
            .s(
                "displayTitle",
                format!("{} ({})", resolution_label(out.width, out.height), out.video_codec.to_uppercase()),
            )
            .i("height", out.height)
            .s("id", (id + 2).to_string())
            .s("location", if s.decision == Decision::DirectPlay { "direct" } else { "segments-video" })
            .i("streamType", 1)
            .i("width", out.width);
        if out.hdr {
            video = video.i("bitDepth", 10).s("colorPrimaries", "bt2020").s("colorTrc", "smpte2084");
        }
        part = part.child(video);
    }
    let audio = Element::new("Stream")
        .listed()
        .i("bitrate", if out.audio_transcoded { 256 } else { 640 })
        .i("channels", channels)
        .s("codec", out.audio_codec.clone())
        .s("decision", stream_decision(s, out.audio_transcoded))
        .b("default", true)
        .s("displayTitle", format!("English ({})", out.audio_codec.to_uppercase()))
        .s("id", (id + 3).to_string())
        .s("language", "English")
        .s("languageCode", "eng")
        .s("location", if s.decision == Decision::DirectPlay { "direct" } else { "segments-audio" })
        .b("selected", true)
        .i("streamType", 2);
    m.child(part.child(audio))
}

fn resolution_label(width: u32, height: u32) -> &'static str {
    if width >= 3200 || height >= 1800 {
        "4k"
    } else if width >= 1700 || height >= 900 {
        "1080p"
    } else if width >= 1100 || height >= 650 {
        "720p"
    } else {
        "SD"
    }
}

fn user(s: &Session) -> Element {
    Element::new("User")
        .s("id", s.user.id.clone())
        .s("thumb", format!("https://plex.tv/users/{}/avatar?c={}", &s.user.image_tag[..16], 1_700_000_000))
        .s("title", s.user.name.clone())
}

fn player(s: &Session) -> Element {
    let local = s.is_local();
    let ip = s.ip.to_string();
    Element::new("Player")
        .s("address", ip.clone())
        .s("device", s.device.model.clone())
        .s("machineIdentifier", s.device_id.clone())
        .s("model", s.device.model.clone())
        .s("platform", s.device.platform.clone())
        .s("product", s.device.product(sightline_domain::media::ServerKind::Plex).to_owned())
        .s("remotePublicAddress", if local { HOME_PUBLIC_ADDRESS.to_owned() } else { ip })
        .s("state", s.state.plex())
        .s("title", s.device.name.clone())
        .s("version", s.device.version.clone())
        .b("local", local)
        .b("relayed", false)
        .b("secure", true)
        .i("userID", s.user.id.parse::<i64>().unwrap_or(0))
}

fn plex_session(s: &Session) -> Element {
    let bandwidth = output::of(s).bitrate_kbps + output::of(s).bitrate_kbps / 5;
    Element::new("Session")
        .s("id", s.upstream_id.clone())
        .i("bandwidth", bandwidth)
        .s("location", if s.is_local() { "lan" } else { "wan" })
}

fn transcode_session(_shared: &ServerShared, s: &Session) -> Option<Element> {
    if s.decision == Decision::DirectPlay {
        return None;
    }
    let out = output::of(s);
    let media = &s.media;
    let decision = |t: bool| if t { "transcode" } else { "copy" };
    let mut t = Element::new("TranscodeSession")
        .s("key", format!("/transcode/sessions/{}", s.transcode_id))
        .b("throttled", false)
        .b("complete", false)
        .f("progress", 12.5)
        .f("speed", 2.5)
        .i("duration", s.duration_ms())
        .s("context", "streaming")
        .s("sourceAudioCodec", media.audio_codec().to_owned())
        .s("audioDecision", decision(out.audio_transcoded))
        .s("protocol", "dash")
        .s("container", "mp4")
        .s("audioCodec", out.audio_codec.clone())
        .i("audioChannels", 2);
    if media.has_video() {
        t = t
            .s("sourceVideoCodec", media.video_codec().to_owned())
            .s("videoDecision", decision(out.video_transcoded))
            .s("videoCodec", out.video_codec.clone())
            .i("width", out.width)
            .i("height", out.height);
    }
    t = t.b("transcodeHwRequested", s.hw);
    if s.hw && out.video_transcoded {
        t = t
            .s("transcodeHwDecoding", "vaapi")
            .s("transcodeHwDecodingTitle", "Linux (VAAPI)")
            .s("transcodeHwEncoding", "vaapi")
            .s("transcodeHwEncodingTitle", "Intel (VAAPI)");
    }
    Some(t.b("transcodeHwFullPipeline", false).f("maxOffsetAvailable", 60.0).f("minOffsetAvailable", 0.0))
}
