//! One incident in the list (severity and status badges, summary linking to its page, rule,
//! account, occurrences, last seen) and the acknowledge / dismiss / reopen buttons it shares with
//! the incident page.

use crate::api::incidents::{IncidentRow, SetIncidentStatus};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The status changes offered for a status: (new status, button label).
pub(super) fn transitions(status: &str) -> &'static [(&'static str, &'static str)] {
    match status {
        "open" => &[("acknowledged", "Acknowledge"), ("dismissed", "Dismiss")],
        "acknowledged" => &[("dismissed", "Dismiss"), ("open", "Reopen")],
        _ => &[("open", "Reopen")],
    }
}

#[component]
pub(super) fn Badges(severity: String, status: String) -> impl IntoView {
    view! {
        <span class=format!("badge sev-{severity}")>{severity.clone()}</span>
        <span class=format!("badge st-{status}")>{status.clone()}</span>
    }
}

#[component]
pub(super) fn StatusActions(id: i64, status: String, change: ServerAction<SetIncidentStatus>) -> impl IntoView {
    let pending = change.pending();
    view! {
        <div class="incident-actions">
            {transitions(&status).iter().map(|(to, label)| view! {
                <ActionForm action=change attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="status" value=*to/>
                    <button type="submit" class=format!("incident-to-{to}") disabled=move || pending.get()>{*label}</button>
                </ActionForm>
            }).collect_view()}
        </div>
    }
}

#[component]
pub(super) fn IncidentItem(incident: IncidentRow, change: ServerAction<SetIncidentStatus>) -> impl IntoView {
    let IncidentRow {
        id,
        severity,
        status,
        summary,
        rule_name,
        account,
        server,
        occurrences,
        updated,
        updated_ago,
        ..
    } = incident;
    let times = if occurrences == 1 { "once".to_owned() } else { format!("{occurrences} times") };
    let (item_class, status_attr, badge_status) = (format!("incident sev-{severity}"), status.clone(), status.clone());
    view! {
        <li class=item_class data-incident-id=id.to_string() data-status=status_attr>
            <div class="incident-head">
                <Badges severity status=badge_status/>
                <a class="incident-summary" href=format!("/alerts/{id}")>{summary}</a>
            </div>
            <div class="incident-meta small">
                <span>{rule_name}</span>
                <span>{format!("{account} on {server}")}</span>
                <span>{times}</span>
                <span title=updated>{format!("last {updated_ago}")}</span>
            </div>
            <StatusActions id status change/>
        </li>
    }
}
