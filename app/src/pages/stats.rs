//! `/stats`: plays and watch time over the chosen period (filters in the query string: period,
//! custom dates, server, and `tz` to look in another zone), one chart per figure drawn by echarts in
//! the browser after hydration, each with its numbers as a table below; an empty period says so
//! instead of drawing nothing. Days and hours are the owner's (Settings → General), DST included.

mod charts;
#[cfg(feature = "hydrate")]
mod draw;

use super::map::filters::FilterSelect;
use super::query_param;
use crate::api::map::Choice;
use crate::api::stats::{PERIODS, StatsPage, get_stats};
use charts::{Panel, gigabytes, hours, panels};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

#[component]
pub fn StatsPage() -> impl IntoView {
    let (period, server, from, to, tz) =
        (query_param("period"), query_param("server"), query_param("from"), query_param("to"), query_param("tz"));
    let data = Resource::new(
        move || {
            (
                period().unwrap_or_default(),
                server().unwrap_or_default(),
                from().unwrap_or_default(),
                to().unwrap_or_default(),
                tz().unwrap_or_default(),
            )
        },
        |(period, server, from, to, tz)| get_stats(period, server, from, to, tz),
    );
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(page)) = data.get()
            && !page.view.is_empty()
        {
            let panels = panels(&page.view);
            request_animation_frame(move || draw::draw(&panels));
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let resize = window_event_listener(leptos::ev::resize, |_| draw::fit(&charts::IDS));
        on_cleanup(move || resize.remove());
    }

    view! {
        <Title text="Statistics · Sightline"/>
        <div id="stats-page">
            <div class="section-head">
                <h1>"Statistics"</h1>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || data.get().map(|r| match r {
                    Ok(page) => content(page, period(), server(), from(), to(), tz()).into_any(),
                    Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

fn content(
    page: StatsPage,
    period: Option<String>,
    server: Option<String>,
    from: Option<String>,
    to: Option<String>,
    tz: Option<String>,
) -> impl IntoView {
    let view = page.view;
    let mut choices: Vec<Choice> =
        PERIODS.iter().map(|(v, l)| Choice { value: (*v).to_owned(), label: (*l).to_owned() }).collect();
    choices.push(Choice { value: "custom".into(), label: "Custom dates".into() });
    let current = Some(period.filter(|p| !p.is_empty()).unwrap_or_else(|| view.period.as_str().to_owned()));
    let several_servers = page.servers.len() > 1;
    let summary = format!(
        "{} to {} · {} plays · {:.1} hours · {:.2} GB · times in {}",
        view.from,
        view.to,
        view.plays,
        hours(view.watch_ms),
        gigabytes(view.bytes),
        view.time_zone
    );
    let body = if view.is_empty() {
        view! {
            <p class="map-empty" id="stats-empty">
                "No play ended in this period. Plays count here once they finish."
            </p>
        }
        .into_any()
    } else {
        view! { <div class="stats-grid">{panels(&view).into_iter().map(panel).collect_view()}</div> }.into_any()
    };
    view! {
        <section class="card">
            <Form method="GET" action="/stats" attr:class="filters" attr:id="stats-filters">
                <FilterSelect name="period" label="Period" any=None choices=choices current/>
                <label class="filter" for="stats-from">
                    <span>"From"</span>
                    <input type="date" name="from" id="stats-from" value=from.unwrap_or_default()/>
                </label>
                <label class="filter" for="stats-to">
                    <span>"To"</span>
                    <input type="date" name="to" id="stats-to" value=to.unwrap_or_default()/>
                </label>
                {several_servers.then(|| view! {
                    <FilterSelect name="server" label="Server" any=Some("All servers") choices=page.servers.clone() current=server.clone()/>
                })}
                // Keeps a zone asked for in the address while the other filters change.
                {tz.filter(|z| !z.is_empty()).map(|z| view! { <input type="hidden" name="tz" value=z/> })}
                <button type="submit">"Show"</button>
            </Form>
            <p class="muted small" id="stats-summary">{summary}</p>
        </section>
        {body}
    }
}

fn panel(p: Panel) -> impl IntoView {
    let [a, b, c] = p.columns;
    view! {
        <section class="card stats-panel">
            <h2>{p.title}</h2>
            <div id=p.id class="stats-chart" role="img" aria-label=p.title style="width:100%;height:260px;overflow:hidden"></div>
            <details>
                <summary>"Table"</summary>
                <table class="stats-table">
                    <thead><tr><th>{a}</th><th>{b}</th><th>{c}</th></tr></thead>
                    <tbody>
                        {p.rows.into_iter().map(|[x, y, z]| view! { <tr><td>{x}</td><td>{y}</td><td>{z}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}
