//! Merging other people into this one: search people by name, tick the ones that are the same
//! person, then confirm. Their accounts move here (audited); Split on an account undoes it.

use crate::api::users::{MergeUsers, UserRow, list_users};
use leptos::prelude::*;

/// At most this many matches are offered at once.
const SHOWN: usize = 20;

#[component]
pub fn MergeDialog(id: i64, name: String, merge: ServerAction<MergeUsers>) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<(i64, String)>::new());
    let confirming = RwSignal::new(false);
    let candidates = Resource::new(move || search.get(), |q| list_users(q, "name".to_owned(), String::new()));
    Effect::new(move |_| {
        if merge.value().with(|v| matches!(v, Some(Ok(_)))) {
            chosen.set(Vec::new());
            confirming.set(false);
        }
    });
    let toggle = move |person: &UserRow| {
        let (pid, label) = (person.id, format!("{} ({})", person.name, person.servers.join(", ")));
        chosen.update(|c| {
            if let Some(at) = c.iter().position(|(i, _)| *i == pid) {
                c.remove(at);
            } else {
                c.push((pid, label));
            }
        });
        confirming.set(false);
    };
    let outcome = move || {
        merge.value().get().map(|r| match r {
            Ok(n) => view! {
                <p class="alert ok" role="status" id="user-merge-ok">
                    {format!("Merged: {n} {} moved here.", if n == 1 { "account" } else { "accounts" })}
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    let into = name.clone();
    view! {
        <details class="user-merge" id="user-merge">
            <summary>{format!("Merge other users into {name}")}</summary>
            <p class="muted small">"When the same person has accounts on several servers (or several accounts), merge them: their accounts, plays and incidents show here together. Split on an account undoes it."</p>
            {outcome}
            <label class="filter" for="merge-search">
                <span>"Find users"</span>
                <input type="search" id="merge-search" maxlength="100" placeholder="Name or account"
                    on:input=move |ev| search.set(event_target_value(&ev))/>
            </label>
            <Transition fallback=|| view! { <p class="muted small">"Loading…"</p> }>
                {move || candidates.get().map(|r| match r {
                    Ok(list) => {
                        let others: Vec<UserRow> = list.items.into_iter().filter(|p| p.id != id).take(SHOWN).collect();
                        if others.is_empty() {
                            return view! { <p class="muted small">"No other users match."</p> }.into_any();
                        }
                        view! {
                            <ul class="merge-choices" id="merge-choices">
                                {others.into_iter().map(|p| {
                                    let pid = p.id;
                                    let checked = move || chosen.with(|c| c.iter().any(|(i, _)| *i == pid));
                                    let label = format!("{} · {} · {} plays", p.name, p.servers.join(", "), p.plays);
                                    view! {
                                        <li>
                                            <label class="check">
                                                <input type="checkbox" prop:checked=checked on:change=move |_| toggle(&p)/>
                                                " " {label}
                                            </label>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            {move || {
                let picked = chosen.get();
                (!picked.is_empty()).then(|| {
                    let names: Vec<String> = picked.iter().map(|(_, n)| n.clone()).collect();
                    let ids: Vec<i64> = picked.iter().map(|(i, _)| *i).collect();
                    let into = into.clone();
                    view! {
                        <div class="merge-confirm">
                            {if confirming.get() {
                                view! {
                                    <p>{format!("Move every account of {} to {into}? They stop being separate users.", names.join(", "))}</p>
                                    <button type="button" class="danger" id="merge-confirm"
                                        disabled=move || merge.pending().get()
                                        on:click=move |_| { merge.dispatch(MergeUsers { into: id, people: ids.clone() }); }>
                                        "Merge"
                                    </button>
                                    " "
                                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                                }.into_any()
                            } else {
                                view! {
                                    <button type="button" id="merge-start" on:click=move |_| confirming.set(true)>
                                        {format!("Merge {} into {into}…", names.len())}
                                    </button>
                                }.into_any()
                            }}
                        </div>
                    }
                })
            }}
        </details>
    }
}
