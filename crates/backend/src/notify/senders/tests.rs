//! Tests for `Senders` against real servers on loopback: the request each kind receives, how
//! answers become outcomes, timeouts, redirects, and the address policy at send time.

use super::*;
use crate::notify::defaults;
use crate::notify::destination::SmtpSecurity;
use crate::notify::event::{EventKind, Var};
use crate::notify::render::webhook;
use crate::notify::testkit::{HttpServer, Reply, SmtpScript, SmtpServer, closed_port, destination, silent_server};
use crate::notify::validate::check_destination_with;
use crate::secret::SecretString;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

fn secret(s: &str) -> SecretString {
    SecretString::new(s)
}

fn senders() -> Senders {
    senders_with(Duration::from_secs(5), Lookup::system())
}

fn senders_with(timeout: Duration, lookup: Lookup) -> Senders {
    let options =
        SendOptions { timeout, base_url: Some("https://sightline.example/".to_owned()), extra_root_certs: Vec::new() };
    Senders::with_lookup(options, lookup).expect("senders")
}

fn incident() -> Notice {
    defaults::sample(EventKind::IncidentOpened, crate::clock::now())
}

fn discord(url: String, allow_private: bool) -> Destination {
    destination(DestinationConfig::Discord { webhook_url: secret(&url) }, allow_private)
}

fn webhook(url: String, allow_private: bool) -> Destination {
    destination(DestinationConfig::Webhook { url: secret(&url), secret: secret("0123456789abcdef-key") }, allow_private)
}

fn failed(outcome: DeliveryOutcome) -> String {
    match outcome {
        DeliveryOutcome::Failed { reason } => reason,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn discord_receives_one_embed_without_mentions() {
    let server = HttpServer::start(Reply::status(204)).await;
    let dest = discord(server.url("/api/webhooks/123/tok-abc"), true);
    let notice = incident().with(Var::User, "@everyone");
    assert_eq!(senders().deliver(&dest, &notice).await, DeliveryOutcome::Delivered { status: 204 });
    let seen = server.only();
    assert_eq!((seen.method.as_str(), seen.uri.as_str()), ("POST", "/api/webhooks/123/tok-abc"));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    let body = seen.json();
    assert_eq!(body["username"], "Sightline");
    assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
    let embed = &body["embeds"][0];
    assert_eq!(embed["fields"][0]["name"], "User");
    assert_eq!(embed["fields"][0]["value"], "@\u{200B}everyone");
    assert_eq!(embed["url"], "https://sightline.example/alerts/42", "the path became a link under the base url");
}

#[tokio::test]
async fn webhooks_are_signed_over_timestamp_and_body() {
    let server = HttpServer::start(Reply::status(200)).await;
    let dest = webhook(server.url("/hooks/sightline?team=ops"), true);
    let before = crate::clock::now().timestamp();
    assert_eq!(senders().deliver(&dest, &incident()).await, DeliveryOutcome::Delivered { status: 200 });
    let seen = server.only();
    assert_eq!(seen.uri, "/hooks/sightline?team=ops");
    assert_eq!(seen.header("x-sightline-event"), Some("incident_opened"));
    let timestamp: i64 = seen.header("x-sightline-timestamp").expect("timestamp").parse().expect("unix seconds");
    assert!((before..=before + 5).contains(&timestamp), "the send time, not the event time");
    // Verified as a receiver would: HMAC-SHA256(secret, "<timestamp>.<raw body>").
    let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef-key").expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&seen.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(seen.header("x-sightline-signature"), Some(expected.as_str()));
    let body = seen.json();
    assert_eq!(body["event"], "incident_opened");
    assert_eq!(body["severity"], "high");
    assert_eq!(body["vars"]["user"], "alice");
    assert_eq!(body["vars"]["url"], "https://sightline.example/alerts/42");
    assert_eq!(webhook::signature(b"0123456789abcdef-key", timestamp, &seen.body), expected);
}

#[tokio::test]
async fn ntfy_gotify_pushover_and_telegram_receive_their_requests() {
    let server = HttpServer::start(Reply::status(200).with_body("{\"ok\":true}")).await;
    let base = server.url("/");
    let s = senders();
    let n = incident();
    let dests = [
        DestinationConfig::Ntfy {
            server_url: base.clone(),
            topic: secret("alerts_1"),
            token: Some(secret("tk_secret")),
        },
        DestinationConfig::Gotify { server_url: format!("{base}gotify"), app_token: secret("AppTok123") },
        DestinationConfig::Pushover {
            user_key: secret("uQiRzpo4DXghDmr9QzzfQu27cmVRsG"),
            app_token: secret("azGDORePK8gMaC0QOYAMyEEuzJnyUi"),
            api_url: Some(base.clone()),
        },
        DestinationConfig::Telegram {
            bot_token: secret("123456:AAE-secret"),
            chat_id: "-1001".to_owned(),
            api_url: Some(base.clone()),
        },
    ];
    for config in dests {
        let outcome = s.deliver(&destination(config, true), &n).await;
        assert_eq!(outcome, DeliveryOutcome::Delivered { status: 200 });
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].uri, "/alerts_1");
    assert_eq!(seen[0].header("authorization"), Some("Bearer tk_secret"));
    assert_eq!(seen[0].header("priority"), Some("4"));
    assert_eq!(seen[0].header("click"), Some("https://sightline.example/alerts/42"));
    assert_eq!(seen[1].uri, "/gotify/message");
    assert_eq!(seen[1].header("x-gotify-key"), Some("AppTok123"));
    assert_eq!(seen[1].json()["priority"], 8);
    assert_eq!(seen[2].uri, "/1/messages.json");
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&seen[2].body).into_owned().collect();
    assert_eq!(form["user"], "uQiRzpo4DXghDmr9QzzfQu27cmVRsG");
    assert_eq!(form["title"], "Incident: Impossible travel (alice)");
    assert_eq!(seen[3].uri, "/bot123456:AAE-secret/sendMessage");
    let telegram = seen[3].json();
    assert_eq!(telegram["chat_id"], "-1001");
    assert_eq!(telegram["parse_mode"], "HTML");
    assert!(telegram["text"].as_str().expect("text").starts_with("<b>Incident: Impossible travel (alice)</b>"));
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_receivers_wait() {
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/discord/rate_limited_429_user_body.json"
    ))
    .expect("fixture");
    let json = HttpServer::start(Reply::status(429).with_header("retry-after", "65").with_body(fixture)).await;
    let outcome = senders().deliver(&discord(json.url("/api/webhooks/1/t"), true), &incident()).await;
    assert!(
        matches!(outcome, DeliveryOutcome::Retry { after: Some(d), .. } if d == Duration::from_secs_f64(64.57)),
        "{outcome:?}"
    );
    let float =
        HttpServer::start(Reply::status(429).with_body(r#"{"message":"slow","retry_after":1.5,"global":false}"#)).await;
    let outcome = senders().deliver(&discord(float.url("/api/webhooks/1/t"), true), &incident()).await;
    assert!(
        matches!(outcome, DeliveryOutcome::Retry { after: Some(d), .. } if d == Duration::from_millis(1500)),
        "{outcome:?}"
    );
    let header = HttpServer::start(Reply::status(429).with_header("retry-after", "3")).await;
    let outcome = senders().deliver(&webhook(header.url("/h"), true), &incident()).await;
    assert!(
        matches!(outcome, DeliveryOutcome::Retry { after: Some(d), .. } if d == Duration::from_secs(3)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_fail_without_secrets() {
    let broken = HttpServer::start(Reply::status(500).with_body("upstream exploded")).await;
    let outcome = senders().deliver(&webhook(broken.url("/h"), true), &incident()).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { after: None, reason } if reason.contains("http 500: upstream exploded")),
        "{outcome:?}"
    );

    let echo = "{\"ok\":false,\"description\":\"Not Found: bot 123456:AAE-secret unknown\"}";
    let missing = HttpServer::start(Reply::status(404).with_body(echo)).await;
    let config = DestinationConfig::Telegram {
        bot_token: secret("123456:AAE-secret"),
        chat_id: "42".to_owned(),
        api_url: Some(missing.url("/")),
    };
    let reason = failed(senders().deliver(&destination(config, true), &incident()).await);
    assert!(reason.starts_with("Telegram answered http 404"), "{reason}");
    assert!(!reason.contains("AAE-secret"), "the token never appears: {reason}");
    assert!(!reason.contains("/bot"), "nor the URL: {reason}");

    let gone = HttpServer::start(Reply::status(404).with_body("x".repeat(200_000))).await;
    let reason = failed(senders().deliver(&discord(gone.url("/api/webhooks/9/tok-abc"), true), &incident()).await);
    assert!(reason.contains("the webhook no longer exists"), "{reason}");
    assert!(reason.chars().count() < 400, "the body is quoted briefly");
    assert!(!reason.contains("tok-abc"));
}

#[tokio::test]
async fn redirects_fail_and_the_location_is_never_requested() {
    let target = HttpServer::start(Reply::status(200)).await;
    let redirect = HttpServer::start(Reply::status(302).with_header("location", target.url("/internal"))).await;
    let reason = failed(senders().deliver(&webhook(redirect.url("/h"), true), &incident()).await);
    assert!(reason.contains("redirects are not followed"), "{reason}");
    assert_eq!(redirect.seen().len(), 1);
    assert!(target.seen().is_empty(), "the redirect was not followed");
}

#[tokio::test]
async fn a_receiver_that_never_answers_times_out_and_is_retried() {
    let addr = silent_server().await;
    let s = senders_with(Duration::from_millis(300), Lookup::system());
    let outcome = s.deliver(&webhook(format!("http://{addr}/h"), true), &incident()).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.contains("did not answer")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_retried() {
    let addr = closed_port().await;
    let outcome = senders().deliver(&webhook(format!("http://{addr}/h"), true), &incident()).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.contains("could not connect")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn private_and_special_targets_are_refused_without_allow_private() {
    let server = HttpServer::start(Reply::status(200)).await;
    let port = server.addr.port();
    let lookup = Lookup::table(&[
        ("lan.example", &[IpAddr::from([10, 0, 0, 5])]),
        ("loop.example", &[IpAddr::from([127, 0, 0, 1])]),
    ]);
    let s = senders_with(Duration::from_secs(2), lookup.clone());
    let targets = [
        format!("https://127.0.0.1:{port}/h"),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        format!("https://2130706433:{port}/h"),
        format!("https://0x7f.1:{port}/h"),
        format!("https://[::ffff:7f00:1]:{port}/h"),
        format!("https://0.0.0.0:{port}/h"),
        format!("https://localhost:{port}/h"),
        format!("https://lan.example:{port}/h"),
        format!("https://loop.example:{port}/h"),
        format!("http://127.0.0.1:{port}/h"),
    ];
    for url in targets {
        let reason = failed(s.deliver(&webhook(url.clone(), false), &incident()).await);
        assert!(reason.starts_with("refused"), "{url}: {reason}");
        let dest = webhook(url.clone(), false);
        assert!(check_destination_with(&dest, &lookup).await.is_err(), "{url} is refused at save too");
    }
    let reason = failed(s.deliver(&webhook("https://lan.example/h".to_owned(), false), &incident()).await);
    assert!(reason.contains("10.0.0.5") && reason.contains("private"), "{reason}");
    let metadata = failed(s.deliver(&webhook("http://169.254.169.254/".to_owned(), true), &incident()).await);
    assert!(metadata.contains("never allowed"), "even with allow_private: {metadata}");
    assert!(server.seen().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_name_that_rebinds_to_loopback_after_the_save_check_is_refused_when_sending() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let lookup = Lookup::from_fn(move |_| {
        let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
        Ok(vec![if first { IpAddr::from([93, 184, 215, 14]) } else { IpAddr::from([127, 0, 0, 1]) }])
    });
    let dest = webhook("https://rebind.example/h".to_owned(), false);
    assert!(check_destination_with(&dest, &lookup).await.is_ok(), "public when saved");
    let reason = failed(senders_with(Duration::from_secs(2), lookup).deliver(&dest, &incident()).await);
    assert!(reason.contains("rebind.example (127.0.0.1) is a loopback address"), "{reason}");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "resolved again at connect time");
}

#[tokio::test]
async fn discord_destinations_must_point_at_discord() {
    let server = HttpServer::start(Reply::status(204)).await;
    let reason = failed(senders().deliver(&discord(server.url("/hooks/1"), true), &incident()).await);
    assert!(reason.contains("misconfigured"), "{reason}");
    let reason =
        failed(senders().deliver(&discord("https://evil.example/api/webhooks/1/x".into(), false), &incident()).await);
    assert!(reason.contains("discord.com"), "{reason}");
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn email_destinations_go_through_smtp() {
    let server = SmtpServer::start(SmtpScript::default()).await;
    let config = DestinationConfig::Email {
        host: "127.0.0.1".to_owned(),
        port: server.addr.port(),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "sightline@example.org".to_owned(),
        to: vec!["owner@example.org".to_owned(), "deputy@example.org".to_owned()],
    };
    let outcome = senders().deliver(&destination(config, true), &incident()).await;
    assert_eq!(outcome, DeliveryOutcome::Delivered { status: 250 });
    let session = &server.sessions()[0];
    assert_eq!(session.rcpt_to.len(), 2);
    assert!(session.data.contains("Subject: Incident: Impossible travel (alice)"), "{}", session.data);
    assert!(session.data.contains("https://sightline.example/alerts/42"), "{}", session.data);
}

struct FixedPush(DeliveryOutcome);

#[async_trait::async_trait]
impl Deliver for FixedPush {
    async fn deliver(&self, _dest: &Destination, _notice: &Notice) -> DeliveryOutcome {
        self.0.clone()
    }
}

#[tokio::test]
async fn browser_push_is_handed_to_its_sender_when_set_up() {
    let config = DestinationConfig::WebPush {
        endpoint: secret("https://push.example/ep"),
        p256dh: "key".to_owned(),
        auth: secret("auth"),
    };
    let dest = destination(config, false);
    assert_eq!(failed(senders().deliver(&dest, &incident()).await), "browser push is not set up");
    let push = senders().with_web_push(Arc::new(FixedPush(DeliveryOutcome::Delivered { status: 201 })));
    assert_eq!(push.deliver(&dest, &incident()).await, DeliveryOutcome::Delivered { status: 201 });
}

#[test]
fn options_are_checked_when_building() {
    let bad_base = SendOptions { base_url: Some("ftp://x".into()), ..SendOptions::default() };
    assert!(matches!(Senders::new(bad_base), Err(SendersError::BaseUrl)));
    let bad_pem = SendOptions { extra_root_certs: vec!["not a certificate".into()], ..SendOptions::default() };
    assert!(Senders::new(bad_pem).is_err());
    let (pem, _) = crate::notify::testkit::self_signed("relay.lan");
    assert!(Senders::new(SendOptions { extra_root_certs: vec![pem], ..SendOptions::default() }).is_ok());
}
