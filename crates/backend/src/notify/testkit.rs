//! Test servers for the senders: an axum server on 127.0.0.1:0 that records every request and
//! answers as told, a server that accepts connections and never answers, a tiny SMTP server
//! (plain, STARTTLS, or TLS from the first byte) that records each session, and self-signed
//! certificates. Test-only.

use super::destination::{Destination, DestinationConfig};
use super::event::EventKind;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sightline_domain::rules::Severity;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A destination of `config` that receives every event, with private addresses as given.
pub(crate) fn destination(config: DestinationConfig, allow_private: bool) -> Destination {
    Destination {
        id: 7,
        name: "test".to_owned(),
        enabled: true,
        events: EventKind::ALL.to_vec(),
        min_severity: Severity::Low,
        allow_private,
        rate_per_minute: 30,
        title_template: None,
        body_template: None,
        config,
    }
}

/// One request as the recording server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// The answer the recording server gives.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self { status, headers: Vec::new(), body: String::new() }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

#[derive(Clone)]
struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Reply,
}

/// A recording HTTP server on loopback.
pub(crate) struct HttpServer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl HttpServer {
    pub async fn start(reply: Reply) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new().fallback(record).with_state(Recorder { seen: Arc::clone(&seen), reply });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
        Self { addr, seen }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log lock").clone()
    }

    pub fn only(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "exactly one request: {seen:?}");
        seen.into_iter().next().expect("one request")
    }
}

async fn record(State(recorder): State<Recorder>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("request body");
    recorder.seen.lock().expect("log lock").push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers,
        body,
    });
    let reply = recorder.reply;
    let mut response = (StatusCode::from_u16(reply.status).expect("status"), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().expect("header value"));
    }
    response
}

/// A server that accepts connections and never answers.
pub(crate) async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// An address nothing listens on.
pub(crate) async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("local addr")
}

/// A self-signed certificate for `name`: (certificate PEM, rustls server config).
pub(crate) fn self_signed(name: &str) -> (String, Arc<rustls::ServerConfig>) {
    let key = rcgen::generate_simple_self_signed(vec![name.to_owned()]).expect("certificate");
    let cert_der = key.cert.der().clone();
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .expect("server certificate");
    (key.cert.pem(), Arc::new(config))
}

/// How the SMTP server secures and answers.
#[derive(Clone)]
pub(crate) struct SmtpScript {
    /// Offer STARTTLS with this config.
    pub starttls: Option<Arc<rustls::ServerConfig>>,
    /// TLS from the first byte with this config.
    pub implicit_tls: Option<Arc<rustls::ServerConfig>>,
    pub auth_reply: &'static str,
    pub rcpt_reply: &'static str,
}

impl Default for SmtpScript {
    fn default() -> Self {
        Self { starttls: None, implicit_tls: None, auth_reply: "235 2.7.0 ok", rcpt_reply: "250 2.1.5 ok" }
    }
}

/// One SMTP session as the server saw it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SmtpSession {
    pub tls: bool,
    pub auth: Option<String>,
    pub auth_over_tls: bool,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

pub(crate) struct SmtpServer {
    pub addr: SocketAddr,
    sessions: Arc<Mutex<Vec<SmtpSession>>>,
    connections: Arc<Mutex<usize>>,
}

impl SmtpServer {
    pub async fn start(script: SmtpScript) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (log, count) = (Arc::clone(&sessions), Arc::clone(&connections));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                *count.lock().expect("count lock") += 1;
                let (script, log) = (script.clone(), Arc::clone(&log));
                tokio::spawn(async move {
                    if let Some(session) = smtp_session(tcp, &script).await {
                        log.lock().expect("log lock").push(session);
                    }
                });
            }
        });
        Self { addr, sessions, connections }
    }

    pub fn sessions(&self) -> Vec<SmtpSession> {
        self.sessions.lock().expect("log lock").clone()
    }

    pub fn connections(&self) -> usize {
        *self.connections.lock().expect("count lock")
    }
}

async fn smtp_session(tcp: TcpStream, script: &SmtpScript) -> Option<SmtpSession> {
    let mut session = SmtpSession::default();
    if let Some(config) = &script.implicit_tls {
        let tls = tokio_rustls::TlsAcceptor::from(Arc::clone(config)).accept(tcp).await.ok()?;
        session.tls = true;
        return converse(tls, script, session, true).await;
    }
    let Some(config) = &script.starttls else {
        return converse(tcp, script, session, true).await;
    };
    let mut reader = BufReader::new(tcp);
    reader.get_mut().write_all(b"220 mail.test ESMTP\r\n").await.ok()?;
    loop {
        let line = read_line(&mut reader).await?;
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-mail.test\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n",
            "STARTTLS" => b"220 2.0.0 go ahead\r\n",
            "QUIT" => return None,
            _ => b"530 5.7.0 must issue STARTTLS first\r\n",
        };
        reader.get_mut().write_all(answer).await.ok()?;
        if verb == "STARTTLS" {
            break;
        }
    }
    let tls = tokio_rustls::TlsAcceptor::from(Arc::clone(config)).accept(reader.into_inner()).await.ok()?;
    session.tls = true;
    converse(tls, script, session, false).await
}

async fn read_line<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<String> {
    let mut line = String::new();
    let n = reader.read_line(&mut line).await.ok()?;
    (n > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The SMTP conversation after any STARTTLS; `greet` sends the 220 banner first.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    script: &SmtpScript,
    mut session: SmtpSession,
    greet: bool,
) -> Option<SmtpSession> {
    let mut reader = BufReader::new(stream);
    if greet {
        reader.get_mut().write_all(b"220 mail.test ESMTP\r\n").await.ok()?;
    }
    loop {
        let line = read_line(&mut reader).await?;
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let tls = if script.starttls.is_some() && !session.tls { "250-STARTTLS\r\n" } else { "" };
            format!("250-mail.test\r\n{tls}250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
        } else if upper.starts_with("AUTH") {
            session.auth = Some(line.clone());
            session.auth_over_tls = session.tls;
            format!("{}\r\n", script.auth_reply)
        } else if upper.starts_with("MAIL FROM:") {
            session.mail_from = line["MAIL FROM:".len()..].to_owned();
            "250 2.1.0 ok\r\n".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            session.rcpt_to.push(line["RCPT TO:".len()..].to_owned());
            format!("{}\r\n", script.rcpt_reply)
        } else if upper == "DATA" {
            reader.get_mut().write_all(b"354 end with <CRLF>.<CRLF>\r\n").await.ok()?;
            loop {
                let data_line = read_line(&mut reader).await?;
                if data_line == "." {
                    break;
                }
                session.data.push_str(&data_line);
                session.data.push('\n');
            }
            "250 2.0.0 queued\r\n".to_owned()
        } else if upper == "QUIT" {
            let _ = reader.get_mut().write_all(b"221 2.0.0 bye\r\n").await;
            return Some(session);
        } else if upper == "RSET" || upper == "NOOP" {
            "250 ok\r\n".to_owned()
        } else {
            "502 5.5.2 unknown command\r\n".to_owned()
        };
        reader.get_mut().write_all(answer.as_bytes()).await.ok()?;
        if answer.starts_with('4') || answer.starts_with('5') {
            // lettre gives up after a refusal and may just close; record what we have.
            if !upper.starts_with("EHLO") && !answer.starts_with("502") {
                return Some(session);
            }
        }
    }
}
