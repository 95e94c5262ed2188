//! The rule editor: name, kind, severity, scope, the kind's parameters, trusted networks and the
//! household option, the actions (notify, trust penalty, message, stop after a delay, cooldown, dry
//! run), with a live plain-language preview computed in the browser by the same `describe` the
//! server uses, field errors as you type, save, and a backtest of the draft.

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
    let actions = actions_fieldset(form, error_for);
    view! {
        <section class="card rule-editor" id="rule-editor">
            <h2>{if is_new { "New rule" } else { "Edit rule" }}</h2>
            <form on:submit=on_submit novalidate>
                {basics}
                {params}
                {exceptions}
                {actions}
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

/// What happens besides the incident. The stop's own inputs show only while the stop is on.
fn actions_fieldset<E, V>(form: RwSignal<RuleForm>, error_for: E) -> AnyView
where
    E: Fn(&'static str) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let text = move |get: fn(&RuleForm) -> &String| move || form.with(|f| get(f).clone());
    view! {
        <fieldset class="rule-actions-form">
            <legend>"Actions"</legend>
            <label class="check">
                <input type="checkbox" name="notify" prop:checked=move || form.with(|f| f.actions.notify)
                    on:change=move |ev| form.update(|f| f.actions.notify = event_target_checked(&ev))/>
                "Send this rule's incidents to the notification destinations"
            </label>
            <label>"Trust penalty (points)"
                <input type="text" inputmode="numeric" name="trust_penalty" placeholder="the policy's for the severity"
                    prop:value=text(|f| &f.actions.trust_penalty)
                    on:input=move |ev| form.update(|f| f.actions.trust_penalty = event_target_value(&ev))/>
                <span class="help">"Empty: the trust policy's penalty for the rule's severity."</span>
                {error_for("actions.trust_penalty")}
            </label>
            <label>"Message to the viewer when the incident opens"
                <textarea name="message_client" rows="2" maxlength="500"
                    prop:value=text(|f| &f.actions.message_client)
                    on:input=move |ev| form.update(|f| f.actions.message_client = event_target_value(&ev))></textarea>
                <span class="help">"Jellyfin and Emby clients that show messages; Plex has none."</span>
                {error_for("actions.message_client")}
            </label>
            <label class="check">
                <input type="checkbox" name="stop" prop:checked=move || form.with(|f| f.actions.stop)
                    on:change=move |ev| form.update(|f| f.actions.set_stop(event_target_checked(&ev)))/>
                "Stop the stream"
            </label>
            <Show when=move || form.with(|f| f.actions.stop)>
                <div class="form-grid">
                    <label>"After (seconds)"
                        <input type="text" inputmode="numeric" name="stop_delay" prop:value=text(|f| &f.actions.stop_delay)
                            on:input=move |ev| form.update(|f| f.actions.stop_delay = event_target_value(&ev))/>
                        <span class="help">"0 to 3600; checked again before the stop."</span>
                        {error_for("actions.stop_stream.delay_secs")}
                    </label>
                    <label>"Not again for the same account within (seconds)"
                        <input type="text" inputmode="numeric" name="cooldown" prop:value=text(|f| &f.actions.cooldown)
                            on:input=move |ev| form.update(|f| f.actions.cooldown = event_target_value(&ev))/>
                        <span class="help">"0 to 86400; no stop loops."</span>
                        {error_for("actions.cooldown_secs")}
                    </label>
                </div>
                <label>"Message with the stop"
                    <textarea name="stop_message" rows="2" maxlength="500" prop:value=text(|f| &f.actions.stop_message)
                        on:input=move |ev| form.update(|f| f.actions.stop_message = event_target_value(&ev))></textarea>
                    <span class="help">"Plex shows it as the reason; Jellyfin and Emby before stopping."</span>
                    {error_for("actions.stop_stream.message")}
                </label>
            </Show>
            <label class="check">
                <input type="checkbox" name="dry_run" prop:checked=move || form.with(|f| f.actions.dry_run)
                    on:change=move |ev| form.update(|f| f.actions.dry_run = event_target_checked(&ev))/>
                "Dry run: record what would happen on the incident, send nothing to viewers"
            </label>
        </fieldset>
    }
    .into_any()
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
