//! Resolves the client address once per request (peer, or `X-Forwarded-For` from trusted
//! proxies) and stores it as the `ClientIp` extension. Nothing else reads those headers.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use sightline_backend::AppContext;
use sightline_backend::auth::client_ip;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The resolved address of whoever sent the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

pub async fn resolve(State(ctx): State<AppContext>, mut req: Request, next: Next) -> Response {
    let peer =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let ip = client_ip::resolve(peer, &forwarded, &ctx.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}
