//! `Plex`, the `MediaServer` adapter for Plex Media Server: auth headers, which endpoint to ask,
//! which parser reads the answer (JSON or XML, chosen by the reply's Content-Type), and stopping a
//! stream with `/status/sessions/terminate`. HTTP itself is `MediaHttp`'s; the session payloads
//! are read by `parser.rs`.

use super::events::PlexEvents;
use super::{parse_accounts_json, parse_accounts_xml, parse_sessions_json, parse_sessions_xml};
use crate::media::control::{MessageResult, Refusal, StopResult};
use crate::media::feed::Feed;
use crate::media::http::{BytesReply, HttpError, HttpReply, MediaHttp, MediaHttpOptions};
use crate::media::server::{AccountInfo, MediaError, MediaServer, ServerIdentity, mime, unexpected};
use crate::media::{ParseError, check_size, json_error};
use crate::secret::SecretString;
use async_trait::async_trait;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use sightline_domain::media::{MediaSession, ServerKind, SessionControl};
use std::collections::HashMap;
use url::Url;

const TOKEN_HEADER: &str = "X-Plex-Token";

/// A Plex Media Server reached with an owner's token.
#[derive(Debug, Clone)]
pub struct Plex {
    http: MediaHttp,
    /// plex.tv with the same token, for the shared-user list; `None` if its URL is unusable.
    plex_tv: Option<MediaHttp>,
}

/// How a Plex reply is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

impl Plex {
    /// `base` is checked again by `MediaHttp`. The token travels only in `X-Plex-Token`.
    pub fn new(base: Url, token: &SecretString) -> Result<Self, MediaError> {
        let mut options = MediaHttpOptions::default();
        options.headers.insert(HeaderName::from_static("x-plex-product"), HeaderValue::from_static("Sightline"));
        options
            .headers
            .insert(HeaderName::from_static("x-plex-client-identifier"), HeaderValue::from_static("sightline"));
        Ok(Self { http: MediaHttp::with_options(base, TOKEN_HEADER, token, options)?, plex_tv: None })
    }

    /// Adds plex.tv (for shared users). A bad URL only disables that part.
    #[must_use]
    pub fn with_plex_tv(mut self, url: &str, token: &SecretString) -> Self {
        self.plex_tv = Url::parse(url).ok().and_then(|u| MediaHttp::new(u, TOKEN_HEADER, token).ok());
        self
    }

    async fn sessions_reply(&self) -> Result<HttpReply, MediaError> {
        Ok(self.http.get("/status/sessions", &[]).await?)
    }
}

#[async_trait]
impl MediaServer for Plex {
    fn kind(&self) -> ServerKind {
        ServerKind::Plex
    }

    /// `/identity` (unauthenticated) proves it is Plex; `/status/sessions` proves the token is an
    /// owner's, since Plex answers 403 there to shared users; `/` gives the friendly name.
    async fn check_connection(&self) -> Result<ServerIdentity, MediaError> {
        let identity = container_attributes(&self.http.get("/identity", &[]).await?)?;
        let sessions = self.sessions_reply().await?;
        format_of(&sessions)?;
        let root = container_attributes(&self.http.get("/", &[]).await?)?;
        Ok(ServerIdentity {
            name: root.get("friendlyName").cloned(),
            version: identity.get("version").or_else(|| root.get("version")).cloned(),
            machine_id: identity.get("machineIdentifier").or_else(|| root.get("machineIdentifier")).cloned(),
        })
    }

    async fn sessions(&self) -> Result<Vec<MediaSession>, MediaError> {
        let reply = self.sessions_reply().await?;
        let sessions = match format_of(&reply)? {
            Format::Json => parse_sessions_json(&reply.body)?,
            Format::Xml => parse_sessions_xml(&reply.body)?,
        };
        Ok(sessions)
    }

    async fn open_feed(&self) -> Result<Box<dyn Feed>, MediaError> {
        Ok(Box::new(PlexEvents::open(&self.http).await?))
    }

    /// The server's local accounts (the owner is account 1), plus plex.tv's shared users when
    /// plex.tv answers; a plex.tv failure is logged and the local list still counts.
    async fn accounts(&self) -> Result<Vec<AccountInfo>, MediaError> {
        let mut accounts = read_accounts(&self.http.get("/accounts", &[]).await?)?;
        if let Some(plex_tv) = &self.plex_tv {
            match plex_tv.get("/api/users/", &[]).await.map_err(MediaError::from) {
                Ok(reply) => match read_accounts(&reply) {
                    Ok(shared) => merge_accounts(&mut accounts, shared),
                    Err(e) => tracing::warn!(error = %e, "plex.tv's shared-user list is unreadable"),
                },
                Err(e) => tracing::warn!(error = %e, "plex.tv's shared-user list is unavailable"),
            }
        }
        Ok(accounts)
    }

    async fn image(&self, path: &str) -> Result<BytesReply, MediaError> {
        Ok(self.http.send_bytes(reqwest::Method::GET, path, &[], None, crate::media::MAX_IMAGE_BYTES).await?)
    }

    /// `POST /status/sessions/terminate?sessionId=<Session id>&reason=<message>` (the current spec's
    /// method; Tautulli and python-plexapi send the same as GET). Plex answers 401 without Plex Pass
    /// and 403 for an empty id; 404 means the stream is gone.
    async fn stop_stream(&self, target: &SessionControl, message: Option<&str>) -> Result<StopResult, MediaError> {
        if target.session_id.trim().is_empty() {
            return Ok(StopResult::Refused(Refusal::NoSessionId));
        }
        let mut query = vec![("sessionId", target.session_id.as_str())];
        if let Some(reason) = message {
            query.push(("reason", reason));
        }
        match self.http.post("/status/sessions/terminate", &query, None).await {
            Ok(_) => Ok(StopResult::Stopped { message_shown: message.is_some() }),
            Err(HttpError::Unauthorized(401)) => Ok(StopResult::Refused(Refusal::PlexPassRequired)),
            Err(HttpError::Unauthorized(_)) => Ok(StopResult::Refused(Refusal::NoSessionId)),
            Err(HttpError::Status(404)) => Ok(StopResult::AlreadyEnded),
            Err(e) => Err(e.into()),
        }
    }

    async fn send_message(&self, _target: &SessionControl, _text: &str) -> Result<MessageResult, MediaError> {
        Ok(MessageResult::Refused(Refusal::PlexHasNoMessages))
    }
}

/// An account list in whichever format the server chose.
fn read_accounts(reply: &HttpReply) -> Result<Vec<AccountInfo>, MediaError> {
    Ok(match format_of(reply)? {
        Format::Json => parse_accounts_json(&reply.body)?,
        Format::Xml => parse_accounts_xml(&reply.body)?,
    })
}

/// Adds shared users to the local list; plex.tv's names and avatars win for accounts in both.
fn merge_accounts(accounts: &mut Vec<AccountInfo>, shared: Vec<AccountInfo>) {
    for user in shared {
        match accounts.iter_mut().find(|a| a.external_id == user.external_id) {
            Some(known) => {
                known.name = user.name;
                known.thumb = user.thumb.or(known.thumb.take());
            }
            None => accounts.push(user),
        }
    }
}

/// JSON or XML by Content-Type; an untyped body by its first character. HTML and anything else
/// is refused, since it is usually a proxy's login page.
fn format_of(reply: &HttpReply) -> Result<Format, MediaError> {
    let mime = mime(reply);
    match mime.as_deref() {
        Some(m) if m.ends_with("json") => Ok(Format::Json),
        Some("text/html" | "application/xhtml+xml") => Err(unexpected(mime.as_deref())),
        Some(m) if m.ends_with("xml") => Ok(Format::Xml),
        Some(_) => Err(unexpected(mime.as_deref())),
        None => match reply.body.trim_start().chars().next() {
            Some('{') => Ok(Format::Json),
            Some('<') if !looks_like_html(&reply.body) => Ok(Format::Xml),
            _ => Err(unexpected(None)),
        },
    }
}

fn looks_like_html(body: &str) -> bool {
    let head: String = body.trim_start().chars().take(15).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The scalar attributes of the `MediaContainer` that `/identity` and `/` answer with, as text.
fn container_attributes(reply: &HttpReply) -> Result<HashMap<String, String>, MediaError> {
    check_size(&reply.body)?;
    match format_of(reply)? {
        Format::Json => json_container(&reply.body),
        Format::Xml => xml_container(&reply.body),
    }
    .map_err(MediaError::Payload)
}

fn json_container(body: &str) -> Result<HashMap<String, String>, ParseError> {
    let value: Value = serde_json::from_str(body).map_err(|e| json_error(&e))?;
    let Some(container) = value.get("MediaContainer").and_then(Value::as_object) else {
        return Err(ParseError::UnexpectedShape("no MediaContainer object".to_owned()));
    };
    Ok(container
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect())
}

fn xml_container(body: &str) -> Result<HashMap<String, String>, ParseError> {
    let mut reader = quick_xml::Reader::from_str(body);
    loop {
        match reader.read_event().map_err(|e| ParseError::NotXml(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) => {
                if e.name().as_ref() != "MediaContainer" {
                    return Err(ParseError::UnexpectedShape("the root element is not MediaContainer".to_owned()));
                }
                let mut found = HashMap::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| ParseError::NotXml(e.to_string()))?;
                    let key = attr.key.as_ref().to_owned();
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| ParseError::NotXml(e.to_string()))?;
                    found.insert(key, value.into_owned());
                }
                return Ok(found);
            }
            Event::DocType(_) => return Err(ParseError::NotXml("a DOCTYPE is not accepted".to_owned())),
            Event::Eof => return Err(ParseError::UnexpectedShape("no MediaContainer element".to_owned())),
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
