//! The cross-site request check for state-changing requests made with ambient credentials
//! (cookies). Leptos server functions have no CSRF protection of their own, so every unsafe
//! method must prove it came from our own pages: a matching `Origin`, or, when a browser
//! sends no `Origin`, `Sec-Fetch-Site: same-origin`.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OriginError {
    #[error("cross-origin request from {0} refused")]
    CrossOrigin(String),
    #[error("cross-site request refused (Sec-Fetch-Site: {0})")]
    CrossSite(String),
    #[error("request without Origin or Sec-Fetch-Site refused")]
    Missing,
}

/// Methods that never change state and so need no check.
#[must_use]
pub fn is_safe_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// What the request says about where it came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestOrigin<'a> {
    pub origin: Option<&'a str>,
    pub sec_fetch_site: Option<&'a str>,
    /// The `Host` header, used when no base URL is configured.
    pub host: Option<&'a str>,
}

/// Checks an unsafe request. `expected` is the configured public origin, if any; otherwise
/// the origin must name the same host (and port) the request was sent to.
pub fn check(req: RequestOrigin<'_>, expected: Option<&str>) -> Result<(), OriginError> {
    if let Some(origin) = req.origin {
        let origin = origin.trim();
        let ok = match expected {
            Some(exp) => origin.eq_ignore_ascii_case(exp.trim_end_matches('/')),
            None => host_of(origin).zip(req.host).is_some_and(|(o, h)| o.eq_ignore_ascii_case(h.trim())),
        };
        return if ok { Ok(()) } else { Err(OriginError::CrossOrigin(origin.chars().take(100).collect())) };
    }
    match req.sec_fetch_site {
        Some("same-origin" | "none") => Ok(()),
        Some(other) => Err(OriginError::CrossSite(other.chars().take(40).collect())),
        None => Err(OriginError::Missing),
    }
}

/// `http://host:port` → `host:port`; `null` and non-http origins → `None`.
fn host_of(origin: &str) -> Option<&str> {
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(origin: Option<&'a str>, site: Option<&'a str>, host: Option<&'a str>) -> RequestOrigin<'a> {
        RequestOrigin { origin, sec_fetch_site: site, host }
    }

    #[test]
    fn same_host_origins_pass_without_a_base_url() {
        assert_eq!(check(req(Some("http://localhost:3000"), None, Some("localhost:3000")), None), Ok(()));
        assert!(check(req(Some("http://evil.example"), None, Some("localhost:3000")), None).is_err());
        assert!(check(req(Some("http://localhost:3001"), None, Some("localhost:3000")), None).is_err());
        assert!(check(req(Some("null"), None, Some("localhost:3000")), None).is_err());
    }

    #[test]
    fn with_a_base_url_only_its_origin_passes() {
        let exp = Some("https://sightline.example");
        assert_eq!(check(req(Some("https://sightline.example"), None, Some("internal:3000")), exp), Ok(()));
        assert!(check(req(Some("http://sightline.example"), None, Some("sightline.example")), exp).is_err());
        assert!(check(req(Some("https://sightline.example.evil"), None, None), exp).is_err());
    }

    #[test]
    fn without_origin_sec_fetch_site_decides_and_silence_is_refused() {
        assert_eq!(check(req(None, Some("same-origin"), None), None), Ok(()));
        assert_eq!(check(req(None, Some("cross-site"), None), None), Err(OriginError::CrossSite("cross-site".into())));
        assert_eq!(check(req(None, Some("same-site"), None), None), Err(OriginError::CrossSite("same-site".into())));
        assert_eq!(check(req(None, None, Some("localhost:3000")), None), Err(OriginError::Missing));
    }

    #[test]
    fn only_unsafe_methods_need_the_check() {
        assert!(is_safe_method("GET"));
        assert!(!is_safe_method("POST"));
        assert!(!is_safe_method("DELETE"));
    }
}
