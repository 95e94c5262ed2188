//! `PushOptIn`: turns browser push on or off for this browser or installed app (permission,
//! `pushManager.subscribe` with the server's VAPID key, the subscription stored as a `WebPush`
//! destination) and lists every browser that receives push, each removable. The browser calls live
//! in `browser.rs` (hydrate only); the server renders the "checking" state.

// Pure helpers of the browser code, also built for their tests.
#[cfg(any(test, feature = "hydrate"))]
mod b64url;
#[cfg(feature = "hydrate")]
mod browser;
#[cfg(any(test, feature = "hydrate"))]
mod device_name;

use crate::api::push::PushDeviceView;
use crate::components::table::{TableSpec, table_view};
use crate::error::AppError;
use leptos::prelude::*;

/// Where this browser stands. Only the browser build moves it past `Checking`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code, reason = "the states are set by the browser build"))]
enum Status {
    /// Not known yet (server render, or the browser is still being asked).
    Checking,
    /// This browser cannot receive push; why, in words.
    Unsupported(&'static str),
    /// The person blocked notifications for this site.
    Blocked,
    /// Can opt in.
    Off,
    /// Receives push through destination `id`.
    On { id: i64 },
    /// An opt-in or opt-out is under way.
    Busy(&'static str),
}

const DEVICES_TABLE: TableSpec = TableSpec {
    id: "push-devices",
    headers: &["Browser", "Receives", "Last delivery", ""],
    empty: "No browser receives push yet.",
};

/// The card on the Account page.
#[component]
pub fn PushOptIn() -> impl IntoView {
    let status = RwSignal::new(Status::Checking);
    let devices: RwSignal<Option<Result<Vec<PushDeviceView>, AppError>>> = RwSignal::new(None);
    let label = RwSignal::new(String::new());
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    #[cfg(feature = "hydrate")]
    let state = Ctl { status, devices, label, error };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        state.label.set(device_name::from_user_agent(&browser::user_agent()));
        leptos::task::spawn_local(state.refresh());
    });

    let turn_on = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(state.turn_on());
    };
    let turn_off = move |id: i64| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(state.remove(id, true));
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    };
    let remove = move |id: i64, this_browser: bool| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(state.remove(id, this_browser));
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, this_browser);
    };
    let busy = move || matches!(status.get(), Status::Busy(_) | Status::Checking);

    view! {
        <section class="card" id="push-card">
            <h2>"Push notifications"</h2>
            <p class="muted">
                "Incident alerts on this device, even while Sightline is closed. Each browser or installed app "
                "opts in on its own and, to start with, receives new incidents of medium severity and above; "
                "change what each one receives on " <a href="/settings/notifications">"Settings → Notifications"</a> "."
            </p>
            {move || error.get().map(|m| view! { <p class="alert error" role="alert" id="push-error">{m}</p> })}
            {move || match status.get() {
                Status::Checking => view! { <p class="muted" id="push-status">"Checking this browser…"</p> }.into_any(),
                Status::Busy(what) => view! { <p class="muted" id="push-status" role="status">{what}</p> }.into_any(),
                Status::Unsupported(why) => view! { <p class="alert info" id="push-status">{why}</p> }.into_any(),
                Status::Blocked => view! {
                    <p class="alert info" id="push-status">
                        "Notifications are blocked for this site. Allow them in the browser's site settings, then reload this page."
                    </p>
                }.into_any(),
                Status::Off => view! {
                    <div class="stack" id="push-optin">
                        <label>"Name of this device"
                            <input id="push-label" maxlength="64" autocomplete="off"
                                prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
                        </label>
                        <div>
                            <button type="button" class="primary" id="push-on" on:click=turn_on disabled=busy>
                                "Turn on push for this browser"
                            </button>
                        </div>
                    </div>
                }.into_any(),
                Status::On { id } => view! {
                    <p class="alert ok" id="push-status">"This browser receives push notifications."</p>
                    <button type="button" class="ghost" id="push-off" on:click=move |_| turn_off(id) disabled=busy>
                        "Turn off for this browser"
                    </button>
                }.into_any(),
            }}
            <h3>"Browsers receiving push"</h3>
            {move || devices.get().map(|list| table_view(&DEVICES_TABLE, list, move |d| device_row(d, remove, busy)))}
        </section>
    }
}

fn device_row(
    d: PushDeviceView,
    remove: impl Fn(i64, bool) + Copy + Send + Sync + 'static,
    busy: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> AnyView {
    let (id, this_browser) = (d.id, d.this_browser);
    view! {
        <td>
            <strong>{d.name}</strong>
            {this_browser.then(|| view! { " " <span class="tag">"this browser"</span> })}
            {(!d.enabled).then(|| view! { " " <span class="tag off">"off"</span> })}
            <div class="muted">{format!("{} · since {}", d.service, d.created_at)}</div>
        </td>
        <td>{d.receives}</td>
        <td>{d.last.unwrap_or_else(|| "none yet".to_owned())}</td>
        <td>
            <button type="button" class="ghost danger-text" on:click=move |_| remove(id, this_browser) disabled=busy>
                "Remove"
            </button>
        </td>
    }
    .into_any()
}

/// The component's signals, copied into each async task.
#[cfg(feature = "hydrate")]
#[derive(Clone, Copy)]
struct Ctl {
    status: RwSignal<Status>,
    devices: RwSignal<Option<Result<Vec<PushDeviceView>, AppError>>>,
    label: RwSignal<String>,
    error: RwSignal<Option<String>>,
}

#[cfg(feature = "hydrate")]
impl Ctl {
    /// Asks the browser where it stands and the server which browsers receive push.
    async fn refresh(self) {
        use crate::api::push::push_devices;
        if let Err(why) = browser::support() {
            self.status.set(Status::Unsupported(why));
            self.devices.set(Some(push_devices(None).await));
            return;
        }
        let endpoint = browser::current_endpoint().await;
        let list = push_devices(endpoint).await;
        let mine = list.as_ref().ok().and_then(|l| l.iter().find(|d| d.this_browser && d.enabled)).map(|d| d.id);
        self.status.set(match (browser::permission(), mine) {
            ("denied", _) => Status::Blocked,
            (_, Some(id)) => Status::On { id },
            _ => Status::Off,
        });
        self.devices.set(Some(list));
    }

    async fn turn_on(self) {
        use crate::api::push::{push_public_key, push_subscribe};
        self.error.set(None);
        self.status.set(Status::Busy("Asking for permission…"));
        match browser::request_permission().await.as_deref() {
            Ok("granted") => {}
            Ok("denied") => return self.status.set(Status::Blocked),
            Ok(_) => {
                self.error.set(Some("Push stays off: the browser did not allow notifications.".to_owned()));
                return self.status.set(Status::Off);
            }
            Err(e) => return self.fail(e),
        }
        self.status.set(Status::Busy("Turning push on…"));
        let key = match push_public_key().await {
            Ok(key) => key,
            Err(e) => return self.fail(&e.to_string()),
        };
        let sub = match browser::subscribe(&key).await {
            Ok(sub) => sub,
            Err(e) => return self.fail(&format!("The browser could not subscribe: {e}")),
        };
        let label = self.label.get_untracked();
        if let Err(e) = push_subscribe(sub.endpoint, sub.keys.p256dh, sub.keys.auth, label).await {
            // The server refused it: do not leave a subscription nobody sends to.
            let _ = browser::unsubscribe().await;
            return self.fail(&e.to_string());
        }
        self.refresh().await;
    }

    /// Removes destination `id`; for this browser, drops its subscription too.
    async fn remove(self, id: i64, this_browser: bool) {
        use crate::api::push::push_unsubscribe;
        self.error.set(None);
        self.status.set(Status::Busy("Removing…"));
        if let Err(e) = push_unsubscribe(id).await
            && e != AppError::NotFound
        {
            return self.fail(&e.to_string());
        }
        if this_browser && let Err(e) = browser::unsubscribe().await {
            self.error.set(Some(format!("Removed on the server, but the browser kept its subscription: {e}")));
        }
        self.refresh().await;
    }

    /// Shows `message` and asks the browser again where it stands.
    fn fail(self, message: &str) {
        self.error.set(Some(message.to_owned()));
        leptos::task::spawn_local(self.refresh());
    }
}
