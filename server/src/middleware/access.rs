//! Which routes need a signed-in caller. The whole unauthenticated surface is listed here,
//! in one place, so it can be reviewed at a glance.

/// How a path is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, static assets, the sign-in and setup form posts.
    Public,
    /// The sign-in and setup pages: open, but redirect when they make no sense.
    Entry,
    /// Everything else: a session or an API key is required.
    Protected,
}

/// Static files served to anyone (exact paths).
const PUBLIC_FILES: &[&str] = &[
    "/healthz",
    "/auth/login",
    "/auth/setup",
    "/manifest.webmanifest",
    "/sw.js",
    "/register-sw.js",
    "/theme-init.js",
    "/offline.html",
    "/favicon.ico",
    "/robots.txt",
];

/// Static directories served to anyone. `/vendor/` holds only third-party code and public-domain
/// map data (Leaflet, the world outline), loaded by every page's head, the sign-in page included.
const PUBLIC_PREFIXES: &[&str] = &["/pkg/", "/icons/", "/vendor/"];

#[must_use]
pub fn classify(path: &str) -> Access {
    // Anything that could be normalised into another path is never public.
    let suspicious = path.contains("..") || path.contains("//") || path.contains('%') || path.contains('\\');
    if suspicious {
        return Access::Protected;
    }
    if PUBLIC_FILES.contains(&path) || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return Access::Public;
    }
    if matches!(path, "/login" | "/setup") {
        return Access::Entry;
    }
    Access::Protected
}

/// Paths answered with JSON errors rather than redirects to the sign-in page.
#[must_use]
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/ws"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unauthenticated_surface_is_exactly_health_assets_and_the_entry_forms() {
        for p in ["/healthz", "/auth/login", "/auth/setup", "/pkg/sightline.wasm", "/icons/icon-192.png", "/sw.js"] {
            assert_eq!(classify(p), Access::Public, "{p}");
        }
        for p in ["/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css", "/vendor/world-110m.geojson"] {
            assert_eq!(classify(p), Access::Public, "{p}");
        }
        for p in ["/login", "/setup"] {
            assert_eq!(classify(p), Access::Entry, "{p}");
        }
        for p in ["/", "/account", "/api/me", "/api/v1/me", "/ws", "/auth/logout", "/auth/password", "/anything"] {
            assert_eq!(classify(p), Access::Protected, "{p}");
        }
    }

    #[test]
    fn paths_that_could_escape_a_public_directory_are_protected() {
        for p in ["/pkg/../api/me", "/pkg/%2e%2e/api", "/icons//etc", "/pkg/..\\x", "/vendor/../api/v1/me"] {
            assert_eq!(classify(p), Access::Protected, "{p}");
        }
    }

    #[test]
    fn api_and_websocket_paths_get_json_errors() {
        assert!(is_api("/api/v1/me"));
        assert!(is_api("/ws"));
        assert!(!is_api("/account"));
    }
}
