//! `Fault`: the ways a fake server can misbehave on purpose, and the middleware and listener
//! that apply them (an HTML login page, a cut body, a huge body, an error status, a dead
//! server, a slow one).

use crate::state::ServerShared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// A misbehaviour applied to every request of one server until cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `200 text/html` with a login page, as a reverse proxy in front of the server sends.
    Html,
    /// The real answer's first half, then the connection breaks.
    Truncated,
    /// A 10 MB body.
    Huge,
    /// That status with an empty body.
    Status(u16),
    /// New connections are accepted and dropped at once; requests on open ones break.
    Down,
    /// Every answer is delayed this long.
    Slow(Duration),
}

/// The size of a `Huge` answer, above Sightline's 8 MiB cap.
pub const HUGE_BYTES: usize = 10_000_000;

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form method=\"post\" \
action=\"/login\"><input name=\"username\"><input name=\"password\" type=\"password\"><button>Sign in</button>\
</form></body></html>\n";

/// Applies the server's current fault, if any, around the real handler.
pub async fn middleware(State(shared): State<Arc<ServerShared>>, request: Request, next: Next) -> Response {
    match shared.fault() {
        None => next.run(request).await,
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Html) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], LOGIN_PAGE).into_response()
        }
        Some(Fault::Huge) => {
            let body = Bytes::from(vec![b' '; HUGE_BYTES]);
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
        }
        Some(Fault::Status(code)) => {
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response()
        }
        Some(Fault::Down) => broken(Bytes::new()),
        Some(Fault::Truncated) => {
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = full.slice(..full.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            let mut cut = broken(half);
            *cut.headers_mut() = parts.headers;
            *cut.status_mut() = parts.status;
            cut
        }
    }
}

/// A response that sends `start` and then fails, so the connection is cut mid-body.
fn broken(start: Bytes) -> Response {
    let chunks: Vec<Result<Bytes, io::Error>> =
        vec![Ok(start), Err(io::Error::new(io::ErrorKind::ConnectionReset, "simulated fault"))];
    Response::new(Body::from_stream(futures::stream::iter(chunks)))
}

/// A TCP listener that drops every new connection while its server has `Fault::Down`.
pub struct FaultyListener {
    pub inner: TcpListener,
    pub shared: Arc<ServerShared>,
}

impl axum::serve::Listener for FaultyListener {
    type Io = TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    if self.shared.fault() == Some(Fault::Down) {
                        // Dropping the stream closes it before a byte is read.
                        drop(stream);
                        continue;
                    }
                    return (stream, addr);
                }
                // Out of file descriptors and the like: wait a moment, as axum's own listener does.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}
