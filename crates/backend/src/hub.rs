//! The live hub: a broadcast channel of `LiveEvent`s that every WebSocket subscribes to.
//! A subscriber that falls behind by more than the buffer gets told how many it missed,
//! and the socket sends the browser a `Resync` instead of trying to patch the gap.

use sightline_domain::LiveEvent;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::broadcast;

/// Events buffered per subscriber before it counts as lagging.
pub const BUFFER: usize = 256;

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveEvent>,
    n_clients: Arc<AtomicUsize>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(BUFFER)
    }
}

/// What a subscriber receives next.
#[derive(Debug, PartialEq)]
pub enum Received {
    Event(LiveEvent),
    /// The subscriber missed this many events.
    Lagged(u64),
    Closed,
}

/// One subscriber; counts itself in `n_clients` while alive.
pub struct Subscription {
    rx: broadcast::Receiver<LiveEvent>,
    n_clients: Arc<AtomicUsize>,
}

impl Subscription {
    pub async fn recv(&mut self) -> Received {
        match self.rx.recv().await {
            Ok(ev) => Received::Event(ev),
            Err(broadcast::error::RecvError::Lagged(n)) => Received::Lagged(n),
            Err(broadcast::error::RecvError::Closed) => Received::Closed,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.n_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Hub {
    #[must_use]
    pub fn new(buffer: usize) -> Self {
        let (tx, _) = broadcast::channel(buffer);
        Self { tx, n_clients: Arc::new(AtomicUsize::new(0)) }
    }

    /// Sends an event to every subscriber. Having no subscribers is not an error.
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.tx.send(event);
    }

    #[must_use]
    pub fn subscribe(&self) -> Subscription {
        self.n_clients.fetch_add(1, Ordering::Relaxed);
        Subscription { rx: self.tx.subscribe(), n_clients: Arc::clone(&self.n_clients) }
    }

    /// How many subscribers (open live sockets) there are now.
    #[must_use]
    pub fn n_clients(&self) -> usize {
        self.n_clients.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_published_events_and_are_counted() {
        let hub = Hub::new(8);
        let mut a = hub.subscribe();
        let b = hub.subscribe();
        assert_eq!(hub.n_clients(), 2);
        hub.publish(LiveEvent::ShuttingDown);
        assert_eq!(a.recv().await, Received::Event(LiveEvent::ShuttingDown));
        drop(b);
        assert_eq!(hub.n_clients(), 1);
    }

    #[tokio::test]
    async fn a_lagging_subscriber_learns_how_many_events_it_missed() {
        let hub = Hub::new(2);
        let mut a = hub.subscribe();
        for n in 0..5 {
            hub.publish(LiveEvent::Resync { missed: n });
        }
        assert_eq!(a.recv().await, Received::Lagged(3));
        assert_eq!(a.recv().await, Received::Event(LiveEvent::Resync { missed: 3 }));
    }
}
