//! GeoIP: MaxMind-format databases (GeoLite2, GeoIP2, DB-IP Lite) from `DATA_DIR/geoip/`, looked
//! up for public client addresses only (private, loopback, link-local, ULA and CGNAT addresses
//! are classed by `sightline_domain::rules::AddressClass` and never looked up). `Geo` holds the open set behind a lock so a refreshed
//! download can be swapped in atomically; with no database everything still works and lookups
//! return only the address class.

pub mod databases;
pub mod download;
pub mod lookup;
pub mod session;

#[cfg(test)]
mod tests;

pub use databases::{DbInfo, DbRole, GeoDatabases, role_of};
pub use lookup::GeoInfo;
pub use sightline_domain::rules::AddressClass;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The folder under the data dir that holds the databases.
pub const GEOIP_DIR: &str = "geoip";

/// The live set of databases, swappable while Sightline runs.
#[derive(Clone)]
pub struct Geo {
    dir: PathBuf,
    current: Arc<RwLock<Arc<GeoDatabases>>>,
}

impl Geo {
    /// Opens whatever is in `DATA_DIR/geoip/` and logs what was found.
    #[must_use]
    pub fn open(data_dir: &Path) -> Self {
        let dir = data_dir.join(GEOIP_DIR);
        let dbs = GeoDatabases::open_dir(&dir);
        log_state(&dir, &dbs);
        Self { dir, current: Arc::new(RwLock::new(Arc::new(dbs))) }
    }

    /// Re-reads the folder and swaps the new set in (after a download, say).
    pub fn reload(&self) {
        let dbs = GeoDatabases::open_dir(&self.dir);
        log_state(&self.dir, &dbs);
        let mut current = self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Arc::new(dbs);
    }

    /// The current set (cheap: an `Arc`).
    #[must_use]
    pub fn databases(&self) -> Arc<GeoDatabases> {
        Arc::clone(&self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    #[must_use]
    pub fn lookup(&self, ip: IpAddr) -> GeoInfo {
        self.databases().lookup(ip)
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn log_state(dir: &Path, dbs: &GeoDatabases) {
    for p in &dbs.problems {
        tracing::warn!(dir = %dir.display(), "geoip: {p}");
    }
    if dbs.can_locate() {
        for info in dbs.infos() {
            tracing::info!(file = %info.file, kind = %info.database_type, "geoip database loaded");
        }
    } else {
        tracing::info!(
            dir = %dir.display(),
            "no GeoIP city or country database: locations stay empty (put GeoLite2-City.mmdb there)"
        );
    }
}
