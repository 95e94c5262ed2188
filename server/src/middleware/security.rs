//! Security headers on every response, including a Content-Security-Policy whose script
//! nonce is minted here per request and handed to Leptos for its hydration scripts.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sightline_backend::AppContext;
use sightline_backend::auth::token::random_token;

/// The per-request CSP nonce, read by the Leptos context closure.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The policy for pages: our own origin only; scripts need the nonce; WASM may compile.
#[must_use]
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn headers(State(ctx): State<AppContext>, mut req: Request, next: Next) -> Response {
    let nonce = random_token(16);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let static_asset = path.starts_with("/pkg/") || path.starts_with("/icons/");
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    let fixed: [(HeaderName, &str); 6] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    if ctx.config.is_https() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !static_asset && !h.contains_key(header::CACHE_CONTROL) {
        // Pages and API answers carry private data: never store them anywhere.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn the_policy_allows_wasm_and_nonce_scripts_but_no_inline_or_foreign_script() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).expect("has script-src");
        let tokens: Vec<&str> = script_src.split_whitespace().collect();
        assert!(!tokens.contains(&"'unsafe-inline'") && !tokens.contains(&"'unsafe-eval'"), "{script_src}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    }
}
