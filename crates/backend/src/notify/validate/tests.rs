//! Tests for save-time validation and the address check.

use super::*;
use crate::notify::testkit::destination;
use crate::secret::SecretString;
use std::net::IpAddr;

fn secret(s: &str) -> SecretString {
    SecretString::new(s)
}

fn fields(dest: &Destination) -> Vec<&'static str> {
    validate(dest).err().unwrap_or_default().into_iter().map(|(field, _)| field).collect()
}

fn messages(dest: &Destination) -> String {
    validate(dest)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|(f, m)| format!("{f}: {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn hook(url: &str) -> Destination {
    destination(DestinationConfig::Webhook { url: secret(url), secret: secret("0123456789abcdef") }, false)
}

fn email(host: &str, security: SmtpSecurity, private: bool) -> Destination {
    destination(
        DestinationConfig::Email {
            host: host.to_owned(),
            port: 587,
            security,
            username: Some("me".to_owned()),
            password: Some(secret("pw")),
            from: "Sightline <sightline@example.org>".to_owned(),
            to: vec!["owner@example.org".to_owned()],
        },
        private,
    )
}

#[test]
fn a_good_destination_of_each_kind_passes() {
    let configs = [
        DestinationConfig::Discord { webhook_url: secret("https://discord.com/api/webhooks/1/abc") },
        DestinationConfig::Webhook { url: secret("https://hooks.example.com/in"), secret: secret("0123456789abcdef") },
        DestinationConfig::Ntfy { server_url: "https://ntfy.sh".into(), topic: secret("my_alerts-1"), token: None },
        DestinationConfig::Gotify { server_url: "https://push.example.com".into(), app_token: secret("AbC.123") },
        DestinationConfig::Pushover {
            user_key: secret("uQiRzpo4DXghDmr9QzzfQu27cmVRsG"),
            app_token: secret("azGDORePK8gMaC0QOYAMyEEuzJnyUi"),
            api_url: None,
        },
        DestinationConfig::Telegram { bot_token: secret("123:AbC_d-e"), chat_id: "-100123".into(), api_url: None },
        DestinationConfig::WebPush {
            endpoint: secret("https://fcm.googleapis.com/fcm/send/abc"),
            p256dh: "BNcRd".into(),
            auth: secret("tBHI"),
        },
    ];
    for config in configs {
        let dest = destination(config, false);
        assert_eq!(validate(&dest), Ok(()), "{:?}", dest.config.kind());
    }
    assert_eq!(validate(&email("smtp.example.com", SmtpSecurity::StartTls, false)), Ok(()));
}

#[test]
fn general_settings_are_checked() {
    let mut dest = hook("https://hooks.example.com/in");
    dest.name = "  ".into();
    dest.events.clear();
    dest.rate_per_minute = 0;
    dest.title_template = Some("{{user}} {{pasword}}".into());
    dest.body_template = Some("{{ip".into());
    assert_eq!(fields(&dest), ["name", "events", "rate_per_minute", "title_template", "body_template"]);
    assert!(messages(&dest).contains("{{pasword}}"), "{}", messages(&dest));
    dest.rate_per_minute = 601;
    assert!(fields(&dest).contains(&"rate_per_minute"));
    dest.rate_per_minute = 600;
    assert!(!fields(&dest).contains(&"rate_per_minute"));
}

#[test]
fn urls_need_https_no_credentials_and_public_literals() {
    for bad in [
        "http://hooks.example.com/in",
        "https://user:pw@hooks.example.com/in",
        "ftp://hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://2130706433/in",
        "https://0x7f.1/in",
        "https://[::ffff:7f00:1]/in",
        "https://169.254.169.254/latest",
        "https://0.0.0.0/",
        "https://localhost/in",
        "not a url",
        "",
    ] {
        assert_eq!(fields(&hook(bad)), ["url"], "{bad:?}");
    }
    let mut lan = hook("http://192.168.1.10:8080/in");
    lan.allow_private = true;
    assert_eq!(validate(&lan), Ok(()));
    lan.config =
        DestinationConfig::Webhook { url: secret("http://169.254.169.254/"), secret: secret("0123456789abcdef") };
    assert_eq!(fields(&lan), ["url"], "link-local stays refused");
}

#[test]
fn discord_urls_must_be_discord_webhooks_unless_private_is_allowed() {
    let d = |url: &str, private| destination(DestinationConfig::Discord { webhook_url: secret(url) }, private);
    assert_eq!(fields(&d("https://evil.example/api/webhooks/1/x", false)), ["webhook_url"]);
    assert_eq!(fields(&d("https://discord.com/channels/1", false)), ["webhook_url"]);
    assert_eq!(validate(&d("http://127.0.0.1:9000/api/webhooks/1/x", true)), Ok(()));
}

#[test]
fn kind_specific_values_are_checked() {
    let weak =
        destination(DestinationConfig::Webhook { url: secret("https://h.example/x"), secret: secret("short") }, false);
    assert_eq!(fields(&weak), ["secret"]);
    let ntfy = destination(
        DestinationConfig::Ntfy {
            server_url: "https://ntfy.sh/?x=1".into(),
            topic: secret("a/b"),
            token: Some(secret("tk a")),
        },
        false,
    );
    assert_eq!(fields(&ntfy), ["server_url", "topic", "token"]);
    let telegram = destination(
        DestinationConfig::Telegram {
            bot_token: secret("nope"),
            chat_id: "chat".into(),
            api_url: Some("http://x".into()),
        },
        false,
    );
    assert_eq!(fields(&telegram), ["bot_token", "chat_id", "api_url"]);
    let pushover = destination(
        DestinationConfig::Pushover { user_key: secret(""), app_token: secret("a b"), api_url: None },
        false,
    );
    assert_eq!(fields(&pushover), ["user_key", "app_token"]);
}

#[test]
fn email_settings_are_checked() {
    assert_eq!(fields(&email("smtp.example.com", SmtpSecurity::None, false)), ["security"]);
    assert_eq!(validate(&email("192.168.1.2", SmtpSecurity::None, true)), Ok(()));
    assert_eq!(fields(&email("127.0.0.1", SmtpSecurity::Tls, false)), ["host"]);
    assert_eq!(fields(&email("", SmtpSecurity::Tls, false)), ["host"]);
    let mut dest = email("smtp.example.com", SmtpSecurity::Tls, false);
    if let DestinationConfig::Email { port, password, from, to, .. } = &mut dest.config {
        *port = 0;
        *password = None;
        *from = "nobody".into();
        to.push("a@b.c\r\nBcc: x@y.z".into());
    }
    assert_eq!(fields(&dest), ["port", "password", "from", "to"]);
}

fn table() -> Lookup {
    Lookup::table(&[
        ("hooks.example.com", &[IpAddr::from([93, 184, 215, 14])]),
        ("lan.example", &[IpAddr::from([10, 0, 0, 5])]),
        ("split.example", &[IpAddr::from([93, 184, 215, 14]), IpAddr::from([192, 168, 0, 1])]),
    ])
}

#[tokio::test]
async fn hosts_are_resolved_and_private_answers_refused_at_save() {
    let lookup = table();
    assert!(check_destination_with(&hook("https://hooks.example.com/in"), &lookup).await.is_ok());
    let err = check_destination_with(&hook("https://lan.example/in"), &lookup).await.expect_err("private");
    assert_eq!(err.field(), "url");
    assert_eq!(
        err.to_string(),
        "lan.example (10.0.0.5) is a private network address; turn on \"allow private addresses\" to send to a service on your own network"
    );
    assert!(check_destination_with(&hook("https://split.example/in"), &lookup).await.is_err(), "any private answer");
    let err = check_destination_with(&hook("https://nowhere.example/in"), &lookup).await.expect_err("unknown");
    assert!(matches!(err, TargetError::Unresolvable { field: "url", .. }), "{err:?}");
    let mut lan = hook("http://lan.example/in");
    lan.allow_private = true;
    assert!(check_destination_with(&lan, &lookup).await.is_ok());
}

#[tokio::test]
async fn email_hosts_are_checked_too() {
    let lookup = Lookup::table(&[("mail.lan", &[IpAddr::from([192, 168, 1, 5])])]);
    let err =
        check_destination_with(&email("mail.lan", SmtpSecurity::StartTls, false), &lookup).await.expect_err("lan");
    assert_eq!(err.field(), "host");
    assert!(check_destination_with(&email("mail.lan", SmtpSecurity::StartTls, true), &lookup).await.is_ok());
    assert!(check_destination_with(&email("169.254.169.254", SmtpSecurity::StartTls, true), &lookup).await.is_err());
}
