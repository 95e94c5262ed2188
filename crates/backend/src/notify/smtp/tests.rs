//! Tests for SMTP delivery against a real SMTP server on loopback: plain, STARTTLS and TLS with a
//! self-signed certificate, refusals, and the address policy.

use super::*;
use crate::notify::testkit::{SmtpScript, SmtpServer, closed_port, self_signed};
use std::net::IpAddr;

const HOST: &str = "mail.test";

fn lookup() -> Lookup {
    Lookup::table(&[(HOST, &[IpAddr::from([127, 0, 0, 1])])])
}

fn smtp(extra_pem: Option<&str>) -> Smtp {
    let extra_roots =
        extra_pem.map(|pem| vec![Certificate::from_pem(pem.as_bytes()).expect("pem")]).unwrap_or_default();
    Smtp { timeout: Duration::from_secs(5), extra_roots, lookup: lookup() }
}

fn recipients() -> Vec<String> {
    vec!["owner@example.org".to_owned(), "Second Person <second@example.org>".to_owned()]
}

fn mail<'a>(port: u16, security: SmtpSecurity, to: &'a [String]) -> Mail<'a> {
    Mail {
        host: HOST,
        port,
        security,
        username: None,
        password: None,
        from: "Sightline <sightline@example.org>",
        to,
        allow_private: true,
    }
}

#[tokio::test]
async fn plain_smtp_delivers_one_message_to_every_recipient() {
    let server = SmtpServer::start(SmtpScript::default()).await;
    let to = recipients();
    let outcome = smtp(None)
        .send(mail(server.addr.port(), SmtpSecurity::None, &to), "Incident: travel", "Body line\nsecond")
        .await;
    assert_eq!(outcome, DeliveryOutcome::Delivered { status: 250 });
    let sessions = server.sessions();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert!(!s.tls);
    assert_eq!(s.mail_from, "<sightline@example.org>");
    assert_eq!(s.rcpt_to, ["<owner@example.org>", "<second@example.org>"]);
    assert!(s.data.contains("Subject: Incident: travel"), "{}", s.data);
    assert!(s.data.contains("From: Sightline <sightline@example.org>"), "{}", s.data);
    assert!(s.data.contains("owner@example.org") && s.data.contains("second@example.org"));
    assert!(s.data.contains("Content-Type: text/plain; charset=utf-8"), "{}", s.data);
    assert!(s.data.contains("Body line\nsecond"), "{}", s.data);
}

#[tokio::test]
async fn starttls_upgrades_before_logging_in() {
    let (pem, config) = self_signed(HOST);
    let server = SmtpServer::start(SmtpScript { starttls: Some(config), ..SmtpScript::default() }).await;
    let to = recipients();
    let mut m = mail(server.addr.port(), SmtpSecurity::StartTls, &to);
    m.username = Some("sightline");
    m.password = Some("hunter2-password");
    m.allow_private = true;
    let outcome = smtp(Some(&pem)).send(m, "subject", "body").await;
    assert_eq!(outcome, DeliveryOutcome::Delivered { status: 250 });
    let s = &server.sessions()[0];
    assert!(s.tls && s.auth_over_tls, "{s:?}");
    assert!(s.auth.as_deref().is_some_and(|a| a.starts_with("AUTH PLAIN")), "{s:?}");
    assert!(s.data.contains("body"));
}

#[tokio::test]
async fn implicit_tls_delivers() {
    let (pem, config) = self_signed(HOST);
    let server = SmtpServer::start(SmtpScript { implicit_tls: Some(config), ..SmtpScript::default() }).await;
    let to = recipients();
    let outcome = smtp(Some(&pem)).send(mail(server.addr.port(), SmtpSecurity::Tls, &to), "s", "b").await;
    assert_eq!(outcome, DeliveryOutcome::Delivered { status: 250 });
    assert!(server.sessions()[0].tls);
}

#[tokio::test]
async fn an_untrusted_certificate_fails_without_sending() {
    let (_, config) = self_signed(HOST);
    let server = SmtpServer::start(SmtpScript { starttls: Some(config), ..SmtpScript::default() }).await;
    let to = recipients();
    let outcome = smtp(None).send(mail(server.addr.port(), SmtpSecurity::StartTls, &to), "s", "b").await;
    let DeliveryOutcome::Failed { reason } = outcome else { panic!("expected a failure, got {outcome:?}") };
    assert!(reason.contains("tls"), "{reason}");
    assert!(server.sessions().is_empty());
}

#[tokio::test]
async fn starttls_required_but_not_offered_fails() {
    let server = SmtpServer::start(SmtpScript::default()).await;
    let to = recipients();
    let outcome = smtp(None).send(mail(server.addr.port(), SmtpSecurity::StartTls, &to), "s", "b").await;
    assert!(matches!(outcome, DeliveryOutcome::Failed { .. }), "{outcome:?}");
    assert!(server.sessions().iter().all(|s| s.data.is_empty()));
}

#[tokio::test]
async fn temporary_refusals_are_retried_and_permanent_ones_fail() {
    let to = recipients();
    let busy = SmtpServer::start(SmtpScript { rcpt_reply: "452 4.2.2 mailbox full", ..SmtpScript::default() }).await;
    let outcome = smtp(None).send(mail(busy.addr.port(), SmtpSecurity::None, &to), "s", "b").await;
    assert!(matches!(outcome, DeliveryOutcome::Retry { .. }), "{outcome:?}");

    let unknown = SmtpServer::start(SmtpScript { rcpt_reply: "550 5.1.1 no such user", ..SmtpScript::default() }).await;
    let outcome = smtp(None).send(mail(unknown.addr.port(), SmtpSecurity::None, &to), "s", "b").await;
    let DeliveryOutcome::Failed { reason } = outcome else { panic!("550 fails: {outcome:?}") };
    assert!(reason.contains("550"), "{reason}");
}

#[tokio::test]
async fn a_refused_login_fails_and_never_shows_the_password() {
    let server =
        SmtpServer::start(SmtpScript { auth_reply: "535 5.7.8 bad credentials", ..SmtpScript::default() }).await;
    let to = recipients();
    let mut m = mail(server.addr.port(), SmtpSecurity::None, &to);
    m.username = Some("sightline");
    m.password = Some("hunter2-password");
    let outcome = smtp(None).send(m, "s", "b").await;
    let DeliveryOutcome::Failed { reason } = outcome else { panic!("535 fails: {outcome:?}") };
    assert!(reason.contains("login was refused"), "{reason}");
    assert!(!reason.contains("hunter2"), "{reason}");
}

#[tokio::test]
async fn an_unreachable_server_is_retried() {
    let port = closed_port().await.port();
    let to = recipients();
    let outcome = smtp(None).send(mail(port, SmtpSecurity::None, &to), "s", "b").await;
    assert!(matches!(outcome, DeliveryOutcome::Retry { .. }), "{outcome:?}");
}

#[tokio::test]
async fn private_relays_need_allow_private_and_plain_smtp_too() {
    let server = SmtpServer::start(SmtpScript::default()).await;
    let to = recipients();
    let mut m = mail(server.addr.port(), SmtpSecurity::StartTls, &to);
    m.allow_private = false;
    let DeliveryOutcome::Failed { reason } = smtp(None).send(m, "s", "b").await else { panic!("refused") };
    assert!(reason.contains("127.0.0.1") && reason.contains("loopback"), "{reason}");

    let mut m = mail(server.addr.port(), SmtpSecurity::None, &to);
    m.allow_private = false;
    let DeliveryOutcome::Failed { reason } = smtp(None).send(m, "s", "b").await else { panic!("refused") };
    assert!(reason.contains("unencrypted"), "{reason}");

    let mut m = mail(server.addr.port(), SmtpSecurity::StartTls, &to);
    m.host = "169.254.169.254";
    assert!(matches!(smtp(None).send(m, "s", "b").await, DeliveryOutcome::Failed { .. }));
    assert_eq!(server.connections(), 0, "nothing connected to the server");
}

#[tokio::test]
async fn bad_addresses_fail_before_connecting() {
    let server = SmtpServer::start(SmtpScript::default()).await;
    let to = vec!["not an address".to_owned()];
    let outcome = smtp(None).send(mail(server.addr.port(), SmtpSecurity::None, &to), "s", "b").await;
    assert!(matches!(outcome, DeliveryOutcome::Failed { .. }), "{outcome:?}");
    let header_injection = vec!["a@example.org\r\nBcc: victim@example.org".to_owned()];
    let outcome = smtp(None).send(mail(server.addr.port(), SmtpSecurity::None, &header_injection), "s", "b").await;
    assert!(matches!(outcome, DeliveryOutcome::Failed { .. }), "{outcome:?}");
    assert_eq!(server.connections(), 0);
}
