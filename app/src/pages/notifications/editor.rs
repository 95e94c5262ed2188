//! The destination form: name, the kind's own fields (secrets as password inputs; on edit, blank keeps
//! the stored one and optional ones can be removed), events, minimum severity, private targets (with a
//! warning), rate, on/off, and optional title/body templates with the variable list and a live preview
//! rendered by the server's own templates. Errors show next to their field.

use super::draft::Draft;
use crate::api::notifications::{Catalogue, DraftJson, FieldView, NotificationsSave, notifications_preview};
use crate::error::AppError;
use leptos::prelude::*;

/// Fields shown on this form besides the kind's config fields (errors for others go above it).
const SETTINGS: &[&str] =
    &["name", "events", "min_severity", "rate_per_minute", "allow_private", "title_template", "body_template"];

#[component]
pub fn DestinationEditor(
    catalogue: Catalogue,
    draft: Draft,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let prefix = draft.id.map_or_else(|| "notify-new".to_owned(), |id| format!("notify-{id}"));
    let editing = draft.id.is_some();
    let id = draft.id;
    let kind = catalogue.kind(&draft.kind).cloned();
    let draft = RwSignal::new(draft);
    let save = ServerAction::<NotificationsSave>::new();
    let local = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        if save.value().with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
            on_done();
        }
    });
    let remote = move || save.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()));
    let message_for = move |field: &str| {
        let mine = local.with(|l| l.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone()));
        mine.or_else(|| remote().and_then(|e| e.field_message(field).map(crate::model::servers::capitalize)))
    };
    let error_for = move |field: &'static str| {
        move || message_for(field).map(|m| view! { <span class="field-error" role="alert">{m}</span> })
    };
    let config_fields: Vec<String> =
        kind.as_ref().map(|k| k.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default();
    let form_level = move || {
        remote().filter(|e| match e {
            AppError::Invalid { field, .. } => !SETTINGS.contains(&field.as_str()) && !config_fields.contains(field),
            _ => true,
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.with_untracked(Draft::to_json) {
            Ok(json) => {
                local.set(None);
                save.dispatch(NotificationsSave { id, draft: DraftJson::new(json) });
            }
            Err(problem) => local.set(Some(problem)),
        }
    };
    let field_id = {
        let prefix = prefix.clone();
        move |f: &str| format!("{prefix}-{f}")
    };

    let fields_view = kind.as_ref().map(|k| {
        k.fields.iter().map(|f| config_input(f.clone(), draft, editing, field_id(&f.name), message_for)).collect_view()
    });
    let events = catalogue.events.clone();
    let severities = catalogue.severities.clone();
    let variables = catalogue.variables.clone();
    let max_rate = catalogue.max_rate;
    let kind_label = kind.as_ref().map(|k| k.label.clone()).unwrap_or_default();
    let preview_key = Memo::new(move |_| {
        draft.with(|d| (d.kind.clone(), d.preview_event(), d.title_template.clone(), d.body_template.clone()))
    });
    let preview = Resource::new(move || preview_key.get(), |(k, e, t, b)| notifications_preview(k, e, t, b));

    let basics = view! {
            {move || form_level().map(|e| view! {
                <p class="alert error" role="alert">{crate::model::servers::capitalize(&e.to_string())}</p>
            })}
            <div class="form-grid">
                <div class="field">
                    <label>"Name"
                        <input name="name" id=field_id("name") required maxlength="64" placeholder=format!("My {kind_label}")
                            prop:value=move || draft.with(|d| d.name.clone())
                            on:input=move |ev| draft.update(|d| d.name = event_target_value(&ev))/>
                    </label>
                    {error_for("name")}
                </div>
                <div class="field">
                    <span class="field-hint">"Kind"</span>
                    <span class="tag notify-kind">{kind_label.clone()}</span>
                </div>
                {fields_view}
            </div>
    }
    .into_any();
    let choices = view! {
            <fieldset class="notify-events-choice">
                <legend>"Events"</legend>
                <div class="notify-checks">
                    {events.into_iter().map(|e| {
                        let value = e.value.clone();
                        let checked = {
                            let value = value.clone();
                            move || draft.with(|d| d.events.contains(&value))
                        };
                        view! {
                            <label class="check">
                                <input type="checkbox" name="events" value=value.clone() prop:checked=checked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let value = value.clone();
                                        draft.update(|d| {
                                            if on { d.events.insert(value); } else { d.events.remove(&value); }
                                        });
                                    }/>
                                {e.label}
                            </label>
                        }
                    }).collect_view()}
                </div>
                {error_for("events")}
            </fieldset>
            <div class="form-grid">
                <div class="field">
                    <label>"Incidents from severity"
                        <select name="min_severity" on:change=move |ev| draft.update(|d| d.min_severity = event_target_value(&ev))>
                            {severities.into_iter().map(|s| {
                                let value = s.value.clone();
                                let selected = move || draft.with(|d| d.min_severity == value);
                                view! { <option value=s.value selected=selected>{s.label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <span class="field-hint">"Only incident events have a severity; the others always go out."</span>
                    {error_for("min_severity")}
                </div>
                <div class="field">
                    <label>"At most per minute"
                        <input name="rate_per_minute" type="number" inputmode="numeric" min="1" max=max_rate.to_string()
                            prop:value=move || draft.with(|d| d.rate.clone())
                            on:input=move |ev| draft.update(|d| d.rate = event_target_value(&ev))/>
                    </label>
                    <span class="field-hint">"More wait in the outbox and go out in order."</span>
                    {error_for("rate_per_minute")}
                </div>
            </div>
            <label class="check">
                <input type="checkbox" name="allow_private" prop:checked=move || draft.with(|d| d.allow_private)
                    on:change=move |ev| draft.update(|d| d.allow_private = event_target_checked(&ev))/>
                "Allow private addresses (a service on your own network)"
            </label>
            <Show when=move || draft.with(|d| d.allow_private)>
                <p class="alert warn notify-private-warning" role="note">
                    "Sightline will send to addresses on your local network and this machine. Only allow this for a \
                     service you run yourself; link-local and cloud metadata addresses stay refused."
                </p>
            </Show>
            {error_for("allow_private")}
            <label class="check">
                <input type="checkbox" name="enabled" prop:checked=move || draft.with(|d| d.enabled)
                    on:change=move |ev| draft.update(|d| d.enabled = event_target_checked(&ev))/>
                "On"
            </label>
    }
    .into_any();
    let templates = view! {
            <details class="notify-templates">
                <summary>"Custom title and message (optional)"</summary>
                <div class="stack">
                    <label>"Title"
                        <input name="title_template" placeholder="Leave empty for the default"
                            prop:value=move || draft.with(|d| d.title_template.clone())
                            on:input=move |ev| draft.update(|d| d.title_template = event_target_value(&ev))/>
                    </label>
                    {error_for("title_template")}
                    <label>"Message"
                        <textarea name="body_template" rows="4" placeholder="Leave empty for the default"
                            prop:value=move || draft.with(|d| d.body_template.clone())
                            on:input=move |ev| draft.update(|d| d.body_template = event_target_value(&ev))></textarea>
                    </label>
                    {error_for("body_template")}
                    <p class="field-hint">"Write text and variables in double braces, like {{user}}. Nothing else is evaluated."</p>
                    <dl class="facts small notify-vars">
                        {variables.into_iter().map(|v| view! { <dt><code>{format!("{{{{{}}}}}", v.value)}</code></dt><dd>{v.label}</dd> }).collect_view()}
                    </dl>
                </div>
            </details>
    }
    .into_any();
    let preview_view = view! {
            <div class="rule-preview notify-preview" aria-live="polite">
                <Transition fallback=|| view! { <span class="muted">"Preview…"</span> }>
                    {move || preview.get().map(|r| match r {
                        Ok(p) => view! {
                            <p class="small muted">"Preview with sample values"</p>
                            <p class="notify-preview-title"><strong>{p.title}</strong></p>
                            <p class="notify-preview-body">{p.body}</p>
                        }.into_any(),
                        Err(e) => view! { <span class="muted">{e.to_string()}</span> }.into_any(),
                    })}
                </Transition>
            </div>
    }
    .into_any();
    let actions = view! {
            <div class="form-actions">
                <button type="submit" class="primary notify-save" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else if editing { "Save" } else { "Add destination" }}
                </button>
                <button type="button" class="ghost notify-cancel" on:click=move |_| on_done()>"Cancel"</button>
            </div>
    }
    .into_any();
    view! {
        <form class="stack server-edit-form notify-editor" id=prefix.clone() on:submit=on_submit novalidate autocomplete="off">
            {basics}
            {choices}
            {templates}
            {preview_view}
            {actions}
        </form>
    }
}

/// One config field: its input (secrets as passwords; on edit, blank keeps the stored value), help,
/// a "remove" box for optional stored secrets, and its error.
pub(super) fn config_input(
    f: FieldView,
    draft: RwSignal<Draft>,
    editing: bool,
    id: String,
    message_for: impl Fn(&str) -> Option<String> + Copy + Send + Sync + 'static,
) -> AnyView {
    let name = f.name.clone();
    let value = {
        let name = name.clone();
        move || draft.with(|d| d.config.get(&name).cloned().unwrap_or_default())
    };
    let set = {
        let name = name.clone();
        move |v: String| {
            draft.update(|d| {
                d.config.insert(name.clone(), v);
            })
        }
    };
    let placeholder =
        if f.secret && editing { "Leave empty to keep the current one".to_owned() } else { f.placeholder.clone() };
    let input = match f.input.as_str() {
        "choice" => {
            let options = f.options.clone();
            view! {
                <select name=name.clone() id=id.clone() on:change=move |ev| set(event_target_value(&ev))>
                    {options.into_iter().map(|o| {
                        let v = o.value.clone();
                        let value = value.clone();
                        let selected = move || value() == v;
                        view! { <option value=o.value selected=selected>{o.label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        kind => {
            let input_type = match (f.secret, kind) {
                (true, _) => "password",
                (false, "url") => "url",
                (false, "number") => "number",
                _ => "text",
            };
            let mode = match kind {
                "url" => "url",
                "number" => "numeric",
                "email_list" => "email",
                _ => "text",
            };
            view! {
                <input type=input_type inputmode=mode name=name.clone() id=id.clone() placeholder=placeholder
                    spellcheck="false" autocomplete="off" required=f.required && !(f.secret && editing)
                    prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
            }
            .into_any()
        }
    };
    let clearable = f.secret && !f.required && editing;
    let clear_name = name.clone();
    let label = f.label.clone();
    let error_name = name.clone();
    view! {
        <div class="field">
            <label>{f.label.clone()} {input}</label>
            {(!f.help.is_empty()).then(|| view! { <span class="field-hint">{f.help.clone()}</span> })}
            {clearable.then(|| {
                let checked = {
                    let n = clear_name.clone();
                    move || draft.with(|d| d.clear.contains(&n))
                };
                view! {
                    <label class="check small">
                        <input type="checkbox" prop:checked=checked on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let n = clear_name.clone();
                            draft.update(|d| { if on { d.clear.insert(n); } else { d.clear.remove(&n); } });
                        }/>
                        {format!("Remove the stored {}", label.to_lowercase())}
                    </label>
                }
            })}
            {move || message_for(&error_name).map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
        </div>
    }
    .into_any()
}
