//! Rule actions: rules stored before actions existed still load, partial actions fill their defaults,
//! limits are checked with stable codes, and the preview says what will happen.

use super::*;

fn concurrent() -> RuleKind {
    RuleKind::ConcurrentStreams(ConcurrentParams { max_streams: 2, group_by_network: false, count_paused: false })
}

fn problems(actions: RuleActions) -> Vec<(&'static str, &'static str)> {
    let mut r = rule(concurrent());
    r.actions = actions;
    r.problems().into_iter().map(|e| (e.field, e.code())).collect()
}

fn stop_after(delay_secs: u32) -> RuleActions {
    RuleActions { stop_stream: Some(StopAction { delay_secs, message: None }), ..RuleActions::default() }
}

#[test]
fn a_rule_stored_without_actions_loads_with_the_defaults() {
    let old = r#"{"id":"r1","name":"Old rule","kind":{"type":"concurrent_streams","max_streams":2,
        "group_by_network":false,"count_paused":false},"severity":"medium","scope":{"type":"all"},"enabled":true,
        "exceptions":{"users":[],"networks":[],"household_networks":true}}"#;
    let rule: Rule = serde_json::from_str(old).expect("an old rule still loads");
    assert_eq!(rule.actions, RuleActions::default());
    assert!(rule.actions.notify, "incidents of old rules are still notified");
    assert_eq!((rule.actions.trust_penalty, rule.actions.stop_stream, rule.actions.dry_run), (None, None, false));
}

#[test]
fn partial_actions_fill_in_the_rest() {
    let actions: RuleActions = serde_json::from_str(r#"{"stop_stream":{"delay_secs":30}}"#).expect("parses");
    assert_eq!(actions, stop_after(30));
    let quiet: RuleActions = serde_json::from_str(r#"{"notify":false,"stop_stream":{}}"#).expect("parses");
    assert!(!quiet.notify);
    assert_eq!(quiet.stop_stream, Some(StopAction::default()), "no delay and no message");
    let round: RuleActions = serde_json::from_str(&serde_json::to_string(&quiet).expect("json")).expect("parses");
    assert_eq!(round, quiet);
}

#[test]
fn limits_are_inclusive_and_each_breach_names_its_field() {
    let long = "x".repeat(MAX_MESSAGE_CHARS);
    let ok = RuleActions {
        trust_penalty: Some(100),
        message_client: Some(long.clone()),
        stop_stream: Some(StopAction { delay_secs: MAX_STOP_DELAY_SECS, message: Some(long.clone()) }),
        cooldown_secs: MAX_COOLDOWN_SECS,
        ..RuleActions::default()
    };
    assert_eq!(problems(ok), []);
    let too_long = format!("{long}y");
    let bad = RuleActions {
        trust_penalty: Some(101),
        message_client: Some(too_long.clone()),
        stop_stream: Some(StopAction { delay_secs: MAX_STOP_DELAY_SECS + 1, message: Some(too_long) }),
        cooldown_secs: MAX_COOLDOWN_SECS + 1,
        ..RuleActions::default()
    };
    assert_eq!(
        problems(bad),
        [
            ("actions.trust_penalty", "too_large"),
            ("actions.message_client", "too_long"),
            ("actions.stop_stream.delay_secs", "too_large"),
            ("actions.stop_stream.message", "too_long"),
            ("actions.cooldown_secs", "too_large"),
        ]
    );
}

#[test]
fn messages_must_say_something_in_printable_text() {
    let with = |text: &str| RuleActions { message_client: Some(text.to_owned()), ..RuleActions::default() };
    assert_eq!(problems(with("   ")), [("actions.message_client", "required")]);
    assert_eq!(problems(with("stop\u{7}now")), [("actions.message_client", "control_characters")]);
    assert_eq!(problems(with("Please stop sharing.\nThanks")), [], "line breaks are fine");
    assert_eq!(problems(with("é".repeat(MAX_MESSAGE_CHARS).as_str())), [], "characters, not bytes");
}

#[test]
fn a_rule_with_invalid_actions_never_fires() {
    let mut r = rule(concurrent());
    r.actions = stop_after(MAX_STOP_DELAY_SECS + 1);
    assert!(r.validate().is_err());
    assert_eq!(r.validate().map_err(|e| e.field), Err("actions.stop_stream.delay_secs"));
}

#[test]
fn the_preview_says_what_happens_after_the_incident() {
    let mut r = rule(concurrent());
    assert!(!describe(&r).contains("then"), "default actions add nothing: {}", describe(&r));
    r.actions = RuleActions { cooldown_secs: 600, ..stop_after(30) };
    assert_eq!(
        describe(&r),
        "flag when one account plays more than 2 streams at once; paused streams don't count; then stop the stream \
         after 30 s unless it ended, at most once per account every 10 min"
    );
    r.actions = RuleActions {
        notify: false,
        trust_penalty: Some(15),
        message_client: Some(" Please stop sharing ".into()),
        stop_stream: Some(StopAction { delay_secs: 0, message: Some("Limit reached".into()) }),
        cooldown_secs: 0,
        dry_run: true,
    };
    let text = describe(&r);
    assert!(
        text.ends_with(
            "then show the viewer “Please stop sharing”, stop the stream at once with the message “Limit reached”, \
             cost the account 15 points of trust, send no notification (dry run: only recorded, nothing is sent to \
             viewers)"
        ),
        "{text}"
    );
}

#[test]
fn seconds_read_as_people_say_them() {
    let cases = [(0, "0 s"), (45, "45 s"), (60, "1 min"), (90, "1 min 30 s"), (3_600, "1 h"), (5_400, "1 h 30 min")];
    for (secs, text) in cases {
        assert_eq!(fmt_secs(secs), text);
    }
    assert_eq!(fmt_secs(86_400), "24 h");
}
