//! The rule-management service on a real database: creating, editing, switching, deleting,
//! importing (all or nothing) and snoozing, with detection honouring snoozes and account settings.

use super::*;
use crate::account_settings::{self, SettingsInput};
use crate::detect::judge;
use crate::test_ctx::{context, only_one_stream_allowed, stream, t0};
use sightline_domain::rules::{RuleKind, default_rules};

const OWNER: &str = "user:owner";

fn draft(name: &str) -> Rule {
    let mut r = default_rules().remove(3);
    r.id = RuleId(String::new());
    r.name = name.to_owned();
    r
}

async fn actions(ctx: &AppContext) -> Vec<String> {
    ctx.store.recent_audit(50).await.expect("audit").into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn new_rules_get_an_id_from_their_name_and_go_last_and_edits_keep_their_place() {
    let (_dir, ctx, _) = context().await;
    ctx.store.replace_rules(&default_rules()[..2], t0()).await.expect("installs");
    let a = save(&ctx, OWNER, draft(" Family: 2 streams! "), t0()).await.expect("creates");
    let b = save(&ctx, OWNER, draft("Family: 2 streams"), t0()).await.expect("creates");
    let c = save(&ctx, OWNER, draft("***"), t0()).await.expect("creates");
    assert_eq!((a.id.0.as_str(), a.name.as_str()), ("rule-family-2-streams-1", "Family: 2 streams!"));
    assert_eq!((b.id.0.as_str(), c.id.0.as_str()), ("rule-family-2-streams-2", "rule-1"));
    let long = save(&ctx, OWNER, draft(&"Very long name ".repeat(6)), t0()).await.expect("creates");
    assert!(long.id.0.len() <= MAX_ID_CHARS && long.id.0.ends_with("-1"), "{}", long.id);

    let mut edited = list(&ctx).await.expect("lists")[0].clone();
    edited.name = "Renamed".to_owned();
    save(&ctx, OWNER, edited, t0()).await.expect("updates");
    let ids: Vec<String> = list(&ctx).await.expect("lists").into_iter().map(|r| r.name).collect();
    assert_eq!(ids[0], "Renamed");
    assert_eq!(ids[2..5], ["Family: 2 streams!", "Family: 2 streams", "***"]);

    let mut ghost = draft("Ghost");
    ghost.id = RuleId("rule-ghost-1".to_owned());
    assert!(matches!(save(&ctx, OWNER, ghost, t0()).await, Err(RulesAdminError::NotFound)));
    let seen = actions(&ctx).await;
    assert_eq!(seen.iter().filter(|a| *a == "rule_created").count(), 4);
    assert!(seen.contains(&"rule_changed".to_owned()));
}

#[tokio::test]
async fn an_invalid_rule_is_refused_with_its_first_field_and_nothing_is_stored() {
    let (_dir, ctx, _) = context().await;
    let mut bad = draft("  ");
    if let RuleKind::ConcurrentStreams(p) = &mut bad.kind {
        p.max_streams = 0;
    }
    match save(&ctx, OWNER, bad.clone(), t0()).await {
        Err(RulesAdminError::Invalid(e)) => assert_eq!((e.field, e.code()), ("name", "required")),
        other => panic!("expected Invalid, got {other:?}"),
    }
    bad.name = "Named".to_owned();
    match save(&ctx, OWNER, bad, t0()).await {
        Err(RulesAdminError::Invalid(e)) => assert_eq!(e.to_string(), "max_streams: must be at least 1"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(list(&ctx).await.expect("lists").is_empty());
}

#[tokio::test]
async fn rules_can_be_switched_off_and_on_and_deleted() {
    let (_dir, ctx, _) = context().await;
    ctx.store.replace_rules(&default_rules(), t0()).await.expect("installs");
    let off = set_enabled(&ctx, OWNER, "default-new-device", false, t0()).await.expect("switches");
    assert!(!off.enabled);
    let stored = list(&ctx).await.expect("lists");
    assert!(!stored.iter().find(|r| r.id.0 == "default-new-device").expect("kept").enabled);
    assert!(matches!(set_enabled(&ctx, OWNER, "nope", true, t0()).await, Err(RulesAdminError::NotFound)));
    delete(&ctx, OWNER, "default-new-device", t0()).await.expect("deletes");
    assert!(matches!(delete(&ctx, OWNER, "default-new-device", t0()).await, Err(RulesAdminError::NotFound)));
    assert_eq!(list(&ctx).await.expect("lists").len(), default_rules().len() - 1);
    let seen = actions(&ctx).await;
    assert!(seen.contains(&"rule_disabled".to_owned()) && seen.contains(&"rule_deleted".to_owned()));
}

#[tokio::test]
async fn an_import_replaces_the_rule_set_only_when_every_rule_is_valid() {
    let (_dir, ctx, _) = context().await;
    ctx.store.replace_rules(&default_rules(), t0()).await.expect("installs");
    let mut mine = default_rules()[..3].to_vec();
    mine.reverse();
    mine[0].name = "Imported".to_owned();
    let mut broken = mine.clone();
    broken[2].name = String::new();
    let err = import(&ctx, OWNER, &export(&broken), t0()).await;
    assert!(matches!(&err, Err(RulesAdminError::BadFile(m)) if m.starts_with("rule 3")), "{err:?}");
    assert!(matches!(import(&ctx, OWNER, "{\"rules\": [", t0()).await, Err(RulesAdminError::BadFile(_))));
    assert_eq!(list(&ctx).await.expect("lists"), default_rules(), "nothing changed");

    assert_eq!(import(&ctx, OWNER, &export(&mine), t0()).await.expect("imports"), 3);
    assert_eq!(list(&ctx).await.expect("lists"), mine);
    assert!(actions(&ctx).await.contains(&"rules_imported".to_owned()));
}

#[tokio::test]
async fn a_snooze_silences_one_rule_for_one_account_until_it_ends() {
    let (_dir, ctx, server) = context().await;
    only_one_stream_allowed(&ctx).await;
    let until = t0() + TimeDelta::hours(2);
    snooze(&ctx, OWNER, "default-concurrent-streams", server, "alice", until, t0()).await.expect("snoozes");
    let listed = snoozes(&ctx, t0()).await.expect("lists");
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].user_id.as_str(), listed[0].until, listed[0].actor.as_str()), ("alice", until, OWNER));

    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "198.51.100.7", t0());
    assert_eq!(judge(&ctx, &second, t0() + TimeDelta::hours(1)).await.expect("judges"), 0);
    stream(&ctx, server, "bob", "c", "203.0.113.10", t0());
    let bobs = stream(&ctx, server, "bob", "d", "198.51.100.8", t0());
    assert_eq!(judge(&ctx, &bobs, t0() + TimeDelta::hours(1)).await.expect("judges"), 1, "bob is not snoozed");
    assert_eq!(ctx.store.incidents(10).await.expect("reads").len(), 1);
    assert!(!crate::trust::score(&ctx, server, "alice", t0()).await.expect("reads").scored, "no penalty either");

    assert!(snoozes(&ctx, until).await.expect("lists").is_empty(), "ended");
    assert_eq!(judge(&ctx, &second, until).await.expect("judges"), 1, "recorded again once it ends");
    assert_eq!(ctx.store.incidents(10).await.expect("reads").len(), 2);
}

#[tokio::test]
async fn snoozes_need_a_future_end_a_known_rule_and_account_and_can_be_lifted() {
    let (_dir, ctx, server) = context().await;
    only_one_stream_allowed(&ctx).await;
    let rule = "default-concurrent-streams";
    let code = |r: Result<(), RulesAdminError>| match r {
        Err(RulesAdminError::Invalid(e)) => (e.field, e.code()),
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(code(snooze(&ctx, OWNER, rule, server, "alice", t0(), t0()).await), ("until", "too_small"));
    let far = t0() + TimeDelta::days(366);
    assert_eq!(code(snooze(&ctx, OWNER, rule, server, "alice", far, t0()).await), ("until", "too_large"));
    let soon = t0() + TimeDelta::hours(1);
    assert!(matches!(snooze(&ctx, OWNER, "nope", server, "alice", soon, t0()).await, Err(RulesAdminError::NotFound)));
    assert!(matches!(snooze(&ctx, OWNER, rule, server, "nobody", soon, t0()).await, Err(RulesAdminError::NotFound)));
    snooze(&ctx, OWNER, rule, server, "alice", soon, t0()).await.expect("snoozes");
    unsnooze(&ctx, OWNER, rule, server, "alice", t0()).await.expect("lifts");
    assert!(matches!(unsnooze(&ctx, OWNER, rule, server, "alice", t0()).await, Err(RulesAdminError::NotFound)));
    assert!(snoozes(&ctx, t0()).await.expect("lists").is_empty());
    let seen = actions(&ctx).await;
    assert!(seen.contains(&"rule_snoozed".to_owned()) && seen.contains(&"rule_unsnoozed".to_owned()));
}

#[tokio::test]
async fn detection_reads_the_accounts_household_networks_and_stream_limit() {
    let (_dir, ctx, server) = context().await;
    only_one_stream_allowed(&ctx).await;
    stream(&ctx, server, "alice", "a", "203.0.113.9", t0());
    let second = stream(&ctx, server, "alice", "b", "203.0.114.20", t0());
    assert_eq!(judge(&ctx, &second, t0()).await.expect("judges"), 1, "two networks are two streams");
    let home = SettingsInput { household_networks: vec!["203.0.112.0/22".to_owned()], max_streams: None };
    account_settings::set(&ctx, OWNER, server, "alice", &home, t0()).await.expect("stores");
    assert_eq!(judge(&ctx, &second, t0()).await.expect("judges"), 0, "one household counts as one stream");

    let away = stream(&ctx, server, "alice", "c", "198.51.100.7", t0());
    assert_eq!(judge(&ctx, &away, t0()).await.expect("judges"), 1, "a stream from elsewhere makes two");

    let limit = SettingsInput { household_networks: vec!["203.0.112.0/22".to_owned()], max_streams: Some(2) };
    account_settings::set(&ctx, OWNER, server, "alice", &limit, t0()).await.expect("stores");
    assert_eq!(judge(&ctx, &away, t0()).await.expect("judges"), 0, "the account's own limit of 2 applies");
}
