//! The scheduled account rules through the store: an account idle past the limit opens one incident that
//! stays one while it stays idle, disabled rules and snoozes keep it quiet, and active accounts are left alone.

use super::judge_accounts;
use crate::test_ctx::{context, t0};
use chrono::TimeDelta;
use sightline_domain::rules::{InactivityParams, RuleKind, default_rules};

async fn enable_inactivity(ctx: &crate::AppContext, days: u32) {
    let mut rule = default_rules()
        .into_iter()
        .find(|r| matches!(r.kind, RuleKind::AccountInactivity(_)))
        .expect("a default inactivity rule");
    rule.enabled = true;
    rule.kind = RuleKind::AccountInactivity(InactivityParams { max_inactive_days: days });
    ctx.store.install_rules_if_none(&default_rules(), t0()).await.expect("installs");
    crate::rules_admin::save(ctx, "test", rule, t0()).await.expect("saves");
}

#[tokio::test]
async fn idle_accounts_open_one_incident_each_until_they_stream_again() {
    let (_dir, ctx, server) = context().await;
    assert_eq!(judge_accounts(&ctx, t0()).await.expect("judges"), 0, "off by default");
    enable_inactivity(&ctx, 30).await;
    assert_eq!(judge_accounts(&ctx, t0() + TimeDelta::days(29)).await.expect("judges"), 0, "not idle long enough");
    let later = t0() + TimeDelta::days(31);
    assert_eq!(judge_accounts(&ctx, later).await.expect("judges"), 2, "alice and bob never streamed");
    judge_accounts(&ctx, later + TimeDelta::hours(1)).await.expect("judges");
    let incidents = ctx.store.incidents(10).await.expect("incidents");
    assert_eq!(incidents.len(), 2, "one incident per account, updated hourly: {incidents:#?}");
    assert!(incidents.iter().all(|i| i.occurrences == 2));

    let until = later + TimeDelta::days(2);
    crate::rules_admin::snooze(&ctx, "test", "default-account-inactivity", server, "alice", until, later)
        .await
        .expect("snoozes");
    assert_eq!(
        judge_accounts(&ctx, later + TimeDelta::hours(2)).await.expect("judges"),
        1,
        "only bob: alice is snoozed"
    );
}
