//! The account panel: the account's trust score and why it changed (newest first) and a form to set
//! the score by hand with a reason. On an incident (`AccountCard`) it also snoozes the incident's
//! rule for this account (a day, a week, a month) or lifts the snooze; the Users page shows one
//! `AccountTrustPanel` per account, addressed by server and user id.

use crate::api::account_panel::{
    AccountPanel, SetAccountTrust, SetUserTrust, SnoozeIncidentRule, account_trust, incident_account,
};
use crate::api::trust::trust_level;
use crate::error::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;

const SNOOZES: [(u32, &str); 3] = [(24, "1 day"), (24 * 7, "7 days"), (24 * 30, "30 days")];

/// Element ids of one panel; `suffix` keeps them unique on a page with several panels.
#[derive(Clone)]
struct Ids {
    trust: String,
    form: String,
    history: String,
}

impl Ids {
    fn new(suffix: &str) -> Self {
        Self {
            trust: format!("account-trust{suffix}"),
            form: format!("trust-form{suffix}"),
            history: format!("trust-history{suffix}"),
        }
    }
}

fn failed(error: Option<AppError>) -> impl IntoView {
    error.map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })
}

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
            {move || failed(error())}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || panel.get().map(|r| match r {
                    Ok(p) => {
                        let form = view! {
                            <ActionForm action=set_trust attr:class="inline-form" attr:id="trust-form">
                                <input type="hidden" name="incident" value=incident.to_string()/>
                                {trust_inputs(p.score)}
                            </ActionForm>
                        };
                        let snoozing = snooze_view(&p, incident, snooze);
                        panel_view(p, &Ids::new(""), form.into_any(), Some(snoozing.into_any())).into_any()
                    }
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// One account's trust panel, for pages that list accounts; `suffix` makes its element ids unique.
#[component]
pub fn AccountTrustPanel(server: i64, user: String, suffix: String) -> impl IntoView {
    let set_trust = ServerAction::<SetUserTrust>::new();
    let who = user.clone();
    let panel = Resource::new(move || set_trust.version().get(), move |_| account_trust(server, who.clone()));
    let ids = Ids::new(&suffix);
    view! {
        {move || failed(set_trust.value().get().and_then(Result::err))}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || panel.get().map(|r| match r {
                Ok(p) => user_panel(p, server, user.clone(), &ids, set_trust).into_any(),
                Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

fn user_panel(
    p: AccountPanel,
    server: i64,
    user: String,
    ids: &Ids,
    set_trust: ServerAction<SetUserTrust>,
) -> impl IntoView {
    let form = view! {
        <ActionForm action=set_trust attr:class="inline-form" attr:id=ids.form.clone()>
            <input type="hidden" name="server" value=server.to_string()/>
            <input type="hidden" name="user" value=user/>
            {trust_inputs(p.score)}
        </ActionForm>
    };
    panel_view(p, ids, form.into_any(), None)
}

/// The score and reason inputs of the override form.
fn trust_inputs(score: u8) -> impl IntoView {
    view! {
        <label>"Set trust to"
            <input type="number" name="score" min="0" max="100" required value=score.to_string()/>
        </label>
        <label>"because"
            <input type="text" name="reason" maxlength="200" required placeholder="known traveller"/>
        </label>
        <button type="submit">"Set"</button>
    }
}

fn snooze_view(p: &AccountPanel, incident: i64, snooze: ServerAction<SnoozeIncidentRule>) -> impl IntoView + use<> {
    let rule = p.rule_name.clone().unwrap_or_default();
    view! {
        <div class="snooze">
            {match p.snoozed_until.clone() {
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
    }
}

fn panel_view(p: AccountPanel, ids: &Ids, form: AnyView, snooze: Option<AnyView>) -> impl IntoView + use<> {
    let (class, word) = trust_level(p.score);
    let since = p.incident_free_since.map(|s| format!("incident-free since {s}"));
    view! {
        <p>
            <strong>{p.account}</strong> " "
            <span class=format!("tag {class}") id=ids.trust.clone()>{format!("trust {} · {word}", p.score)}</span>
            {since.map(|s| view! { " " <span class="muted small">{s}</span> })}
        </p>
        <div class="account-actions">
            {form}
            {snooze}
        </div>
        <h3>"Trust history"</h3>
        {if p.history.is_empty() {
            view! { <p class="muted small">"No changes yet: the score is the policy's start."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table id=ids.history.clone()>
                        <thead><tr><th>"When"</th><th>"Change"</th><th>"Score"</th><th>"Why"</th></tr></thead>
                        <tbody>
                            {p.history.into_iter().map(|h| view! {
                                <tr><td class="nowrap">{h.at}</td><td>{h.change}</td><td>{h.after}</td><td>{h.reason}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}
