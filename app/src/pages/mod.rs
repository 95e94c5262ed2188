//! One module per route.

mod account;
mod alerts;
mod dashboard;
mod history;
mod login;
mod map;
mod not_found;
mod notifications;
mod rules;
mod servers;
mod settings_general;
mod settings_map;
mod setup;
mod stats;
mod users;

pub use account::AccountPage;
pub use alerts::{AlertDetailPage, AlertsPage};
pub use dashboard::DashboardPage;
pub use history::HistoryPage;
pub use login::LoginPage;
pub use map::MapPage;
pub use not_found::NotFoundPage;
pub use notifications::NotificationsPage;
pub use rules::RulesPage;
pub use servers::ServersPage;
pub use settings_general::GeneralSettingsPage;
pub use settings_map::MapSettingsPage;
pub use setup::SetupPage;
pub use stats::StatsPage;
pub use users::{UserPage, UsersPage};

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A query parameter of the current URL.
fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy {
    let query = use_query_map();
    move || query.with(|q| q.get(name))
}

/// An alert box for a message, or nothing.
fn alert(kind: &'static str, message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class=format!("alert {kind}") role="alert">{m}</p> })
}
