//! "Test against history": runs a saved or draft rule over the stored plays of a chosen period and
//! lists what it would have flagged: how many plays were examined, the incidents it would have opened
//! (account, summary, occurrences, first and last time), without creating any.

use crate::api::rules::RulesBacktest;
use crate::model::rule_form::RuleForm;
use crate::model::rules::BacktestView;
use leptos::prelude::*;

const PERIODS: [(u32, &str); 5] = [(1, "24 hours"), (7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")];

#[component]
pub fn BacktestPanel(form: RuleForm, closed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let days = RwSignal::new(30_u32);
    let run = ServerAction::<RulesBacktest>::new();
    let rule = form.to_rule();
    let name = form.name.clone();
    let start = move || {
        if let Ok(rule) = &rule
            && let Ok(rule_json) = serde_json::to_string(rule)
        {
            run.dispatch(RulesBacktest { rule_json, days: days.get_untracked() });
        }
    };
    let start_now = start.clone();
    // Run once on open with the default period.
    Effect::new(move |ran: Option<()>| {
        if ran.is_none() {
            start_now();
        }
    });
    view! {
        <section class="card backtest" id="backtest">
            <h2>"Test “" {name} "” against history"</h2>
            <div class="backtest-controls">
                <label>"Period"
                    <select on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() { days.set(d); }
                    }>
                        {PERIODS.into_iter().map(|(d, label)| view! {
                            <option value=d.to_string() selected=move || days.get() == d>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" on:click=move |_| start() disabled=move || run.pending().get()>
                    {move || if run.pending().get() { "Running…" } else { "Run" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| closed()>"Close"</button>
            </div>
            {move || run.value().get().map(|r| match r {
                Ok(view) => report(view).into_any(),
                Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

fn report(v: BacktestView) -> impl IntoView {
    let summary = format!(
        "Over the last {} days, {} plays examined: {} incidents would have been opened ({} violations).",
        v.days, v.plays_examined, v.incidents, v.violations
    );
    let empty = v.hits.is_empty();
    view! {
        <p id="backtest-summary" role="status">{summary}</p>
        {v.truncated.map(|t| view! { <p class="muted">{t}</p> })}
        {(!empty).then(|| view! {
            <div class="table-wrap">
                <table class="backtest-hits">
                    <thead><tr>
                        <th>"Account"</th><th>"Server"</th><th>"Severity"</th><th>"What"</th>
                        <th>"Times"</th><th>"First"</th><th>"Last"</th>
                    </tr></thead>
                    <tbody>
                        {v.hits.into_iter().map(|h| view! {
                            <tr>
                                <td>{h.account}</td><td>{h.server}</td>
                                <td><span class=format!("badge severity-{}", h.severity)>{h.severity.clone()}</span></td>
                                <td>{h.summary}</td><td>{h.occurrences}</td><td>{h.first_at}</td><td>{h.last_at}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}
