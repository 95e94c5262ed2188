//! The rule form: every default rule survives the round trip through the form, and bad input comes back
//! as one sentence on the right field.

use super::*;

#[test]
fn every_default_rule_round_trips_through_the_form() {
    for rule in default_rules() {
        let form = RuleForm::from_rule(&rule);
        assert_eq!(form.to_rule().as_ref(), Ok(&rule), "{}", rule.name);
    }
}

#[test]
fn every_kind_has_a_default_and_its_form_is_valid_as_a_new_rule() {
    for kind in KINDS {
        let rule = RuleForm::new(kind).to_rule().unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(rule.kind.rule_type(), kind);
        assert!(rule.id.0.is_empty(), "the server chooses a new rule's id");
        let keys: Vec<&str> = fields(kind).iter().map(|f| f.key).collect();
        let json = serde_json::to_value(&rule.kind).expect("json");
        let params = json.as_object().expect("object").keys().filter(|k| *k != "type").count();
        assert_eq!(params, keys.len(), "{kind:?}: every parameter has an input");
    }
}

#[test]
fn bad_numbers_are_refused_on_their_field() {
    let mut form = RuleForm::new(RuleType::ImpossibleTravel);
    for (text, message) in [
        ("fast", "must be a number"),
        ("", "is required"),
        ("NaN", "must be a finite number"),
        ("-5", "must not be negative"),
    ] {
        form.params.insert("max_speed_kmh".into(), text.into());
        let err = form.to_rule().expect_err(text);
        assert_eq!(err.field, "max_speed_kmh", "{text}");
        assert_eq!(err.message, message, "{text}");
    }
    let mut form = RuleForm::new(RuleType::ConcurrentStreams);
    form.params.insert("max_streams".into(), "2.5".into());
    assert_eq!(form.to_rule().expect_err("fraction").message, "must be a whole number");
    form.params.insert("max_streams".into(), "0".into());
    assert_eq!(form.to_rule().expect_err("zero").field, "max_streams");
    form.params.insert("max_streams".into(), "2".into());
    assert!(matches!(form.to_rule().map(|r| r.kind), Ok(RuleKind::ConcurrentStreams(p)) if p.max_streams == 2));
}

#[test]
fn countries_networks_and_names_are_checked() {
    let mut form = RuleForm::new(RuleType::GeoRestriction);
    form.params.insert("countries".into(), "gb, se  us".into());
    let RuleKind::GeoRestriction(p) = form.to_rule().expect("valid").kind else { panic!("kind") };
    assert_eq!(p.countries, ["GB", "SE", "US"]);
    form.params.insert("countries".into(), "GBR".into());
    assert_eq!(form.to_rule().expect_err("bad code").field, "countries");
    form.params.insert("countries".into(), "GB".into());
    form.networks = "10.0.0.0/8\n2001:db8::/32, 192.0.2.0/24".into();
    assert_eq!(form.to_rule().expect("valid").exceptions.networks.len(), 3);
    form.networks = "10.0.0.0/8\nhome".into();
    let err = form.to_rule().expect_err("bad network");
    assert_eq!(
        (err.field.as_str(), err.message.as_str()),
        ("exceptions.networks", "home is not a network such as 192.0.2.0/24")
    );
    form.networks.clear();
    form.name = "   ".into();
    assert_eq!(form.to_rule().expect_err("no name").field, "name");
}

#[test]
fn switching_kind_loads_that_kind_s_defaults() {
    let mut form = RuleForm::new(RuleType::ImpossibleTravel);
    form.set_kind(RuleType::PausedTooLong);
    assert_eq!(form.params.keys().collect::<Vec<_>>(), ["max_paused_minutes"]);
    form.params.insert("mode".into(), "block".into());
    assert!(form.to_rule().is_ok(), "stray texts of another kind are ignored");
}

#[test]
fn actions_round_trip_through_the_form() {
    let mut rule =
        default_rules().into_iter().find(|r| matches!(r.kind, RuleKind::ConcurrentStreams(_))).expect("rule");
    rule.actions = RuleActions {
        notify: false,
        trust_penalty: Some(15),
        message_client: Some("One stream at a time, please".into()),
        stop_stream: Some(StopAction { delay_secs: 45, message: Some("Stopped: too many streams".into()) }),
        cooldown_secs: 900,
        dry_run: true,
    };
    let form = RuleForm::from_rule(&rule);
    assert_eq!(form.actions.trust_penalty, "15");
    assert_eq!((form.actions.stop, form.actions.stop_delay.as_str()), (true, "45"));
    assert_eq!(form.to_rule(), Ok(rule));
}

#[test]
fn empty_action_texts_mean_none_and_a_new_stop_gets_a_cooldown() {
    let mut form = RuleForm::new(RuleType::ConcurrentStreams);
    assert_eq!(form.to_rule().expect("valid").actions, RuleActions::default());
    form.actions.message_client = "   ".into();
    form.actions.trust_penalty = " ".into();
    assert_eq!(
        form.to_rule().expect("valid").actions,
        RuleActions::default(),
        "blank texts are no message, no penalty"
    );
    form.actions.set_stop(true);
    assert_eq!((form.actions.stop_delay.as_str(), form.actions.cooldown.as_str()), ("30", "600"));
    let rule = form.to_rule().expect("valid");
    assert_eq!(rule.actions.stop_stream, Some(StopAction { delay_secs: 30, message: None }));
    assert_eq!(rule.actions.cooldown_secs, 600);
    form.actions.cooldown = "60".into();
    form.actions.set_stop(false);
    form.actions.set_stop(true);
    assert_eq!(form.actions.cooldown, "60", "a cooldown the owner chose is kept");
    assert_eq!(form.to_rule().expect("valid").actions.stop_stream.map(|s| s.delay_secs), Some(30));
}

#[test]
fn bad_action_values_are_refused_on_their_field() {
    let cases = [
        (("trust_penalty", "lots"), ("actions.trust_penalty", "must be a number")),
        (("trust_penalty", "300"), ("actions.trust_penalty", "must be at most 100")),
        (("trust_penalty", "101"), ("actions.trust_penalty", "must be at most 100")),
        (("stop_delay", "3601"), ("actions.stop_stream.delay_secs", "must be at most 3600")),
        (("stop_delay", "-1"), ("actions.stop_stream.delay_secs", "must not be negative")),
        (("cooldown", "1.5"), ("actions.cooldown_secs", "must be a whole number")),
        (("cooldown", "86401"), ("actions.cooldown_secs", "must be at most 86400")),
        (("stop_message", &"x".repeat(501)), ("actions.stop_stream.message", "must be at most 500 characters")),
        (("message_client", "ring\u{7}"), ("actions.message_client", "must not contain control characters")),
    ];
    for ((input, text), (field, message)) in cases {
        let mut form = RuleForm::new(RuleType::ConcurrentStreams);
        form.actions.set_stop(true);
        let slot = match input {
            "trust_penalty" => &mut form.actions.trust_penalty,
            "stop_delay" => &mut form.actions.stop_delay,
            "cooldown" => &mut form.actions.cooldown,
            "stop_message" => &mut form.actions.stop_message,
            _ => &mut form.actions.message_client,
        };
        *slot = text.to_owned();
        let err = form.to_rule().expect_err(input);
        assert_eq!((err.field.as_str(), err.message.as_str()), (field, message), "{input} = {text}");
    }
}

#[test]
fn the_preview_says_what_the_rule_then_does() {
    let mut form = RuleForm::new(RuleType::ConcurrentStreams);
    form.actions.set_stop(true);
    let preview = sightline_domain::rules::describe(&form.to_rule().expect("valid"));
    assert!(
        preview.ends_with("then stop the stream after 30 s unless it ended, at most once per account every 10 min"),
        "{preview}"
    );
    form.actions.dry_run = true;
    let preview = sightline_domain::rules::describe(&form.to_rule().expect("valid"));
    assert!(preview.ends_with("(dry run: only recorded, nothing is sent to viewers)"), "{preview}");
}
