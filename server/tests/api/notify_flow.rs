//! The whole alert path, as in `sightline demo`: an account streams from London and Linköping at
//! once through a simulated Plex server, the incident opens, and both destinations configured over
//! the REST API (a signed JSON webhook and a Discord-format webhook, on a loopback inbox) receive it
//! once, with the account, the rule and a valid signature.

use crate::detect_helpers::{add_server, app_with_geoip, london_then_linkoping, one_account_sim};
use serde_json::{Value, json};
use sightline_simulator::ServerKind;
use sightline_simulator::inbox::{Inbox, InboxKind};
use std::time::Duration;

#[tokio::test]
async fn an_incident_reaches_the_webhook_and_the_discord_receiver_once_each() {
    let inbox = Inbox::start(0).await.expect("inbox starts");
    let sim = one_account_sim(ServerKind::Plex, "Plex").await;
    let (app, key) = app_with_geoip().await;
    let secret = "flow-secret-0123456789";
    for body in [
        json!({"kind": "webhook", "name": "Inbox webhook", "events": ["incident_opened"], "allow_private": true,
               "config": {"url": inbox.webhook_url(), "secret": secret}}),
        json!({"kind": "discord", "name": "Inbox Discord", "events": ["incident_opened"], "allow_private": true,
               "config": {"webhook_url": inbox.discord_url()}}),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/notifications/destinations"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    }
    let plex = sim.first(ServerKind::Plex).expect("plex");
    add_server(&app, &key, "plex", "Plex", plex.base_url(), plex.token()).await;
    london_then_linkoping(&app, plex).await;

    let log = inbox.wait_for(2, Duration::from_secs(20)).await;
    // Several more polls: still one delivery per destination (the incident only updates).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = if log.len() >= 2 { inbox.deliveries() } else { log };
    let kinds: Vec<InboxKind> = log.iter().map(|d| d.kind).collect();
    assert_eq!(kinds.len(), 2, "one delivery per destination: {log:#?}");
    assert!(kinds.contains(&InboxKind::Webhook) && kinds.contains(&InboxKind::Discord), "{kinds:?}");

    let webhook = log.iter().find(|d| d.kind == InboxKind::Webhook).expect("webhook");
    let body: Value = webhook.json().expect("json body");
    assert_eq!(body["event"], "incident_opened");
    assert_eq!(body["vars"]["user"], "carol");
    assert_eq!(body["severity"], "high");
    let timestamp: i64 = webhook.header("x-sightline-timestamp").and_then(|t| t.parse().ok()).expect("timestamp");
    let expected =
        sightline_backend::notify::render::webhook::signature(secret.as_bytes(), timestamp, webhook.body.as_bytes());
    assert_eq!(webhook.header("x-sightline-signature"), Some(expected.as_str()));

    let discord = log.iter().find(|d| d.kind == InboxKind::Discord).expect("discord");
    let body: Value = discord.json().expect("json body");
    assert_eq!(body["allowed_mentions"], json!({"parse": []}));
    let embed = &body["embeds"][0];
    let fields = embed["fields"].as_array().expect("fields");
    assert!(fields.iter().any(|f| f["name"] == "User" && f["value"] == "carol"), "{embed}");
    assert!(embed["title"].as_str().is_some_and(|t| !t.is_empty()), "{embed}");

    sim.shutdown().await;
    app.running.stop().await.expect("stops");
}
