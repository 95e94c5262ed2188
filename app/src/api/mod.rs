//! Server functions, grouped by resource. Each checks the caller first and stays thin.

pub mod account;
pub mod live;
pub mod servers;
pub mod system;
