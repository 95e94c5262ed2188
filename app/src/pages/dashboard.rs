//! `/`: the dashboard: what is playing now and today's counters, the live channel (server clock,
//! connected browsers), the instance's health and the latest security events.

use crate::api::system::{get_system_status, list_recent_audit};
use crate::components::now_playing::NowPlayingSection;
use crate::components::table::{TableSpec, table_view};
use crate::live::use_live;
use crate::model::human_duration;
use leptos::prelude::*;
use leptos_meta::Title;

const AUDIT_TABLE: TableSpec =
    TableSpec { id: "audit-table", headers: &["When", "Who", "What", "Detail", "From"], empty: "No events yet." };

#[component]
pub fn DashboardPage() -> impl IntoView {
    let live = use_live();
    let resync = move || live.map_or(0, |l| l.resync.get());
    let status = Resource::new(resync, |_| get_system_status());
    let audit = Resource::new(resync, |_| list_recent_audit());

    view! {
        <Title text="Dashboard · Sightline"/>
        <h1>"Dashboard"</h1>
        <NowPlayingSection/>
        <div class="grid">
            <section class="card">
                <h2>"Live channel"</h2>
                <dl class="facts">
                    <dt>"Server time"</dt>
                    <dd id="server-time">{move || live.and_then(|l| l.server_time.get()).map_or_else(|| "waiting for the server…".to_owned(), |t| local_time(&t))}</dd>
                    <dt>"Browsers connected"</dt>
                    <dd id="live-clients">{move || live.map_or(0, |l| l.n_clients.get())}</dd>
                    <dt>"Events received"</dt>
                    <dd id="live-events">{move || live.map_or(0, |l| l.n_events.get())}</dd>
                </dl>
            </section>
            <section class="card">
                <h2>"System"</h2>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || status.get().map(|r| match r {
                        Ok(s) => {
                            let geoip = geoip_view(&s);
                            view! {
                            <dl class="facts">
                                <dt>"Version"</dt><dd>{s.version}</dd>
                                <dt>"Up for"</dt><dd>{human_duration(s.uptime_secs)}</dd>
                                <dt>"Database"</dt>
                                <dd class=if s.database_ok { "ok" } else { "bad" }>{if s.database_ok { "answering" } else { "not answering" }}</dd>
                                <dt>"GeoIP"</dt>
                                <dd id="geoip-status">{geoip}</dd>
                            </dl>
                        }.into_any()
                        }
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Suspense>
            </section>
        </div>
        <section class="card">
            <h2>"Recent security events"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || audit.get().map(|r| table_view(&AUDIT_TABLE, r, |e| view! {
                    <td class="nowrap">{e.at}</td>
                    <td>{e.actor}</td>
                    <td><span class="tag">{e.action}</span></td>
                    <td>{e.detail}</td>
                    <td class="nowrap">{e.ip.unwrap_or_default()}</td>
                }.into_any()))}
            </Suspense>
        </section>
    }
}

/// The GeoIP databases in use, or why places stay empty.
fn geoip_view(s: &crate::model::SystemStatus) -> AnyView {
    if s.geoip.is_empty() {
        let why = format!(
            "No database: places stay empty. Put GeoLite2-City.mmdb in {}{}.",
            s.geoip_dir,
            if s.geoip_downloads { " (a download is configured and will retry)" } else { " or set a MaxMind account" }
        );
        return view! { <span class="muted">{why}</span> }.into_any();
    }
    let problems = s.geoip_problems.join("; ");
    view! {
        <ul class="plain">
            {s.geoip.iter().map(|d| {
                let age = d.age_days.map(|a| format!(", {a} days old")).unwrap_or_default();
                let line = format!("{} ({}{}{})", d.database_type, d.file, d.built.as_ref().map(|b| format!(", built {b}")).unwrap_or_default(), age);
                view! { <li>{line}</li> }
            }).collect_view()}
        </ul>
        {(!problems.is_empty()).then(|| view! { <p class="alert error">{problems}</p> })}
    }
    .into_any()
}

/// Shows an RFC 3339 instant in the browser's own time zone.
fn local_time(rfc3339: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
        if !date.get_time().is_nan() {
            return String::from(date.to_locale_time_string("default"));
        }
    }
    rfc3339.to_owned()
}
