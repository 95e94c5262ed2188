//! The HTML form endpoints: sign-in, first-run setup, sign-out and password change.
//! They work without JavaScript, answer with 303 redirects, and report failures as
//! `?error=<code>` from a fixed list (no input is ever reflected).

use crate::middleware::auth::SessionCookie;
use crate::middleware::client_ip::ClientIp;
use crate::middleware::cookie;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sightline_backend::auth::{AuthError, ClientMeta, IssuedSession};
use sightline_backend::{AppContext, clock};
use sightline_domain::Principal;
use sightline_domain::validate::InputError;

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    username: String,
    password: String,
    password_confirm: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

fn meta(ip: ClientIp, headers: &HeaderMap) -> ClientMeta {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    ClientMeta { ip: ip.0, user_agent }
}

/// Redirects to `to` and sets the new session cookie.
fn signed_in(ctx: &AppContext, session: &IssuedSession, to: &str) -> Response {
    let max_age = (session.expires_at - clock::now()).num_seconds().max(0);
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie::set(&ctx.config, &session.cookie_value, max_age)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// Redirects to `page?error=<code>` (plus `retry` for rate limits), logging unexpected errors.
fn failed(page: &str, e: &AuthError) -> Response {
    let code = match e {
        AuthError::InvalidCredentials => "invalid",
        AuthError::RateLimited { retry_after_secs } => {
            let mut res = Redirect::to(&format!("{page}?error=rate_limited&retry={retry_after_secs}")).into_response();
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            return res;
        }
        AuthError::SetupClosed => "closed",
        AuthError::BadSetupToken => "bad_token",
        AuthError::WrongCurrentPassword => "wrong_current",
        AuthError::Input(input) => input.code(),
        AuthError::NoOwner | AuthError::Store(_) | AuthError::Hash(_) => {
            tracing::error!(error.message = %e, error.cause_chain = ?e, "authentication failed on the server side");
            "server"
        }
    };
    Redirect::to(&format!("{page}?error={code}")).into_response()
}

/// `POST /auth/login`.
pub async fn login(
    State(ctx): State<AppContext>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let now = clock::now();
    // `/auth/login` is public, so the guard attached no cookie; read it here.
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let old = cookie::read(&ctx.config, cookies).map(str::to_owned);
    match ctx.auth.login(&form.username, &form.password, &meta(ip, &headers), now).await {
        Ok(session) => {
            // The session id always changes on sign-in; the old one is ended.
            if let Some(old) = old {
                let _ = ctx.auth.logout(&old, "system", Some(ip.0), now).await;
            }
            signed_in(&ctx, &session, "/")
        }
        Err(e) => failed("/login", &e),
    }
}

/// `POST /auth/setup`.
pub async fn setup(
    State(ctx): State<AppContext>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    if form.password != form.password_confirm {
        return failed("/setup", &AuthError::Input(InputError::PasswordMismatch));
    }
    let now = clock::now();
    match ctx.auth.complete_setup(&form.token, &form.username, &form.password, &meta(ip, &headers), now).await {
        Ok(session) => {
            tracing::info!(owner = %form.username.trim(), "setup complete: owner account created");
            signed_in(&ctx, &session, "/")
        }
        // A second browser racing the first lands here; `/setup` no longer exists for it.
        Err(AuthError::SetupClosed) => Redirect::to("/login?error=setup_closed").into_response(),
        Err(e) => failed("/setup", &e),
    }
}

/// `POST /auth/logout`: ends this browser's session and clears cached data.
pub async fn logout(
    State(ctx): State<AppContext>,
    Extension(ip): Extension<ClientIp>,
    Extension(principal): Extension<Principal>,
    session: Option<Extension<SessionCookie>>,
) -> Response {
    if let Some(Extension(SessionCookie(value))) = session
        && let Err(e) = ctx.auth.logout(&value, &principal.label(), Some(ip.0), clock::now()).await
    {
        tracing::error!(error = %e, "could not end the session");
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cookie::clear(&ctx.config)) {
        h.insert(header::SET_COOKIE, v);
    }
    h.insert("clear-site-data", HeaderValue::from_static("\"cache\""));
    res
}

/// `POST /auth/password`: changes the password, signs out every other device.
pub async fn change_password(
    State(ctx): State<AppContext>,
    Extension(ip): Extension<ClientIp>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Principal::User { user_id, .. } = principal else {
        return failed("/account", &AuthError::InvalidCredentials);
    };
    if form.new_password != form.new_password_confirm {
        return failed("/account", &AuthError::Input(InputError::PasswordMismatch));
    }
    let now = clock::now();
    match ctx.auth.change_password(user_id, &form.current_password, &form.new_password, &meta(ip, &headers), now).await
    {
        Ok(session) => signed_in(&ctx, &session, "/account?changed=1"),
        Err(e) => failed("/account", &e),
    }
}
