//! `sightline replay`: judges recorded session events (JSON lines on stdin, in time order) with the
//! detection rules, offline, and prints each incident opened or updated as a JSON line on stdout.
//! Bad lines are reported on stderr by number and skipped; input is streamed, never held whole.
//! Exit 0, or 2 when stdin, the rules file or the GeoIP folder cannot be read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sightline_backend::detect::offline::{IncidentUpdate, Replayer, SessionUpdate};
use sightline_backend::geo::GeoDatabases;
use sightline_backend::geo::session::to_session_geo;
use sightline_domain::ServerId;
use sightline_domain::media::{PlaybackState, StreamDecision};
use sightline_domain::rules::{AddressClass, Evidence, Rule, RuleSession, Severity, default_rules, net};
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The longest input line; longer ones are skipped.
const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, clap::Args)]
pub struct Replay {
    /// The rules to judge with: a JSON array of rules, or {"version":1,"rules":[...]} as the Rules page
    /// exports them. Default: the built-in default rules.
    #[arg(long, value_name = "RULES.json")]
    pub rules: Option<PathBuf>,
    /// A folder of MaxMind-format .mmdb files (City or Country, ASN, Anonymous-IP), recognised by their
    /// metadata whatever their names. Without it no address is located.
    #[arg(long, value_name = "DIR")]
    pub geoip_dir: Option<PathBuf>,
}

/// Why the replay could not run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
enum Fatal {
    #[error("cannot read the rules file {}: {}", .0.display(), .1)]
    RulesFile(PathBuf, io::Error),
    #[error("the rules file {} is refused:\n  {}", .0.display(), .1.join("\n  "))]
    Rules(PathBuf, Vec<String>),
    #[error("cannot read the GeoIP folder {}: {}", .0.display(), .1)]
    GeoDir(PathBuf, io::Error),
    #[error("the GeoIP folder {} holds no City or Country database{}", .0.display(), skipped(.1))]
    NoGeo(PathBuf, Vec<String>),
    #[error("cannot read standard input: {0}")]
    Stdin(io::Error),
    #[error("cannot write standard output: {0}")]
    Stdout(io::Error),
}

fn skipped(problems: &[String]) -> String {
    if problems.is_empty() { String::new() } else { format!(" ({})", problems.join("; ")) }
}

/// Runs the command; a fatal error is printed and ends the process with status 2.
pub fn run(args: &Replay) -> anyhow::Result<()> {
    if let Err(e) = replay(args) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    Ok(())
}

fn replay(args: &Replay) -> Result<(), Fatal> {
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Fatal::RulesFile(path.clone(), e))?;
            parse_rules(&text).map_err(|problems| Fatal::Rules(path.clone(), problems))?
        }
        None => default_rules(),
    };
    let geo = args.geoip_dir.as_deref().map(open_geo).transpose()?;
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout().lock());
    let summary = stream(stdin, stdout, &mut io::stderr(), rules, geo.as_ref())?;
    eprintln!(
        "replay: {} lines read, {} skipped, {} incidents opened, {} updated",
        summary.read, summary.skipped, summary.opened, summary.updated
    );
    Ok(())
}

/// The version of the exported rules object this build reads.
const RULES_VERSION: u64 = 1;

/// Reads a rules file: a JSON array of rules or `{"version":1,"rules":[...]}`. Every rule must parse and
/// validate; otherwise the answer is one message per rule and field.
fn parse_rules(text: &str) -> Result<Vec<Rule>, Vec<String>> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| vec![format!("not JSON: {}", without_position(&e))])?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut object) => {
            match object.get("version").and_then(serde_json::Value::as_u64) {
                Some(RULES_VERSION) => {}
                Some(v) => return Err(vec![format!("version {v} is not supported (this build reads version 1)")]),
                None => return Err(vec!["\"version\" is required (1)".to_owned()]),
            }
            match object.remove("rules") {
                Some(serde_json::Value::Array(items)) => items,
                _ => return Err(vec!["\"rules\" must be an array of rules".to_owned()]),
            }
        }
        _ => return Err(vec!["expected an array of rules or {\"version\":1,\"rules\":[...]}".to_owned()]),
    };
    let mut rules = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let n = i + 1;
        let id = item.get("id").and_then(serde_json::Value::as_str).map(|id| format!(" ({id:?})")).unwrap_or_default();
        match serde_json::from_value::<Rule>(item) {
            Ok(rule) => {
                problems.extend(rule.problems().iter().map(|p| format!("rule {n}{id}: {p}")));
                if let Some(first) = ids.insert(rule.id.0.clone(), n) {
                    problems.push(format!("rule {n}{id}: id: the same as rule {first}"));
                }
                rules.push(rule);
            }
            Err(e) => problems.push(format!("rule {n}{id}: {}", without_position(&e))),
        }
    }
    if problems.is_empty() { Ok(rules) } else { Err(problems) }
}

/// A serde_json message without "at line 1 column 7", which would be confused with input line numbers.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Opens the .mmdb files of `dir` with the server's own recognition (by metadata, not by name).
fn open_geo(dir: &Path) -> Result<GeoDatabases, Fatal> {
    std::fs::read_dir(dir).map_err(|e| Fatal::GeoDir(dir.to_path_buf(), e))?;
    let dbs = GeoDatabases::open_dir(dir);
    if !dbs.can_locate() {
        return Err(Fatal::NoGeo(dir.to_path_buf(), dbs.problems));
    }
    for p in &dbs.problems {
        eprintln!("warning: geoip: {p}");
    }
    let used: Vec<String> = dbs.infos().iter().map(|i| format!("{} ({})", i.database_type, i.file)).collect();
    eprintln!("replay: GeoIP databases: {}", used.join(", "));
    Ok(dbs)
}

/// One input line.
#[derive(Deserialize)]
struct Event {
    ts: String,
    server: String,
    user: String,
    session: String,
    state: String,
    ip: String,
    device_id: String,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    product: Option<String>,
    // Read so a wrong type is reported; the rules do not use them.
    #[serde(default)]
    #[allow(dead_code)]
    media_type: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    title: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    duration_s: Option<f64>,
    #[serde(default)]
    #[allow(dead_code)]
    position_s: Option<f64>,
}

/// One output line: an incident opened or updated.
#[derive(Serialize)]
struct Output<'a> {
    ts: DateTime<Utc>,
    incident: u64,
    status: &'static str,
    occurrences: u32,
    server: &'a str,
    user: &'a str,
    rule: &'static str,
    rule_id: &'a str,
    rule_name: &'a str,
    severity: Severity,
    summary: &'a str,
    sessions: &'a [String],
    evidence: &'a Evidence,
}

impl<'a> From<&'a IncidentUpdate> for Output<'a> {
    fn from(u: &'a IncidentUpdate) -> Self {
        Self {
            ts: u.ts,
            incident: u.incident,
            status: if u.opened { "opened" } else { "updated" },
            occurrences: u.occurrences,
            server: &u.server,
            user: &u.user,
            rule: u.rule,
            rule_id: &u.rule_id,
            rule_name: &u.rule_name,
            severity: u.severity,
            summary: &u.summary,
            sessions: &u.sessions,
            evidence: &u.evidence,
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    read: u64,
    skipped: u64,
    opened: u64,
    updated: u64,
}

/// Turns lines into session updates: servers are numbered in order of first appearance.
struct Reader<'g> {
    geo: Option<&'g GeoDatabases>,
    servers: BTreeMap<String, ServerId>,
}

impl Reader<'_> {
    fn parse(&mut self, line: &str) -> Result<SessionUpdate, String> {
        let e: Event =
            serde_json::from_str(line).map_err(|e| format!("not a valid event: {}", without_position(&e)))?;
        let at = DateTime::parse_from_rfc3339(e.ts.trim())
            .map_err(|err| format!("bad ts {:?}: not an RFC 3339 time ({err})", e.ts))?
            .with_timezone(&Utc);
        let state = match e.state.as_str() {
            "playing" => PlaybackState::Playing,
            "paused" => PlaybackState::Paused,
            "stopped" => PlaybackState::Stopped,
            other => return Err(format!("unknown state {other:?} (expected playing, paused or stopped)")),
        };
        let ip: IpAddr = e.ip.trim().parse().map_err(|_| format!("bad ip {:?}: not an IP address", e.ip))?;
        for (field, value) in [("server", &e.server), ("user", &e.user), ("session", &e.session)] {
            if value.trim().is_empty() {
                return Err(format!("{field:?} is empty"));
            }
        }
        let ip = net::canonical(ip);
        let class = AddressClass::of(Some(ip), false);
        let geo = self.geo.filter(|_| class == AddressClass::Public).map(|dbs| to_session_geo(dbs.lookup(ip)));
        let next = ServerId(i64::try_from(self.servers.len()).unwrap_or(i64::MAX) + 1);
        let server_id = *self.servers.entry(e.server.clone()).or_insert(next);
        let text = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let (country, location) = geo.map_or((None, None), |g| (g.country_code, g.location));
        let session = RuleSession {
            server_id,
            user_id: e.user,
            session_key: e.session,
            play_id: None,
            started_at: at,
            last_seen_at: at,
            state,
            paused_since: None,
            ip: Some(ip),
            address_class: class,
            device_id: text(Some(e.device_id)),
            player: text(e.device),
            product: text(e.product),
            platform: text(e.platform),
            decision: StreamDecision::DirectPlay,
            source_resolution: None,
            resolution: None,
            country,
            location,
        };
        Ok(SessionUpdate { at, server_name: e.server, state, session })
    }
}

/// Reads one line into `buf` (without its end); `None` at the end of input, `Some(false)` for a line
/// longer than [`MAX_LINE`], whose rest is skipped.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let n = Read::take(&mut *input, MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(true));
    }
    if buf.len() <= MAX_LINE {
        return Ok(Some(true));
    }
    loop {
        let (done, used) = {
            let rest = input.fill_buf()?;
            match rest.iter().position(|b| *b == b'\n') {
                Some(i) => (true, i + 1),
                None => (rest.is_empty(), rest.len()),
            }
        };
        input.consume(used);
        if done {
            return Ok(Some(false));
        }
    }
}

/// Replays `input` line by line, writing incidents to `output` and line problems to `errors`.
fn stream(
    mut input: impl BufRead,
    mut output: impl Write,
    errors: &mut impl Write,
    rules: Vec<Rule>,
    geo: Option<&GeoDatabases>,
) -> Result<Summary, Fatal> {
    let mut replayer = Replayer::new(rules);
    let mut reader = Reader { geo, servers: BTreeMap::new() };
    let mut summary = Summary::default();
    let mut buf = Vec::new();
    while let Some(fits) = read_line(&mut input, &mut buf).map_err(Fatal::Stdin)? {
        summary.read += 1;
        let n = summary.read;
        let result = if fits {
            match std::str::from_utf8(&buf) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => reader.parse(line).and_then(|u| replayer.apply(u).map_err(|e| e.to_string())),
                Err(_) => Err("not UTF-8 text".to_owned()),
            }
        } else {
            Err(format!("longer than {} KiB", MAX_LINE / 1024))
        };
        match result {
            Ok(updates) => {
                for u in &updates {
                    serde_json::to_writer(&mut output, &Output::from(u)).map_err(|e| Fatal::Stdout(e.into()))?;
                    output.write_all(b"\n").map_err(Fatal::Stdout)?;
                }
            }
            Err(reason) => {
                summary.skipped += 1;
                writeln!(errors, "line {n}: {reason}").map_err(Fatal::Stdout)?;
            }
        }
    }
    output.flush().map_err(Fatal::Stdout)?;
    summary.opened = replayer.incidents_opened();
    summary.updated = replayer.incidents_updated();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_json(id: &str, max_speed_kmh: f64) -> String {
        format!(
            r#"{{"id":"{id}","name":"Fast","kind":{{"type":"impossible_travel","max_speed_kmh":{max_speed_kmh},"min_distance_km":100,"skip_same_device":true}},"severity":"high","enabled":true}}"#
        )
    }

    #[test]
    fn rules_files_come_as_an_array_or_as_the_exported_object() {
        let array = format!("[{}]", rule_json("fast", 800.0));
        assert_eq!(parse_rules(&array).map(|r| r.len()), Ok(1));
        let object = format!(r#"{{"version":1,"rules":[{},{}]}}"#, rule_json("a", 800.0), rule_json("b", 900.0));
        assert_eq!(parse_rules(&object).map(|r| r.len()), Ok(2));
        let defaults = serde_json::to_string(&default_rules()).expect("serializes");
        assert_eq!(parse_rules(&defaults), Ok(default_rules()));
    }

    #[test]
    fn every_bad_rule_and_field_is_named() {
        let text = format!(
            r#"{{"version":1,"rules":[{},{},{{"id":"odd","kind":{{"type":"teleport"}}}},{}]}}"#,
            rule_json("slow", 10.0),
            rule_json("ok", 900.0),
            rule_json("ok", 900.0)
        );
        let problems = parse_rules(&text).expect_err("refused");
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert_eq!(problems[0], r#"rule 1 ("slow"): max_speed_kmh: must be at least 50"#);
        assert!(problems[1].starts_with(r#"rule 3 ("odd"): "#), "{}", problems[1]);
        assert_eq!(problems[2], r#"rule 4 ("ok"): id: the same as rule 2"#);
        assert!(!problems.iter().any(|p| p.contains("column")), "{problems:#?}");
    }

    #[test]
    fn a_wrong_version_or_shape_is_refused() {
        assert!(parse_rules(r#"{"version":2,"rules":[]}"#).expect_err("refused")[0].contains("version 2"));
        assert!(parse_rules(r#"{"rules":[]}"#).expect_err("refused")[0].contains("\"version\""));
        assert!(parse_rules(r#""rules""#).is_err());
        assert!(parse_rules("[").expect_err("refused")[0].starts_with("not JSON"));
    }

    #[test]
    fn overlong_lines_are_skipped_whole_and_the_next_line_still_reads() {
        let long = "x".repeat(MAX_LINE + 10);
        let text = format!("{long}\nnext\r\nlast");
        let mut input = io::BufReader::with_capacity(1024, text.as_bytes());
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut input, &mut buf).expect("reads"), Some(false));
        assert_eq!(read_line(&mut input, &mut buf).expect("reads"), Some(true));
        assert_eq!(buf, b"next");
        assert_eq!(read_line(&mut input, &mut buf).expect("reads"), Some(true));
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut input, &mut buf).expect("reads"), None);
    }

    #[test]
    fn lines_are_judged_in_order_and_bad_ones_are_reported_by_number() {
        let lines = [
            r#"{"ts":"2026-03-01T12:00:00Z","server":"Plex","user":"alice","session":"s1","state":"playing","ip":"10.0.0.2","device_id":"tv"}"#,
            r#"{"ts":"2026-03-01T12:01:00Z","server":"Plex","user":"alice","session":"s2","state":"rewinding","ip":"10.0.0.3","device_id":"tv"}"#,
            "",
            r#"{"ts":"2026-03-01T11:00:00Z","server":"Plex","user":"alice","session":"s3","state":"playing","ip":"10.0.0.3","device_id":"tv"}"#,
            r#"{"ts":"2026-03-01T12:02:00Z","server":"Plex","user":"alice","session":"s4","state":"playing","ip":"10.0.0.300","device_id":"tv"}"#,
            r#"{"ts":"noon","server":"Plex","user":"alice","session":"s5","state":"playing","ip":"10.0.0.3","device_id":"tv"}"#,
            r#"{"ts":"2026-03-01T12:03:00Z","server":"Plex","session":"s6","state":"playing","ip":"10.0.0.3","device_id":"tv"}"#,
        ];
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let summary =
            stream(lines.join("\n").as_bytes(), &mut out, &mut errors, default_rules(), None).expect("replays");
        let errors = String::from_utf8(errors).expect("text");
        let errors: Vec<&str> = errors.lines().collect();
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(errors[0].starts_with("line 2: unknown state \"rewinding\""), "{}", errors[0]);
        assert!(errors[1].starts_with("line 4: out of time order"), "{}", errors[1]);
        assert!(errors[2].starts_with("line 5: bad ip \"10.0.0.300\""), "{}", errors[2]);
        assert!(errors[3].starts_with("line 6: bad ts \"noon\""), "{}", errors[3]);
        assert_eq!(errors[4], "line 7: not a valid event: missing field `user`");
        assert_eq!(summary, Summary { read: 7, skipped: 5, opened: 0, updated: 0 });
        assert!(out.is_empty());
    }
}
