//! Browser push opt-in through the real server functions: the VAPID key exists from the first
//! start and is what `/api/push_public_key` hands out; a subscription becomes one `WebPush`
//! destination for incidents (medium and above) wired to the senders; bad endpoints are refused by
//! field; removal works; no session, no access.

use crate::helpers::TestApp;
use serde_json::Value;
use sightline_backend::notify::webpush::VapidKeys;
use sightline_backend::notify::{DeliveryOutcome, DestinationConfig, EventKind, Notice};
use sightline_backend::secret::SecretString;

const ENDPOINT: &str = "https://fcm.googleapis.com/fcm/send/test-device:APA91b";
/// RFC 8291's example user-agent key and auth secret: a valid subscription.
const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_browser_opts_in_is_listed_and_opts_out() {
    let (app, cookie) = TestApp::with_owner().await;
    let data_dir = app.running.ctx.config.data_dir.clone();
    assert!(data_dir.join("keys/vapid.key").exists(), "the VAPID key is created at the first start");

    let (status, key) = json(app.post_form("/api/push_public_key", &[], Some(&cookie)).await).await;
    assert_eq!(status, 200);
    let stored = VapidKeys::load_or_create(&data_dir).expect("the key file");
    assert_eq!(key.as_str(), Some(stored.public_key()));
    let raw = sightline_backend::notify::webpush::keys::decode_b64url(stored.public_key()).expect("base64url");
    assert_eq!(raw.len(), 65);

    let form = [("endpoint", ENDPOINT), ("p256dh", P256DH), ("auth", AUTH), ("label", "Chrome on Android")];
    let (status, device) = json(app.post_form("/api/push_subscribe", &form, Some(&cookie)).await).await;
    assert_eq!(status, 200, "{device}");
    assert_eq!(device["name"], "Chrome on Android");
    assert_eq!(device["service"], "fcm.googleapis.com");
    assert_eq!(device["receives"], "Incident opened · medium and above");
    assert!(device.get("endpoint").is_none(), "the endpoint never goes back to the page");
    let id = device["id"].as_i64().expect("an id");

    let ctx = &app.running.ctx;
    let record = ctx.store.destination(id, &ctx.secrets).await.expect("reads").expect("stored");
    assert_eq!(record.destination.events, vec![EventKind::IncidentOpened]);
    assert!(
        matches!(&record.destination.config, DestinationConfig::WebPush { endpoint, .. } if endpoint.expose() == ENDPOINT)
    );

    // The running senders hand browser push to the web push sender (a refused connection is
    // retried; unwired, it would fail as "browser push is not set up").
    let mut local = record.destination.clone();
    local.allow_private = true;
    local.config = DestinationConfig::WebPush {
        endpoint: SecretString::new("https://127.0.0.1:1/push"),
        p256dh: P256DH.to_owned(),
        auth: SecretString::new(AUTH),
    };
    let notice = Notice::new(EventKind::Test, sightline_backend::clock::now(), "test:wiring");
    let outcome = ctx.notify.deliver().deliver(&local, &notice).await;
    assert!(
        matches!(&outcome, DeliveryOutcome::Retry { reason, .. } if reason.contains("push service")),
        "{outcome:?}"
    );

    let (_, list) = json(app.post_form("/api/push_devices", &[("endpoint", ENDPOINT)], Some(&cookie)).await).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["this_browser"], true);
    let (_, list) = json(app.post_form("/api/push_devices", &[], Some(&cookie)).await).await;
    assert_eq!(list[0]["this_browser"], false);

    let id_text = id.to_string();
    let (status, _) = json(app.post_form("/api/push_unsubscribe", &[("id", &id_text)], Some(&cookie)).await).await;
    assert_eq!(status, 200);
    let (_, list) = json(app.post_form("/api/push_devices", &[], Some(&cookie)).await).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn bad_subscriptions_and_strangers_are_refused() {
    let (app, cookie) = TestApp::with_owner().await;
    for endpoint in ["http://fcm.googleapis.com/x", "https://127.0.0.1/x", "https://169.254.169.254/latest"] {
        let form = [("endpoint", endpoint), ("p256dh", P256DH), ("auth", AUTH), ("label", "Phone")];
        let (status, body) = json(app.post_form("/api/push_subscribe", &form, Some(&cookie)).await).await;
        assert!(status >= 400, "{endpoint}: {status}");
        assert_eq!(body["code"], "invalid", "{endpoint}: {body}");
        assert_eq!(body["detail"]["field"], "endpoint", "{endpoint}: {body}");
    }
    let form = [("endpoint", ENDPOINT), ("p256dh", "AAAA"), ("auth", AUTH), ("label", "Phone")];
    let (_, body) = json(app.post_form("/api/push_subscribe", &form, Some(&cookie)).await).await;
    assert_eq!(body["detail"]["field"], "keys");

    let form = [("endpoint", ENDPOINT), ("p256dh", P256DH), ("auth", AUTH), ("label", "Phone")];
    let (status, _) = json(app.post_form("/api/push_subscribe", &form, None).await).await;
    assert_eq!(status, 401);
    let (status, _) = json(app.post_form("/api/push_public_key", &[], None).await).await;
    assert_eq!(status, 401);
    let ctx = &app.running.ctx;
    assert!(ctx.store.destinations(&ctx.secrets).await.expect("lists").readable.is_empty());
}
