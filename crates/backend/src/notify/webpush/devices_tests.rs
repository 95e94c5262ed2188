//! Opting browsers in and out against a real SQLite store, and an expired subscription switching
//! its destination off through the real sender and a loopback push service.

use super::*;
use crate::notify::webpush::{VapidKeys, WebPushSender, ece};
use crate::notify::{Deliver, DeliveryOutcome, Notice};
use crate::test_ctx::{context, t0};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;

fn subscription(endpoint: &str) -> Subscription {
    let key = ece::random_secret_key();
    Subscription {
        endpoint: SecretString::new(endpoint),
        p256dh: URL_SAFE_NO_PAD.encode(key.public_key().to_encoded_point(false).as_bytes()),
        auth: SecretString::new(URL_SAFE_NO_PAD.encode([9u8; 16])),
    }
}

const FCM: &str = "https://fcm.googleapis.com/fcm/send/dev-1:abc";

#[tokio::test]
async fn opting_in_creates_one_push_destination_for_incidents() {
    let (_dir, ctx, _) = context().await;
    let device = subscribe(&ctx, &subscription(FCM), "  Pixel 8\u{7}  ", "user:owner", t0()).await.expect("subscribes");
    assert_eq!(device.name, "Pixel 8");
    assert_eq!(device.service, "fcm.googleapis.com");
    assert!(device.enabled && device.this_browser);
    assert_eq!(device.events, vec![EventKind::IncidentOpened]);
    assert_eq!(device.min_severity, Severity::Medium);

    let stored = ctx.store.destination(device.id, &ctx.secrets).await.expect("reads").expect("exists");
    assert!(!stored.destination.allow_private);
    assert!(
        matches!(&stored.destination.config, DestinationConfig::WebPush { endpoint, .. } if endpoint.expose() == FCM)
    );
    let audit = ctx.store.recent_audit(5).await.expect("audit");
    assert!(audit.iter().any(|a| a.action == "notification_destination_added" && a.detail.contains("Pixel 8")));

    let listed = devices(&ctx, Some(FCM)).await.expect("lists");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].this_browser);
    let other = devices(&ctx, Some("https://fcm.googleapis.com/fcm/send/other")).await.expect("lists");
    assert!(!other[0].this_browser);
}

#[tokio::test]
async fn subscribing_again_updates_the_same_destination_and_keeps_the_owners_choices() {
    let (_dir, ctx, _) = context().await;
    let first = subscribe(&ctx, &subscription(FCM), "Phone", "user:owner", t0()).await.expect("subscribes");
    // The owner widens it on Settings → Notifications, then it expires and is switched off.
    let mut d = ctx.store.destination(first.id, &ctx.secrets).await.expect("reads").expect("exists").destination;
    d.events = vec![EventKind::IncidentOpened, EventKind::ServerDown];
    d.enabled = false;
    ctx.store.update_destination(&d, &ctx.secrets, t0()).await.expect("updates");

    let again = subscribe(&ctx, &subscription(FCM), "Work phone", "user:owner", t0()).await.expect("subscribes");
    assert_eq!(again.id, first.id);
    assert_eq!(again.name, "Work phone");
    assert!(again.enabled, "opting in again switches it back on");
    assert_eq!(again.events, vec![EventKind::IncidentOpened, EventKind::ServerDown]);
    assert_eq!(devices(&ctx, None).await.expect("lists").len(), 1);
}

#[tokio::test]
async fn bad_subscriptions_are_refused_field_by_field() {
    let (_dir, ctx, _) = context().await;
    let field = |r: Result<PushDevice, DeviceError>| match r {
        Err(DeviceError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let plain = subscribe(&ctx, &subscription("http://push.example.com/x"), "Phone", "a", t0()).await;
    assert_eq!(field(plain), "endpoint");
    let private = subscribe(&ctx, &subscription("https://192.168.1.5/push"), "Phone", "a", t0()).await;
    assert_eq!(field(private), "endpoint");
    let mut bad_keys = subscription(FCM);
    bad_keys.p256dh = "AAAA".to_owned();
    assert_eq!(field(subscribe(&ctx, &bad_keys, "Phone", "a", t0()).await), "keys");
    assert_eq!(field(subscribe(&ctx, &subscription(FCM), " \n ", "a", t0()).await), "label");
    assert_eq!(field(subscribe(&ctx, &subscription(FCM), &"x".repeat(65), "a", t0()).await), "label");
    assert!(devices(&ctx, None).await.expect("lists").is_empty());
}

#[tokio::test]
async fn unsubscribing_removes_only_browser_push_destinations() {
    let (_dir, ctx, _) = context().await;
    let device = subscribe(&ctx, &subscription(FCM), "Phone", "user:owner", t0()).await.expect("subscribes");
    let webhook = Destination {
        id: 0,
        name: "Hook".to_owned(),
        enabled: true,
        events: vec![EventKind::IncidentOpened],
        min_severity: Severity::Low,
        allow_private: false,
        rate_per_minute: 30,
        title_template: None,
        body_template: None,
        config: DestinationConfig::Webhook {
            url: SecretString::new("https://hooks.example.com/x"),
            secret: SecretString::new("0123456789abcdef"),
        },
    };
    let hook = ctx.store.create_destination(&webhook, &ctx.secrets, t0()).await.expect("creates");
    assert!(matches!(unsubscribe(&ctx, hook.destination.id, "user:owner", t0()).await, Err(DeviceError::NotFound)));
    unsubscribe(&ctx, device.id, "user:owner", t0()).await.expect("removes");
    assert!(devices(&ctx, None).await.expect("lists").is_empty());
    assert!(ctx.store.destination(hook.destination.id, &ctx.secrets).await.expect("reads").is_some());
    assert!(matches!(unsubscribe(&ctx, device.id, "user:owner", t0()).await, Err(DeviceError::NotFound)));
}

#[tokio::test]
async fn the_public_key_is_created_once_per_data_dir() {
    let (dir, ctx, _) = context().await;
    let first = public_key(&ctx).await.expect("created");
    assert_eq!(public_key(&ctx).await.expect("read back"), first);
    assert_eq!(VapidKeys::load_or_create(dir.path()).expect("same file").public_key(), first);
}

#[tokio::test]
async fn a_gone_subscription_switches_its_destination_off() {
    use axum::http::StatusCode;
    let (_dir, ctx, _) = context().await;
    let router = axum::Router::new().route("/wpush/{id}", axum::routing::post(|| async { StatusCode::GONE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });

    let sub = subscription(&format!("http://{addr}/wpush/gone"));
    let destination = Destination {
        id: 0,
        name: "Old laptop".to_owned(),
        enabled: true,
        events: DEFAULT_EVENTS.to_vec(),
        min_severity: DEFAULT_MIN_SEVERITY,
        allow_private: true,
        rate_per_minute: 30,
        title_template: None,
        body_template: None,
        config: DestinationConfig::WebPush { endpoint: sub.endpoint, p256dh: sub.p256dh, auth: sub.auth },
    };
    let record = ctx.store.create_destination(&destination, &ctx.secrets, t0()).await.expect("creates");

    let keys = Arc::new(VapidKeys::load_or_create(&ctx.config.data_dir).expect("keys"));
    let expiry = DisableExpired::new(Arc::clone(&ctx.store), Arc::clone(&ctx.secrets), Arc::clone(&ctx.auth));
    let sender = WebPushSender::for_plain_http_tests(keys, "mailto:owner@example.com".to_owned())
        .expect("builds")
        .on_expired(Arc::new(expiry));
    let mut notice = Notice::new(EventKind::IncidentOpened, t0(), "incident:1:opened");
    notice.severity = Some(Severity::High);
    let outcome = sender.deliver(&record.destination, &notice).await;
    assert_eq!(outcome, DeliveryOutcome::Failed { reason: "subscription expired".to_owned() });

    let after = ctx.store.destination(record.destination.id, &ctx.secrets).await.expect("reads").expect("kept");
    assert!(!after.destination.enabled, "disabled, not deleted");
    let audit = ctx.store.recent_audit(5).await.expect("audit");
    assert!(audit.iter().any(|a| a.actor == "web-push" && a.detail.contains("subscription expired")));
}
