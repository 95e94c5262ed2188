//! The one integration-test binary: starts the real router on port 0 and speaks HTTP and
//! WebSocket to it. Submodules group tests by concern; `helpers` owns the test app.

mod auth;
mod cli;
mod detect;
mod detect_helpers;
mod detect_sim;
mod enforce;
mod helpers;
mod history;
mod ingest;
mod live;
mod notifications;
mod notify_flow;
mod plays_fixture;
mod push;
mod replay;
mod rules;
mod security;
mod servers;
mod stats;
mod system;
mod trust;
mod users;
