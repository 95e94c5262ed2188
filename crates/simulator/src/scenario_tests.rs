//! Tests of scenario parsing and validation: the shipped scenarios parse, mistakes are named.

use super::*;

const EXAMPLE: &str = include_str!("../scenarios/example.toml");

#[test]
fn the_example_and_builtin_scenarios_parse_and_validate() {
    let example = Scenario::from_toml_str(EXAMPLE).expect("example.toml");
    assert_eq!(example.servers.len(), 2);
    assert_eq!(example.streams[0].pauses.len(), 1);
    let builtin = Scenario::builtin();
    assert!(builtin.looping);
    let kinds: HashSet<_> = builtin.servers.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), 3, "one server of each kind");
    assert!(builtin.users.len() >= 8);
    assert!(builtin.streams.iter().all(|s| s.start <= Span::secs(300)), "streams start early");
    assert!(builtin.media.iter().any(|m| m.resolution == Resolution::Uhd4k && m.hdr));
    assert!(builtin.media.iter().any(|m| m.kind == MediaKind::Track));
    for decision in [Decision::DirectPlay, Decision::DirectStream, Decision::Transcode] {
        assert!(builtin.streams.iter().any(|s| s.decision == decision), "{decision:?}");
    }
}

fn error_of(toml: &str) -> String {
    Scenario::from_toml_str(toml).expect_err("should be refused").to_string()
}

const BASE: &str = r#"
[[server]]
name = "p"
kind = "plex"
[[user]]
name = "u"
[[media]]
id = "m"
kind = "movie"
title = "M"
duration = "10m"
"#;

fn with_stream(stream: &str) -> String {
    format!(
        "{BASE}\n[[stream]]\nserver = \"p\"\nuser = \"u\"\nmedia = \"m\"\ndevice = \"roku\"\nip = \"192.0.2.1\"\n{stream}"
    )
}

#[test]
fn unknown_references_are_named() {
    let e = error_of(&with_stream("").replace("media = \"m\"\ndevice", "media = \"nope\"\ndevice"));
    assert!(e.contains("stream[0].media") && e.contains("nope"), "{e}");
    let e = error_of(&with_stream("").replace("server = \"p\"\nuser", "server = \"x\"\nuser"));
    assert!(e.contains("stream[0].server"), "{e}");
    let e = error_of(&with_stream("").replace("user = \"u\"\nmedia", "user = \"zed\"\nmedia"));
    assert!(e.contains("stream[0].user"), "{e}");
    let e = error_of(&with_stream("").replace("\"roku\"", "\"toaster\""));
    assert!(e.contains("stream[0].device") && e.contains("apple_tv"), "{e}");
}

#[test]
fn bad_numbers_and_timelines_are_refused() {
    let e = error_of(&with_stream("start = \"2m\"\nstop = \"1m\""));
    assert!(e.contains("stream[0].stop") && e.contains("before it starts"), "{e}");
    let e = error_of(&with_stream("start = -5"));
    assert!(e.contains("negative"), "{e}");
    let e = error_of(&with_stream("start = nan"));
    assert!(e.contains("finite"), "{e}");
    let e = error_of(&format!("speed = -1.0\n{BASE}"));
    assert!(e.contains("speed"), "{e}");
    let e = error_of(&format!("speed = nan\n{BASE}"));
    assert!(e.contains("speed"), "{e}");
    let e = error_of(&with_stream("position = \"20m\""));
    assert!(e.contains("stream[0].position"), "{e}");
    let e = error_of(&with_stream("pauses = [{ at = \"2m\", for = \"1m\" }, { at = \"2m30s\", for = \"1s\" }]"));
    assert!(e.contains("stream[0].pauses[1]"), "{e}");
    let e = error_of(&with_stream("ip = \"not-an-ip\"").replace("ip = \"192.0.2.1\"\n", ""));
    assert!(e.contains("ip") || e.contains("address"), "{e}");
}

#[test]
fn unknown_fields_and_duplicates_are_refused() {
    let e = error_of(&format!("{BASE}\n[[user]]\nname = \"u\""));
    assert!(e.contains("user[1]") && e.contains("twice"), "{e}");
    let e = error_of(&BASE.replace("title = \"M\"", "title = \"M\"\ncolour = \"red\""));
    assert!(e.contains("colour"), "{e}");
    let e = error_of(&BASE.replace("kind = \"plex\"", "kind = \"kodi\""));
    assert!(e.contains("kodi") || e.contains("kind"), "{e}");
}
