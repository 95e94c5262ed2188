//! The producers wired to what calls them, on a real database: detection queues an incident's
//! opening and at most one update per window, its trust penalty queues a trust change, a stream from
//! a device the account never used queues a new-device notice (not its first stream ever), and
//! nothing is queued for events no destination subscribed to.

use super::*;
use crate::detect::judge;
use crate::notify::Var;
use crate::notify::worker::receiver::Receiver;
use crate::store::PlayWrite;
use crate::test_ctx::{context, only_one_stream_allowed, stream, t0};
use chrono::TimeDelta;
use sightline_domain::tracker::{ActivePlay, PlayId};

async fn subscribe(ctx: &AppContext, events: &[EventKind]) {
    let receiver = Receiver::start(&[]).await;
    ctx.store.create_destination(&receiver.destination("Hook", events), &ctx.secrets, t0()).await.expect("creates");
}

async fn queued(ctx: &AppContext) -> Vec<(EventKind, String)> {
    let mut rows = ctx.store.outbox_rows(None, 100).await.expect("lists");
    rows.sort_by_key(|r| r.id);
    rows.into_iter().map(|r| (r.event, r.dedupe_key)).collect()
}

#[tokio::test]
async fn incidents_queue_their_opening_and_one_update_per_window() {
    let (_dir, ctx, server) = context().await;
    subscribe(&ctx, &[EventKind::IncidentOpened, EventKind::IncidentUpdated, EventKind::TrustChanged]).await;
    only_one_stream_allowed(&ctx).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    judge(&ctx, &second, t0()).await.expect("judges");
    for minutes in [1, 2, 11] {
        judge(&ctx, &second, t0() + TimeDelta::minutes(minutes)).await.expect("judges");
    }
    let id = ctx.store.incidents(1).await.expect("reads")[0].id;
    let w = |m: i64| (t0() + TimeDelta::minutes(m)).timestamp() / 600;
    let rows = queued(&ctx).await;
    let trust_key = rows.iter().find(|(e, _)| *e == EventKind::TrustChanged).map(|(_, k)| k.clone());
    assert!(trust_key.is_some_and(|k| k.starts_with(&format!("trust:{server}:alice:"))), "{rows:?}");
    let incident_rows: Vec<_> = rows.into_iter().filter(|(e, _)| *e != EventKind::TrustChanged).collect();
    assert_eq!(
        incident_rows,
        [
            (EventKind::IncidentOpened, format!("incident:{id}:opened")),
            (EventKind::IncidentUpdated, format!("incident:{id}:updated:{}", w(1))),
            (EventKind::IncidentUpdated, format!("incident:{id}:updated:{}", w(11))),
        ]
    );
    let opened = &ctx
        .store
        .outbox_rows(None, 100)
        .await
        .expect("lists")
        .into_iter()
        .find(|r| r.event == EventKind::IncidentOpened)
        .expect("queued")
        .notice;
    assert_eq!((opened.get(Var::User), opened.get(Var::Server), opened.get(Var::Title)), ("alice", "Jelly", "Film"));
    assert_eq!(opened.get(Var::Url), format!("/alerts/{id}"));
}

#[tokio::test]
async fn nothing_is_queued_for_events_nobody_subscribed_to() {
    let (_dir, ctx, server) = context().await;
    subscribe(&ctx, &[EventKind::ServerDown]).await;
    only_one_stream_allowed(&ctx).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    judge(&ctx, &second, t0()).await.expect("judges");
    stream_started(&ctx, &second, t0()).await;
    assert!(queued(&ctx).await.is_empty());
}

#[tokio::test]
async fn a_device_the_account_never_used_is_new_but_its_first_stream_is_not() {
    let (_dir, ctx, server) = context().await;
    subscribe(&ctx, &[EventKind::NewDevice, EventKind::StreamStarted]).await;
    let first = stream(&ctx, server, "alice", "p1", "203.0.113.9", t0() - TimeDelta::hours(2));
    stream_started(&ctx, &first, t0()).await;
    assert_eq!(queued(&ctx).await, [(EventKind::StreamStarted, format!("stream:{server}:p1:started"))]);

    // The first play is on record; the same device again is not new, another one is.
    let play = ActivePlay {
        id: PlayId(1),
        started_at: first.started_at,
        last_seen_at: first.started_at,
        played_ms: 0,
        paused_ms: 0,
        resumes: None,
        session: first.session.clone(),
    };
    ctx.store.write_plays(server, &[PlayWrite::Active(Box::new(play))], t0()).await.expect("records");
    let mut again = stream(&ctx, server, "alice", "p2", "203.0.113.9", t0());
    again.session.player.device_id = first.session.player.device_id.clone();
    stream_started(&ctx, &again, t0()).await;
    let other = stream(&ctx, server, "alice", "p3", "203.0.113.9", t0());
    stream_started(&ctx, &other, t0()).await;
    stream_started(&ctx, &other, t0()).await;
    let new_devices: Vec<String> =
        queued(&ctx).await.into_iter().filter(|(e, _)| *e == EventKind::NewDevice).map(|(_, k)| k).collect();
    assert_eq!(new_devices, [format!("device:{server}:alice:device-p3")]);
}
