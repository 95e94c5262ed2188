//! Managing destinations through the service: field-by-field validation, private targets refused
//! unless allowed, blank secrets kept on edit, the kind fixed, audit entries, the test button's real
//! outcome, previews, and dead letters retried or deleted.

use super::*;
use crate::notify::worker::receiver::{Receiver, Reply};
use crate::store::notify::{AttemptEnd, OutboxState};
use crate::test_ctx::{context, t0};

fn webhook_input(url: &str, allow_private: bool) -> DestinationInput {
    let json = serde_json::json!({
        "kind": "webhook",
        "name": "Hook",
        "events": ["incident_opened", "server_down"],
        "min_severity": "medium",
        "allow_private": allow_private,
        "rate_per_minute": 20,
        "config": { "url": url, "secret": "a-long-random-signing-secret" },
    });
    serde_json::from_value(json).expect("a valid input")
}

/// Saves [`webhook_input`] to `url` with private addresses allowed; returns its id.
async fn saved_webhook(ctx: &AppContext, url: &str) -> i64 {
    create(ctx, &webhook_input(url, true), "user:owner", t0()).await.expect("saves").destination.id
}

fn fields_of(e: &AdminError) -> Vec<&str> {
    match e {
        AdminError::Invalid(list) => list.iter().map(|f| f.field.as_str()).collect(),
        other => panic!("not a field error: {other:?}"),
    }
}

#[tokio::test]
async fn every_refused_field_is_named() {
    let (_dir, ctx, _) = context().await;
    let json = serde_json::json!({
        "kind": "discord",
        "name": " ",
        "events": ["test", "nonsense"],
        "min_severity": "urgent",
        "rate_per_minute": 0,
        "title_template": "{{who}}",
        "config": {},
    });
    let input: DestinationInput = serde_json::from_value(json).expect("parses");
    let e = create(&ctx, &input, "user:owner", t0()).await.expect_err("refused");
    assert_eq!(
        fields_of(&e),
        ["name", "events", "events", "min_severity", "rate_per_minute", "title_template", "webhook_url"]
    );
    let AdminError::Invalid(problems) = &e else { unreachable!() };
    assert!(problems.iter().any(|f| f.message.contains("unknown variable {{who}}")), "{problems:?}");

    let mut web_push = webhook_input("https://example.com/h", false);
    web_push.kind = "web_push".into();
    assert_eq!(fields_of(&create(&ctx, &web_push, "user:owner", t0()).await.expect_err("refused")), ["kind"]);
    let all = list(&ctx).await.expect("lists");
    assert!(all.readable.is_empty() && all.unreadable.is_empty(), "nothing was saved");
}

#[tokio::test]
async fn private_targets_need_the_owners_permission() {
    let (_dir, ctx, _) = context().await;
    let e =
        create(&ctx, &webhook_input("http://127.0.0.1:9/hook", false), "user:owner", t0()).await.expect_err("refused");
    assert_eq!(fields_of(&e), ["url"]);
    let metadata = create(&ctx, &webhook_input("http://169.254.169.254/latest", true), "user:owner", t0()).await;
    assert_eq!(fields_of(&metadata.expect_err("never allowed")), ["url"]);
    let saved =
        create(&ctx, &webhook_input("http://127.0.0.1:9/hook", true), "user:owner", t0()).await.expect("allowed");
    assert_eq!(saved.destination.events, [EventKind::IncidentOpened, EventKind::ServerDown]);
    assert_eq!((saved.destination.min_severity, saved.destination.rate_per_minute), (Severity::Medium, 20));
}

#[tokio::test]
async fn edits_keep_blank_secrets_and_the_kind() {
    let (_dir, ctx, _) = context().await;
    let id = saved_webhook(&ctx, "http://127.0.0.1:9/hook").await;
    let mut edit = webhook_input("", true);
    edit.name = "Renamed".into();
    edit.config.insert("url".into(), SecretString::new(""));
    edit.config.insert("secret".into(), SecretString::new(""));
    let record = update(&ctx, id, &edit, "user:owner", t0()).await.expect("updates");
    assert_eq!(record.destination.name, "Renamed");
    let crate::notify::DestinationConfig::Webhook { url, secret } = &record.destination.config else {
        panic!("webhook")
    };
    assert_eq!((url.expose(), secret.expose()), ("http://127.0.0.1:9/hook", "a-long-random-signing-secret"));

    let mut other_kind = webhook_input("https://discord.com/api/webhooks/1/x", true);
    other_kind.kind = "discord".into();
    assert_eq!(fields_of(&update(&ctx, id, &other_kind, "user:owner", t0()).await.expect_err("refused")), ["kind"]);
    assert!(matches!(update(&ctx, id + 100, &edit, "user:owner", t0()).await, Err(AdminError::NotFound)));

    let off = set_enabled(&ctx, id, false, "user:owner", t0()).await.expect("switches");
    assert!(!off.destination.enabled);
    delete(&ctx, id, "user:owner", t0()).await.expect("deletes");
    assert!(matches!(delete(&ctx, id, "user:owner", t0()).await, Err(AdminError::NotFound)));
    let actions: Vec<String> = ctx.store.recent_audit(10).await.expect("audit").into_iter().map(|e| e.action).collect();
    for action in
        ["notification_destination_added", "notification_destination_changed", "notification_destination_removed"]
    {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
    let details: Vec<String> = ctx.store.recent_audit(10).await.expect("audit").into_iter().map(|e| e.detail).collect();
    assert!(details.iter().all(|d| !d.contains("signing-secret") && !d.contains("127.0.0.1")), "{details:?}");
}

#[tokio::test]
async fn the_test_button_reports_the_receivers_real_answer() {
    let (_dir, ctx, _) = context().await;
    let receiver = Receiver::start(&[Reply::Status(204), Reply::Status(404)]).await;
    let id = saved_webhook(&ctx, &receiver.url).await;
    let ok = send_test(&ctx, id, t0()).await.expect("sends");
    assert_eq!(ok, DeliveryOutcome::Delivered { status: 204 });
    let arrivals = receiver.arrivals();
    assert_eq!(arrivals[0].body["event"], "test");
    assert_eq!(arrivals[0].summary(), "Test message for Hook");
    let refused = send_test(&ctx, id, t0()).await.expect("sends");
    assert!(matches!(&refused, DeliveryOutcome::Failed { reason } if reason.contains("404")), "{refused:?}");
    let last = ctx.store.destination(id, &ctx.secrets).await.expect("reads").expect("exists").last.expect("recorded");
    assert!(!last.ok && last.text.starts_with("test: ") && last.text.contains("404"), "{last:?}");
    assert!(ctx.store.outbox_rows(None, 10).await.expect("lists").is_empty(), "a test is not queued");
}

#[tokio::test]
async fn dead_letters_can_be_retried_or_deleted() {
    let (_dir, ctx, _) = context().await;
    let id = saved_webhook(&ctx, "http://127.0.0.1:9/hook").await;
    let notice = Notice::new(EventKind::ServerDown, t0(), "server:1:down").with(Var::Server, "Den");
    assert_eq!(ctx.store.enqueue_notice(&[id], &notice, t0()).await.expect("queues"), 1);
    let row = ctx.store.due_outbox(t0(), 1).await.expect("reads")[0].id;
    ctx.store.start_sending(row, t0()).await.expect("starts");
    ctx.store.finish_outbox(row, &AttemptEnd::Dead { error: "refused".into() }, t0()).await.expect("dies");
    let (rows, counts) = outbox(&ctx, Some(OutboxState::Dead), 50).await.expect("lists");
    assert_eq!((rows.len(), counts.dead), (1, 1));
    retry(&ctx, row, "user:owner", t0()).await.expect("retries");
    assert_eq!(outbox(&ctx, None, 50).await.expect("lists").1.queued, 1);
    discard(&ctx, row, "user:owner", t0()).await.expect("deletes");
    assert!(matches!(discard(&ctx, row, "user:owner", t0()).await, Err(AdminError::NoSuchRow)));
    assert!(matches!(retry(&ctx, row, "user:owner", t0()).await, Err(AdminError::NoSuchRow)));
}

#[test]
fn previews_render_a_sample_with_the_draft_templates() {
    let (title, body) = preview(
        DestinationKind::Ntfy,
        EventKind::IncidentOpened,
        Some("{{severity}}: {{rule}} by {{user}}"),
        Some("{{summary}}\n{{nonsense}}"),
        t0(),
    );
    assert_eq!(title, "high: Impossible travel by alice");
    assert!(body.starts_with("Played from Lisbon") && body.contains("{{nonsense}}"), "{body}");
    let (default_title, _) = preview(DestinationKind::Discord, EventKind::ServerDown, None, None, t0());
    assert_eq!(default_title, "Living room Plex is unreachable");
}
