//! Authentication and request-security building blocks: password hashing, opaque tokens,
//! the first-run setup gate, login rate limits, client-IP resolution, the Origin check,
//! and `AuthService`, which ties them to the store.

pub mod client_ip;
pub mod origin;
pub mod password;
pub mod rate_limit;
mod service;
pub mod setup;
pub mod token;

pub use service::{AuthError, AuthService, ClientMeta, IssuedSession, SessionPolicy};
