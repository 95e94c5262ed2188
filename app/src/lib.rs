//! Sightline's Leptos application: the HTML shell, routes, pages, components and server
//! functions. Compiled twice: with `ssr` into the server and with `hydrate` into the WASM.
//!
//! Invariants: server functions check who is asking before anything else and delegate to
//! `sightline-backend`; no SQL and no HTTP client code lives here. Upstream text is only
//! ever rendered as text (never `inner_html`).

pub mod api;
pub mod components;
pub mod error;
pub mod live;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use components::layout::SignedInLayout;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use pages::{
    AccountPage, AlertDetailPage, AlertsPage, DashboardPage, LoginPage, MapPage, MapSettingsPage, NotFoundPage,
    RulesPage, ServersPage, SetupPage,
};

/// The HTML document around the app, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="color-scheme" content="dark light"/>
                <meta name="theme-color" content="#0e1726"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" type="image/png" href="/icons/icon-192.png"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                // Sets the saved theme before first paint; external so the CSP needs no inline script.
                <script src="/theme-init.js"></script>
                <script src="/register-sw.js" defer></script>
                // Leaflet (the `L` global) for maps; deferred, and still run before the hydration module.
                <link rel="stylesheet" href="/vendor/leaflet/leaflet.css"/>
                <script src="/vendor/leaflet/leaflet.js" defer></script>
                // echarts 5.6.0 for the Statistics charts (drawn after hydration).
                <script src="/vendor/echarts/echarts.min.js" defer></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The routed application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/sightline.css"/>
        <Title text="Sightline"/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <ParentRoute path=path!("") view=SignedInLayout>
                    <Route path=path!("") view=DashboardPage/>
                    <Route path=path!("account") view=AccountPage/>
                    <Route path=path!("alerts") view=AlertsPage/>
                    <Route path=path!("alerts/:id") view=AlertDetailPage/>
                    <Route path=path!("history") view=pages::HistoryPage/>
                    <Route path=path!("map") view=MapPage/>
                    <Route path=path!("rules") view=RulesPage/>
                    <Route path=path!("settings/servers") view=ServersPage/>
                    <Route path=path!("settings/general") view=pages::GeneralSettingsPage/>
                    <Route path=path!("settings/map") view=MapSettingsPage/>
                    <Route path=path!("settings/notifications") view=pages::NotificationsPage/>
                    <Route path=path!("stats") view=pages::StatsPage/>
                    <Route path=path!("users") view=pages::UsersPage/>
                    <Route path=path!("users/:id") view=pages::UserPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
