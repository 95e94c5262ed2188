//! The rule file: `{"version":1,"rules":[…]}` written pretty by `export`, read back by `parse_file`
//! (which also takes a bare array of rules). Pure; every rule is parsed and validated before any is
//! used, and each problem names the rule it is in.

use super::RulesAdminError;
use serde::Serialize;
use sightline_domain::rules::Rule;
use std::collections::HashSet;

/// The file format's version.
pub const FILE_VERSION: u64 = 1;
/// Most rules in one import.
pub const MAX_IMPORTED_RULES: usize = 500;

#[derive(Serialize)]
struct RuleFile<'a> {
    version: u64,
    rules: &'a [Rule],
}

/// The rules as a pretty-printed rule file.
#[must_use]
pub fn export(rules: &[Rule]) -> String {
    serde_json::to_string_pretty(&RuleFile { version: FILE_VERSION, rules })
        .expect("rules serialise: string keys and plain values only")
}

fn bad(message: impl Into<String>) -> RulesAdminError {
    RulesAdminError::BadFile(message.into())
}

fn describe(n: usize, value: &serde_json::Value) -> String {
    match value.get("name").and_then(serde_json::Value::as_str) {
        Some(name) => format!("rule {n} ({name:?})"),
        None => format!("rule {n}"),
    }
}

/// Reads and checks a rule file: every rule parses and validates, ids are unique, and there is at
/// least one rule. Names and ids are trimmed.
pub fn parse_file(json: &str) -> Result<Vec<Rule>, RulesAdminError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(format!("not JSON ({e})")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut file) => {
            match file.get("version") {
                None => {}
                Some(v) if v.as_u64() == Some(FILE_VERSION) => {}
                Some(v) => return Err(bad(format!("version {v} is not supported (expected {FILE_VERSION})"))),
            }
            match file.remove("rules") {
                Some(serde_json::Value::Array(items)) => items,
                _ => return Err(bad("expected a \"rules\" array")),
            }
        }
        _ => return Err(bad("expected {\"version\":1,\"rules\":[…]} or an array of rules")),
    };
    if items.is_empty() {
        return Err(bad("the file has no rules; an empty rule set would switch detection off"));
    }
    if items.len() > MAX_IMPORTED_RULES {
        return Err(bad(format!("{} rules; at most {MAX_IMPORTED_RULES} can be imported", items.len())));
    }
    let mut rules = Vec::with_capacity(items.len());
    let mut ids = HashSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let which = describe(i + 1, &item);
        let mut rule: Rule = serde_json::from_value(item).map_err(|e| bad(format!("{which}: {e}")))?;
        rule.id.0 = rule.id.0.trim().to_owned();
        rule.name = rule.name.trim().to_owned();
        rule.validate().map_err(|e| bad(format!("{which}: {e}")))?;
        if !ids.insert(rule.id.0.clone()) {
            return Err(bad(format!("{which}: the id {:?} is used twice", rule.id.0)));
        }
        rules.push(rule);
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_domain::rules::default_rules;

    fn message(r: Result<Vec<Rule>, RulesAdminError>) -> String {
        match r {
            Err(RulesAdminError::BadFile(m)) => m,
            other => panic!("expected BadFile, got {other:?}"),
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_rules_and_so_does_a_bare_array() {
        let rules = default_rules();
        let text = export(&rules);
        assert!(text.starts_with("{\n  \"version\": 1,\n  \"rules\": ["), "{text}");
        assert_eq!(parse_file(&text).expect("parses"), rules);
        let bare = serde_json::to_string(&rules).expect("json");
        assert_eq!(parse_file(&bare).expect("parses"), rules);
    }

    #[test]
    fn malformed_files_say_what_is_wrong_and_where() {
        assert!(message(parse_file("{ not json")).starts_with("not JSON"));
        assert!(message(parse_file("42")).contains("array of rules"));
        assert!(message(parse_file(r#"{"version":2,"rules":[]}"#)).contains("version 2"));
        assert!(message(parse_file(r#"{"version":1}"#)).contains("\"rules\" array"));
        assert!(message(parse_file("[]")).contains("no rules"));

        let mut rules = default_rules();
        let mut value = serde_json::to_value(&rules).expect("json");
        value[1]["kind"]["min_distance_km"] = serde_json::json!("far");
        let m = message(parse_file(&value.to_string()));
        assert!(m.starts_with("rule 2 (\"Simultaneous locations\"): "), "{m}");

        if let sightline_domain::rules::RuleKind::ConcurrentStreams(p) = &mut rules[3].kind {
            p.max_streams = 0;
        }
        let m = message(parse_file(&export(&rules)));
        assert_eq!(m, "rule 4 (\"Too many streams at once\"): max_streams: must be at least 1");

        let mut twice = default_rules();
        twice[1].id = twice[0].id.clone();
        assert!(message(parse_file(&export(&twice))).contains("used twice"));
    }
}
