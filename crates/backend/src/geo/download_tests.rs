//! Downloads from a MaxMind stand-in on loopback (real HTTP): a good archive is installed and
//! reloaded, refused credentials and damaged archives keep the old file.

use super::{DownloadError, MaxMind, refresh, unpack_mmdb};
use crate::geo::{GEOIP_DIR, Geo};
use crate::secret::SecretString;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::net::IpAddr;

const CITY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/geoip/GeoLite2-City-Test.mmdb");

fn archive_with(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, name, bytes).expect("appends");
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// Serves `body` for any edition to `Basic 42:good-key` (base64 "NDI6Z29vZC1rZXk="), 401 otherwise.
async fn maxmind(body: Vec<u8>) -> String {
    let app = axum::Router::new().route(
        "/geoip/databases/{edition}/download",
        get(move |headers: HeaderMap| {
            let body = body.clone();
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                if auth == "Basic NDI6Z29vZC1rZXk=" { Ok(body) } else { Err(StatusCode::UNAUTHORIZED) }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

fn account(base_url: String, key: &str) -> MaxMind {
    MaxMind {
        base_url,
        account_id: "42".to_owned(),
        license_key: SecretString::new(key),
        editions: vec!["GeoLite2-City".to_owned()],
    }
}

fn london() -> IpAddr {
    "81.2.69.142".parse().expect("ip")
}

#[tokio::test]
async fn a_downloaded_archive_is_installed_and_used_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let geo = Geo::open(dir.path());
    assert_eq!(geo.lookup(london()).city, None);
    let city = std::fs::read(CITY).expect("test database");
    let base = maxmind(archive_with("GeoLite2-City_20261124/GeoLite2-City.mmdb", &city)).await;
    let client = reqwest::Client::new();
    assert_eq!(refresh(&geo, &account(base.clone(), "good-key"), &client, false).await, 1);
    assert_eq!(geo.lookup(london()).city.as_deref(), Some("London"));
    assert!(dir.path().join(GEOIP_DIR).join("GeoLite2-City.mmdb").exists());
    // A fresh file is not fetched again unless forced.
    assert_eq!(refresh(&geo, &account(base, "good-key"), &client, false).await, 0);
}

#[tokio::test]
async fn refused_credentials_and_damaged_archives_keep_the_old_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let geoip = dir.path().join(GEOIP_DIR);
    std::fs::create_dir_all(&geoip).expect("dir");
    std::fs::copy(CITY, geoip.join("GeoLite2-City.mmdb")).expect("copies");
    let geo = Geo::open(dir.path());
    let client = reqwest::Client::new();

    let base = maxmind(archive_with("x/GeoLite2-City.mmdb", b"not a database")).await;
    let err = account(base.clone(), "wrong").fetch(&client, "GeoLite2-City", &geoip).await.expect_err("refused");
    assert!(matches!(err, DownloadError::Refused(401)), "{err}");
    let err = account(base.clone(), "good-key").fetch(&client, "GeoLite2-City", &geoip).await.expect_err("invalid");
    assert!(matches!(err, DownloadError::Invalid(_)), "{err}");
    assert_eq!(refresh(&geo, &account(base, "good-key"), &client, true).await, 0);
    assert_eq!(geo.lookup(london()).city.as_deref(), Some("London"), "the old file still answers");
    assert_eq!(std::fs::read(geoip.join("GeoLite2-City.mmdb")).expect("reads"), std::fs::read(CITY).expect("reads"));
}

#[test]
fn archives_without_a_database_or_not_gzip_are_errors() {
    assert!(matches!(unpack_mmdb(&archive_with("README.txt", b"hello")), Err(DownloadError::NoDatabase)));
    assert!(matches!(unpack_mmdb(b"<html>login</html>"), Err(DownloadError::Archive(_))));
}
