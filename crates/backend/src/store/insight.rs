//! Read queries behind the Map and Alerts pages, aggregated and filtered in SQL: where plays came
//! from (grouped by place), the accounts that streamed, and incidents filtered and paged newest
//! first with the names of their account, server and rule. Nothing here writes.

use super::{IncidentRecord, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::{Severity, UserRef};

/// Which located plays to group into places.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceFilter {
    /// Plays started at or after this moment; all plays when `None`.
    pub since: Option<DateTime<Utc>>,
    pub server: Option<ServerId>,
    /// One account (its server and the server's user id).
    pub user: Option<UserRef>,
}

/// Plays from one place: rounded coordinates (two decimals, about 1 km) with a city and country.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRecord {
    pub lat: f64,
    pub lon: f64,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub plays: u64,
    /// Distinct accounts.
    pub n_users: u64,
    /// Their names, sorted; at most [`MAX_PLACE_NAMES`].
    pub users: Vec<String>,
    pub last_started_at: DateTime<Utc>,
}

/// How many account names a place carries.
pub const MAX_PLACE_NAMES: usize = 12;

/// Counts behind the map's empty states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlaceTotals {
    /// Plays matching the filter, located or not.
    pub plays: u64,
    /// Of those, the ones with a location.
    pub located: u64,
    /// Whether any play was ever located, whatever the filter (no GeoIP database otherwise).
    pub any_located: bool,
}

/// An account that has streamed, for filter lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChoice {
    pub user: UserRef,
    pub name: String,
    pub server_name: String,
}

/// An incident's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    Open,
    Acknowledged,
    Dismissed,
}

impl IncidentStatus {
    pub const ALL: [Self; 3] = [Self::Open, Self::Acknowledged, Self::Dismissed];

    /// The name stored in `incidents.status`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Dismissed => "dismissed",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which incidents to list; `statuses` empty means every status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub statuses: Vec<IncidentStatus>,
    pub severity: Option<Severity>,
    pub user: Option<UserRef>,
    pub rule_id: Option<String>,
}

/// Where a page of incidents ends: the last one's `updated_at` and id (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentCursor {
    pub updated_at: DateTime<Utc>,
    pub id: i64,
}

/// An incident with the names the pages show next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentListing {
    pub record: IncidentRecord,
    pub account_name: Option<String>,
    pub server_name: Option<String>,
}

/// One page of incidents and, when more follow, the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    pub items: Vec<IncidentListing>,
    pub next: Option<IncidentCursor>,
}

/// A value to filter incidents by, with its label and how many incidents have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet<T> {
    pub value: T,
    pub label: String,
    pub count: u64,
}

/// What the incident filters can choose from, and the count per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFacets {
    pub users: Vec<Facet<UserRef>>,
    pub rules: Vec<Facet<String>>,
    pub open: u64,
    pub acknowledged: u64,
    pub dismissed: u64,
}

impl IncidentFacets {
    #[must_use]
    pub fn total(&self) -> u64 {
        self.open + self.acknowledged + self.dismissed
    }
}

/// Aggregations for the Map and Alerts pages.
#[async_trait]
pub trait InsightStore: Send + Sync {
    /// Located plays grouped by place, most plays first; at most `limit` places.
    async fn play_places(&self, filter: &PlaceFilter, limit: u32) -> Result<Vec<PlaceRecord>, StoreError>;
    async fn place_totals(&self, filter: &PlaceFilter) -> Result<PlaceTotals, StoreError>;
    /// Accounts with at least one play, by name.
    async fn streaming_accounts(&self) -> Result<Vec<AccountChoice>, StoreError>;
    /// Incidents matching `filter`, most recently updated first, after `after` (the previous
    /// page's cursor); at most `limit`.
    async fn incident_page(
        &self,
        filter: &IncidentFilter,
        after: Option<IncidentCursor>,
        limit: u32,
    ) -> Result<IncidentPage, StoreError>;
    async fn incident_listing(&self, id: i64) -> Result<Option<IncidentListing>, StoreError>;
    async fn incident_facets(&self) -> Result<IncidentFacets, StoreError>;
}
