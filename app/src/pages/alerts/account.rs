//! The account panel of an incident: the account's trust score and why it changed (newest first), a
//! form to set the score by hand with a reason, and snoozing the incident's rule for this account
//! (a day, a week, a month) or lifting the snooze.

use crate::api::account_panel::{AccountPanel, SetAccountTrust, SnoozeIncidentRule, incident_account};
use crate::api::trust::trust_level;
use leptos::form::ActionForm;
use leptos::prelude::*;

const SNOOZES: [(u32, &str); 3] = [(24, "1 day"), (24 * 7, "7 days"), (24 * 30, "30 days")];

#[component]
pub fn AccountCard(incident: i64) -> impl IntoView {
    let set_trust = ServerAction::<SetAccountTrust>::new();
    let snooze = ServerAction::<SnoozeIncidentRule>::new();
    let panel =
        Resource::new(move || (set_trust.version().get(), snooze.version().get()), move |_| incident_account(incident));
    let error = move || {
        let t = set_trust.value().get().and_then(Result::err);
        t.or_else(|| snooze.value().get().and_then(Result::err))
    };
    view! {
        <section class="card" id="incident-account">
            <h2>"Account"</h2>
            {move || error().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || panel.get().map(|r| match r {
                    Ok(p) => panel_view(p, incident, set_trust, snooze).into_any(),
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn panel_view(
    p: AccountPanel,
    incident: i64,
    set_trust: ServerAction<SetAccountTrust>,
    snooze: ServerAction<SnoozeIncidentRule>,
) -> impl IntoView {
    let (class, word) = trust_level(p.score);
    let since = p.incident_free_since.map(|s| format!("incident-free since {s}"));
    let snoozed = p.snoozed_until.clone();
    let rule = p.rule_name.clone();
    view! {
        <p>
            <strong>{p.account}</strong> " "
            <span class=format!("tag {class}") id="account-trust">{format!("trust {} · {word}", p.score)}</span>
            {since.map(|s| view! { " " <span class="muted small">{s}</span> })}
        </p>
        <div class="account-actions">
            <ActionForm action=set_trust attr:class="inline-form" attr:id="trust-form">
                <input type="hidden" name="incident" value=incident.to_string()/>
                <label>"Set trust to"
                    <input type="number" name="score" min="0" max="100" required value=p.score.to_string()/>
                </label>
                <label>"because"
                    <input type="text" name="reason" maxlength="200" required placeholder="known traveller"/>
                </label>
                <button type="submit">"Set"</button>
            </ActionForm>
            <div class="snooze">
                {match snoozed {
                    Some(until) => view! {
                        <p id="snooze-status">{format!("“{rule}” is snoozed for this account until {until}.")}</p>
                        <ActionForm action=snooze attr:class="inline">
                            <input type="hidden" name="incident" value=incident.to_string()/>
                            <input type="hidden" name="hours" value="0"/>
                            <button type="submit" id="snooze-lift">"Lift the snooze"</button>
                        </ActionForm>
                    }.into_any(),
                    None => view! {
                        <p class="muted small">{format!("Snooze “{rule}” for this account (evaluated, nothing recorded):")}</p>
                        <div class="rule-actions">
                            {SNOOZES.into_iter().map(|(hours, label)| view! {
                                <ActionForm action=snooze attr:class="inline">
                                    <input type="hidden" name="incident" value=incident.to_string()/>
                                    <input type="hidden" name="hours" value=hours.to_string()/>
                                    <button type="submit" class="snooze-button">{label}</button>
                                </ActionForm>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }}
            </div>
        </div>
        <h3>"Trust history"</h3>
        <div class="table-wrap">
            <table id="trust-history">
                <thead><tr><th>"When"</th><th>"Change"</th><th>"Score"</th><th>"Why"</th></tr></thead>
                <tbody>
                    {p.history.into_iter().map(|h| view! {
                        <tr><td class="nowrap">{h.at}</td><td>{h.change}</td><td>{h.after}</td><td>{h.reason}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
