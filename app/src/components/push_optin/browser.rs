//! The browser's side of push opt-in, through web-sys (no inline script, so the CSP stays strict):
//! feature detection, the notification permission, the service worker registration, and
//! `pushManager` subscribe / getSubscription / unsubscribe.

use super::{b64url, device_name};
use js_sys::{Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Notification, NotificationPermission, PushManager, PushSubscription, PushSubscriptionOptionsInit,
    ServiceWorkerRegistration,
};

/// A subscription as `PushSubscription.toJSON()` writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionJson {
    pub endpoint: String,
    pub keys: Keys,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

fn has(target: &JsValue, name: &str) -> bool {
    Reflect::has(target, &JsValue::from_str(name)).unwrap_or(false)
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|err| String::from(err.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned())
}

async fn wait(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

/// The browser's user agent string ("" when unavailable).
#[must_use]
pub fn user_agent() -> String {
    web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default()
}

/// Whether the page runs as an app added to an iPhone's or iPad's Home Screen.
fn ios_standalone(window: &web_sys::Window) -> bool {
    Reflect::get(&window.navigator(), &JsValue::from_str("standalone")).ok().and_then(|v| v.as_bool()) == Some(true)
}

/// `Ok` when this browser can receive push; otherwise why not, in words for the page.
pub fn support() -> Result<(), &'static str> {
    let Some(window) = web_sys::window() else { return Err("No browser window.") };
    if !window.is_secure_context() {
        return Err("Push needs a secure connection: open Sightline over https (or on localhost).");
    }
    let ok = has(&window.navigator(), "serviceWorker") && has(&window, "PushManager") && has(&window, "Notification");
    if ok {
        return Ok(());
    }
    if device_name::is_ios(&user_agent()) && !ios_standalone(&window) {
        return Err("On iPhone and iPad, add Sightline to the Home Screen (Share → Add to Home Screen), open it \
                    from there, and turn push on in that app.");
    }
    Err("This browser cannot receive push notifications.")
}

/// "granted", "denied" or "default". Call only after [`support`] succeeded.
#[must_use]
pub fn permission() -> &'static str {
    match Notification::permission() {
        NotificationPermission::Granted => "granted",
        NotificationPermission::Denied => "denied",
        _ => "default",
    }
}

/// Asks for permission to show notifications (the browser's own prompt).
pub async fn request_permission() -> Result<String, String> {
    let promise = Notification::request_permission().map_err(|e| describe(&e))?;
    Ok(wait(promise).await?.as_string().unwrap_or_default())
}

/// The service worker registration for this origin, if the worker is registered.
async fn existing_registration() -> Option<ServiceWorkerRegistration> {
    let window = web_sys::window()?;
    let found = wait(window.navigator().service_worker().get_registration()).await.ok()?;
    found.dyn_into::<ServiceWorkerRegistration>().ok()
}

/// The registration with an active worker, registering `/sw.js` when the page has not yet.
async fn ready_registration() -> Result<ServiceWorkerRegistration, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let container = window.navigator().service_worker();
    if existing_registration().await.is_none() {
        wait(container.register("/sw.js")).await?;
    }
    let ready = container.ready().map_err(|e| describe(&e))?;
    wait(ready).await?.dyn_into::<ServiceWorkerRegistration>().map_err(|_| "no service worker".to_owned())
}

async fn subscription_of(manager: &PushManager) -> Option<PushSubscription> {
    let found = wait(manager.get_subscription().ok()?).await.ok()?;
    found.dyn_into::<PushSubscription>().ok()
}

/// This browser's current push endpoint, if it has a subscription. Never registers anything.
pub async fn current_endpoint() -> Option<String> {
    let manager = existing_registration().await?.push_manager().ok()?;
    subscription_of(&manager).await.map(|s| s.endpoint())
}

fn to_json(sub: &JsValue) -> Result<SubscriptionJson, String> {
    let text: String = js_sys::JSON::stringify(sub).map_err(|e| describe(&e))?.into();
    serde_json::from_str(&text).map_err(|_| "the browser returned an unexpected subscription".to_owned())
}

/// Subscribes with `public_key` (base64url). A subscription made for another key (an old data
/// dir's) is dropped and replaced.
pub async fn subscribe(public_key: &str) -> Result<SubscriptionJson, String> {
    let key = b64url::decode(public_key).ok_or("the server's push key is malformed")?;
    let registration = ready_registration().await?;
    let manager = registration.push_manager().map_err(|e| describe(&e))?;
    let options = PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&js_sys::Uint8Array::from(key.as_slice()).into());
    let first = wait(manager.subscribe_with_options(&options).map_err(|e| describe(&e))?).await;
    let sub = match first {
        Ok(sub) => sub,
        Err(_) => {
            if let Some(old) = subscription_of(&manager).await {
                wait(old.unsubscribe().map_err(|e| describe(&e))?).await?;
            }
            wait(manager.subscribe_with_options(&options).map_err(|e| describe(&e))?).await?
        }
    };
    to_json(&sub)
}

/// Drops this browser's subscription, if any.
pub async fn unsubscribe() -> Result<(), String> {
    let Some(registration) = existing_registration().await else { return Ok(()) };
    let manager = registration.push_manager().map_err(|e| describe(&e))?;
    if let Some(sub) = subscription_of(&manager).await {
        wait(sub.unsubscribe().map_err(|e| describe(&e))?).await?;
    }
    Ok(())
}
