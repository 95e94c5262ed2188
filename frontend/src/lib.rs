//! The WASM entry point: hydrates the server-rendered page. Everything else lives in `app`.

// Hydrating the whole app nests view types deeply (the Servers page's rows, in debug builds).
#![recursion_limit = "256"]

/// Called by the hydration script that the server puts in every page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
