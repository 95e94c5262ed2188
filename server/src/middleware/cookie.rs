//! The session cookie: its name, how it is set and cleared, and how it is read back.

use sightline_backend::config::Config;

/// The cookie name; `__Host-` (which browsers bind to https, this host and `/`) when served over https.
#[must_use]
pub fn name(config: &Config) -> &'static str {
    if config.is_https() { "__Host-sightline_session" } else { "sightline_session" }
}

/// A `Set-Cookie` value for a new session: HttpOnly, SameSite=Lax, Path=/, Secure on https.
#[must_use]
pub fn set(config: &Config, value: &str, max_age_secs: i64) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    format!("{}={value}; Max-Age={max_age_secs}; Path=/; HttpOnly; SameSite=Lax{secure}", name(config))
}

/// A `Set-Cookie` value that deletes the session cookie.
#[must_use]
pub fn clear(config: &Config) -> String {
    set(config, "", 0)
}

/// The session cookie's value from the request's `Cookie` headers.
pub fn read<'a>(config: &Config, cookie_headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = name(config);
    cookie_headers
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == wanted && !v.is_empty())
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn https() -> Config {
        Config { base_url: Some("https://s.example".parse().expect("url")), ..Config::default() }
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_only_over_https() {
        let plain = set(&Config::default(), "abc", 60);
        assert_eq!(plain, "sightline_session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax");
        let secure = set(&https(), "abc", 60);
        assert!(secure.starts_with("__Host-sightline_session=abc;") && secure.ends_with("; Secure"), "{secure}");
        assert!(clear(&Config::default()).contains("Max-Age=0"));
    }

    #[test]
    fn the_session_value_is_found_among_other_cookies() {
        let c = Config::default();
        assert_eq!(read(&c, ["a=1; sightline_session=xyz; b=2"].into_iter()), Some("xyz"));
        assert_eq!(read(&c, ["a=1", "sightline_session=xyz"].into_iter()), Some("xyz"));
        assert_eq!(read(&c, ["sightline_session="].into_iter()), None);
        assert_eq!(read(&c, ["other_session=xyz"].into_iter()), None);
        assert_eq!(read(&https(), ["sightline_session=xyz"].into_iter()), None, "https uses the prefixed name");
    }
}
