//! Plain axum handlers: the sign-in/setup/password forms, the REST API, health and the
//! live WebSocket. Pages and server functions are served by Leptos.

pub mod accounts;
pub mod api_v1;
pub mod enforce;
pub mod forms;
pub mod health;
pub mod history;
pub mod incidents;
pub mod live_sessions;
pub mod notifications;
pub mod rules;
pub mod servers;
pub mod stats;
pub mod users;
pub mod ws;
