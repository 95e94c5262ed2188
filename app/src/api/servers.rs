//! Server functions of the Settings → Servers page: list, add, change, enable/disable, remove
//! and connection-test media servers. Thin: the rules live in `sightline_backend::servers`, as
//! for `/api/v1/servers`. Tokens become `SecretString`s on arrival and are never returned.

use crate::error::AppError;
use crate::model::servers::{ServerView, TestOutcome, TokenInput};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
#[path = "servers_convert.rs"]
mod convert;

/// Every configured server with its live health, in the store's order.
#[server(endpoint = "servers_list")]
pub async fn servers_list() -> Result<Vec<ServerView>, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let records = ctx.store.list_servers().await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(records.into_iter().map(|r| convert::view_with_board(&ctx, r)).collect())
}

/// Adds a server. An empty colour means the default one.
#[server(endpoint = "servers_create")]
pub async fn servers_create(
    kind: String,
    name: String,
    url: String,
    token: TokenInput,
    color: Option<String>,
) -> Result<ServerView, AppError> {
    use sightline_backend::secret::SecretString;
    use sightline_backend::servers::{self, ServerInput};
    let (ctx, principal) = crate::ssr::require_principal()?;
    let token = SecretString::new(token.into_inner());
    crate::ssr::require_mutate(&principal)?;
    let color = color.filter(|c| !c.trim().is_empty());
    let input = ServerInput { kind, name, url, token, color, enabled: None };
    let record = servers::create(&ctx, input, &principal.label(), sightline_backend::clock::now())
        .await
        .map_err(convert::failed)?;
    Ok(convert::view_with_board(&ctx, record))
}

/// Renames a server, changes its address and colour, and replaces its token when `token` is
/// not empty (empty keeps the current one).
#[server(endpoint = "servers_update")]
pub async fn servers_update(
    id: i64,
    name: String,
    url: String,
    color: Option<String>,
    token: Option<TokenInput>,
) -> Result<ServerView, AppError> {
    use sightline_backend::secret::SecretString;
    use sightline_backend::servers::{self, ServerPatch};
    use sightline_domain::ServerId;
    let (ctx, principal) = crate::ssr::require_principal()?;
    let token = token.filter(|t| !t.is_empty()).map(|t| SecretString::new(t.into_inner()));
    crate::ssr::require_mutate(&principal)?;
    let patch = ServerPatch {
        name: Some(name),
        url: Some(url),
        token,
        color: color.filter(|c| !c.trim().is_empty()),
        enabled: None,
    };
    let record = servers::update(&ctx, ServerId(id), patch, &principal.label(), sightline_backend::clock::now())
        .await
        .map_err(convert::failed)?;
    Ok(convert::view_with_board(&ctx, record))
}

/// Enables or disables a server; a disabled server is kept with its history but not watched.
#[server(endpoint = "servers_set_enabled")]
pub async fn servers_set_enabled(id: i64, enabled: bool) -> Result<ServerView, AppError> {
    use sightline_backend::servers::{self, ServerPatch};
    use sightline_domain::ServerId;
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let patch = ServerPatch { enabled: Some(enabled), ..ServerPatch::default() };
    let record = servers::update(&ctx, ServerId(id), patch, &principal.label(), sightline_backend::clock::now())
        .await
        .map_err(convert::failed)?;
    Ok(convert::view_with_board(&ctx, record))
}

/// Removes a server and, with it, its recorded history.
#[server(endpoint = "servers_delete")]
pub async fn servers_delete(id: i64) -> Result<(), AppError> {
    use sightline_backend::servers;
    use sightline_domain::ServerId;
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    servers::delete(&ctx, ServerId(id), &principal.label(), sightline_backend::clock::now())
        .await
        .map_err(convert::failed)
}

/// Connects to a stored server with its stored token and reports what happened.
#[server(endpoint = "servers_test")]
pub async fn servers_test(id: i64) -> Result<TestOutcome, AppError> {
    use sightline_backend::servers;
    use sightline_domain::ServerId;
    let (ctx, _principal) = crate::ssr::require_principal()?;
    match servers::test_connection(&ctx, ServerId(id)).await {
        Ok(result) => Ok(convert::outcome(result)),
        Err(e) => convert::test_error(e),
    }
}
