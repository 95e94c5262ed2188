//! `/users`: the people behind the media-server accounts, searched by name (`q`), ordered (`sort`:
//! last seen, plays, lowest trust, name) and paged (`page`), all in the query string. Each row shows
//! the trust badge, servers, plays, time watched and last sighting and links to `/users/:id`
//! (`users/detail.rs`). Rows are cards that wrap on a phone.

mod detail;
mod merge;
mod settings;

pub use detail::UserPage;

use super::history::href::history_href;
use super::map::filters::FilterSelect;
use super::query_param;
use crate::api::map::Choice;
use crate::api::trust::trust_level;
use crate::api::users::{UserList, UserRow, list_users};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

/// The orders of `sightline_backend::people::PeopleSort`, as the form offers them.
const SORTS: [(&str, &str); 4] =
    [("last_seen", "Last seen"), ("plays", "Most plays"), ("trust", "Lowest trust"), ("name", "Name")];

#[component]
pub fn UsersPage() -> impl IntoView {
    let (q, sort, page) = (query_param("q"), query_param("sort"), query_param("page"));
    let list = Resource::new(
        move || (q().unwrap_or_default(), sort().unwrap_or_default(), page().unwrap_or_default()),
        |(q, sort, page)| list_users(q, sort, page),
    );
    let sorts: Vec<Choice> =
        SORTS.iter().map(|(v, l)| Choice { value: (*v).to_owned(), label: (*l).to_owned() }).collect();
    view! {
        <Title text="Users · Sightline"/>
        <div id="users-page">
            <h1>"Users"</h1>
            <section class="card">
                <Form method="GET" action="/users" attr:class="filters" attr:id="users-filters">
                    <label class="filter" for="users-q">
                        <span>"Search"</span>
                        <input type="search" name="q" id="users-q" maxlength="100" placeholder="Name or account"
                            value=move || q().unwrap_or_default()/>
                    </label>
                    <FilterSelect name="sort" label="Order" any=None choices=sorts current=sort()/>
                    <button type="submit">"Show"</button>
                </Form>
            </section>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || list.get().map(|r| listing(r, &q().unwrap_or_default(), &sort().unwrap_or_default()))}
            </Transition>
        </div>
    }
}

fn listing(result: Result<UserList, AppError>, q: &str, sort: &str) -> AnyView {
    let list = match result {
        Ok(list) => list,
        Err(e) => return view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
    };
    if list.total == 0 {
        return view! {
            <section class="card" id="users-empty">
                <p><strong>"No users yet."</strong></p>
                <p class="muted">"Accounts appear here when Sightline syncs a server's user list or sees someone stream. An account on several servers can then be merged into one user."</p>
            </section>
        }
        .into_any();
    }
    if list.items.is_empty() {
        return view! {
            <section class="card" id="users-none">
                <p>{format!("No users match “{q}”.")} " " <a href="/users">"Show all"</a></p>
            </section>
        }
        .into_any();
    }
    let href = |page: u32| history_href("/users", &[("q", q), ("sort", sort), ("page", &page.to_string())]);
    let newer = (list.page > 1).then(|| href(list.page - 1));
    let older = (list.page < list.pages).then(|| href(list.page + 1));
    let count = if list.matching == list.total {
        format!("{} users", list.total)
    } else {
        format!("{} of {} users", list.matching, list.total)
    };
    view! {
        <p class="muted small" id="users-count">{count}</p>
        <ul class="people-list" id="users-list">
            {list.items.into_iter().map(row).collect_view()}
        </ul>
        <nav class="pager" aria-label="Pages">
            {newer.map(|h| view! { <a href=h class="button">"Previous"</a> })}
            {(list.pages > 1).then(|| view! { <span class="muted small">{format!("Page {} of {}", list.page, list.pages)}</span> })}
            {older.map(|h| view! { <a href=h class="button" id="users-next">"Next"</a> })}
        </nav>
    }
    .into_any()
}

fn row(u: UserRow) -> impl IntoView {
    let (class, word) = trust_level(u.trust);
    let plays = format!("{} {}", u.plays, if u.plays == 1 { "play" } else { "plays" });
    view! {
        <li class="person-row">
            <div class="person-head">
                <a class="person-name" href=format!("/users/{}", u.id)>{u.name}</a>
                <span class=format!("tag {class}")>{format!("trust {} · {word}", u.trust)}</span>
            </div>
            <p class="person-servers muted small">
                {u.servers.join(", ")}
                {(!u.aliases.is_empty()).then(|| view! { " · " {u.aliases.join(", ")} })}
            </p>
            <p class="person-facts small">
                <span>{plays}</span>
                <span>{format!("watched {}", u.watched)}</span>
                <span>{format!("last seen {}", u.last_seen)}</span>
            </p>
        </li>
    }
}
