//! `/alerts`: the incidents the rules raised, newest update first, filtered by severity, status,
//! account and rule (query string; filtered in SQL), a page at a time. Each can be acknowledged,
//! dismissed or reopened; the list refetches when a live incident arrives. `/alerts/:id` is in
//! `alerts/detail.rs`.

pub(super) mod account;
mod detail;
mod href;
mod row;

pub use detail::AlertDetailPage;

use super::map::filters::FilterSelect;
use super::query_param;
use crate::api::incidents::{FacetsView, IncidentList, SetIncidentStatus, list_incidents};
use crate::api::map::Choice;
use crate::error::AppError;
use crate::live::use_live;
use href::alerts_href;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use row::IncidentItem;

/// The filter values of the current URL, in query order.
#[derive(Clone, Default, PartialEq)]
struct Filters {
    severity: String,
    status: String,
    user: String,
    rule: String,
}

impl Filters {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn href(&self, after: &str) -> String {
        alerts_href(&[
            ("severity", &self.severity),
            ("status", &self.status),
            ("user", &self.user),
            ("rule", &self.rule),
            ("after", after),
        ])
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let live = use_live();
    let (severity, status, user, rule, after) = (
        query_param("severity"),
        query_param("status"),
        query_param("user"),
        query_param("rule"),
        query_param("after"),
    );
    let filters = move || Filters {
        severity: severity().unwrap_or_default(),
        status: status().unwrap_or_default(),
        user: user().unwrap_or_default(),
        rule: rule().unwrap_or_default(),
    };
    let change = ServerAction::<SetIncidentStatus>::new();
    let list = Resource::new(
        move || {
            let bumps = live.map(|l| (l.resync.get(), l.incidents.get()));
            (filters(), after().unwrap_or_default(), bumps, change.version().get())
        },
        |(f, after, _, _)| list_incidents(f.severity, f.status, f.user, f.rule, after),
    );
    let change_error = move || change.value().get().and_then(Result::err);

    view! {
        <Title text="Alerts · Sightline"/>
        <div id="alerts-page">
            <h1>"Alerts"</h1>
            {move || change_error().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || list.get().map(|r| listing(r, &filters(), after().is_some(), change))}
            </Transition>
        </div>
    }
}

fn listing(
    result: Result<IncidentList, AppError>,
    filters: &Filters,
    paged: bool,
    change: ServerAction<SetIncidentStatus>,
) -> AnyView {
    let list = match result {
        Ok(list) => list,
        Err(e) => return view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
    };
    if list.facets.total() == 0 {
        return view! {
            <section class="card alerts-empty" id="alerts-empty">
                <p><strong>"No incidents — every rule is quiet."</strong></p>
                <p class="muted">"When a stream breaks a sharing rule (impossible travel, too many streams, a new country…), the incident appears here and on the live channel."</p>
            </section>
        }
        .into_any();
    }
    let counts = format!(
        "{} open · {} acknowledged · {} dismissed",
        list.facets.open, list.facets.acknowledged, list.facets.dismissed
    );
    let older = list.next.as_deref().map(|next| filters.href(next));
    let newest = paged.then(|| filters.href(""));
    let items = list.items;
    view! {
        <section class="card">
            <p class="muted small" id="alerts-counts">{counts}</p>
            {filter_form(&list.facets, filters)}
        </section>
        {if items.is_empty() {
            view! {
                <section class="card" id="alerts-none">
                    <p>"No incidents match these filters." " " <a href="/alerts">"Show all"</a></p>
                </section>
            }.into_any()
        } else {
            view! {
                <ul class="incident-list" id="incident-list">
                    {items.into_iter().map(|incident| view! { <IncidentItem incident change/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {newest.map(|href| view! { <a href=href class="button">"Newest"</a> })}
            {older.map(|href| view! { <a href=href class="button" id="alerts-older">"Older"</a> })}
        </nav>
    }
    .into_any()
}

fn choices(list: &[(&str, &str)]) -> Vec<Choice> {
    list.iter().map(|(value, label)| Choice { value: (*value).to_owned(), label: (*label).to_owned() }).collect()
}

fn filter_form(facets: &FacetsView, f: &Filters) -> impl IntoView {
    let severities = choices(&[("critical", "Critical"), ("high", "High"), ("medium", "Medium"), ("low", "Low")]);
    let statuses = choices(&[
        ("active", "Open or acknowledged"),
        ("open", "Open"),
        ("acknowledged", "Acknowledged"),
        ("dismissed", "Dismissed"),
    ]);
    let cleared = (!f.is_empty()).then(|| view! { <a href="/alerts" class="small">"Clear filters"</a> });
    let (users, rules) = (facets.users.clone(), facets.rules.clone());
    let Filters { severity, status, user, rule } = f.clone();
    view! {
        <Form method="GET" action="/alerts" attr:class="filters" attr:id="alerts-filters">
            <FilterSelect name="severity" label="Severity" any=Some("Any severity") choices=severities current=Some(severity)/>
            <FilterSelect name="status" label="Status" any=Some("Any status") choices=statuses current=Some(status)/>
            <FilterSelect name="user" label="Account" any=Some("All accounts") choices=users current=Some(user)/>
            <FilterSelect name="rule" label="Rule" any=Some("All rules") choices=rules current=Some(rule)/>
            <button type="submit">"Filter"</button>
            {cleared}
        </Form>
    }
}
