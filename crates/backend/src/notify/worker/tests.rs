//! The worker against a real webhook receiver on loopback, through the real `Senders`: a 500 is
//! retried until delivered, a 429's `retry_after` is waited out, rows die after the last attempt or
//! at once when refused, a new worker delivers what a stopped one left (in order), the rate limit
//! holds rows back, identical notices go out once, and a ring wakes the worker at once. Assertions are
//! on order and counts; the waits only bound how long a broken worker may take to be caught.

use super::receiver::{Receiver, Reply};
use super::*;
use crate::notify::{EventKind, Notice, Var, enqueue};
use crate::store::notify::OutboxState;
use crate::test_ctx::context;
use std::future::Future;
use std::time::Instant;

/// Quick retries and no idle wake-up, so every delivery in these tests comes from a ring or a due time.
fn fast() -> WorkerConfig {
    WorkerConfig {
        retry: RetryPolicy {
            delays: vec![Duration::from_millis(20), Duration::from_millis(40)],
            max_attempts: 3,
            jitter: 0.0,
            max_wait: Duration::from_secs(5),
        },
        concurrency: 4,
        send_timeout: Duration::from_secs(10),
        idle_wake: Duration::from_secs(3600),
        drain: Duration::from_secs(1),
        ..WorkerConfig::default()
    }
}

fn start(ctx: &AppContext, config: WorkerConfig) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let handle = tokio::spawn(run_with(ctx.clone(), config, stop.clone()));
    (stop, handle)
}

async fn stop(worker: (CancellationToken, tokio::task::JoinHandle<()>)) {
    worker.0.cancel();
    worker.1.await.expect("the worker stops cleanly");
}

/// Polls `check` until it holds; panics with `what` after 20 s (a generous bound, not a measurement).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn notice(summary: &str) -> Notice {
    Notice::new(EventKind::StreamStarted, clock::now(), format!("test:{summary}")).with(Var::Summary, summary)
}

async fn state_of(ctx: &AppContext, summary: &str) -> Option<(OutboxState, u32)> {
    let rows = ctx.store.outbox_rows(None, 100).await.expect("lists");
    rows.into_iter().find(|r| r.notice.get(Var::Summary) == summary).map(|r| (r.state, r.attempts))
}

async fn setup(script: &[Reply]) -> (tempfile::TempDir, AppContext, Receiver, i64) {
    let (dir, ctx, _server) = context().await;
    let receiver = Receiver::start(script).await;
    let destination = receiver.destination("Hook", &[EventKind::StreamStarted]);
    let id =
        ctx.store.create_destination(&destination, &ctx.secrets, clock::now()).await.expect("creates").destination.id;
    (dir, ctx, receiver, id)
}

#[tokio::test]
async fn a_server_error_is_retried_until_delivered() {
    let (_dir, ctx, receiver, id) = setup(&[Reply::Status(500), Reply::Status(503)]).await;
    let worker = start(&ctx, fast());
    assert_eq!(enqueue(&ctx, &notice("n1")).await.expect("queues"), 1);
    eventually("n1 is delivered", || async { state_of(&ctx, "n1").await == Some((OutboxState::Delivered, 3)) }).await;
    let statuses: Vec<u16> = receiver.arrivals().iter().map(|a| a.status).collect();
    assert_eq!(statuses, [500, 503, 204]);
    let last = ctx.store.destination(id, &ctx.secrets).await.expect("reads").expect("exists").last.expect("recorded");
    assert_eq!((last.ok, last.text.as_str()), (true, "delivered (204)"));
    stop(worker).await;
}

#[tokio::test]
async fn a_receivers_retry_after_is_waited_out() {
    let (_dir, ctx, receiver, _id) = setup(&[Reply::RetryAfter(0.4)]).await;
    let worker = start(&ctx, fast());
    enqueue(&ctx, &notice("n1")).await.expect("queues");
    eventually("n1 is delivered", || async { state_of(&ctx, "n1").await == Some((OutboxState::Delivered, 2)) }).await;
    let arrivals = receiver.arrivals();
    assert_eq!(arrivals.iter().map(|a| a.status).collect::<Vec<_>>(), [429, 204]);
    // The backoff alone would have retried after 20 ms; the receiver asked for 400.
    assert!(arrivals[1].at - arrivals[0].at >= Duration::from_millis(400), "{:?}", arrivals[1].at - arrivals[0].at);
    stop(worker).await;
}

#[tokio::test]
async fn a_row_dies_after_its_last_attempt_and_a_refusal_dies_at_once() {
    let (_dir, ctx, receiver, id) = setup(&[Reply::Status(500), Reply::Status(500), Reply::Status(500)]).await;
    let worker = start(&ctx, fast());
    enqueue(&ctx, &notice("n1")).await.expect("queues");
    eventually("n1 is dead", || async { state_of(&ctx, "n1").await == Some((OutboxState::Dead, 3)) }).await;
    assert_eq!(receiver.arrivals().len(), 3);
    let dead = ctx.store.outbox_rows(Some(OutboxState::Dead), 10).await.expect("lists");
    let error = dead[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("http 500") && error.ends_with("gave up after 3 attempts"), "{error}");
    let last = ctx.store.destination(id, &ctx.secrets).await.expect("reads").expect("exists").last.expect("recorded");
    assert!(!last.ok);

    let (_dir2, ctx2, refusing, _) = setup(&[Reply::Status(404)]).await;
    let worker2 = start(&ctx2, fast());
    enqueue(&ctx2, &notice("n2")).await.expect("queues");
    eventually("n2 is dead", || async { state_of(&ctx2, "n2").await == Some((OutboxState::Dead, 1)) }).await;
    assert_eq!(refusing.arrivals().len(), 1);
    stop(worker).await;
    stop(worker2).await;
}

#[tokio::test]
async fn a_new_worker_delivers_what_the_last_one_left_in_order() {
    let (_dir, ctx, receiver, _id) = setup(&[]).await;
    for n in ["n1", "n2", "n3"] {
        enqueue(&ctx, &notice(n)).await.expect("queues");
    }
    // The first row was being sent when the process died.
    let head = ctx.store.due_outbox(clock::now(), 1).await.expect("reads")[0].id;
    assert!(ctx.store.start_sending(head, clock::now()).await.expect("starts"));
    let worker = start(&ctx, fast());
    eventually("all three are delivered", || async { receiver.accepted().len() == 3 }).await;
    assert_eq!(receiver.accepted(), ["n1", "n2", "n3"]);
    assert_eq!(state_of(&ctx, "n1").await, Some((OutboxState::Delivered, 2)), "the interrupted attempt counts");
    stop(worker).await;
}

#[tokio::test]
async fn a_stopped_worker_leaves_rows_for_the_next_one() {
    let (_dir, ctx, receiver, _id) = setup(&[]).await;
    let first = start(&ctx, fast());
    enqueue(&ctx, &notice("n1")).await.expect("queues");
    eventually("n1 is delivered", || async { receiver.accepted().len() == 1 }).await;
    stop(first).await;
    enqueue(&ctx, &notice("n2")).await.expect("queues while no worker runs");
    assert_eq!(state_of(&ctx, "n2").await, Some((OutboxState::Queued, 0)));
    let second = start(&ctx, fast());
    eventually("n2 is delivered", || async { receiver.accepted().len() == 2 }).await;
    assert_eq!(receiver.accepted(), ["n1", "n2"]);
    stop(second).await;
}

#[tokio::test]
async fn the_rate_limit_holds_rows_back_without_counting_attempts() {
    let (_dir, ctx, receiver, id) = setup(&[]).await;
    let mut slow = ctx.store.destination(id, &ctx.secrets).await.expect("reads").expect("exists").destination;
    slow.rate_per_minute = 1;
    ctx.store.update_destination(&slow, &ctx.secrets, clock::now()).await.expect("updates");
    let worker = start(&ctx, fast());
    let queued_at = clock::now();
    for n in ["n1", "n2", "n3"] {
        enqueue(&ctx, &notice(n)).await.expect("queues");
    }
    eventually("n2 waits for the next minute", || async {
        let rows = ctx.store.outbox_rows(Some(OutboxState::Queued), 10).await.expect("lists");
        rows.iter().any(|r| {
            r.notice.get(Var::Summary) == "n2" && r.next_attempt_at > queued_at + chrono::TimeDelta::seconds(30)
        })
    })
    .await;
    assert_eq!(receiver.accepted(), ["n1"]);
    assert_eq!(state_of(&ctx, "n2").await, Some((OutboxState::Queued, 0)));
    assert_eq!(state_of(&ctx, "n3").await, Some((OutboxState::Queued, 0)));
    stop(worker).await;
}

#[tokio::test]
async fn identical_notices_go_out_once_and_only_where_wanted() {
    let (_dir, ctx, receiver, _id) = setup(&[]).await;
    let other = Receiver::start(&[]).await;
    let mut off = other.destination("Off", &[EventKind::StreamStarted]);
    off.enabled = false;
    ctx.store.create_destination(&off, &ctx.secrets, clock::now()).await.expect("creates");
    let elsewhere = other.destination("Elsewhere", &[EventKind::ServerDown]);
    ctx.store.create_destination(&elsewhere, &ctx.secrets, clock::now()).await.expect("creates");
    let worker = start(&ctx, fast());
    let once = notice("n1");
    assert_eq!(enqueue(&ctx, &once).await.expect("queues"), 1);
    assert_eq!(enqueue(&ctx, &once).await.expect("queues"), 0);
    enqueue(&ctx, &notice("n2")).await.expect("queues");
    eventually("n2 is delivered", || async { receiver.accepted().len() == 2 }).await;
    assert_eq!(receiver.accepted(), ["n1", "n2"]);
    assert!(other.arrivals().is_empty(), "disabled and unsubscribed destinations get nothing");
    stop(worker).await;
}

#[tokio::test]
async fn a_ring_wakes_an_idle_worker_at_once() {
    let (_dir, ctx, receiver, _id) = setup(&[]).await;
    let worker = start(&ctx, fast());
    // Let the worker go idle (nothing due, idle wake-up an hour away).
    eventually("the worker is idle", || async { ctx.store.next_outbox_due().await.expect("reads").is_none() }).await;
    let mut latencies = Vec::new();
    for i in 0..20 {
        let summary = format!("n{i}");
        let sent = Instant::now();
        enqueue(&ctx, &notice(&summary)).await.expect("queues");
        eventually("the notice arrives", || async { receiver.accepted().len() == i + 1 }).await;
        latencies.push(receiver.arrivals()[i].at - sent);
    }
    latencies.sort();
    println!(
        "enqueue → receiver over 20 notices: median {:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    stop(worker).await;
}
