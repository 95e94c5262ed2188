//! Refuses cross-site state changes: every unsafe request that relies on the cookie, and
//! every WebSocket upgrade, must come from our own origin. Bearer-key requests carry no
//! ambient credentials and are exempt.

use super::json_error;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sightline_backend::AppContext;
use sightline_backend::auth::origin::{self, RequestOrigin};

fn header_str<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

pub async fn check(State(ctx): State<AppContext>, req: Request, next: Next) -> Response {
    let is_upgrade = header_str(&req, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let bearer = header_str(&req, "authorization").is_some_and(|a| a.starts_with("Bearer "));
    let needs_check = (!origin::is_safe_method(req.method().as_str()) || is_upgrade) && !bearer;
    if needs_check {
        let seen = RequestOrigin {
            origin: header_str(&req, header::ORIGIN.as_str()),
            sec_fetch_site: header_str(&req, "sec-fetch-site"),
            host: header_str(&req, header::HOST.as_str()),
        };
        if let Err(e) = origin::check(seen, ctx.config.expected_origin().as_deref()) {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), reason = %e, "refused a cross-origin request");
            return json_error(StatusCode::FORBIDDEN, "cross_origin", &e.to_string());
        }
    }
    next.run(req).await
}
