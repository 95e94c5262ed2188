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

/// The policy for pages: our own origin only; scripts need the nonce; WASM may compile. Images may
/// also come from the map's tile server, only while the owner has set one (`tile_origin`).
#[must_use]
pub fn content_security_policy(nonce: &str, tile_origin: Option<&str>) -> String {
    let tiles = tile_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{tiles}; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn headers(State(ctx): State<AppContext>, mut req: Request, next: Next) -> Response {
    let nonce = random_token(16);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let tile_origin = if is_html(&res) { tile_origin(&ctx).await } else { None };
    let h = res.headers_mut();
    let static_asset = path.starts_with("/pkg/") || path.starts_with("/icons/") || path.starts_with("/vendor/");
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce, tile_origin.as_deref())) {
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

fn is_html(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// The tile server's origin for a page's `img-src`; none when unset or unreadable (maps then stay offline).
async fn tile_origin(ctx: &AppContext) -> Option<String> {
    match sightline_backend::map_settings::load(ctx.store.as_ref()).await {
        Ok(settings) => settings.img_origin(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the map tile setting; maps stay offline");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn the_policy_allows_wasm_and_nonce_scripts_but_no_inline_or_foreign_script() {
        let csp = content_security_policy("abc", None);
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).expect("has script-src");
        let tokens: Vec<&str> = script_src.split_whitespace().collect();
        assert!(!tokens.contains(&"'unsafe-inline'") && !tokens.contains(&"'unsafe-eval'"), "{script_src}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    }

    #[test]
    fn images_may_come_from_the_tile_server_only_when_one_is_set() {
        let img_src =
            |csp: &str| csp.split(';').find(|d| d.trim().starts_with("img-src")).map(str::trim).map(str::to_owned);
        assert_eq!(img_src(&content_security_policy("n", None)).as_deref(), Some("img-src 'self' data: blob:"));
        let with_tiles = content_security_policy("n", Some("https://tile.openstreetmap.org"));
        assert_eq!(img_src(&with_tiles).as_deref(), Some("img-src 'self' data: blob: https://tile.openstreetmap.org"));
        assert!(with_tiles.contains("connect-src 'self';"), "tiles are images only: {with_tiles}");
    }
}
