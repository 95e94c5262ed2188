//! `/login`: the sign-in form. It posts to `/auth/login`, which redirects back here with an
//! error code on failure; messages come from a fixed list, so no input is reflected.

use super::{alert, query_param};
use crate::components::auth_card::AuthCard;
use leptos::prelude::*;
use leptos_meta::Title;

fn message(code: &str, retry: Option<u64>) -> Option<String> {
    Some(match code {
        "invalid" => "Wrong username or password.".to_owned(),
        "rate_limited" => format!("Too many attempts. Try again in {} seconds.", retry.unwrap_or(60)),
        "setup_closed" => {
            "Setup was already completed, perhaps in another browser. Sign in with the owner account.".to_owned()
        }
        "expired" => "Your session ended. Please sign in again.".to_owned(),
        "signed_out" => return None,
        _ => "Sign-in failed. Please try again.".to_owned(),
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let error = query_param("error");
    let retry = query_param("retry");
    let signed_out = query_param("signed_out");
    let msg = move || error().and_then(|c| message(&c, retry().and_then(|r| r.parse().ok())));
    view! {
        <Title text="Sign in · Sightline"/>
        <AuthCard title="Sign in to Sightline">
                {move || alert("error", msg())}
                {move || alert("info", signed_out().map(|_| "You are signed out.".to_owned()))}
                <form method="post" action="/auth/login" class="stack">
                    <label>"Username"
                        <input name="username" id="username" autocomplete="username" required maxlength="64"/>
                    </label>
                    <label>"Password"
                        <input name="password" id="password" type="password" autocomplete="current-password" required maxlength="256"/>
                    </label>
                    <button type="submit" class="primary" id="login-submit">"Sign in"</button>
                </form>
                <p class="muted small">"Locked out? Run " <code>"sightline admin reset-password"</code> " on the server."</p>
        </AuthCard>
    }
}
