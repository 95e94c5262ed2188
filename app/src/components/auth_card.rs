//! The centred card of the pages people see before signing in (sign-in, setup, not found).

use leptos::prelude::*;

#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <section class="card auth-card">
                <img class="auth-logo" src="/icons/icon-192.png" alt="" width="56" height="56"/>
                <h1>{title}</h1>
                {children()}
            </section>
        </main>
    }
}
