//! `GET /ws`: the live channel. The auth guard has already checked the caller and the
//! origin check the `Origin`. Each socket forwards hub events as JSON text frames, turns a
//! lag into `Resync`, re-checks its session every 30 s, and closes on shutdown.

use crate::middleware::auth::SessionCookie;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::response::Response;
use sightline_backend::hub::Received;
use sightline_backend::{AppContext, VERSION, clock};
use sightline_domain::{LiveEvent, Principal};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often an open socket re-checks that its session is still valid.
const REVALIDATE_EVERY: Duration = Duration::from_secs(30);
/// Close code 1001 "going away": the server is shutting down.
const GOING_AWAY: u16 = 1001;
/// Close code 1008 "policy violation": the session ended.
const POLICY: u16 = 1008;

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(ctx): State<AppContext>,
    State(shutdown): State<CancellationToken>,
    Extension(principal): Extension<Principal>,
    session: Option<Extension<SessionCookie>>,
) -> Response {
    let cookie = session.map(|Extension(SessionCookie(c))| c);
    ws.max_message_size(64 * 1024).on_upgrade(move |socket| serve(socket, ctx, shutdown, principal, cookie))
}

async fn send(socket: &mut WebSocket, event: &LiveEvent) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(e) => {
            tracing::error!(error = %e, kind = event.kind(), "cannot serialize a live event");
            true
        }
    }
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

async fn still_valid(ctx: &AppContext, principal: &Principal, cookie: Option<&str>) -> bool {
    let now = clock::now();
    match (principal, cookie) {
        (Principal::User { .. }, Some(c)) => ctx.auth.session_principal(c, now).await.is_ok_and(|p| p.is_some()),
        // API-key sockets are not revalidated by cookie; keys are checked at connect.
        (Principal::ApiKey { .. }, _) => true,
        (Principal::User { .. }, None) => false,
    }
}

async fn serve(
    mut socket: WebSocket,
    ctx: AppContext,
    shutdown: CancellationToken,
    principal: Principal,
    cookie: Option<String>,
) {
    let mut sub = ctx.hub.subscribe();
    tracing::debug!(caller = %principal.label(), "live socket opened");
    let hello =
        LiveEvent::Hello { server_time: clock::now(), version: VERSION.to_owned(), n_clients: ctx.hub.n_clients() };
    if !send(&mut socket, &hello).await {
        return;
    }
    let mut revalidate = tokio::time::interval(REVALIDATE_EVERY);
    revalidate.tick().await;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => {
                let _ = send(&mut socket, &LiveEvent::ShuttingDown).await;
                return close(socket, GOING_AWAY, "server shutting down").await;
            }
            _ = revalidate.tick() => {
                if !still_valid(&ctx, &principal, cookie.as_deref()).await {
                    return close(socket, POLICY, "session ended").await;
                }
            }
            received = sub.recv() => {
                let event = match received {
                    Received::Event(e) => e,
                    Received::Lagged(missed) => LiveEvent::Resync { missed },
                    Received::Closed => return close(socket, GOING_AWAY, "server shutting down").await,
                };
                if !send(&mut socket, &event).await {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                // Browsers send nothing but pings and the close handshake.
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
