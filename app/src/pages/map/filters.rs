//! One labelled `<select>` of a GET filter form (Map and Alerts), its current value selected, and
//! the period choices of the map.

use crate::api::map::{Choice, Period};
use leptos::prelude::*;

/// The map's periods as choices.
pub(in crate::pages) fn period_choices() -> Vec<Choice> {
    Period::ALL.iter().map(|p| Choice { value: p.param().to_owned(), label: p.label().to_owned() }).collect()
}

/// A select named `name`; `any` adds a first option with an empty value ("All accounts").
#[component]
pub(in crate::pages) fn FilterSelect(
    name: &'static str,
    label: &'static str,
    any: Option<&'static str>,
    choices: Vec<Choice>,
    current: Option<String>,
) -> impl IntoView {
    let current = current.unwrap_or_default();
    let (id, label_for) = (format!("filter-{name}"), format!("filter-{name}"));
    view! {
        <label class="filter" for=label_for>
            <span>{label}</span>
            <select name=name id=id>
                {any.map(|text| view! { <option value="" selected=current.is_empty()>{text}</option> })}
                {choices.into_iter().map(|c| {
                    let selected = c.value == current;
                    view! { <option value=c.value selected=selected>{c.label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
