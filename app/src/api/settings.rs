//! Server functions of Settings → General: the owner's time zone (statistics cut days and hours in
//! it), every zone name to choose from, and the current local time there. Only the owner changes
//! it (`sightline_backend::time_zone::save`, audited).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The time-zone setting as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralSettingsView {
    /// The IANA name statistics use now.
    pub time_zone: String,
    /// Whether the owner chose it here (otherwise it comes from the server's configuration).
    pub chosen: bool,
    /// The time there when the page was read, such as `2026-11-26 13:45 CET (UTC+01:00)`.
    pub local_time: String,
    /// Every IANA zone name, sorted.
    pub zones: Vec<String>,
    /// Only the owner may change it.
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
fn settings_view(tz: sightline_backend::time_zone::Tz, chosen: bool, can_edit: bool) -> GeneralSettingsView {
    let now = sightline_backend::clock::now().with_timezone(&tz);
    GeneralSettingsView {
        time_zone: tz.name().to_owned(),
        chosen,
        local_time: now.format("%Y-%m-%d %H:%M %Z (UTC%:z)").to_string(),
        zones: sightline_backend::time_zone::names().into_iter().map(str::to_owned).collect(),
        can_edit,
    }
}

/// The owner's time zone and the names to choose from.
#[server(endpoint = "general_settings")]
pub async fn get_general_settings() -> Result<GeneralSettingsView, AppError> {
    use crate::api::map::convert::is_owner;
    let (ctx, principal) = crate::ssr::require_principal()?;
    let stored =
        sightline_backend::time_zone::stored(ctx.store.as_ref()).await.map_err(|e| crate::ssr::internal(&e))?;
    Ok(settings_view(stored.unwrap_or(ctx.config.time_zone), stored.is_some(), is_owner(&principal)))
}

/// Sets the owner's time zone (an IANA name such as `Europe/Stockholm`). Owner only; audited.
#[server(endpoint = "general_settings_time_zone")]
pub async fn save_time_zone(time_zone: String) -> Result<GeneralSettingsView, AppError> {
    use crate::api::map::convert::{answered, is_owner};
    use sightline_backend::time_zone::{TimeZoneError, save};
    let (ctx, principal) = crate::ssr::require_principal()?;
    crate::ssr::require_mutate(&principal)?;
    if !is_owner(&principal) {
        return Err(answered(AppError::Forbidden));
    }
    match save(&ctx, &time_zone, &principal.label(), sightline_backend::clock::now()).await {
        Ok(tz) => Ok(settings_view(tz, true, true)),
        Err(TimeZoneError::Invalid(message)) => {
            Err(answered(AppError::Invalid { field: "time_zone".to_owned(), message }))
        }
        Err(TimeZoneError::Store(e)) => Err(crate::ssr::internal(&e)),
    }
}
