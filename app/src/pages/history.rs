//! `/history`: plays grouped as resume chains, newest first, filtered by the query string (the
//! same names as `GET /api/v1/history`; filtered in SQL), a page at a time ("Older"). A chain opens
//! into its plays, each with its stream, device and place; chains can be chosen and deleted after
//! a confirmation, and the filtered list downloaded as CSV.

mod chain;
pub(super) mod href;

use super::map::filters::FilterSelect;
use super::query_param;
use crate::api::history::{DeleteHistory, HistoryForm, HistoryList, list_history};
use crate::api::map::Choice;
use crate::error::AppError;
use chain::ChainItem;
use href::history_href;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let names = HistoryForm::default();
    let params: Vec<(&'static str, _)> = names.pairs().iter().map(|(k, _)| (*k, query_param(k))).collect();
    let params = StoredValue::new(params);
    let after = query_param("after");
    let filters = move || {
        let value = |name: &str| {
            params.with_value(|p| p.iter().find(|(k, _)| *k == name).and_then(|(_, get)| get()).unwrap_or_default())
        };
        HistoryForm {
            users: value("users"),
            media_type: value("media_type"),
            from: value("from"),
            to: value("to"),
            platform: value("platform"),
            product: value("product"),
            device: value("device"),
            ip: value("ip"),
            country: value("country"),
            city: value("city"),
            decision: value("decision"),
            watched: value("watched"),
            q: value("q"),
            sort: value("sort"),
        }
    };
    let delete = ServerAction::<DeleteHistory>::new();
    let list = Resource::new(
        move || (filters(), after().unwrap_or_default(), delete.version().get()),
        |(f, after, _)| list_history(f, after),
    );
    let outcome = move || {
        delete.value().get().map(|r| match r {
            Ok(n) => {
                view! { <p class="alert ok" role="status" id="history-deleted">{format!("Deleted {n} plays.")}</p> }
                    .into_any()
            }
            Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };

    view! {
        <Title text="History · Sightline"/>
        <div id="history-page">
            <h1>"History"</h1>
            {outcome}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || list.get().map(|r| listing(r, &filters(), after().is_some(), delete))}
            </Transition>
        </div>
    }
}

fn listing(
    result: Result<HistoryList, AppError>,
    f: &HistoryForm,
    paged: bool,
    delete: ServerAction<DeleteHistory>,
) -> AnyView {
    let list = match result {
        Ok(list) => list,
        Err(e) => {
            return view! {
                <section class="card">{filter_form(&[], f)}</section>
                <p class="alert error" role="alert">{e.to_string()}</p>
            }
            .into_any();
        }
    };
    if list.items.is_empty() && f.is_empty() && !paged {
        return view! {
            <section class="card" id="history-empty">
                <p><strong>"No plays yet."</strong></p>
                <p class="muted">"Every stream on your media servers is recorded here once it starts; resumed plays are grouped with the play they continue."</p>
            </section>
        }
        .into_any();
    }
    let pairs: Vec<(&str, &str)> = f.pairs().to_vec();
    let csv = history_href("/api/v1/history.csv", &pairs);
    let older = list.next.as_deref().map(|next| {
        let mut with_after = pairs.clone();
        with_after.push(("after", next));
        history_href("/history", &with_after)
    });
    let newest = paged.then(|| history_href("/history", &pairs));
    let items = list.items;
    view! {
        <section class="card">
            {filter_form(&list.accounts, f)}
            <p class="small"><a href=csv id="history-csv" download="sightline-history.csv">"Export CSV"</a></p>
        </section>
        {if items.is_empty() {
            view! {
                <section class="card" id="history-none">
                    <p>"No plays match these filters." " " <a href="/history">"Show all"</a></p>
                </section>
            }.into_any()
        } else {
            view! {
                <ActionForm action=delete attr:id="history-delete-form">
                    <ul class="history-list" id="history-list">
                        {items.into_iter().enumerate().map(|(i, chain)| view! { <ChainItem chain index=i/> }).collect_view()}
                    </ul>
                    <div class="history-delete card">
                        <label class="check">
                            <input type="checkbox" name="confirm" value="yes" required=true id="history-confirm"/>
                            " Delete the chosen plays for good"
                        </label>
                        <button type="submit" class="danger" id="history-delete" disabled=move || delete.pending().get()>"Delete chosen"</button>
                    </div>
                </ActionForm>
            }.into_any()
        }}
        <nav class="pager" aria-label="Pages">
            {newest.map(|href| view! { <a href=href class="button">"Newest"</a> })}
            {older.map(|href| view! { <a href=href class="button" id="history-older">"Older"</a> })}
        </nav>
    }
    .into_any()
}

fn choices(list: &[(&str, &str)]) -> Vec<Choice> {
    list.iter().map(|(value, label)| Choice { value: (*value).to_owned(), label: (*label).to_owned() }).collect()
}

/// A labelled input of the filter form.
fn field(name: &'static str, label: &'static str, kind: &'static str, value: String) -> impl IntoView {
    let (id, label_for) = (format!("filter-{name}"), format!("filter-{name}"));
    view! {
        <label class="filter" for=label_for>
            <span>{label}</span>
            <input type=kind name=name id=id value=value/>
        </label>
    }
}

fn filter_form(accounts: &[Choice], f: &HistoryForm) -> impl IntoView {
    let media = choices(&[("movie", "Movies"), ("episode", "Episodes"), ("track", "Music"), ("live_tv", "Live TV")]);
    let decisions =
        choices(&[("direct_play", "Direct play"), ("direct_stream", "Direct stream"), ("transcode", "Transcode")]);
    let watched = choices(&[("true", "Watched"), ("false", "Not watched")]);
    let sorts = choices(&[("oldest", "Oldest first"), ("title", "Title A–Z")]);
    let cleared = (!f.is_empty()).then(|| view! { <a href="/history" class="small">"Clear filters"</a> });
    let f = f.clone();
    let accounts = accounts.to_vec();
    view! {
        <Form method="GET" action="/history" attr:class="filters" attr:id="history-filters">
            {field("q", "Title", "search", f.q)}
            <FilterSelect name="users" label="Account" any=Some("All accounts") choices=accounts current=Some(f.users)/>
            <FilterSelect name="media_type" label="Type" any=Some("Any type") choices=media current=Some(f.media_type)/>
            {field("from", "From", "date", f.from)}
            {field("to", "To", "date", f.to)}
            <FilterSelect name="decision" label="Stream" any=Some("Any stream") choices=decisions current=Some(f.decision)/>
            <FilterSelect name="watched" label="Watched" any=Some("Any") choices=watched current=Some(f.watched)/>
            {field("platform", "Platform", "text", f.platform)}
            {field("product", "Product", "text", f.product)}
            {field("device", "Device", "text", f.device)}
            {field("ip", "IP address", "text", f.ip)}
            {field("country", "Country code", "text", f.country)}
            {field("city", "City", "text", f.city)}
            <FilterSelect name="sort" label="Order" any=Some("Newest first") choices=sorts current=Some(f.sort)/>
            <button type="submit">"Filter"</button>
            {cleared}
        </Form>
    }
}
