//! The map's optional tile server: one URL template and its attribution, kept as JSON in the
//! settings table, validated here, and the image origin the Content-Security-Policy allows while
//! it is set. Without it, maps draw only the bundled world outline and load nothing from elsewhere.

use crate::AppContext;
use crate::store::{SettingStore, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The settings key holding [`TileSettings`] as JSON.
pub const TILES_KEY: &str = "map.tiles";
const MAX_URL_CHARS: usize = 500;
const MAX_ATTRIBUTION_CHARS: usize = 200;
/// The placeholders Leaflet fills in; any other `{…}` would make it throw while drawing.
const PLACEHOLDERS: &[&str] = &["{z}", "{x}", "{y}", "{-y}", "{s}", "{r}"];

/// The tile server maps use instead of the offline world outline, when the owner set one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TileSettings {
    pub url: Option<String>,
    /// Plain text credited under the map (shown as text, never as HTML).
    pub attribution: Option<String>,
}

impl TileSettings {
    /// The origin the page's `img-src` must allow, when a tile server is set.
    #[must_use]
    pub fn img_origin(&self) -> Option<String> {
        self.url.as_deref().and_then(tile_origin)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MapSettingsError {
    /// A submitted value was refused; `field` names the form input.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a tile URL template. Empty means "no tile server" (`None`). Accepted: `http` or `https`,
/// an ASCII host without credentials, and the `{z}`, `{x}` and `{y}` placeholders (`{s}` only as the
/// first label of the host, so the CSP can allow it as `*.`).
pub fn validate_tile_url(raw: &str) -> Result<Option<String>, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        rest
    } else {
        return Err("must start with https:// or http://".to_owned());
    };
    if let Some(c) = url.chars().find(|c| !c.is_ascii_graphic() || "\"'<>\\^`|".contains(*c)) {
        return Err(if c.is_whitespace() {
            "must not contain spaces".to_owned()
        } else {
            format!("must not contain {c:?} (use the xn-- form for international names)")
        });
    }
    for needed in ["{z}", "{x}"] {
        if !url.contains(needed) {
            return Err(format!("must contain {needed}, {{x}} and {{y}} where the tile numbers go"));
        }
    }
    if !url.contains("{y}") && !url.contains("{-y}") {
        return Err("must contain {z}, {x} and {y} where the tile numbers go".to_owned());
    }
    if let Some(unknown) = unknown_placeholder(url) {
        return Err(format!("{unknown} is not a placeholder Leaflet knows; use {{z}} {{x}} {{y}} {{s}} {{r}}"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not contain a user name or password".to_owned());
    }
    let host = authority.strip_prefix("{s}.").unwrap_or(authority);
    if host.contains('{') {
        return Err("only {s} may be in the host name, as its first part ({s}.tile.example.org)".to_owned());
    }
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
        return Err("has no valid host name".to_owned());
    }
    let parseable = format!("{}://{}/", &lower[..lower.len() - rest.len() - 3], host);
    match url::Url::parse(&parseable) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(Some(url.to_owned())),
        _ => Err("has no valid host name".to_owned()),
    }
}

fn unknown_placeholder(url: &str) -> Option<String> {
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { return Some("an unclosed {".to_owned()) };
        let token = &rest[start..=start + len];
        if !PLACEHOLDERS.contains(&token) {
            return Some(token.to_owned());
        }
        rest = &rest[start + len + 1..];
    }
    rest.contains('}').then(|| "a stray }".to_owned())
}

/// Checks the attribution: plain text, one line, at most 200 characters; empty means none.
pub fn validate_attribution(raw: &str) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_ATTRIBUTION_CHARS {
        return Err(format!("must be at most {MAX_ATTRIBUTION_CHARS} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line of text".to_owned());
    }
    Ok(Some(text.to_owned()))
}

/// `https://tile.example.org` for a valid template; a leading `{s}.` becomes `*.`.
#[must_use]
pub fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let origin = format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase().replace("{s}", "*"));
    origin.chars().all(|c| c.is_ascii_alphanumeric() || ".-:/[]*".contains(c)).then_some(origin)
}

/// The stored tile settings. A stored value this build refuses counts as none (and is logged).
pub async fn load<S: SettingStore + ?Sized>(store: &S) -> Result<TileSettings, StoreError> {
    let Some(json) = store.setting(TILES_KEY).await? else { return Ok(TileSettings::default()) };
    match serde_json::from_str::<TileSettings>(&json) {
        Ok(s) if s.url.as_deref().is_none_or(|u| validate_tile_url(u).is_ok()) => Ok(s),
        Ok(_) | Err(_) => {
            tracing::warn!(key = TILES_KEY, "ignoring a stored tile server this version refuses");
            Ok(TileSettings::default())
        }
    }
}

/// Validates and stores the tile settings (empty URL: back to the offline outline), audited.
pub async fn save(
    ctx: &AppContext,
    url: &str,
    attribution: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<TileSettings, MapSettingsError> {
    let url = validate_tile_url(url).map_err(|message| MapSettingsError::Invalid { field: "url", message })?;
    let attribution = validate_attribution(attribution)
        .map_err(|message| MapSettingsError::Invalid { field: "attribution", message })?;
    let settings = TileSettings { url, attribution };
    let json = serde_json::to_string(&settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ctx.store.set_setting(TILES_KEY, &json, now).await?;
    let detail = settings
        .img_origin()
        .map_or_else(|| "map tiles off (offline world outline)".to_owned(), |o| format!("map tiles from {o}"));
    ctx.auth.audit(actor, "map_tiles", &detail, None, now).await;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_tile_servers_are_accepted_as_written() {
        for url in [
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "https://{s}.tile.openstreetmap.fr/hot/{z}/{x}/{y}.png",
            "http://tiles.lan:8080/styles/basic/{z}/{x}/{y}{r}.png?key=abc",
            "https://example.org/tms/{z}/{x}/{-y}.png",
            "  https://TILES.example.org/{z}/{x}/{y}.png  ",
        ] {
            assert_eq!(validate_tile_url(url), Ok(Some(url.trim().to_owned())), "{url}");
        }
        assert_eq!(validate_tile_url("   "), Ok(None));
    }

    #[test]
    fn unsafe_or_unusable_tile_urls_are_refused_with_a_reason() {
        let refused = |url: &str, part: &str| {
            let e = validate_tile_url(url).expect_err(url);
            assert!(e.contains(part), "{url}: {e}");
        };
        refused("ftp://tile.example.org/{z}/{x}/{y}.png", "https://");
        refused("javascript:alert(1)//{z}/{x}/{y}", "https://");
        refused("https://tile.example.org/{z}/{x}.png", "{y}");
        refused("https://tile.example.org/{x}/{y}.png", "{z}");
        refused("https://user:pw@tile.example.org/{z}/{x}/{y}.png", "user name or password");
        refused("https://token@tile.example.org/{z}/{x}/{y}.png", "user name or password");
        refused("https://tile.example.org/{z}/{x}/{y}.png?a=\"<b>", "must not contain");
        refused("https://tile.example.org/{z}/{x}/{y} .png", "spaces");
        refused("https://tile.example.org/{z}/{x}/{y}/{foo}.png", "{foo}");
        refused("https://tile.example.org/{z}/{x}/{y}/{.png", "unclosed");
        refused("https://tile{s}.example.org/{z}/{x}/{y}.png", "first part");
        refused("https:///{z}/{x}/{y}.png", "host");
        refused("https://exämple.org/{z}/{x}/{y}.png", "xn--");
        refused(&format!("https://t.example.org/{}/{{z}}/{{x}}/{{y}}", "a".repeat(500)), "at most");
        refused("https://tile.example.org;script-src/{z}/{x}/{y}.png", "host");
    }

    #[test]
    fn the_csp_origin_is_scheme_and_host_with_a_wildcard_for_subdomains() {
        assert_eq!(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_origin("https://{s}.Tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(tile_origin("http://tiles.lan:8080/{z}/{x}/{y}.png?k=1").as_deref(), Some("http://tiles.lan:8080"));
        let settings = TileSettings { url: None, attribution: Some("x".into()) };
        assert_eq!(settings.img_origin(), None);
    }

    #[test]
    fn attributions_are_one_line_of_bounded_text() {
        assert_eq!(
            validate_attribution(" © OpenStreetMap contributors "),
            Ok(Some("© OpenStreetMap contributors".into()))
        );
        assert_eq!(validate_attribution(""), Ok(None));
        assert!(validate_attribution("a\nb").is_err());
        assert!(validate_attribution(&"x".repeat(201)).is_err());
    }
}
