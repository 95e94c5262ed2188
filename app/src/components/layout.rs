//! The layout of every signed-in page: header with navigation, theme switch, live status
//! and the user's menu; the page below. It owns the live connection.

use super::live_indicator::LiveIndicator;
use super::theme::ThemeToggle;
use crate::api::system::get_me;
use crate::live::provide_live;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

/// The pages in the navigation bar. A page is listed here only once it exists.
const NAV: &[(&str, &str)] = &[
    ("/", "Dashboard"),
    ("/history", "History"),
    ("/users", "Users"),
    ("/alerts", "Alerts"),
    ("/map", "Map"),
    ("/stats", "Statistics"),
    ("/rules", "Rules"),
    ("/settings/servers", "Settings"),
    ("/account", "Account"),
];

#[component]
pub fn SignedInLayout() -> impl IntoView {
    let live = provide_live();
    let me = Resource::new(move || live.resync.get(), |_| get_me());
    // Flips only in the browser, so the attribute proves the page hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <div class="app" data-hydrated=move || hydrated.get().to_string()>
            <header class="topbar">
                <a class="brand" href="/">
                    <img src="/icons/icon-192.png" alt="" width="28" height="28"/>
                    <span>"Sightline"</span>
                </a>
                <nav class="nav" aria-label="Main">
                    {NAV.iter().map(|(href, label)| view! { <A href=*href exact=true>{*label}</A> }).collect_view()}
                </nav>
                <div class="topbar-end">
                    <LiveIndicator/>
                    <ThemeToggle/>
                    <Suspense fallback=|| ()>
                        {move || me.get().and_then(Result::ok).map(|m| {
                            let title = m.label.clone();
                            view! { <span class="whoami" title=title>{m.username.unwrap_or(m.label)}</span> }
                        })}
                    </Suspense>
                    <form method="post" action="/auth/logout" class="inline">
                        <button type="submit" class="ghost" id="logout">"Sign out"</button>
                    </form>
                </div>
            </header>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}
