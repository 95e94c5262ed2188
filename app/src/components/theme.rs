//! The dark/light switch. The choice is stored in `localStorage` and applied as
//! `data-theme` on `<html>`; `/theme-init.js` applies it before first paint.

use leptos::prelude::*;

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| dark.set(browser::current_theme() != "light"));
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        #[cfg(feature = "hydrate")]
        browser::apply_theme(if next { "dark" } else { "light" });
    };
    view! {
        <button type="button" class="ghost icon" id="theme-toggle" on:click=toggle
            aria-label=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }>
            {move || if dark.get() { "☀" } else { "☾" }}
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    pub fn current_theme() -> String {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("data-theme"))
            .unwrap_or_else(|| "dark".to_owned())
    }

    pub fn apply_theme(theme: &str) {
        let Some(window) = web_sys::window() else { return };
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", theme);
        }
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item("sightline-theme", theme);
        }
    }
}
