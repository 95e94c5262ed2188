//! `/setup`: first-run creation of the owner account, guarded by the one-time setup token
//! from the server log or `DATA_DIR/setup-token`.

use super::{alert, query_param};
use crate::components::auth_card::AuthCard;
use leptos::prelude::*;
use leptos_meta::Title;
use sightline_domain::validate::{InputError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

fn message(code: &str) -> String {
    match code {
        "bad_token" => {
            "That setup token is not valid. Copy it again from the server log or the setup-token file.".to_owned()
        }
        "closed" => "Setup is already complete. Sign in instead.".to_owned(),
        "rate_limited" => "Too many attempts. Wait a minute and try again.".to_owned(),
        other => {
            InputError::from_code(other).map_or_else(|| "Setup failed. Please try again.".to_owned(), |e| e.to_string())
        }
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let error = query_param("error");
    view! {
        <Title text="Set up · Sightline"/>
        <AuthCard title="Welcome to Sightline">
                <p class="muted">
                    "Create the owner account. You need the one-time setup token that the server printed "
                    "in its log at start-up; it is also in the file " <code>"setup-token"</code>
                    " in the data folder."
                </p>
                {move || alert("error", error().map(|c| message(&c)))}
                <form method="post" action="/auth/setup" class="stack">
                    <label>"Setup token"
                        <input name="token" id="setup-token" autocomplete="off" required spellcheck="false"/>
                    </label>
                    <label>"Username"
                        <input name="username" id="username" autocomplete="username" required maxlength="64"/>
                    </label>
                    <label>{format!("Password ({MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters)")}
                        <input name="password" id="password" type="password" autocomplete="new-password" required
                            minlength=MIN_PASSWORD_CHARS.to_string() maxlength=MAX_PASSWORD_CHARS.to_string()/>
                    </label>
                    <label>"Repeat password"
                        <input name="password_confirm" id="password-confirm" type="password" autocomplete="new-password" required/>
                    </label>
                    <button type="submit" class="primary" id="setup-submit">"Create owner account"</button>
                </form>
        </AuthCard>
    }
}
