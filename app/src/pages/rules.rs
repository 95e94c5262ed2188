//! `/rules`: the sharing-detection rules. Lists them in evaluation order with a plain-language
//! description, switches them on and off, edits or creates them (`rules/editor.rs`, with a live
//! preview), backtests any rule over stored history (`rules/backtest.rs`), deletes them, and exports or
//! imports the whole set as RULES.json (the file `sightline replay --rules` reads).

mod backtest;
mod editor;

use crate::api::rules::{RulesDelete, RulesImport, RulesSetEnabled, rules_list};
use crate::components::action_state::refetch_on_success;
use crate::model::rule_form::{RuleForm, kind_label};
use crate::model::rules::RuleRow;
use backtest::BacktestPanel;
use editor::RuleEditor;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use sightline_domain::rules::{RuleType, Scope};

/// What is open under the list: nothing, the editor (new or existing), or a backtest.
#[derive(Debug, Clone, PartialEq)]
enum Panel {
    None,
    Edit(Box<RuleForm>),
    Backtest(Box<RuleForm>),
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let changed = RwSignal::new(0_u64);
    let rules = Resource::new(move || changed.get(), |_| rules_list());
    let panel = RwSignal::new(Panel::None);

    view! {
        <Title text="Rules · Sightline"/>
        <div id="rules-page">
            <div class="page-head">
                <h1>"Rules"</h1>
                <div class="page-actions">
                    <button type="button" id="rule-new"
                        on:click=move |_| panel.set(Panel::Edit(Box::new(RuleForm::new(RuleType::SimultaneousLocations))))>
                        "New rule"
                    </button>
                    <a class="button secondary" id="rules-export" href="/api/v1/rules/export" download="RULES.json">
                        "Export RULES.json"
                    </a>
                </div>
            </div>
            <p class="muted">
                "Rules run, in this order, on every stream that starts or changes address. A rule that fires opens an "
                "incident on the " <a href="/alerts">"Alerts"</a> " page; repeats of the same condition update it."
            </p>
            {move || match panel.get() {
                Panel::None => ().into_any(),
                Panel::Edit(form) => view! { <RuleEditor form=*form panel_closed=move || panel.set(Panel::None) changed/> }.into_any(),
                Panel::Backtest(form) => view! { <BacktestPanel form=*form closed=move || panel.set(Panel::None)/> }.into_any(),
            }}
            <section class="card">
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || rules.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! {
                            <p id="rules-empty">
                                "No rules: nothing is being checked. Create one with " <strong>"New rule"</strong>
                                ", or import a RULES.json below."
                            </p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ol class="rule-list">
                                {list.into_iter().map(|row| view! { <RuleItem row panel changed/> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </section>
            <ImportForm changed/>
        </div>
    }
}

#[component]
fn RuleItem(row: RuleRow, panel: RwSignal<Panel>, changed: RwSignal<u64>) -> impl IntoView {
    let toggle = ServerAction::<RulesSetEnabled>::new();
    let remove = ServerAction::<RulesDelete>::new();
    refetch_on_success(toggle.value(), changed);
    refetch_on_success(remove.value(), changed);
    let confirming = RwSignal::new(false);
    let RuleRow { rule, description } = row;
    let form = RuleForm::from_rule(&rule);
    let form_for_test = form.clone();
    let (id, enabled) = (rule.id.0.clone(), rule.enabled);
    let severity = rule.severity.as_str();
    let scope = match &rule.scope {
        Scope::All => "all servers".to_owned(),
        Scope::Server { server_id } => format!("server #{}", server_id.0),
        Scope::User { server_id, user_id } => format!("one account ({user_id} on server #{})", server_id.0),
    };
    let (id_toggle, id_remove, name) = (id.clone(), id.clone(), rule.name.clone());
    let error = Memo::new(move |_| {
        let t = toggle.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()));
        t.or_else(|| remove.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
    });
    view! {
        <li class="rule-item" class:disabled=!enabled data-rule-id=id.clone()>
            <div class="rule-head">
                <strong class="rule-name">{rule.name.clone()}</strong>
                <span class="tag">{kind_label(rule.kind.rule_type())}</span>
                <span class=format!("badge severity-{severity}")>{severity}</span>
                <span class=if enabled { "tag rule-enabled" } else { "tag rule-enabled off" }>
                    {if enabled { "on" } else { "off" }}
                </span>
            </div>
            <p class="rule-description">{description}</p>
            <p class="muted small">"Applies to " {scope}</p>
            <div class="rule-actions">
                <ActionForm action=toggle attr:class="inline">
                    <input type="hidden" name="id" value=id_toggle/>
                    <input type="hidden" name="enabled" value=(!enabled).to_string()/>
                    <button type="submit" class="rule-toggle">{if enabled { "Turn off" } else { "Turn on" }}</button>
                </ActionForm>
                <button type="button" class="rule-edit"
                    on:click=move |_| panel.set(Panel::Edit(Box::new(form.clone())))>"Edit"</button>
                <button type="button" class="rule-backtest"
                    on:click=move |_| panel.set(Panel::Backtest(Box::new(form_for_test.clone())))>"Test against history"</button>
                <button type="button" class="rule-delete danger-text" on:click=move |_| confirming.set(true)>"Delete"</button>
            </div>
            {move || confirming.get().then(|| confirm_delete(name.clone(), id_remove.clone(), remove, confirming))}
            {move || error.get().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
        </li>
    }
}

fn confirm_delete(
    name: String,
    id: String,
    remove: ServerAction<RulesDelete>,
    confirming: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="confirm" role="alertdialog">
            <p>"Delete “" {name} "”? Its incidents stay on the Alerts page."</p>
            <ActionForm action=remove attr:class="inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="danger rule-delete-confirm">"Delete rule"</button>
            </ActionForm>
            <button type="button" on:click=move |_| confirming.set(false)>"Keep it"</button>
        </div>
    }
}

#[component]
fn ImportForm(changed: RwSignal<u64>) -> impl IntoView {
    let import = ServerAction::<RulesImport>::new();
    refetch_on_success(import.value(), changed);
    view! {
        <section class="card">
            <h2>"Import"</h2>
            <p class="muted">
                "Paste a RULES.json (exported here, or written for " <code>"sightline replay --rules"</code>
                "). It replaces every rule at once, and only if all of them are valid."
            </p>
            <ActionForm action=import attr:id="rules-import">
                <textarea name="json" rows="5" required placeholder="{\"version\":1,\"rules\":[…]}"></textarea>
                <button type="submit">"Replace the rules"</button>
            </ActionForm>
            {move || import.value().get().map(|r| match r {
                Ok(n) => view! { <p class="alert ok" role="status">{format!("Imported {n} rules.")}</p> }.into_any(),
                Err(e) => view! { <p class="alert error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
