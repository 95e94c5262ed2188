//! The owner's time zone, which statistics cut days and hours in: an IANA name kept in the
//! settings table (Settings → General), falling back to `SIGHTLINE_TIME_ZONE` / `time_zone` in the
//! configuration, then UTC. Validation, the list of names to choose from, and the audited save.

use crate::AppContext;
use crate::store::{SettingStore, StoreError};
use chrono::{DateTime, Utc};
use chrono_tz::TZ_VARIANTS;
/// The zone type (from the IANA database), for callers that do not depend on `chrono-tz`.
pub use chrono_tz::Tz;

/// The settings key holding the zone's IANA name.
pub const TIME_ZONE_KEY: &str = "time_zone";
const MAX_NAME_CHARS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum TimeZoneError {
    /// The name is not a zone; the message says why.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The zone called `name` (an IANA name such as `Europe/Stockholm`; letter case is forgiven).
///
/// # Errors
/// An empty, overlong or unknown name, with a message for the person who typed it.
pub fn parse(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("choose a time zone".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    name.parse::<Tz>()
        .ok()
        .or_else(|| TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name)))
        .ok_or_else(|| format!("{name:?} is not a time zone name like Europe/Stockholm or America/New_York"))
}

/// Every zone name, sorted, for the settings page's list.
#[must_use]
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

/// The stored zone, if the owner chose one this build knows (an unknown one is logged and ignored).
pub async fn stored<S: SettingStore + ?Sized>(store: &S) -> Result<Option<Tz>, StoreError> {
    let Some(name) = store.setting(TIME_ZONE_KEY).await? else { return Ok(None) };
    match parse(&name) {
        Ok(tz) => Ok(Some(tz)),
        Err(_) => {
            tracing::warn!(key = TIME_ZONE_KEY, "ignoring a stored time zone this version does not know");
            Ok(None)
        }
    }
}

/// The owner's zone: the stored choice, else the configured default.
pub async fn current(ctx: &AppContext) -> Result<Tz, StoreError> {
    Ok(stored(ctx.store.as_ref()).await?.unwrap_or(ctx.config.time_zone))
}

/// Validates and stores the owner's zone, audited.
pub async fn save(ctx: &AppContext, name: &str, actor: &str, now: DateTime<Utc>) -> Result<Tz, TimeZoneError> {
    let tz = parse(name).map_err(TimeZoneError::Invalid)?;
    ctx.store.set_setting(TIME_ZONE_KEY, tz.name(), now).await?;
    ctx.auth.audit(actor, "time_zone", &format!("time zone {}", tz.name()), None, now).await;
    Ok(tz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_iana_zones_in_any_letter_case() {
        assert_eq!(parse("Europe/Stockholm"), Ok(chrono_tz::Europe::Stockholm));
        assert_eq!(parse("  europe/stockholm "), Ok(chrono_tz::Europe::Stockholm));
        assert_eq!(parse("UTC"), Ok(Tz::UTC));
        assert!(parse("").is_err());
        assert!(parse("Europe/Atlantis").expect_err("unknown").contains("Europe/Atlantis"));
        assert!(parse(&"A".repeat(65)).is_err());
        let all = names();
        assert!(all.len() > 400);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(all.contains(&"Asia/Kathmandu"));
    }

    #[tokio::test]
    async fn the_stored_zone_wins_over_the_configured_one_and_saving_is_audited() {
        let (_dir, ctx, _) = crate::test_ctx::context().await;
        assert_eq!(current(&ctx).await.expect("read"), ctx.config.time_zone);
        let now = crate::clock::now();
        assert!(matches!(save(&ctx, "Mars/Base", "owner", now).await, Err(TimeZoneError::Invalid(_))));
        let tz = save(&ctx, "america/sao_paulo", "owner", now).await.expect("saved");
        assert_eq!(tz, chrono_tz::America::Sao_Paulo);
        assert_eq!(current(&ctx).await.expect("read"), chrono_tz::America::Sao_Paulo);
        assert_eq!(ctx.store.setting(TIME_ZONE_KEY).await.expect("read").as_deref(), Some("America/Sao_Paulo"));
        let audit = ctx.store.recent_audit(10).await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "time_zone" && e.detail.contains("America/Sao_Paulo")), "{audit:?}");
        // A name this build no longer knows falls back to the configuration.
        ctx.store.set_setting(TIME_ZONE_KEY, "Gone/Zone", now).await.expect("write");
        assert_eq!(current(&ctx).await.expect("read"), ctx.config.time_zone);
    }
}
