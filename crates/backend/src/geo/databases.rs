//! The MaxMind-format databases in `DATA_DIR/geoip/`: each `.mmdb` file is opened once and
//! recognised by its own metadata (`database_type`), so GeoLite2, GeoIP2 and DB-IP Lite files
//! work whatever they are called. A file that cannot be read is reported and skipped.

use chrono::{DateTime, Utc};
use maxminddb::Reader;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a database answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DbRole {
    /// City, region, postal code, coordinates (GeoIP2/GeoLite2/DB-IP City).
    City,
    /// Country only (used when no City database is present).
    Country,
    /// Autonomous system number and organisation.
    Asn,
    /// VPN, hosting, proxy and Tor flags (GeoIP2 Anonymous IP).
    AnonymousIp,
}

/// What Settings shows about one database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbInfo {
    pub role: DbRole,
    pub file: String,
    /// The `database_type` the file declares, e.g. `GeoLite2-City`.
    pub database_type: String,
    pub built_at: Option<DateTime<Utc>>,
}

pub(super) struct Db {
    pub info: DbInfo,
    pub reader: Reader<Vec<u8>>,
}

/// Every database found, the best one per role first.
#[derive(Default)]
pub struct GeoDatabases {
    pub(super) dbs: Vec<Db>,
    /// Files that were skipped, with the reason.
    pub problems: Vec<String>,
}

/// The role a `database_type` names, if any (`GeoIP2-City`, `GeoLite2-ASN`, `DBIP-City-Lite`, …).
#[must_use]
pub fn role_of(database_type: &str) -> Option<DbRole> {
    let t = database_type.to_ascii_lowercase();
    if t.contains("anonymous") {
        Some(DbRole::AnonymousIp)
    } else if t.contains("asn") {
        Some(DbRole::Asn)
    } else if t.contains("city") {
        Some(DbRole::City)
    } else if t.contains("country") {
        Some(DbRole::Country)
    } else {
        None
    }
}

impl GeoDatabases {
    /// Opens every `.mmdb` file in `dir` (missing dir: no databases, no problem).
    #[must_use]
    pub fn open_dir(dir: &Path) -> Self {
        let mut found = Self::default();
        let Ok(entries) = std::fs::read_dir(dir) else { return found };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("mmdb")))
            .collect();
        paths.sort();
        for path in paths {
            found.add(&path);
        }
        // City before Country; among one role, the newest build first.
        found.dbs.sort_by(|a, b| a.info.role.cmp(&b.info.role).then(b.info.built_at.cmp(&a.info.built_at)));
        found
    }

    fn add(&mut self, path: &Path) {
        let file = path.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        let reader = match Reader::open_readfile(path) {
            Ok(r) => r,
            Err(e) => {
                self.problems.push(format!("{file}: not a readable MaxMind database ({e})"));
                return;
            }
        };
        let database_type = reader.metadata().database_type.clone();
        let Some(role) = role_of(&database_type) else {
            self.problems.push(format!("{file}: unsupported database type {database_type:?}"));
            return;
        };
        let built_at = i64::try_from(reader.metadata().build_epoch).ok().and_then(|s| DateTime::from_timestamp(s, 0));
        self.dbs.push(Db { info: DbInfo { role, file, database_type, built_at }, reader });
    }

    /// The databases in use, best first per role.
    #[must_use]
    pub fn infos(&self) -> Vec<DbInfo> {
        self.dbs.iter().map(|d| d.info.clone()).collect()
    }

    pub(super) fn first(&self, role: DbRole) -> Option<&Db> {
        self.dbs.iter().find(|d| d.info.role == role)
    }

    /// Whether anything can place an address on the map.
    #[must_use]
    pub fn can_locate(&self) -> bool {
        self.first(DbRole::City).is_some() || self.first(DbRole::Country).is_some()
    }
}
