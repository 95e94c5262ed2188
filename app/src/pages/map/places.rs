//! The top places below the map: a plain list (works on a phone), highlighted places marked.

use crate::api::map::PlaceView;
use leptos::prelude::*;

/// How many places the list shows.
const SHOWN: usize = 25;

#[component]
pub(super) fn TopPlaces(places: Vec<PlaceView>) -> impl IntoView {
    if places.is_empty() {
        return view! { <p class="muted">"No places to list."</p> }.into_any();
    }
    let hidden = places.len().saturating_sub(SHOWN);
    view! {
        <ol class="place-list" id="place-list">
            {places.into_iter().take(SHOWN).map(|p| {
                let plays = format!("{} {}", p.plays, if p.plays == 1 { "play" } else { "plays" });
                let users = p.users_line();
                view! {
                    <li class="place-item" class:hot=p.highlighted>
                        <div class="place-name">
                            <strong>{p.place}</strong>
                            {p.highlighted.then(|| view! { <span class="badge sev-high">"open incident"</span> })}
                        </div>
                        <div class="place-meta">
                            <span class="place-plays">{plays}</span>
                            <span>{users}</span>
                            <span class="muted">{format!("last {}", p.last_play)}</span>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
        {(hidden > 0).then(|| view! { <p class="muted small">{format!("and {hidden} more places")}</p> })}
    }
    .into_any()
}
