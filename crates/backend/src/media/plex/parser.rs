//! Plex parsers: `/status/sessions` (XML or JSON) into `MediaSession`s, and one notification
//! message into play-state changes. Pure functions of the payload; no HTTP, no clock.
//!
//! Both session formats are first read into the same small element tree (`Node`), so one mapping
//! serves both. XML goes through quick-xml: a DOCTYPE is refused and entities are never expanded.

use crate::media::server::AccountInfo;
use crate::media::{ParseError, check_size, json_error, parse_ip};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};
use sightline_domain::media::{
    MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, SessionControl, SessionPlayer, SessionUser,
    StreamDecision, StreamQuality, VideoResolution, clamp_position,
};
use std::str::FromStr;

/// Plex nests `MediaContainer > item > Media > Part > Stream`; anything far deeper is not a session list.
const MAX_DEPTH: usize = 32;
/// Elements per document; a session item has a few dozen.
const MAX_ELEMENTS: usize = 200_000;
/// Children of `MediaContainer` that are playbacks (`Metadata` is the JSON name for all of them).
const ITEM_NAMES: [&str; 4] = ["Video", "Track", "Photo", "Metadata"];

/// Parses an XML `/status/sessions` reply.
pub fn parse_sessions_xml(body: &str) -> Result<Vec<MediaSession>, ParseError> {
    sessions(&xml_tree(body)?)
}

/// Parses a JSON `/status/sessions` reply (`Accept: application/json`).
pub fn parse_sessions_json(body: &str) -> Result<Vec<MediaSession>, ParseError> {
    sessions(&json_tree(body)?)
}

/// Parses an account list: the server's `GET /accounts` (`Account` elements) or plex.tv's
/// `GET /api/users` (`User` elements, the shared users). Plex's placeholder account 0 and
/// entries without an id are left out; account 1 is the server owner.
pub fn parse_accounts_xml(body: &str) -> Result<Vec<AccountInfo>, ParseError> {
    Ok(accounts(&xml_tree(body)?))
}

/// [`parse_accounts_xml`] for the JSON form (`{"MediaContainer":{"Account":[…]}}`).
pub fn parse_accounts_json(body: &str) -> Result<Vec<AccountInfo>, ParseError> {
    Ok(accounts(&json_tree(body)?))
}

fn accounts(root: &Node) -> Vec<AccountInfo> {
    let listed = root.children_named("Account").chain(root.children_named("User"));
    listed
        .filter_map(|node| {
            let id = node.owned("id").filter(|id| id != "0")?;
            let name = node.owned("title").or_else(|| node.owned("name")).or_else(|| node.owned("username"));
            Some(AccountInfo {
                name: name.unwrap_or_else(|| id.clone()),
                thumb: node.owned("thumb"),
                is_admin: id == "1",
                is_disabled: false,
                external_id: id,
            })
        })
        .collect()
}

/// One `PlaySessionStateNotification`: a player started, paused, stopped or reported progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayStateNotification {
    /// Matches `sessionKey` in `/status/sessions`.
    pub session_key: String,
    pub rating_key: Option<String>,
    pub state: NotifiedState,
    pub view_offset_ms: Option<u64>,
    /// Sent by newer servers only.
    pub client_identifier: Option<String>,
}

/// The `state` of a play-state notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifiedState {
    Playback(PlaybackState),
    /// The player reported a playback error.
    Error,
    /// A value this parser does not know, kept verbatim.
    Unknown(String),
}

/// Parses one notification message: a WebSocket frame (`{"NotificationContainer":{…}}`) or the
/// `data:` payload of one SSE event (the same object without the wrapper).
/// Returns the play-state entries it carries; other notification types give an empty list.
pub fn parse_notification(body: &str) -> Result<Vec<PlayStateNotification>, ParseError> {
    check_size(body)?;
    let value: Value = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    let top = value.as_object().ok_or_else(|| shape("a notification is a json object"))?;
    let container = match top.get("NotificationContainer") {
        Some(Value::Object(c)) => c,
        Some(_) => return Err(shape("NotificationContainer is not an object")),
        None => top,
    };
    let entries: Vec<&Map<String, Value>> = match container.get("PlaySessionStateNotification") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(entry)) => vec![entry],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_object().ok_or_else(|| shape("a PlaySessionStateNotification entry is not an object")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(shape("PlaySessionStateNotification is neither a list nor an object")),
    };
    entries.into_iter().map(play_state).collect()
}

fn play_state(entry: &Map<String, Value>) -> Result<PlayStateNotification, ParseError> {
    let text = |key: &str| entry.get(key).and_then(scalar_text);
    let session_key = text("sessionKey").ok_or_else(|| shape("PlaySessionStateNotification without sessionKey"))?;
    let state = match text("state").ok_or_else(|| shape("PlaySessionStateNotification without state"))?.as_str() {
        "error" => NotifiedState::Error,
        other => {
            playback_state(other).map_or_else(|| NotifiedState::Unknown(other.to_owned()), NotifiedState::Playback)
        }
    };
    Ok(PlayStateNotification {
        session_key,
        rating_key: text("ratingKey"),
        state,
        view_offset_ms: text("viewOffset").and_then(|v| v.parse().ok()),
        client_identifier: text("clientIdentifier"),
    })
}

/// A JSON string or number as text; empty strings count as absent, as in XML attributes.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn shape(what: impl Into<String>) -> ParseError {
    ParseError::UnexpectedShape(what.into())
}

/// One element of a Plex reply: XML attributes, or JSON scalars rendered as text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Node {
    /// An attribute's value; Plex sends empty strings for unknown values, so those are absent.
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    fn owned(&self, key: &str) -> Option<String> {
        self.attr(key).map(str::to_owned)
    }

    fn number<T: FromStr>(&self, key: &str) -> Option<T> {
        self.attr(key)?.parse().ok()
    }

    /// XML says `1`/`0`, JSON says `true`/`false` (rendered as `1`/`0` by `json_node`).
    fn flag(&self, key: &str) -> Option<bool> {
        match self.attr(key)? {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        }
    }

    fn required(&self, key: &str) -> Result<String, ParseError> {
        self.owned(key).ok_or_else(|| shape(format!("<{}> without {key}", excerpt(&self.name))))
    }

    fn children_named<'n>(&self, name: &'n str) -> impl Iterator<Item = &Node> + use<'_, 'n> {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children_named(name).next()
    }

    /// The child marked `selected`, else the first of that name.
    fn selected_child(&self, name: &str) -> Option<&Node> {
        self.children_named(name).find(|c| c.flag("selected") == Some(true)).or_else(|| self.child(name))
    }
}

/// Names from the payload go into error messages; keep them short.
fn excerpt(s: &str) -> String {
    s.chars().take(40).collect()
}

fn xml_tree(body: &str) -> Result<Node, ParseError> {
    check_size(body)?;
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    let mut n_elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| ParseError::NotXml(e.to_string()))?;
        let (node, opens) = match event {
            Event::Start(e) => (element(&e)?, true),
            Event::Empty(e) => (element(&e)?, false),
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| ParseError::NotXml("end tag without a start".into()))?;
                attach(&mut stack, &mut root, node)?;
                continue;
            }
            // Plex never sends a DTD, and declaring entities is how expansion attacks start.
            Event::DocType(_) => return Err(ParseError::NotXml("document type declarations are refused".into())),
            Event::Eof => break,
            // Text, comments, declarations, processing instructions and entity references in text
            // carry nothing Plex uses; references are skipped, never resolved.
            _ => continue,
        };
        n_elements += 1;
        if n_elements > MAX_ELEMENTS {
            return Err(ParseError::TooLarge { limit: MAX_ELEMENTS, unit: "elements" });
        }
        if opens {
            if stack.len() >= MAX_DEPTH {
                return Err(ParseError::TooLarge { limit: MAX_DEPTH, unit: "levels of nesting" });
            }
            stack.push(node);
        } else {
            attach(&mut stack, &mut root, node)?;
        }
    }
    if let Some(open) = stack.last() {
        return Err(ParseError::NotXml(format!("truncated inside <{}>", excerpt(&open.name))));
    }
    root.ok_or_else(|| ParseError::NotXml("no root element".into()))
}

fn element(start: &BytesStart<'_>) -> Result<Node, ParseError> {
    let mut node = Node { name: start.name().as_ref().to_owned(), ..Node::default() };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ParseError::NotXml(e.to_string()))?;
        // Resolves only the five predefined entities and character references; any other
        // entity is an error, never a lookup.
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| ParseError::NotXml(e.to_string()))?;
        node.attrs.push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(node)
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), ParseError> {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(node);
    } else if root.is_none() {
        *root = Some(node);
    } else {
        return Err(ParseError::NotXml("more than one root element".into()));
    }
    Ok(())
}

fn json_tree(body: &str) -> Result<Node, ParseError> {
    check_size(body)?;
    let value: Value = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    match value.get("MediaContainer") {
        Some(Value::Object(container)) => Ok(json_node("MediaContainer", container)),
        _ => Err(shape("expected an object with a MediaContainer object")),
    }
}

/// Scalars become attributes, objects and lists of objects become children named by their key.
fn json_node(name: &str, map: &Map<String, Value>) -> Node {
    let mut node = Node { name: name.to_owned(), ..Node::default() };
    for (key, value) in map {
        match value {
            Value::Bool(b) => node.attrs.push((key.clone(), if *b { "1" } else { "0" }.to_owned())),
            Value::Object(child) => node.children.push(json_node(key, child)),
            Value::Array(items) => {
                node.children.extend(items.iter().filter_map(Value::as_object).map(|child| json_node(key, child)));
            }
            other => {
                if let Some(text) = scalar_text(other) {
                    node.attrs.push((key.clone(), text));
                }
            }
        }
    }
    node
}

fn sessions(container: &Node) -> Result<Vec<MediaSession>, ParseError> {
    if container.name != "MediaContainer" {
        return Err(shape(format!("expected <MediaContainer>, found <{}>", excerpt(&container.name))));
    }
    container.children.iter().filter(|c| ITEM_NAMES.contains(&c.name.as_str())).map(session).collect()
}

fn session(item: &Node) -> Result<MediaSession, ParseError> {
    let session_key = item.required("sessionKey")?;
    let user = item.child("User").ok_or_else(|| shape("a session item without a User"))?;
    let player = item.child("Player");
    let plex_session = item.child("Session");
    let media = media_item(item)?;
    let streams = Streams::of(item);
    let is_local = player.and_then(|p| p.flag("local")).or_else(|| match plex_session?.attr("location")? {
        "lan" => Some(true),
        "wan" => Some(false),
        _ => None,
    });
    let upstream_session_id = plex_session.and_then(|s| s.owned("id"));
    // The server ends the stream itself, so any client can be stopped; the reason is its message.
    let control = upstream_session_id.clone().map(|session_id| SessionControl {
        session_id,
        remote_control: true,
        messages: false,
    });
    Ok(MediaSession {
        session_key,
        upstream_session_id,
        user: SessionUser {
            id: user.required("id")?,
            name: user.owned("title").unwrap_or_default(),
            thumb: user.owned("thumb"),
        },
        position_ms: clamp_position(item.number("viewOffset"), media.duration_ms),
        media,
        // Only current playbacks are listed, so a missing or unknown state reads as playing.
        state: player.and_then(|p| p.attr("state")).and_then(playback_state).unwrap_or(PlaybackState::Playing),
        player: player.map(session_player).unwrap_or_default(),
        client_ip: player.and_then(|p| client_ip(p, is_local)),
        is_local,
        is_relayed: player.and_then(|p| p.flag("relayed")).unwrap_or(false),
        quality: streams.quality(),
        decision: streams.decision(),
        bandwidth_kbps: plex_session.and_then(|s| s.number("bandwidth")),
        control,
    })
}

fn media_item(item: &Node) -> Result<MediaItem, ParseError> {
    let kind = item.attr("type");
    let media_type = if item.flag("live") == Some(true) {
        MediaType::LiveTv
    } else {
        match kind {
            Some("movie") => MediaType::Movie,
            Some("episode") => MediaType::Episode,
            Some("track") => MediaType::Track,
            _ => MediaType::Other,
        }
    };
    // For tracks `index`/`parentIndex` are track and disc numbers, not episode and season.
    let is_episode = kind == Some("episode");
    let duration_ms =
        item.number::<u64>("duration").or_else(|| item.selected_child("Media")?.number("duration")).filter(|&d| d > 0);
    Ok(MediaItem {
        media_type,
        item_key: item.required("ratingKey")?,
        title: item.owned("title").unwrap_or_default(),
        grandparent_title: item.owned("grandparentTitle"),
        parent_title: item.owned("parentTitle"),
        season_number: if is_episode { item.number("parentIndex") } else { None },
        episode_number: if is_episode { item.number("index") } else { None },
        // Tracks carry their album's year as `parentYear`.
        year: item.number("year").or_else(|| item.number("parentYear")),
        duration_ms,
        poster: ["grandparentThumb", "parentThumb", "thumb"]
            .into_iter()
            .filter_map(|name| item.attr(name))
            .find(|path| path.starts_with("/library/"))
            .map(str::to_owned),
    })
}

fn playback_state(raw: &str) -> Option<PlaybackState> {
    match raw {
        "playing" => Some(PlaybackState::Playing),
        "paused" => Some(PlaybackState::Paused),
        "buffering" => Some(PlaybackState::Buffering),
        "stopped" => Some(PlaybackState::Stopped),
        _ => None,
    }
}

fn session_player(player: &Node) -> SessionPlayer {
    SessionPlayer {
        name: player.owned("title"),
        device: player.owned("device"),
        device_id: player.owned("machineIdentifier"),
        product: player.owned("product"),
        platform: player.owned("platform"),
    }
}

/// On the LAN `address` is the client; otherwise `address` may be a proxy or NAT hop and
/// `remotePublicAddress` is the client's public address. Older servers send only `address`.
fn client_ip(player: &Node, is_local: Option<bool>) -> Option<std::net::IpAddr> {
    let raw = if is_local == Some(true) {
        player.attr("address")
    } else {
        player.attr("remotePublicAddress").or_else(|| player.attr("address"))
    };
    raw.and_then(parse_ip)
}

/// The elements of an item that describe what is streamed.
struct Streams<'a> {
    media: Option<&'a Node>,
    part: Option<&'a Node>,
    video: Option<&'a Node>,
    audio: Option<&'a Node>,
    transcode: Option<&'a Node>,
}

impl<'a> Streams<'a> {
    fn of(item: &'a Node) -> Self {
        let media = item.selected_child("Media");
        let part = media.and_then(|m| m.selected_child("Part"));
        let of_type = |t: &'static str| {
            part.into_iter().flat_map(|p| p.children_named("Stream")).filter(move |s| s.attr("streamType") == Some(t))
        };
        let video = of_type("1").next();
        let audio = of_type("2").find(|s| s.flag("selected") == Some(true)).or_else(|| of_type("2").next());
        // `TranscodeSession` sits beside `Media` in `/status/sessions` and inside it in `/livetv/sessions`.
        let transcode = item.child("TranscodeSession").or_else(|| media?.child("TranscodeSession"));
        Self { media, part, video, audio, transcode }
    }

    /// `Media` describes what the player receives (the transcoder's output when transcoding);
    /// the streams fill in what it leaves out.
    fn quality(&self) -> StreamQuality {
        let pick = |media_key: &str, stream: Option<&Node>, stream_key: &str| {
            self.media.and_then(|m| m.owned(media_key)).or_else(|| stream?.owned(stream_key))
        };
        let width = pick("width", self.video, "width").and_then(|w| w.parse().ok());
        let height = pick("height", self.video, "height").and_then(|h| h.parse().ok());
        StreamQuality {
            resolution: VideoResolution::from_dimensions(width, height),
            width,
            height,
            bitrate_kbps: pick("bitrate", self.part, "bitrate").and_then(|b| b.parse().ok()),
            video_codec: pick("videoCodec", self.video, "codec"),
            audio_codec: pick("audioCodec", self.audio, "codec"),
            hdr: self.video.is_some_and(|v| {
                matches!(v.attr("colorTrc"), Some("smpte2084" | "arib-std-b67")) || v.flag("DOVIPresent") == Some(true)
            }),
        }
    }

    /// A stream's decision comes from the transcode session, else from the stream element.
    /// When neither stream says, the `Part` decision (else direct play) stands for both.
    fn decision(&self) -> PlaybackDecision {
        let own = |transcode_key: &str, stream: Option<&Node>| {
            self.transcode
                .and_then(|t| t.attr(transcode_key))
                .or_else(|| stream?.attr("decision"))
                .and_then(stream_decision)
        };
        let container = self.part.and_then(|p| p.attr("decision")).and_then(stream_decision);
        let (video, audio) = (own("videoDecision", self.video), own("audioDecision", self.audio));
        let default = if video.is_none() && audio.is_none() {
            container.unwrap_or(StreamDecision::DirectPlay)
        } else {
            StreamDecision::DirectPlay
        };
        let has = |media_key: &str, stream: Option<&Node>| {
            stream.is_some() || self.media.is_some_and(|m| m.attr(media_key).is_some())
        };
        let video = video.or(has("videoCodec", self.video).then_some(default));
        let audio = audio.or(has("audioCodec", self.audio).then_some(default));
        let hw = self.transcode.is_some_and(|t| {
            t.attr("transcodeHwDecoding").is_some()
                || t.attr("transcodeHwEncoding").is_some()
                || t.flag("transcodeHwFullPipeline") == Some(true)
        });
        PlaybackDecision::new(video, audio, container, hw)
    }
}

fn stream_decision(raw: &str) -> Option<StreamDecision> {
    match raw {
        "directplay" => Some(StreamDecision::DirectPlay),
        "copy" => Some(StreamDecision::DirectStream),
        "transcode" => Some(StreamDecision::Transcode),
        _ => None,
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
