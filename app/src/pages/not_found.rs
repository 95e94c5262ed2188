//! The page for unknown routes.

use crate::components::auth_card::AuthCard;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Sightline"/>
        <AuthCard title="Page not found">
                <p class="muted">"There is nothing at this address."</p>
                <a href="/" class="button primary">"Go to the dashboard"</a>
        </AuthCard>
    }
}
