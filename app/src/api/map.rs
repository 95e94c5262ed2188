//! Server functions of the Map page: where plays came from (grouped by place in SQL; places of open
//! or acknowledged incidents highlighted), the filter choices, and the optional tile server that every
//! map reads and the owner changes in Settings → Map. The mapping lives in `map/convert.rs`.

#[cfg(feature = "ssr")]
pub(crate) mod convert;

use crate::components::world_map::{MapMarker, TileSpec};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The map's time filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
    All,
}

impl Period {
    pub const ALL: [Self; 5] = [Self::Day, Self::Week, Self::Month, Self::Year, Self::All];
    pub const DEFAULT: Self = Self::Month;

    /// The query-string value.
    #[must_use]
    pub fn param(self) -> &'static str {
        match self {
            Self::Day => "24h",
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Year => "1y",
            Self::All => "all",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Day => "Last 24 hours",
            Self::Week => "Last 7 days",
            Self::Month => "Last 30 days",
            Self::Year => "Last year",
            Self::All => "All time",
        }
    }

    /// A query-string value; empty means the default.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Self::DEFAULT);
        }
        Self::ALL.into_iter().find(|p| p.param() == s)
    }

    /// How far back the period reaches; `None` for all time.
    #[must_use]
    pub fn hours(self) -> Option<i64> {
        match self {
            Self::Day => Some(24),
            Self::Week => Some(7 * 24),
            Self::Month => Some(30 * 24),
            Self::Year => Some(365 * 24),
            Self::All => None,
        }
    }
}

/// One option of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Plays from one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceView {
    pub lat: f64,
    pub lon: f64,
    /// "London, United Kingdom".
    pub place: String,
    pub plays: u64,
    pub n_users: u64,
    /// Account names (at most a dozen).
    pub users: Vec<String>,
    /// Involved in an open or acknowledged incident.
    pub highlighted: bool,
    pub last_play: String,
}

impl PlaceView {
    /// "2 accounts: alice, bob".
    #[must_use]
    pub fn users_line(&self) -> String {
        let noun = if self.n_users == 1 { "account" } else { "accounts" };
        let more = self.n_users.saturating_sub(self.users.len() as u64);
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("{} {noun}: {}{tail}", self.n_users, self.users.join(", "))
    }

    /// The place as a map marker, with its popup lines.
    #[must_use]
    pub fn marker(&self) -> MapMarker {
        let plays = format!("{} {}", self.plays, if self.plays == 1 { "play" } else { "plays" });
        let mut lines = vec![plays, self.users_line(), format!("Last: {}", self.last_play)];
        if self.highlighted {
            lines.push("Involved in an open incident".to_owned());
        }
        MapMarker {
            lat: self.lat,
            lon: self.lon,
            count: self.plays,
            highlighted: self.highlighted,
            title: self.place.clone(),
            lines,
        }
    }
}

/// Everything the Map page shows for one filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    /// Most plays first.
    pub places: Vec<PlaceView>,
    /// Plays in the filter, and how many of them were located.
    pub n_plays: u64,
    pub n_located: u64,
    /// Why the map is empty, when it is.
    pub empty: Option<String>,
    pub servers: Vec<Choice>,
    pub users: Vec<Choice>,
    pub tiles: Option<TileSpec>,
}

/// The tile server setting as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileSettingsView {
    /// Empty when maps use the offline world outline.
    pub url: String,
    pub attribution: String,
    /// The origin browsers load tiles from (and the CSP allows), when set.
    pub origin: Option<String>,
    /// Only the owner may change it.
    pub can_edit: bool,
}

/// Located plays grouped by place. `period` is a [`Period::param`] (empty: the default); `server`
/// a server id and `user` a `server:user` value from [`MapView::users`] (empty: all).
#[server(endpoint = "map_places")]
pub async fn get_map(period: String, server: String, user: String) -> Result<MapView, AppError> {
    let (ctx, _) = crate::ssr::require_principal()?;
    let now = sightline_backend::clock::now();
    let filter = convert::place_filter(&period, &server, &user, now).map_err(convert::answered)?;
    convert::map_view(&ctx, &filter, now).await.map_err(|e| crate::ssr::internal(&e))
}

/// The tile server maps use (none: the offline world outline).
#[server(endpoint = "map_tiles")]
pub async fn get_tile_settings() -> Result<TileSettingsView, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    let settings =
        sightline_backend::map_settings::load(ctx.store.as_ref()).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(convert::tile_settings_view(settings, convert::is_owner(&principal)))
}

/// Sets (or, with an empty URL, removes) the tile server. Owner only; audited.
#[server(endpoint = "map_tiles_save")]
pub async fn save_tile_settings(url: String, attribution: String) -> Result<TileSettingsView, AppError> {
    let (ctx, principal) = crate::ssr::require_principal()?;
    if !convert::is_owner(&principal) {
        return Err(convert::answered(AppError::Forbidden));
    }
    let now = sightline_backend::clock::now();
    match sightline_backend::map_settings::save(&ctx, &url, &attribution, &principal.label(), now).await {
        Ok(settings) => Ok(convert::tile_settings_view(settings, true)),
        Err(e) => Err(convert::answered(convert::settings_error(e))),
    }
}
