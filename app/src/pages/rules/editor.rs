//! The rule editor: name, kind, severity, scope, the kind's parameters, trusted networks and the
//! household option, with a live plain-language preview computed in the browser by the same
//! `describe` the server uses, field errors as you type, save, and a backtest of the draft.

use super::backtest::BacktestPanel;
use crate::api::rules::RulesSave;
use crate::api::servers::servers_list;
use crate::error::AppError;
use crate::model::rule_form::{FieldSpec, Input, KINDS, RuleForm, fields, kind_label};
use leptos::prelude::*;
use sightline_domain::rules::{RuleType, Severity, describe};

const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

#[component]
pub fn RuleEditor(
    form: RuleForm,
    panel_closed: impl Fn() + Copy + Send + Sync + 'static,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let is_new = form.id.is_empty();
    let form = RwSignal::new(form);
    let draft = Memo::new(move |_| form.with(RuleForm::to_rule));
    let save = ServerAction::<RulesSave>::new();
    let testing = RwSignal::new(false);
    let servers = Resource::new(|| (), |()| servers_list());
    Effect::new(move |_| {
        if save.value().with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
            panel_closed();
        }
    });
    // The draft's problem, else the server's answer to the last save.
    let error_for = move |field: &'static str| {
        move || {
            let local = draft.with(|d| d.as_ref().err().filter(|e| e.field == field).map(|e| e.message.clone()));
            let remote = || {
                save.value().with(|v| {
                    v.as_ref().and_then(|r| r.as_ref().err()).and_then(|e| e.field_message(field)).map(str::to_owned)
                })
            };
            local.or_else(remote).map(|m| view! { <span class="field-error" role="alert">{m}</span> })
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(rule) = draft.get_untracked()
            && let Ok(rule_json) = serde_json::to_string(&rule)
        {
            save.dispatch(RulesSave { rule_json });
        }
    };

    let basics = view! {
                <div class="form-grid">
                    <label>"Name"
                        <input type="text" name="name" maxlength="100" prop:value=move || form.with(|f| f.name.clone())
                            on:input=move |ev| form.update(|f| f.name = event_target_value(&ev))/>
                        {error_for("name")}
                    </label>
                    <label>"Kind"
                        <select name="kind" on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if let Some(kind) = KINDS.into_iter().find(|k| k.as_str() == value) {
                                form.update(|f| f.set_kind(kind));
                            }
                        }>
                            {KINDS.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || form.with(|f| f.kind == k)>{kind_label(k)}</option>
                            }).collect_view()}
                        </select>
                        {error_for("kind")}
                    </label>
                    <label>"Severity"
                        <select name="severity" on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if let Some(s) = SEVERITIES.into_iter().find(|s| s.as_str() == value) {
                                form.update(|f| f.severity = s);
                            }
                        }>
                            {SEVERITIES.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || form.with(|f| f.severity == s)>{s.as_str()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Servers"
                        <select name="server" on:change=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| {
                                f.server = value.parse().ok();
                                f.scope_user = None;
                            });
                        }>
                            <option value="" selected=move || form.with(|f| f.server.is_none())>"All servers"</option>
                            <Suspense>
                                {move || servers.get().and_then(Result::ok).map(|list| list.into_iter().map(|s| {
                                    let id = s.id.0;
                                    view! {
                                        <option value=id.to_string() selected=move || form.with(|f| f.server == Some(id))>{s.name}</option>
                                    }
                                }).collect_view())}
                            </Suspense>
                        </select>
                    </label>
                </div>
    }
    .into_any();
    let params = view! {
                <fieldset class="rule-params">
                    <legend>"Parameters"</legend>
                    {move || {
                        let kind = form.with(|f| f.kind);
                        let specs = fields(kind);
                        if specs.is_empty() {
                            return view! { <p class="muted">{no_parameters(kind)}</p> }.into_any();
                        }
                        specs.iter().map(|spec| param_input(*spec, form, error_for(spec.key))).collect_view().into_any()
                    }}
                </fieldset>
    }
    .into_any();
    let exceptions = view! {
                <fieldset>
                    <legend>"Exceptions"</legend>
                    <label>"Trusted networks (CIDR, one per line)"
                        <textarea name="networks" rows="2" placeholder="192.0.2.0/24"
                            prop:value=move || form.with(|f| f.networks.clone())
                            on:input=move |ev| form.update(|f| f.networks = event_target_value(&ev))></textarea>
                        {error_for("exceptions.networks")}
                    </label>
                    <label class="check">
                        <input type="checkbox" name="household" prop:checked=move || form.with(|f| f.household)
                            on:change=move |ev| form.update(|f| f.household = event_target_checked(&ev))/>
                        "Ignore streams from each account's household networks"
                    </label>
                    <label class="check">
                        <input type="checkbox" name="enabled" prop:checked=move || form.with(|f| f.enabled)
                            on:change=move |ev| form.update(|f| f.enabled = event_target_checked(&ev))/>
                        "Rule is on"
                    </label>
                </fieldset>
    }
    .into_any();
    view! {
        <section class="card rule-editor" id="rule-editor">
            <h2>{if is_new { "New rule" } else { "Edit rule" }}</h2>
            <form on:submit=on_submit novalidate>
                {basics}
                {params}
                {exceptions}
                <p class="rule-preview" id="rule-preview" aria-live="polite">
                    {move || match draft.get() {
                        Ok(rule) => view! { <strong>"Preview: "</strong> {describe(&rule)} }.into_any(),
                        Err(e) => view! { <span class="muted">{format!("Not valid yet: {} {}", e.field, e.message)}</span> }.into_any(),
                    }}
                </p>
                {move || save.value().with(|v| match v {
                    Some(Err(e)) if e.field_message("name").is_none() && !matches!(e, AppError::Invalid { field, .. } if field != "id") => {
                        Some(view! { <p class="alert error" role="alert">{e.to_string()}</p> })
                    }
                    _ => None,
                })}
                <div class="form-actions">
                    <button type="submit" id="rule-save" disabled=move || draft.with(Result::is_err) || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save rule" }}
                    </button>
                    <button type="button" class="secondary" disabled=move || draft.with(Result::is_err)
                        on:click=move |_| testing.set(true)>"Test against history"</button>
                    <button type="button" class="secondary" on:click=move |_| panel_closed()>"Cancel"</button>
                </div>
            </form>
            <Show when=move || testing.get()>
                <BacktestPanel form=form.get_untracked() closed=move || testing.set(false)/>
            </Show>
        </section>
    }
}

fn no_parameters(kind: RuleType) -> &'static str {
    match kind {
        RuleType::NewDevice => {
            "Flags a device the account never used before (not the first, and not one at a place the account already streams from)."
        }
        RuleType::NewCountry => "Flags a country the account never streamed from before (not the first).",
        _ => "No parameters.",
    }
}

fn param_input(spec: FieldSpec, form: RwSignal<RuleForm>, error: impl IntoView + 'static) -> AnyView {
    let key = spec.key;
    let value = move || form.with(|f| f.params.get(key).cloned().unwrap_or_default());
    let set = move |v: String| {
        form.update(|f| {
            f.params.insert(key.to_owned(), v);
        })
    };
    let input = match spec.input {
        Input::Number { whole } => view! {
            <input type="text" inputmode=if whole { "numeric" } else { "decimal" } name=key prop:value=value
                on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
        Input::Toggle => view! {
            <input type="checkbox" name=key prop:checked=move || value() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string())/>
        }
        .into_any(),
        Input::Choice(options) => view! {
            <select name=key on:change=move |ev| set(event_target_value(&ev))>
                {options.iter().map(|(v, label)| view! {
                    <option value=*v selected=move || value() == *v>{*label}</option>
                }).collect_view()}
            </select>
        }
        .into_any(),
        Input::Countries => view! {
            <input type="text" name=key placeholder="GB, SE" prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
    };
    let class = if matches!(spec.input, Input::Toggle) { "check" } else { "" };
    view! {
        <label class=class>{spec.label} {input} <span class="help">{spec.help}</span> {error}</label>
    }
    .into_any()
}
