//! Renders a loaded list as a table, with its empty state and its error, the same way on
//! every page.

use crate::error::AppError;
use leptos::prelude::*;

/// What a page needs to say about one table.
pub struct TableSpec {
    pub id: &'static str,
    pub headers: &'static [&'static str],
    /// Shown when the list is empty, instead of an empty table.
    pub empty: &'static str,
}

/// A table of `rows` (each rendered by `row` into `<td>`s), its empty state, or the error.
pub fn table_view<T>(spec: &TableSpec, result: Result<Vec<T>, AppError>, row: impl Fn(T) -> AnyView) -> AnyView {
    match result {
        Ok(list) if list.is_empty() => view! { <p class="muted">{spec.empty}</p> }.into_any(),
        Ok(list) => view! {
            <div class="table-wrap">
                <table class="table" id=spec.id>
                    <thead><tr>{spec.headers.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}</tr></thead>
                    <tbody>{list.into_iter().map(|item| view! { <tr>{row(item)}</tr> }).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
    }
}
