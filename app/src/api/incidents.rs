//! Server functions of the Alerts pages: incidents filtered and paged in SQL (newest update first),
//! the filter choices, one incident with its evidence, sessions and places, and acknowledge /
//! dismiss / reopen (audited, as `PATCH /api/v1/incidents/{id}` is). Mapping in `incidents/convert.rs`.

#[cfg(feature = "ssr")]
pub(crate) mod convert;

use crate::api::map::Choice;
use crate::components::world_map::{MapLine, MapMarker, TileSpec};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Incidents per page.
pub const PAGE_SIZE: u32 = 25;

/// One incident in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: i64,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: String,
    /// `open`, `acknowledged`, `dismissed`.
    pub status: String,
    pub summary: String,
    pub rule_name: String,
    /// "Impossible travel".
    pub kind: String,
    pub account: String,
    pub server: String,
    pub occurrences: u32,
    pub opened: String,
    pub updated: String,
    /// "5 min ago".
    pub updated_ago: String,
}

/// What the filters can choose from, and how many incidents there are per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetsView {
    pub users: Vec<Choice>,
    pub rules: Vec<Choice>,
    pub open: u64,
    pub acknowledged: u64,
    pub dismissed: u64,
}

impl FacetsView {
    #[must_use]
    pub fn total(&self) -> u64 {
        self.open + self.acknowledged + self.dismissed
    }
}

/// One page of incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub items: Vec<IncidentRow>,
    /// The `after` value of the next page, when there is one.
    pub next: Option<String>,
    pub facets: FacetsView,
}

/// One session behind an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    pub ip: String,
    pub place: String,
    /// "AS29518 Bredband2".
    pub network: String,
    pub device: String,
    pub player: String,
    pub product: String,
    pub started: String,
    pub last_seen: String,
}

/// One incident with everything behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub row: IncidentRow,
    pub rule_id: String,
    pub user_id: String,
    pub measured: String,
    pub threshold: String,
    /// Further numbers: (name, value).
    pub facts: Vec<(String, String)>,
    pub sessions: Vec<SessionRow>,
    pub markers: Vec<MapMarker>,
    pub lines: Vec<MapLine>,
    pub tiles: Option<TileSpec>,
}

/// A page of incidents. Every filter is a query value, empty meaning "any": `severity` (`low` …
/// `critical`), `status` (`open`, `acknowledged`, `dismissed`, or `active` for the first two), `user`
/// (`server:user`), `rule` (a rule id); `after` is the previous page's [`IncidentList::next`].
#[server(endpoint = "incidents_list")]
pub async fn list_incidents(
    severity: String,
    status: String,
    user: String,
    rule: String,
    after: String,
) -> Result<IncidentList, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let answered = crate::api::map::convert::answered;
    let filter = convert::incident_filter(&severity, &status, &user, &rule).map_err(answered)?;
    let after = convert::parse_cursor(&after).map_err(answered)?;
    let internal = |e: sightline_backend::store::StoreError| crate::ssr::internal(&e);
    let page = ctx.store.incident_page(&filter, after, PAGE_SIZE).await.map_err(internal)?;
    let facets = ctx.store.incident_facets().await.map_err(internal)?;
    Ok(convert::incident_list(page, facets, sightline_backend::clock::now()))
}

/// One incident, with its evidence, sessions and a map of their places.
#[server(endpoint = "incident_get")]
pub async fn get_incident(id: i64) -> Result<IncidentDetail, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let internal = |e: sightline_backend::store::StoreError| crate::ssr::internal(&e);
    let missing = || crate::api::map::convert::answered(AppError::NotFound);
    let listing = ctx.store.incident_listing(id).await.map_err(internal)?.ok_or_else(missing)?;
    let tiles = sightline_backend::map_settings::load(ctx.store.as_ref()).await.map_err(internal)?;
    Ok(convert::incident_detail(listing, crate::api::map::convert::tile_spec(tiles), sightline_backend::clock::now()))
}

/// Acknowledges, dismisses or reopens an incident (`status` is `acknowledged`, `dismissed` or `open`);
/// returns the new status. Audited.
#[server(endpoint = "incident_set_status")]
pub async fn set_incident_status(id: i64, status: String) -> Result<String, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    let answered = crate::api::map::convert::answered;
    crate::ssr::require_mutate(&principal).map_err(answered)?;
    let now = sightline_backend::clock::now();
    let record = sightline_backend::incidents::set_status(&ctx, &principal.label(), id, &status, now)
        .await
        .map_err(|e| answered(convert::status_failed(e)))?;
    Ok(record.status)
}
