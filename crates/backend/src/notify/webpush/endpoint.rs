//! Which push endpoints Sightline posts to: https URLs of push services, judged by the
//! notification address policy (`notify::ssrf`): no credentials, and no private, loopback,
//! link-local or reserved host unless the destination allows private targets. Names are checked
//! again at connect time by `notify::resolve::PolicyResolver`.

use crate::notify::ssrf::{UrlRefusal, check_url};
use thiserror::Error;
use url::Url;

/// Browsers' endpoints are a few hundred bytes; anything longer is not one.
pub const MAX_ENDPOINT_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EndpointError {
    #[error("the push endpoint is not a URL")]
    Malformed,
    #[error("the push endpoint must be an https URL")]
    NotHttps,
    #[error("the push endpoint is longer than {MAX_ENDPOINT_LEN} bytes")]
    TooLong,
    #[error("refused: {0}")]
    Refused(#[from] UrlRefusal),
}

/// Checks an endpoint as a browser sent it or as stored. `allow_private` is the destination's
/// flag; `https_only` is off only in tests that run a push service on plain loopback HTTP.
pub fn check_endpoint(raw: &str, allow_private: bool, https_only: bool) -> Result<Url, EndpointError> {
    if raw.len() > MAX_ENDPOINT_LEN {
        return Err(EndpointError::TooLong);
    }
    let url = Url::parse(raw.trim()).map_err(|_| EndpointError::Malformed)?;
    if https_only && url.scheme() != "https" {
        return Err(EndpointError::NotHttps);
    }
    check_url(&url, allow_private)?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_push_services_pass() {
        for url in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
            "https://web.push.apple.com/QGz9",
            "https://wns2-par02p.notify.windows.com/w/?token=AAA",
        ] {
            assert!(check_endpoint(url, false, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(check_endpoint("http://fcm.googleapis.com/x", false, true), Err(EndpointError::NotHttps));
        assert_eq!(check_endpoint("file:///etc/passwd", false, true), Err(EndpointError::NotHttps));
        assert_eq!(check_endpoint("not a url", false, true), Err(EndpointError::Malformed));
        for url in [
            "https://user:pw@push.example.com/x",
            "https://127.0.0.1/x",
            "https://localhost/x",
            "https://169.254.169.254/latest",
            "https://[::ffff:7f00:1]/x",
            "https://[fd00::1]/x",
            "https://2130706433/x",
            "https://0x7f.1/x",
            "https://10.0.0.5/x",
        ] {
            assert!(matches!(check_endpoint(url, false, true), Err(EndpointError::Refused(_))), "{url}");
        }
        let long = format!("https://push.example.com/{}", "a".repeat(MAX_ENDPOINT_LEN));
        assert_eq!(check_endpoint(&long, false, true), Err(EndpointError::TooLong));
    }

    #[test]
    fn allow_private_admits_a_lan_push_service_but_never_plain_http_or_metadata() {
        assert!(check_endpoint("https://10.0.0.5/push", true, true).is_ok());
        assert_eq!(check_endpoint("http://10.0.0.5/push", true, true), Err(EndpointError::NotHttps));
        assert!(check_endpoint("https://169.254.169.254/x", true, true).is_err());
    }
}
