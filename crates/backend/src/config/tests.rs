//! Tests for configuration layering: defaults < sightline.toml < environment.

use super::*;
use std::io::Write;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn data_dir_with_toml(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut f = std::fs::File::create(dir.path().join("sightline.toml")).expect("create toml");
    f.write_all(toml.as_bytes()).expect("write toml");
    dir
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cfg, warnings) = load(env(&[("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8"))])).expect("loads");
    assert_eq!(cfg.listen.to_string(), "0.0.0.0:3000");
    assert!(cfg.base_url.is_none());
    assert!(cfg.trusted_proxies.is_empty());
    assert_eq!(cfg.log, "info");
    assert!(warnings.is_empty());
}

#[test]
fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
    let dir = data_dir_with_toml(
        "listen = \"127.0.0.1:4000\"\nlog = \"debug\"\nbase_url = \"http://file.example\"\nsession_idle_minutes = 5\n",
    );
    let data = dir.path().to_str().expect("utf8");
    let (cfg, _) = load(env(&[("SIGHTLINE_DATA_DIR", data), ("SIGHTLINE_LOG", "warn")])).expect("loads");
    assert_eq!(cfg.listen.to_string(), "127.0.0.1:4000", "file beats default");
    assert_eq!(cfg.log, "warn", "env beats file");
    assert_eq!(cfg.base_url.as_ref().map(url::Url::as_str), Some("http://file.example/"));
    assert_eq!(cfg.session_idle_minutes, 5);
    assert_eq!(cfg.session_absolute_hours, 720, "untouched keys keep their default");

    let (cfg, _) = load(env(&[
        ("SIGHTLINE_DATA_DIR", data),
        ("SIGHTLINE_LISTEN", "127.0.0.1:5000"),
        ("SIGHTLINE_BASE_URL", "https://env.example"),
    ]))
    .expect("loads");
    assert_eq!(cfg.listen.to_string(), "127.0.0.1:5000");
    assert!(cfg.is_https());
    assert_eq!(cfg.expected_origin().as_deref(), Some("https://env.example"));
}

#[test]
fn file_variants_read_secrets_from_files_and_redact_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret_path = dir.path().join("token");
    std::fs::write(&secret_path, "a-very-long-setup-token\n").expect("write secret");
    let (cfg, _) = load(env(&[
        ("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8")),
        ("SIGHTLINE_SETUP_TOKEN_FILE", secret_path.to_str().expect("utf8")),
    ]))
    .expect("loads");
    assert_eq!(cfg.setup_token.as_ref().map(SecretString::expose), Some("a-very-long-setup-token"));
    let summary = cfg.redacted_summary();
    assert_eq!(summary.get("setup_token").map(String::as_str), Some("***"));
    assert!(!format!("{cfg:?}").contains("a-very-long-setup-token"));
}

#[test]
fn unknown_sightline_variables_are_warned_about_and_others_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, warnings) = load(env(&[
        ("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8")),
        ("SIGHTLINE_LISTN", "x"),
        ("HOME", "/root"),
    ]))
    .expect("loads");
    assert_eq!(warnings, vec!["unknown environment variable SIGHTLINE_LISTN is ignored".to_owned()]);
}

#[test]
fn bad_values_name_the_key_and_the_source() {
    let dir = data_dir_with_toml("listen = \"not an address\"\n");
    let err = load(env(&[("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8"))])).expect_err("rejects");
    let msg = err.to_string();
    assert!(msg.contains("listen") && msg.contains("sightline.toml"), "{msg}");

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf8");
    for (key, value) in [
        ("SIGHTLINE_TRUSTED_PROXIES", "10.0.0.0/8, nonsense"),
        ("SIGHTLINE_BASE_URL", "ftp://x"),
        ("SIGHTLINE_BASE_URL", "https://user:pw@host"),
        ("SIGHTLINE_SESSION_IDLE_MINUTES", "0"),
        ("SIGHTLINE_LOG_FORMAT", "xml"),
    ] {
        let err = load(env(&[("SIGHTLINE_DATA_DIR", data), (key, value)])).expect_err(key);
        assert!(err.to_string().contains(key), "{err}");
    }
}

#[test]
fn unknown_keys_in_the_file_are_rejected_with_their_name() {
    let dir = data_dir_with_toml("lissten = \"1\"\n");
    let err = load(env(&[("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8"))])).expect_err("rejects");
    assert!(err.to_string().contains("lissten"), "{err}");
}

#[test]
fn trusted_proxies_accept_bare_addresses_and_cidrs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cfg, _) = load(env(&[
        ("SIGHTLINE_DATA_DIR", dir.path().to_str().expect("utf8")),
        ("SIGHTLINE_TRUSTED_PROXIES", "127.0.0.1, 172.16.0.0/12,::1"),
    ]))
    .expect("loads");
    let nets: Vec<String> = cfg.trusted_proxies.iter().map(ToString::to_string).collect();
    assert_eq!(nets, ["127.0.0.1/32", "172.16.0.0/12", "::1/128"]);
}

#[test]
fn a_malformed_secret_key_is_refused_by_name_and_a_good_one_is_redacted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf8");
    let err = load(env(&[("SIGHTLINE_DATA_DIR", data), ("SIGHTLINE_SECRET_KEY", "too-short")])).expect_err("rejects");
    assert!(err.to_string().contains("SIGHTLINE_SECRET_KEY"), "{err}");
    let key = "ab".repeat(32);
    let (cfg, _) = load(env(&[("SIGHTLINE_DATA_DIR", data), ("SIGHTLINE_SECRET_KEY", &key)])).expect("loads");
    assert_eq!(cfg.redacted_summary().get("secret_key").map(String::as_str), Some("***"));
    assert!(!format!("{cfg:?}").contains(&key));
}

#[test]
fn ingestion_numbers_are_range_checked_and_maxmind_needs_both_credentials() {
    let dir = data_dir_with_toml("poll_active_secs = 5\nwatched_percent = 90\n");
    let data = dir.path().to_str().expect("utf8");
    let (cfg, warnings) = load(env(&[
        ("SIGHTLINE_DATA_DIR", data),
        ("SIGHTLINE_POLL_IDLE_SECS", "45"),
        ("SIGHTLINE_MAXMIND_ACCOUNT_ID", "123456"),
    ]))
    .expect("loads");
    assert_eq!((cfg.poll_active_secs, cfg.poll_idle_secs, cfg.watched_percent), (5, 45, 90));
    assert!((cfg.tracker().watched_fraction - 0.9).abs() < f64::EPSILON);
    assert!(warnings.iter().any(|w| w.contains("MAXMIND_LICENSE_KEY")), "{warnings:?}");

    let (cfg, _) = load(env(&[
        ("SIGHTLINE_DATA_DIR", data),
        ("SIGHTLINE_MAXMIND_ACCOUNT_ID", "123456"),
        ("SIGHTLINE_MAXMIND_LICENSE_KEY", "secret-licence"),
        ("SIGHTLINE_MAXMIND_EDITIONS", "GeoLite2-City, GeoLite2-ASN,GeoLite2-Country"),
    ]))
    .expect("loads");
    assert_eq!(cfg.maxmind_editions.len(), 3);
    assert_eq!(cfg.redacted_summary()["maxmind_license_key"], "***");

    for (key, value) in [
        ("SIGHTLINE_WATCHED_PERCENT", "0"),
        ("SIGHTLINE_WATCHED_PERCENT", "101"),
        ("SIGHTLINE_POLL_ACTIVE_SECS", "-1"),
        ("SIGHTLINE_MAXMIND_ACCOUNT_ID", "abc"),
        ("SIGHTLINE_MAXMIND_EDITIONS", "GeoLite2-City;rm"),
    ] {
        let err = load(env(&[("SIGHTLINE_DATA_DIR", data), (key, value)])).expect_err(key);
        assert!(err.to_string().contains(&key["SIGHTLINE_".len()..].to_ascii_lowercase()), "{key}: {err}");
    }
}

#[test]
fn the_time_zone_defaults_to_utc_and_is_an_iana_name_from_the_file_or_the_environment() {
    let dir = data_dir_with_toml("time_zone = \"Europe/Stockholm\"\n");
    let data = dir.path().to_str().expect("utf8");
    let (cfg, _) = load(env(&[("SIGHTLINE_DATA_DIR", data)])).expect("loads");
    assert_eq!(cfg.time_zone, chrono_tz::Europe::Stockholm);
    assert_eq!(cfg.redacted_summary()["time_zone"], "Europe/Stockholm");
    let (cfg, _) =
        load(env(&[("SIGHTLINE_DATA_DIR", data), ("SIGHTLINE_TIME_ZONE", "america/new_york")])).expect("loads");
    assert_eq!(cfg.time_zone, chrono_tz::America::New_York, "env beats file, any letter case");
    assert_eq!(Config::default().time_zone, chrono_tz::Tz::UTC);
    let err = load(env(&[("SIGHTLINE_DATA_DIR", data), ("SIGHTLINE_TIME_ZONE", "Mars/Olympus")])).expect_err("refused");
    assert!(err.to_string().contains("time_zone (SIGHTLINE_TIME_ZONE)"), "{err}");
}
