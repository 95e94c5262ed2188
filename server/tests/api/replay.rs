//! `sightline replay` run as a real process: recorded events from `tests/fixtures/replay` on stdin,
//! MaxMind's test databases copied under names that say nothing (so they are recognised by their
//! metadata), incidents read back from stdout as JSON lines, problems from stderr.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay").join(name)
}

/// A folder holding the GeoIP2 City and GeoLite2 ASN test databases as `first.mmdb` and `second.mmdb`.
fn geoip_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (from, to) in [("GeoIP2-City-Test.mmdb", "first.mmdb"), ("GeoLite2-ASN-Test.mmdb", "second.mmdb")] {
        let source = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/geoip")).join(from);
        std::fs::copy(source, dir.path().join(to)).expect("copies a test database");
    }
    dir
}

/// Runs `sightline replay ARGS` with `input` on stdin.
fn replay(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .arg("replay")
        .args(args)
        .env("SIGHTLINE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    child.stdin.take().expect("stdin").write_all(input).expect("writes the events");
    child.wait_with_output().expect("runs")
}

fn events() -> Vec<u8> {
    std::fs::read(fixture("events.jsonl")).expect("reads the events")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn two_places_at_once_are_reported_as_incidents_and_bad_lines_are_skipped() {
    let geoip = geoip_dir();
    let dir = geoip.path().to_str().expect("utf-8 path");
    let out = replay(&["--geoip-dir", dir], &events());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Recognised by metadata, whatever the file names.
    assert!(err.contains("GeoIP2-City (first.mmdb)") && err.contains("GeoLite2-ASN (second.mmdb)"), "{err}");
    assert!(err.contains("line 7: not a valid event"), "{err}");
    assert!(err.contains("line 8: out of time order"), "{err}");
    assert!(err.contains("15 lines read, 2 skipped, 2 incidents opened, 1 updated"), "{err}");

    let incidents = lines(&out);
    assert_eq!(incidents.len(), 3, "{incidents:#?}");
    let summary: Vec<(&str, &str, u64, &str)> = incidents
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default();
            (s("ts"), s("user"), i["incident"].as_u64().unwrap_or_default(), s("status"))
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-03-01T12:05:00Z", "alice", 1, "opened"),
            ("2026-03-01T12:07:00Z", "carol", 2, "opened"),
            ("2026-03-01T12:40:00Z", "alice", 1, "updated"),
        ]
    );
    let first = &incidents[0];
    assert_eq!(first["rule"], "simultaneous_locations");
    assert_eq!(first["rule_id"], "default-simultaneous-locations");
    assert_eq!(first["rule_name"], "Simultaneous locations");
    assert_eq!(first["severity"], "high");
    assert_eq!(first["server"], "Plex");
    assert_eq!(first["sessions"], serde_json::json!(["s2", "s1"]));
    let places: Vec<&str> = first["evidence"]["sessions"]
        .as_array()
        .expect("evidence sessions")
        .iter()
        .map(|s| s["location"]["city"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(places, ["Linköping", "London"]);
    assert_eq!(first["evidence"]["sessions"][0]["asn"], 29518, "the ASN database answered too");
    assert_eq!(incidents[2]["occurrences"], 2);
    assert_eq!(incidents[2]["sessions"], serde_json::json!(["s3", "s1"]));
    // Carol's IPv4-mapped address was read as the IPv4 address it is, and located.
    let carol = &incidents[1]["evidence"]["sessions"];
    assert_eq!(carol[1]["ip"], "81.2.69.142");
    assert_eq!(carol[0]["location"]["city"], "Melbourne");
}

#[test]
fn without_geoip_nothing_is_located_so_only_new_devices_are_noticed() {
    let out = replay(&[], &events());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let incidents = lines(&out);
    let rules: Vec<(&str, &str)> =
        incidents.iter().map(|i| (i["user"].as_str().unwrap_or(""), i["rule"].as_str().unwrap_or(""))).collect();
    assert_eq!(rules, [("alice", "new_device"), ("carol", "new_device")]);
    assert!(incidents.iter().all(|i| i["evidence"]["sessions"][0]["location"].is_null()), "{incidents:#?}");
    assert!(stderr(&out).contains("15 lines read, 2 skipped, 2 incidents opened, 0 updated"), "{}", stderr(&out));
}

#[test]
fn a_rules_file_replaces_the_defaults() {
    let geoip = geoip_dir();
    let rules = fixture("rules.json");
    let args = ["--rules", rules.to_str().expect("utf-8"), "--geoip-dir", geoip.path().to_str().expect("utf-8")];
    let out = replay(&args, &events());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let incidents = lines(&out);
    assert_eq!(incidents.len(), 2, "{incidents:#?}");
    for (i, status) in incidents.iter().zip(["opened", "updated"]) {
        assert_eq!((i["rule"].as_str(), i["rule_id"].as_str()), (Some("geo_restriction"), Some("no-sweden")));
        assert_eq!((i["severity"].as_str(), i["status"].as_str()), (Some("critical"), Some(status)));
        assert_eq!(i["user"], "alice");
    }
    assert_eq!(incidents[0]["summary"], "one account streamed from SE, which is on the block-list");
}

#[test]
fn a_rules_file_with_an_invalid_parameter_is_refused_with_exit_code_2() {
    let rules = fixture("bad-rules.json");
    let out = replay(&["--rules", rules.to_str().expect("utf-8")], &events());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains(r#"rule 1 ("too-slow"): max_speed_kmh: must be at least 50"#), "{err}");
    assert!(!err.contains("fine"), "only the bad rule is named: {err}");
}

#[test]
fn unreadable_rules_or_geoip_folders_stop_with_exit_code_2() {
    let missing = fixture("no-such-rules.json");
    let out = replay(&["--rules", missing.to_str().expect("utf-8")], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the rules file"), "{}", stderr(&out));

    let out = replay(&["--geoip-dir", "/nonexistent/geoip"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the GeoIP folder"), "{}", stderr(&out));

    let only_asn = tempfile::tempdir().expect("temp dir");
    let asn = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/geoip/GeoLite2-ASN-Test.mmdb"));
    std::fs::copy(asn, only_asn.path().join("a.mmdb")).expect("copies");
    std::fs::write(only_asn.path().join("b.mmdb"), b"not a database").expect("writes");
    let out = replay(&["--geoip-dir", only_asn.path().to_str().expect("utf-8")], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("holds no City or Country database") && err.contains("b.mmdb"), "{err}");
}
