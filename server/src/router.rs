//! The HTTP router: form and API handlers, the live socket, Leptos pages and server
//! functions, static files, and the middleware stack around all of it.

use crate::handlers::{
    accounts, api_v1, enforce, forms, health, history, incidents, live_sessions, notifications, rules, servers, stats,
    users, ws,
};
use crate::middleware;
use crate::middleware::security::CspNonce;
use crate::state::ServerState;
use app::{App, shell};
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, delete, get, patch, post, put};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use sightline_backend::AppContext;
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Leptos options built from our config (not from cargo-leptos environment variables).
#[must_use]
pub fn leptos_options(ctx: &AppContext) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("sightline")
        .site_root(ctx.config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(ctx.config.listen)
        .env(leptos::config::Env::PROD)
        .build()
}

/// Builds the whole application router.
pub fn build(ctx: AppContext, shutdown: CancellationToken) -> Router {
    let leptos = leptos_options(&ctx);
    let routes = generate_route_list(App);
    let state = ServerState { leptos: leptos.clone(), ctx: ctx.clone(), shutdown };
    let page_ctx = ctx.clone();
    let provide = move || {
        provide_context(page_ctx.clone());
        // Use the nonce minted by the security-headers middleware, so the CSP header matches.
        if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>()
            && let Some(CspNonce(nonce)) = parts.extensions.get::<CspNonce>()
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
        }
    };
    let shell_options = leptos.clone();

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/ws", get(ws::upgrade))
        .route("/auth/login", post(forms::login))
        .route("/auth/setup", post(forms::setup))
        .route("/auth/logout", post(forms::logout))
        .route("/auth/password", post(forms::change_password))
        .route("/api/v1/me", get(api_v1::me))
        .route("/api/v1/servers", get(servers::list).post(servers::create))
        .route("/api/v1/servers/{id}", patch(servers::update).delete(servers::delete))
        .route("/api/v1/servers/{id}/test", post(servers::test))
        .route("/api/v1/sessions/active", get(live_sessions::active))
        .route("/api/v1/sessions/{server}/{play}/stop", post(enforce::stop))
        .route("/api/v1/stats", get(stats::get))
        .route("/api/v1/history", get(history::list))
        .route("/api/v1/history.csv", get(history::csv))
        .route("/api/v1/history/delete", post(history::delete))
        .route("/api/v1/incidents", get(incidents::list))
        .route("/api/v1/incidents/{id}", patch(incidents::update))
        .route("/api/v1/rules", get(rules::list).post(rules::create))
        .route("/api/v1/rules/export", get(rules::export))
        .route("/api/v1/rules/import", post(rules::import))
        .route("/api/v1/rules/{id}", put(rules::replace).patch(rules::switch).delete(rules::delete))
        .route("/api/v1/rules/{id}/snoozes/{server}/{user}", post(rules::snooze).delete(rules::unsnooze))
        .route("/api/v1/snoozes", get(rules::snoozes))
        .route("/api/v1/trust", get(accounts::all))
        .route("/api/v1/trust/policy", get(accounts::policy).put(accounts::set_policy))
        .route("/api/v1/accounts/{server}/{user}/trust", get(accounts::trust).post(accounts::set_trust))
        .route("/api/v1/accounts/{server}/{user}/settings", get(accounts::settings).put(accounts::set_settings))
        .route("/api/v1/users", get(users::list))
        .route("/api/v1/users/merge", post(users::merge))
        .route("/api/v1/users/{id}", get(users::show).patch(users::rename))
        .route("/api/v1/users/{id}/split", post(users::split))
        .route("/api/v1/notifications/destinations", get(notifications::list).post(notifications::create))
        .route(
            "/api/v1/notifications/destinations/{id}",
            get(notifications::get)
                .put(notifications::replace)
                .patch(notifications::switch)
                .delete(notifications::delete),
        )
        .route("/api/v1/notifications/destinations/{id}/test", post(notifications::test))
        .route("/api/v1/notifications/outbox", get(notifications::outbox))
        .route("/api/v1/notifications/outbox/{id}", delete(notifications::discard))
        .route("/api/v1/notifications/outbox/{id}/retry", post(notifications::retry))
        .route("/img/{server}", get(live_sessions::image))
        .route("/api/v1/{*rest}", any(api_v1::not_found))
        .leptos_routes_with_context(&state, routes, provide.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(provide, shell))
        .layer(from_fn_with_state(ctx.clone(), middleware::auth::guard))
        .layer(from_fn_with_state(ctx.clone(), middleware::origin::check))
        .layer(from_fn_with_state(ctx.clone(), middleware::security::headers))
        .layer(from_fn_with_state(ctx, middleware::client_ip::resolve))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
