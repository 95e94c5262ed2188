//! Running the sharing-detection engine on live streams: when a play starts (or its address
//! changes) the pipeline asks `judge`, which gathers the account's other streams (the live board)
//! and recent history (the store) and the account's own settings, evaluates the stored rules, and
//! records each violation as an incident, one per condition while it lasts, announced on the live
//! channel. Rules snoozed for the account are evaluated but record nothing; an incident that opens
//! costs the account trust (`crate::trust`).

pub mod backtest;
pub mod offline;
pub mod sessions;

use crate::AppContext;
use crate::store::StoreError;
use chrono::{DateTime, TimeDelta, Utc};
use sightline_domain::LiveEvent;
use sightline_domain::live::NowPlaying;
use sightline_domain::rules::{
    AccountActivity, EvalContext, RuleKind, Violation, default_rules, evaluate, evaluate_account,
};

/// History the rules look back on (the longest default window is 24 h of device velocity).
const LOOK_BACK: TimeDelta = TimeDelta::hours(24);

/// Installs the default rules on a database that has none.
pub async fn install_defaults(ctx: &AppContext, now: DateTime<Utc>) -> Result<(), StoreError> {
    if ctx.store.install_rules_if_none(&default_rules(), now).await? {
        tracing::info!("installed the default detection rules");
    }
    Ok(())
}

/// Judges one stream; returns how many incidents were opened or updated.
pub async fn judge(ctx: &AppContext, stream: &NowPlaying, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let rules = ctx.store.rules().await?;
    if rules.iter().all(|r| !r.enabled) {
        return Ok(0);
    }
    let context = context_for(ctx, stream, now).await?;
    let (server, user) = (stream.server.id, context.session.user_id.clone());
    let snoozed = ctx.store.snoozed_rules(server, &user, now).await?;
    let violations: Vec<_> =
        evaluate(&rules, &context, now).into_iter().filter(|v| !snoozed.contains(&v.rule_id)).collect();
    let n = violations.len();
    for violation in violations {
        record(ctx, &violation, now).await?;
    }
    Ok(n)
}

/// What the rules see when they judge `stream`: the account's other live streams (the board), its
/// plays of the last 24 h, the devices and countries it used before, and its settings. Shared with
/// `enforce`, which judges a stream again before stopping it.
pub async fn context_for(ctx: &AppContext, stream: &NowPlaying, now: DateTime<Utc>) -> Result<EvalContext, StoreError> {
    let session = sessions::from_now_playing(stream);
    let (server, user) = (stream.server.id, session.user_id.clone());
    let active = ctx.ingest.board.streams_of(server, &user).iter().map(sessions::from_now_playing).collect();
    let recent = ctx
        .store
        .account_plays(server, &user, now - LOOK_BACK)
        .await?
        .iter()
        .filter(|p| format!("{:016x}", p.play_key) != stream.play)
        .map(|p| sessions::from_facts(server, &user, p))
        .collect();
    let (known_devices, known_countries) = ctx.store.account_known(server, &user, stream.started_at).await?;
    let settings = ctx.store.account_settings(server, &user).await?.unwrap_or_default();
    Ok(EvalContext { session, active, recent, known_devices, known_countries, settings })
}

/// Records one violation as an incident (opening or updating it), lowers the account's trust when it
/// opens, and announces it on the live channel.
async fn record(ctx: &AppContext, violation: &Violation, now: DateTime<Utc>) -> Result<(), StoreError> {
    let (incident, opened) = ctx.store.record_violation(violation, now).await?;
    crate::notify::produce::incident(ctx, &incident, violation, opened, now).await;
    if opened {
        tracing::info!(incident = incident.id, rule = %violation.rule_name, "{}", violation.summary);
        // A failed trust update must not stop the other violations from being recorded.
        if let Err(e) = crate::trust::on_incident_opened(ctx, &incident, violation, now).await {
            tracing::error!(error.message = %e, error.cause_chain = ?e, incident = incident.id, "cannot lower the account's trust");
        }
    }
    crate::enforce::on_incident(ctx, &incident, violation, opened, now).await;
    ctx.hub.publish(LiveEvent::Incident {
        id: incident.id,
        opened,
        severity: violation.severity,
        summary: violation.summary.clone(),
    });
    Ok(())
}

/// Judges every known account against the scheduled rules (account inactivity), e.g. hourly; returns how
/// many incidents were opened or updated. An idle account keeps one incident while it stays idle.
pub async fn judge_accounts(ctx: &AppContext, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let rules = ctx.store.rules().await?;
    if !rules.iter().any(|r| r.enabled && matches!(r.kind, RuleKind::AccountInactivity(_))) {
        return Ok(0);
    }
    let mut n = 0;
    for server in ctx.store.list_servers().await? {
        for account in ctx.store.accounts(server.id).await? {
            if account.is_disabled {
                continue;
            }
            let activity = AccountActivity {
                server_id: server.id,
                user_id: account.external_id.clone(),
                last_activity_at: account.last_streamed_at,
                first_seen_at: Some(account.first_seen_at),
            };
            let snoozed = ctx.store.snoozed_rules(server.id, &account.external_id, now).await?;
            for violation in evaluate_account(&rules, &activity, now) {
                if !snoozed.contains(&violation.rule_id) {
                    record(ctx, &violation, now).await?;
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
#[path = "scheduled_tests.rs"]
mod scheduled_tests;
