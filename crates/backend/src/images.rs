//! The image proxy's rules: which paths may be fetched from a media server (only the poster and
//! avatar paths sessions report), which answers are images, and a small on-disk cache, so
//! browsers never talk to media servers and never see a token.

use crate::AppContext;
use crate::media::server::{AdapterOptions, MediaError, connect_with};
use crate::store::StoreError;
use sha2::{Digest, Sha256};
use sightline_domain::ServerId;
use std::path::PathBuf;
use thiserror::Error;

/// Image types the proxy passes on; anything else (HTML, SVG with scripts) is refused.
const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"];

#[derive(Debug, Error)]
pub enum ImageError {
    #[error("not an image path Sightline proxies")]
    BadPath,
    #[error("no such server")]
    NoServer,
    #[error("the server did not answer with an image")]
    NotImage,
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An image and its content type.
#[derive(Debug, Clone)]
pub struct Image {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Whether `path` is one of the server-relative image paths sessions report.
#[must_use]
pub fn allowed_path(path: &str) -> bool {
    let prefixes = ["/library/metadata/", "/Items/", "/Users/"];
    path.len() <= 512
        && prefixes.iter().any(|p| path.starts_with(p))
        && !path.contains("..")
        && !path.contains("//")
        && path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
}

/// Fetches an image through the cache.
pub async fn fetch(ctx: &AppContext, server: ServerId, path: &str) -> Result<Image, ImageError> {
    if !allowed_path(path) {
        return Err(ImageError::BadPath);
    }
    let record = ctx.store.server(server).await?.ok_or(ImageError::NoServer)?;
    let file = cache_file(ctx, server, &record.url, path);
    if let Ok(bytes) = tokio::fs::read(&file).await
        && let Some(image) = decode(&bytes)
    {
        return Ok(image);
    }
    let token = ctx.store.server_token(server, &ctx.secrets).await?.ok_or(ImageError::NoServer)?;
    let options = AdapterOptions { plex_tv_url: ctx.config.plex_tv_url.clone() };
    let adapter = connect_with(record.kind, &record.url, &token, &options)?;
    let reply = adapter.image(path).await?;
    let content_type = reply
        .content_type
        .as_deref()
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .filter(|c| IMAGE_TYPES.contains(&c.as_str()))
        .ok_or(ImageError::NotImage)?;
    let image = Image { content_type, bytes: reply.body };
    if let Some(dir) = file.parent()
        && tokio::fs::create_dir_all(dir).await.is_ok()
    {
        let tmp = file.with_extension("tmp");
        let mut stored = format!("{}\n", image.content_type).into_bytes();
        stored.extend_from_slice(&image.bytes);
        if tokio::fs::write(&tmp, stored).await.is_ok() {
            let _ = tokio::fs::rename(&tmp, &file).await;
        }
    }
    Ok(image)
}

/// Keyed by server, its URL (a changed server never serves old images) and the path.
fn cache_file(ctx: &AppContext, server: ServerId, url: &str, path: &str) -> PathBuf {
    let key = hex::encode(Sha256::digest(format!("{server}|{url}|{path}")));
    ctx.config.data_dir.join("cache").join("images").join(&key[..2]).join(key)
}

fn decode(stored: &[u8]) -> Option<Image> {
    let split = stored.iter().position(|&b| b == b'\n')?;
    let content_type = std::str::from_utf8(&stored[..split]).ok()?.to_owned();
    IMAGE_TYPES.contains(&content_type.as_str()).then(|| Image { content_type, bytes: stored[split + 1..].to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reported_image_paths_are_allowed() {
        for ok in ["/library/metadata/1/thumb/1590245989", "/Items/abc-123/Images/Primary", "/Users/u1/Images/Primary"]
        {
            assert!(allowed_path(ok), "{ok}");
        }
        for bad in [
            "/status/sessions",
            "/library/metadata/../../accounts",
            "//evil.example/x.png",
            "http://evil.example/library/metadata/1",
            "/library/metadata/1?X-Plex-Token=x",
            "/Items/1/Images/Primary#x",
            "/Items/%2e%2e/x",
            "",
        ] {
            assert!(!allowed_path(bad), "{bad}");
        }
    }

    #[test]
    fn cached_entries_round_trip_and_non_images_are_ignored() {
        let image = decode(b"image/png\n\x89PNG").expect("decodes");
        assert_eq!((image.content_type.as_str(), image.bytes.as_slice()), ("image/png", &b"\x89PNG"[..]));
        assert!(decode(b"text/html\n<html>").is_none());
    }
}
