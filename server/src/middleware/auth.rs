//! The authentication guard. It resolves the caller (bearer API key first, then the session
//! cookie), attaches it as a `Principal` extension, and decides: protected routes without a
//! caller get 401 (API) or a redirect to sign-in/setup (pages); read-only keys cannot mutate.

use super::access::{Access, classify, is_api};
use super::cookie;
use super::json_error;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sightline_backend::auth::origin::is_safe_method;
use sightline_backend::{AppContext, clock};
use sightline_domain::Principal;

/// The raw session cookie value of this request, for handlers that end or rotate it.
#[derive(Debug, Clone)]
pub struct SessionCookie(pub String);

enum Caller {
    Anonymous,
    Known(Principal),
    /// An `Authorization` header that is not a valid key: never silently anonymous.
    BadCredentials,
}

/// The credentials a request presents, copied out so no borrow of the request (whose body
/// is not `Sync`) is held across an await.
struct Credentials {
    /// `Some(None)`: an `Authorization` header that is not `Bearer <key>`.
    bearer: Option<Option<String>>,
    cookie: Option<String>,
}

fn credentials(ctx: &AppContext, req: &Request) -> Credentials {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|auth| auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(|k| k.trim().to_owned()));
    let cookies = req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    Credentials { bearer, cookie: cookie::read(&ctx.config, cookies).map(str::to_owned) }
}

async fn identify(ctx: &AppContext, creds: &Credentials) -> Result<Caller, sightline_backend::store::StoreError> {
    let now = clock::now();
    if let Some(bearer) = &creds.bearer {
        return Ok(match bearer {
            Some(key) => ctx.auth.api_key_principal(key, now).await?.map_or(Caller::BadCredentials, Caller::Known),
            None => Caller::BadCredentials,
        });
    }
    match &creds.cookie {
        Some(value) => Ok(ctx.auth.session_principal(value, now).await?.map_or(Caller::Anonymous, Caller::Known)),
        None => Ok(Caller::Anonymous),
    }
}

pub async fn guard(State(ctx): State<AppContext>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let access = classify(&path);
    if access == Access::Public {
        return next.run(req).await;
    }
    let creds = credentials(&ctx, &req);
    let caller = match identify(&ctx, &creds).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot check the caller: database unavailable");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is not answering",
            );
        }
    };
    let setup_open = ctx.auth.setup_open();
    match (access, caller) {
        (Access::Entry, caller) => match (path.as_str(), setup_open, caller) {
            ("/login", true, _) => Redirect::to("/setup").into_response(),
            ("/setup", false, _) => Redirect::to("/login").into_response(),
            ("/login", false, Caller::Known(Principal::User { .. })) => Redirect::to("/").into_response(),
            _ => next.run(req).await,
        },
        (_, Caller::BadCredentials) => {
            json_error(StatusCode::UNAUTHORIZED, "invalid_api_key", "the API key is not valid or was revoked")
        }
        (_, Caller::Anonymous) if is_api(&path) => {
            json_error(StatusCode::UNAUTHORIZED, "unauthorized", "sign in or send an API key")
        }
        (_, Caller::Anonymous) => {
            let to = if setup_open { "/setup" } else { "/login" };
            Redirect::to(to).into_response()
        }
        (_, Caller::Known(principal)) => {
            if !principal.can_mutate() && !is_safe_method(req.method().as_str()) {
                return json_error(StatusCode::FORBIDDEN, "read_only_key", "this API key is read-only");
            }
            if let Some(value) = creds.cookie {
                req.extensions_mut().insert(SessionCookie(value));
            }
            req.extensions_mut().insert(principal);
            next.run(req).await
        }
    }
}
