//! Server functions, grouped by resource. Each checks the caller first and stays thin.

pub mod account;
pub mod account_panel;
pub mod enforce;
pub mod history;
pub mod incidents;
pub mod live;
pub mod map;
pub mod notifications;
pub mod push;
pub mod rules;
pub mod servers;
pub mod settings;
pub mod stats;
pub mod system;
pub mod trust;
pub mod users;
