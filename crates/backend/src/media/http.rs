//! `MediaHttp`: the HTTP layer every media-server adapter uses. It keeps the token in one header,
//! keeps every request on the configured origin and base path, follows no redirect, refuses
//! link-local and metadata addresses at DNS time, and caps time and body size. It does not parse
//! payloads, retry, or back off; adapters and the ingest tasks do that.

use super::MAX_PAYLOAD_BYTES;
use super::url_policy::{UrlPolicyError, check_host_name, check_media_url, check_resolved_addr};
use crate::error_chain::{error_chain, root_cause};
use crate::secret::SecretString;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode, redirect};
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use url::Url;

/// Timeouts, body cap and extra (non-secret) headers. The defaults suit a media server on the LAN.
#[derive(Debug, Clone)]
pub struct MediaHttpOptions {
    /// Time to open the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Deadline for the whole exchange, from connecting to the last body byte.
    pub total_timeout: Duration,
    /// Bodies larger than this are abandoned with [`HttpError::TooLarge`].
    pub max_body_bytes: usize,
    /// Sent with every request. Defaults: `Accept: application/json` and a Sightline user agent.
    pub headers: HeaderMap,
}

impl Default for MediaHttpOptions {
    fn default() -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(concat!("Sightline/", env!("CARGO_PKG_VERSION"))));
        Self {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body_bytes: MAX_PAYLOAD_BYTES,
            headers,
        }
    }
}

/// A complete answer with a 2xx status. `content_type` lets adapters refuse an HTML login page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// Why a request gave no usable answer. Messages never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HttpError {
    /// Connection refused, DNS failure, timeout, or the connection broke mid-answer.
    #[error("media server unreachable: {0}")]
    Unreachable(String),
    #[error("tls failure: {0}")]
    Tls(String),
    #[error("request refused: {0}")]
    Refused(#[from] UrlPolicyError),
    #[error(
        "the media server answered with a redirect (http {0}); redirects are not followed, so check the address (http or https, base path)"
    )]
    Redirect(u16),
    #[error("the answer is larger than the size limit and was abandoned")]
    TooLarge,
    #[error("the media server refused the token (http {0}); it may have been revoked")]
    Unauthorized(u16),
    #[error("the media server answered http {0}")]
    Status(u16),
    #[error("the answer is not valid utf-8 text")]
    NotUtf8,
}

/// Why a [`MediaHttp`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BuildError {
    #[error(transparent)]
    Refused(#[from] UrlPolicyError),
    #[error("{0:?} is not a valid http header name")]
    HeaderName(String),
    #[error("the token contains characters that cannot be sent in an http header")]
    HeaderValue,
    #[error("could not set up the http client: {0}")]
    Client(String),
}

/// A successful answer with a binary body (images).
#[derive(Debug, Clone)]
pub struct BytesReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// An HTTP client bound to one media server: its base URL and its auth header.
#[derive(Clone)]
pub struct MediaHttp {
    client: reqwest::Client,
    base: Url,
    auth_name: HeaderName,
    auth_value: HeaderValue,
    connect_timeout: Duration,
    total_timeout: Duration,
    max_body_bytes: usize,
}

impl fmt::Debug for MediaHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaHttp")
            .field("base", &self.base.as_str())
            .field("auth_header", &self.auth_name.as_str())
            .finish_non_exhaustive()
    }
}

impl MediaHttp {
    /// A client with the default options. `base` is checked again with [`check_media_url`].
    pub fn new(base: Url, header_name: &str, token: &SecretString) -> Result<Self, BuildError> {
        Self::with_options(base, header_name, token, MediaHttpOptions::default())
    }

    pub fn with_options(
        base: Url,
        header_name: &str,
        token: &SecretString,
        options: MediaHttpOptions,
    ) -> Result<Self, BuildError> {
        Self::build(base, header_name, token, options, PolicyResolver::system())
    }

    fn build(
        base: Url,
        header_name: &str,
        token: &SecretString,
        options: MediaHttpOptions,
        resolver: PolicyResolver,
    ) -> Result<Self, BuildError> {
        let base = check_media_url(base.as_str())?;
        let auth_name = HeaderName::from_bytes(header_name.as_bytes())
            .map_err(|_| BuildError::HeaderName(header_name.to_owned()))?;
        let mut auth_value = HeaderValue::from_str(token.expose()).map_err(|_| BuildError::HeaderValue)?;
        auth_value.set_sensitive(true);
        let client = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .timeout(options.total_timeout)
            // A proxy would resolve names itself, out of reach of the resolver's address check.
            .no_proxy()
            .dns_resolver(resolver)
            .default_headers(options.headers)
            .build()
            .map_err(|e| BuildError::Client(root_cause(&e)))?;
        Ok(Self {
            client,
            base,
            auth_name,
            auth_value,
            connect_timeout: options.connect_timeout,
            total_timeout: options.total_timeout,
            max_body_bytes: options.max_body_bytes,
        })
    }

    /// The checked base URL, ending with `/`.
    #[must_use]
    pub fn base(&self) -> &Url {
        &self.base
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<HttpReply, HttpError> {
        self.send(Method::GET, path, query, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<HttpReply, HttpError> {
        self.send(Method::POST, path, query, body).await
    }

    /// The URL a request for `path` and `query` goes to. `path` is relative to the base path; a
    /// leading `/` also means the base path, so `/Sessions` behind `http://nas/jellyfin/` is
    /// `http://nas/jellyfin/Sessions`. Refused: anything that changes the origin (`//host/x`,
    /// `http://host/`), climbs above the base path (`../x`), or carries its own `?` or `#`.
    pub fn request_url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, UrlPolicyError> {
        let origin_changed = || UrlPolicyError::OriginChanged(path.to_owned());
        // Judged as written first, so an absolute or network-path reference is refused rather
        // than quietly rewritten into a path on our server by the slash stripping below.
        let as_written = self.base.join(path).map_err(|_| origin_changed())?;
        if as_written.origin() != self.base.origin() {
            return Err(origin_changed());
        }
        let mut url = self.base.join(path.strip_prefix('/').unwrap_or(path)).map_err(|_| origin_changed())?;
        if url.origin() != self.base.origin() || !url.username().is_empty() || url.password().is_some() {
            return Err(origin_changed());
        }
        if !url.path().starts_with(self.base.path()) {
            return Err(UrlPolicyError::OutsideBasePath(path.to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlPolicyError::PathNotPlain(path.to_owned()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<HttpReply, HttpError> {
        let reply = self.send_bytes(method, path, query, body, self.max_body_bytes).await?;
        let body = String::from_utf8(reply.body).map_err(|_| HttpError::NotUtf8)?;
        Ok(HttpReply { status: reply.status, content_type: reply.content_type, body })
    }

    /// Sends a request and reads a successful answer's body, up to `max_bytes`.
    pub(crate) async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        max_bytes: usize,
    ) -> Result<BytesReply, HttpError> {
        let mut request = self.request(method, path, query)?;
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = self.checked(request).await?;
        let status = response.status().as_u16();
        let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let declared = response.content_length().and_then(|n| usize::try_from(n).ok());
        if declared.is_some_and(|n| n > max_bytes) {
            return Err(HttpError::TooLarge);
        }
        let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport_error(&e))? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(HttpError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(BytesReply { status, content_type, body: bytes })
    }

    /// A request to `path` on this server, with the auth header.
    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<reqwest::RequestBuilder, HttpError> {
        let url = self.request_url(path, query)?;
        Ok(self.client.request(method, url).header(&self.auth_name, &self.auth_value))
    }

    /// Sends and sorts the status: redirects, refusals and other failures are errors.
    pub(crate) async fn checked(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, HttpError> {
        let response = request.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(HttpError::Redirect(status.as_u16()));
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(HttpError::Unauthorized(status.as_u16()));
        }
        if !status.is_success() && status != StatusCode::SWITCHING_PROTOCOLS {
            return Err(HttpError::Status(status.as_u16()));
        }
        Ok(response)
    }

    /// Sorts a reqwest failure into our variants, with a message that names the server's origin
    /// and the innermost cause.
    fn transport_error(&self, e: &reqwest::Error) -> HttpError {
        let chain = error_chain(e);
        if let Some(refused) = chain.iter().find_map(|err| err.downcast_ref::<ResolveRefused>()) {
            return HttpError::Refused(refused.0.clone());
        }
        let origin = self.base.origin().ascii_serialization();
        let cause = chain.last().map_or_else(String::new, ToString::to_string);
        if let Some(tls) = chain.iter().find_map(|err| err.downcast_ref::<rustls::Error>()) {
            let hint = match tls {
                rustls::Error::InvalidMessage(_) => "; is the server really served over https on this port?",
                rustls::Error::InvalidCertificate(_) => "; the server's certificate is not trusted",
                _ => "",
            };
            return HttpError::Tls(format!("the tls handshake with {origin} failed: {tls}{hint}"));
        }
        if e.is_connect() && self.base.scheme() == "https" && is_handshake_eof(&chain) {
            return HttpError::Tls(format!(
                "{origin} closed the connection during the tls handshake; is it really served over https? ({cause})"
            ));
        }
        let message = if e.is_timeout() && e.is_connect() {
            format!("could not connect to {origin} within {:?}", self.connect_timeout)
        } else if e.is_timeout() {
            format!("{origin} did not answer within {:?}", self.total_timeout)
        } else if e.is_dns() {
            format!("could not resolve the host of {origin}: {cause}")
        } else if e.is_connect() {
            format!("could not connect to {origin}: {cause}")
        } else if e.is_body() || e.is_decode() {
            format!("the connection to {origin} broke while reading the answer: {cause}")
        } else {
            format!("the request to {origin} failed: {cause}")
        };
        HttpError::Unreachable(message)
    }
}

fn is_handshake_eof(chain: &[&(dyn StdError + 'static)]) -> bool {
    chain.iter().any(|err| err.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof))
}

/// Why the resolver returned no address; recognised again in [`MediaHttp::transport_error`].
#[derive(Debug)]
struct ResolveRefused(UrlPolicyError);

impl fmt::Display for ResolveRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for ResolveRefused {}

type BoxError = Box<dyn StdError + Send + Sync>;
type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send>>;

/// Resolves names with tokio and drops every address [`check_resolved_addr`] refuses, so a name
/// that later resolves to link-local or metadata (DNS rebinding) is never connected to. IP
/// literals never reach a resolver; [`check_media_url`] judged them when the client was built.
#[derive(Clone)]
struct PolicyResolver {
    lookup: Arc<dyn Fn(String) -> LookupFuture + Send + Sync>,
}

impl PolicyResolver {
    fn system() -> Self {
        Self {
            lookup: Arc::new(|host: String| -> LookupFuture {
                Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) })
            }),
        }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let lookup = Arc::clone(&self.lookup);
        Box::pin(async move {
            check_host_name(&host).map_err(|e| Box::new(ResolveRefused(e)) as BoxError)?;
            let found = lookup(host.clone()).await?;
            let allowed = allowed_addrs(&host, found)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Keeps the addresses the policy allows. None left: the first refusal, or "no address" if DNS
/// returned nothing.
fn allowed_addrs(host: &str, found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, BoxError> {
    let mut refusal = None;
    let mut allowed = Vec::with_capacity(found.len());
    for addr in found {
        match check_resolved_addr(addr.ip()) {
            Ok(()) => allowed.push(addr),
            Err(e) => {
                refusal.get_or_insert(e);
            }
        }
    }
    match (allowed.is_empty(), refusal) {
        (false, _) => Ok(allowed),
        (true, Some(e)) => Err(Box::new(ResolveRefused(e))),
        (true, None) => Err(Box::new(io::Error::new(io::ErrorKind::NotFound, format!("no address found for {host}")))),
    }
}

mod streaming;

pub use streaming::{ByteChunks, WebSocketIo};

#[cfg(test)]
mod tests;
