//! Server functions of the Users pages: the list of people (search, order, pages), one person's
//! page (accounts per server with settings, devices, addresses, places, recent history, incidents),
//! merging people, splitting an account off, naming a person and saving an account's settings.
//! The rules live in `sightline_backend::{people, account_settings}`; the mapping in `users/convert.rs`.

#[cfg(feature = "ssr")]
pub(crate) mod convert;

use crate::components::world_map::MapMarker;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One person in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    /// The lowest trust score of the person's accounts.
    pub trust: u8,
    pub servers: Vec<String>,
    /// Account names that differ from the person's name ("ally on Attic").
    pub aliases: Vec<String>,
    pub plays: u64,
    pub watched: String,
    /// "3 h ago", or "never".
    pub last_seen: String,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub items: Vec<UserRow>,
    pub matching: u64,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// One account on a person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub server: i64,
    pub server_name: String,
    /// The media server's user id.
    pub user_id: String,
    pub name: String,
    /// "admin", "disabled".
    pub tags: Vec<String>,
    pub plays: u64,
    pub watched: String,
    pub first_play: Option<String>,
    pub last_seen: Option<String>,
    /// One network per line, as the settings form shows them.
    pub household_networks: String,
    /// Empty when the rule's limit applies.
    pub max_streams: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub name: String,
    /// "Plex for Roku · Roku".
    pub detail: String,
    pub plays: u64,
    pub watched: String,
    pub first_play: String,
    pub last_seen: String,
    pub servers: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressView {
    pub ip: String,
    /// "London, United Kingdom", or "—".
    pub place: String,
    /// "AS5089 Virgin Media", or "—".
    pub network: String,
    pub plays: u64,
    pub last_seen: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentView {
    pub title: String,
    pub when: String,
    pub watched: String,
    pub finished: bool,
    pub server_name: String,
    pub player: String,
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentView {
    pub id: i64,
    pub rule_name: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
    pub updated: String,
}

/// Everything a person's page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    /// The owner's name for the person; empty when named after the first account.
    pub custom_name: String,
    pub trust: u8,
    pub plays: u64,
    pub watched: String,
    pub last_seen: String,
    pub accounts: Vec<AccountView>,
    pub devices: Vec<DeviceView>,
    pub addresses: Vec<AddressView>,
    pub n_addresses: u64,
    pub markers: Vec<MapMarker>,
    pub recent: Vec<RecentView>,
    /// The person's accounts as the History page's `users` filter (`server:user,…`).
    pub history_users: String,
    pub incidents: Vec<IncidentView>,
}

/// A page of people: `q` searches names, `sort` is `last_seen`, `plays`, `trust` or `name`, `page`
/// is 1-based (all empty: the defaults).
#[server(endpoint = "list_users")]
pub async fn list_users(q: String, sort: String, page: String) -> Result<UserList, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let params =
        sightline_backend::people::ListParams { q: Some(q), sort: Some(sort), page: Some(page), per_page: None };
    let query = params.parse().map_err(convert::people_error)?;
    let now = sightline_backend::clock::now();
    let list = sightline_backend::people::list(&ctx, &query, now).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(convert::user_list(list, now))
}

/// One person's page.
#[server(endpoint = "get_user")]
pub async fn get_user(id: i64) -> Result<UserView, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let now = sightline_backend::clock::now();
    let page = sightline_backend::people::page(&ctx, id, now).await.map_err(|e| crate::ssr::internal(&e))?;
    page.map(|p| convert::user_view(p, now)).ok_or(AppError::NotFound)
}

/// Moves the accounts of `people` to the person `into` (audited); returns how many moved.
#[server(endpoint = "merge_users")]
pub async fn merge_users(into: i64, people: Vec<i64>) -> Result<u64, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::people::merge(&ctx, &principal.label(), into, &people, &[], now)
        .await
        .map(|done| done.moved)
        .map_err(convert::people_error)
}

/// Gives the account (`server`, `user`) of person `id` its own person again; returns that person.
#[server(endpoint = "split_user_account")]
pub async fn split_user_account(id: i64, server: i64, user: String) -> Result<i64, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let account = sightline_domain::rules::UserRef { server_id: sightline_domain::ServerId(server), user_id: user };
    let now = sightline_backend::clock::now();
    sightline_backend::people::split(&ctx, &principal.label(), id, &account, now).await.map_err(convert::people_error)
}

/// Names person `id` (empty: after the first account again).
#[server(endpoint = "rename_user")]
pub async fn rename_user(id: i64, name: String) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let now = sightline_backend::clock::now();
    sightline_backend::people::rename(&ctx, &principal.label(), id, &name, now).await.map_err(convert::people_error)
}

/// Saves an account's detection settings: household networks (one per line or comma-separated)
/// and a stream limit (empty: the rule's).
#[server(endpoint = "save_account_settings")]
pub async fn save_account_settings(
    server: i64,
    user: String,
    household_networks: String,
    max_streams: String,
) -> Result<(), AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    let input = convert::settings_input(&household_networks, &max_streams)?;
    let now = sightline_backend::clock::now();
    let server = sightline_domain::ServerId(server);
    sightline_backend::account_settings::set(&ctx, &principal.label(), server, &user, &input, now)
        .await
        .map(|_| ())
        .map_err(convert::settings_error)
}
