//! The tabs between the settings pages (servers, notifications, map, general), shown under each
//! settings page's heading; the top navigation has one "Settings" entry.

use leptos::prelude::*;
use leptos_router::components::A;

/// The settings pages, in tab order.
pub const SETTINGS_PAGES: &[(&str, &str)] = &[
    ("/settings/servers", "Servers"),
    ("/settings/notifications", "Notifications"),
    ("/settings/map", "Map"),
    ("/settings/general", "General"),
];

#[component]
pub fn SettingsTabs() -> impl IntoView {
    view! {
        <nav class="settings-tabs nav" aria-label="Settings">
            {SETTINGS_PAGES.iter().map(|(href, label)| view! { <A href=*href exact=true>{*label}</A> }).collect_view()}
        </nav>
    }
}
