//! Web Push to browsers and installed PWAs that opted in: the VAPID key pair (`vapid`), payload
//! encryption (`ece`, RFC 8291/8188), the endpoint policy (`endpoint`), the message (`payload`),
//! what an answer means (`response`), `WebPushSender`, the `Deliver` for WebPush destinations, and the
//! browsers that opted in (`devices`).

pub mod devices;
pub mod ece;
pub mod endpoint;
pub mod keys;
pub mod payload;
pub mod response;
pub mod sender;
pub mod vapid;

#[cfg(test)]
mod tests;

pub use devices::{DisableExpired, PushDevice, Subscription};
pub use payload::PushPayload;
pub use sender::{ExpiredSubscriptions, WebPushError, WebPushSender};
pub use vapid::{VAPID_KEY_FILE, VapidKeys};
