//! Keeping GeoLite2 databases current: with a MaxMind account id and license key, each edition
//! is downloaded as `.tar.gz` (`/geoip/databases/{edition}/download?suffix=tar.gz`, HTTP basic
//! auth), its `.mmdb` is unpacked, checked by opening it, written beside the old file and renamed
//! over it (atomic), and the live set is reloaded. Any failure keeps the old file. Weekly.

use super::Geo;
use crate::secret::SecretString;
use flate2::read::GzDecoder;
use maxminddb::Reader;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

/// MaxMind publishes GeoLite2 updates twice a week; weekly is plenty and polite.
pub const REFRESH_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);
/// A file younger than this is not downloaded again at start.
const FRESH_ENOUGH: Duration = Duration::from_secs(6 * 24 * 3600);
/// A City database is about 60 MB unpacked; anything far larger is refused.
const MAX_ARCHIVE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, Error)]
pub enum DownloadError {
    #[error("MaxMind refused the account id or license key (http {0})")]
    Refused(u16),
    #[error("MaxMind answered http {0}")]
    Http(u16),
    #[error("the download failed: {0}")]
    Transport(String),
    #[error("the archive holds no .mmdb file")]
    NoDatabase,
    #[error("the archive is damaged: {0}")]
    Archive(String),
    #[error("the downloaded database does not open: {0}")]
    Invalid(String),
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// Where MaxMind is and who is asking.
#[derive(Debug, Clone)]
pub struct MaxMind {
    pub base_url: String,
    pub account_id: String,
    pub license_key: SecretString,
    pub editions: Vec<String>,
}

impl MaxMind {
    /// Downloads one edition into `dir/{edition}.mmdb`, replacing the old file only on success.
    pub async fn fetch(&self, client: &reqwest::Client, edition: &str, dir: &Path) -> Result<PathBuf, DownloadError> {
        let url = format!("{}/geoip/databases/{edition}/download?suffix=tar.gz", self.base_url.trim_end_matches('/'));
        let response = client
            .get(url)
            .basic_auth(&self.account_id, Some(self.license_key.expose()))
            .send()
            .await
            .map_err(|e| DownloadError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(DownloadError::Refused(status));
        }
        if !response.status().is_success() {
            return Err(DownloadError::Http(status));
        }
        if response.content_length().is_some_and(|n| n > MAX_ARCHIVE_BYTES as u64) {
            return Err(DownloadError::Archive("larger than the size limit".to_owned()));
        }
        let archive = response.bytes().await.map_err(|e| DownloadError::Transport(e.to_string()))?;
        let target = dir.join(format!("{edition}.mmdb"));
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || install(&archive, &dir, &target))
            .await
            .map_err(|e| DownloadError::Archive(e.to_string()))?
    }
}

/// Unpacks the first `.mmdb` of a `.tar.gz`, proves it opens, and renames it into place.
fn install(archive: &[u8], dir: &Path, target: &Path) -> Result<PathBuf, DownloadError> {
    let mmdb = unpack_mmdb(archive)?;
    Reader::from_source(mmdb.as_slice()).map_err(|e| DownloadError::Invalid(e.to_string()))?;
    let write_err = |path: &Path, e: std::io::Error| DownloadError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let tmp = target.with_extension("mmdb.partial");
    std::fs::write(&tmp, &mmdb).map_err(|e| write_err(&tmp, e))?;
    std::fs::rename(&tmp, target).map_err(|e| write_err(target, e))?;
    Ok(target.to_path_buf())
}

/// The bytes of the first `.mmdb` entry in a gzip-compressed tar archive.
pub fn unpack_mmdb(archive: &[u8]) -> Result<Vec<u8>, DownloadError> {
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let entries = tar.entries().map_err(|e| DownloadError::Archive(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| DownloadError::Archive(e.to_string()))?;
        let is_mmdb = entry.path().ok().is_some_and(|p| p.extension().is_some_and(|x| x == "mmdb"));
        if !is_mmdb {
            continue;
        }
        let mut bytes = Vec::new();
        entry
            .by_ref()
            .take(MAX_ARCHIVE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| DownloadError::Archive(e.to_string()))?;
        if bytes.len() > MAX_ARCHIVE_BYTES {
            return Err(DownloadError::Archive("the database is larger than the size limit".to_owned()));
        }
        return Ok(bytes);
    }
    Err(DownloadError::NoDatabase)
}

/// Downloads every edition whose file is missing or older than a week, then reloads `geo`.
/// Returns how many editions were refreshed.
pub async fn refresh(geo: &Geo, maxmind: &MaxMind, client: &reqwest::Client, force: bool) -> usize {
    let mut refreshed = 0;
    for edition in &maxmind.editions {
        let path = geo.dir().join(format!("{edition}.mmdb"));
        let age = std::fs::metadata(&path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if !force && age.is_some_and(|a| a < FRESH_ENOUGH) {
            continue;
        }
        match maxmind.fetch(client, edition, geo.dir()).await {
            Ok(_) => {
                tracing::info!(edition, "GeoIP database downloaded");
                refreshed += 1;
            }
            Err(e) => tracing::warn!(edition, error = %e, "GeoIP download failed; keeping the current file"),
        }
    }
    if refreshed > 0 {
        geo.reload();
    }
    refreshed
}

/// The background task: refresh at start (when stale) and weekly, until `shutdown`.
pub async fn keep_fresh(geo: Geo, maxmind: MaxMind, shutdown: CancellationToken) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(600)).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the GeoIP download client");
            return;
        }
    };
    let mut force = false;
    loop {
        refresh(&geo, &maxmind, &client, force).await;
        force = true;
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(REFRESH_EVERY) => {}
        }
    }
}

#[cfg(test)]
#[path = "download_tests.rs"]
mod tests;
