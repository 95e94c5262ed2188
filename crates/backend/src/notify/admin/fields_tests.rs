//! The config form's data: every kind's fields parse into its config, blank secrets keep the stored
//! ones, required ones are demanded, and redaction never shows a secret.

use super::*;

fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, SecretString> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), SecretString::new(*v))).collect()
}

#[test]
fn every_kind_has_fields_and_every_field_reads_back_from_its_config() {
    for kind in DestinationKind::ALL {
        let specs = fields(kind);
        assert!(!specs.is_empty(), "{kind:?}");
        let filled: Vec<(&str, &str)> = specs
            .iter()
            .map(|f| {
                let v = match (f.name, f.input) {
                    ("port", _) => "587",
                    ("security", _) => "tls",
                    (_, Input::Url) => "https://example.com/a/b/c",
                    _ => "value-1",
                };
                (f.name, v)
            })
            .collect();
        let config = parse(kind, &input(&filled), &[], None).unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(config.kind(), kind);
        for f in specs {
            assert!(stored(&config, f.name).is_some(), "{kind:?}.{} reads back", f.name);
        }
        let shown = redacted(&config);
        assert_eq!(shown.len(), specs.len(), "{kind:?}");
        for (name, value) in shown {
            let secret = specs.iter().any(|f| f.name == name && f.secret);
            if secret {
                assert!(!value.contains("value-1") && !value.contains("/c"), "{kind:?}.{name} = {value}");
                assert!(value.ends_with("****"), "{kind:?}.{name} = {value}");
            }
        }
    }
}

#[test]
fn secret_urls_keep_only_what_identifies_them() {
    assert_eq!(
        redact_url("https://discord.com/api/webhooks/123456/abcDEF-token"),
        "https://discord.com/api/webhooks/…/****"
    );
    assert_eq!(redact_url("https://hooks.example.com/sightline"), "https://hooks.example.com/****");
    assert_eq!(redact_url("http://10.0.0.5:8080/a/b?token=x"), "http://10.0.0.5:8080/…/****");
    assert_eq!(redact_url("https://user:pw@example.com/x/y/z"), "https://example.com/x/…/****");
    assert_eq!(redact_url("not a url secret"), "****");
}

#[test]
fn blank_secrets_keep_the_stored_ones_and_required_ones_are_demanded() {
    let stored_config = DestinationConfig::Ntfy {
        server_url: "https://ntfy.sh".into(),
        topic: SecretString::new("topic-secret"),
        token: Some(SecretString::new("tk_stored")),
    };
    let edited = parse(
        DestinationKind::Ntfy,
        &input(&[("server_url", "https://ntfy.example.com"), ("topic", " "), ("token", "")]),
        &[],
        Some(&stored_config),
    )
    .expect("parses");
    assert_eq!(
        edited,
        DestinationConfig::Ntfy {
            server_url: "https://ntfy.example.com".into(),
            topic: SecretString::new("topic-secret"),
            token: Some(SecretString::new("tk_stored")),
        }
    );
    let cleared = parse(
        DestinationKind::Ntfy,
        &input(&[("server_url", "https://ntfy.sh")]),
        &["token".to_owned()],
        Some(&stored_config),
    )
    .expect("parses");
    assert!(matches!(cleared, DestinationConfig::Ntfy { token: None, .. }));

    let problems = parse(
        DestinationKind::Ntfy,
        &input(&[("server_url", "https://ntfy.sh")]),
        &["topic".to_owned()],
        Some(&stored_config),
    )
    .expect_err("a required secret cannot be removed");
    assert_eq!(problems, [("topic".to_owned(), "is required and cannot be removed".to_owned())]);

    let problems = parse(DestinationKind::Discord, &input(&[]), &[], None).expect_err("nothing stored to keep");
    assert_eq!(problems, [("webhook_url".to_owned(), "is required".to_owned())]);
}

#[test]
fn unknown_fields_and_bad_numbers_are_refused_by_name() {
    let problems = parse(
        DestinationKind::Email,
        &input(&[
            ("host", "smtp.example.com"),
            ("port", "99999"),
            ("security", "ssl"),
            ("from", "a@example.com"),
            ("to", "b@example.com"),
            ("webhook_url", "https://x"),
        ]),
        &[],
        None,
    )
    .expect_err("refused");
    let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["webhook_url", "port", "security"]);
}

#[test]
fn email_recipients_are_a_list() {
    let config = parse(
        DestinationKind::Email,
        &input(&[
            ("host", "smtp.example.com"),
            ("port", "465"),
            ("security", "tls"),
            ("from", "a@example.com"),
            ("to", "b@example.com, c@example.com;d@example.com"),
        ]),
        &[],
        None,
    )
    .expect("parses");
    let DestinationConfig::Email { to, port, security, username, password, .. } = config else { panic!("email") };
    assert_eq!(to, ["b@example.com", "c@example.com", "d@example.com"]);
    assert_eq!((port, security, username, password), (465, SmtpSecurity::Tls, None, None));
}
