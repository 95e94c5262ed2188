//! Server functions for the account page: the API keys that exist (never their secrets).

use crate::error::AppError;
use crate::model::ApiKeyView;
use leptos::prelude::*;

/// Active API keys, oldest first.
#[server(endpoint = "api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let keys = ctx.store.list_api_keys().await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(keys
        .into_iter()
        .map(|k| ApiKeyView {
            id: k.id.0,
            name: k.name,
            prefix: k.prefix,
            read_only: k.read_only,
            created_at: crate::ssr::fmt_time(k.created_at),
            last_used_at: k.last_used_at.map(crate::ssr::fmt_time),
        })
        .collect())
}
