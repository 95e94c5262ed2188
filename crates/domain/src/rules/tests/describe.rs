//! Plain-language previews of rules.

use super::*;

#[test]
fn every_default_rule_has_a_plain_preview() {
    let texts: Vec<String> = default_rules().iter().map(describe).collect();
    assert_eq!(
        texts,
        [
            "flag when one account moves between places more than 100 km apart faster than 900 km/h; one device \
             changing place is not counted, except household networks",
            "flag when one account streams from two places more than 100 km apart at the same time, except household \
             networks",
            "flag when one account uses more than 8 addresses within 24 h, except household networks",
            "flag when one account plays more than 3 streams at once; streams from one network count once; paused \
             streams don't count",
            "flag streams from blocked countries (none listed yet), except household networks (disabled)",
            "flag accounts that have not streamed for 60 days (disabled)",
            "flag when an account streams from a device it never used before",
            "flag when an account streams from a country it never streamed from before, except household networks",
            "flag streams paused for 120 minutes or longer (disabled)",
            "flag transcodes of sources above 1080p (disabled)",
            "flag when one account runs more than 2 video transcodes at once (disabled)",
        ]
    );
}

#[test]
fn previews_follow_the_parameters() {
    let cases = [
        (
            RuleKind::SimultaneousLocations(SimultaneousParams { min_distance_km: 1_500.0 }),
            "flag when one account streams from two places more than 1,500 km apart at the same time",
        ),
        (
            RuleKind::GeoRestriction(GeoRestrictionParams {
                mode: GeoMode::Allow,
                countries: vec!["fr".into(), "BE".into()],
            }),
            "flag streams from outside BE, FR",
        ),
        (
            RuleKind::GeoRestriction(GeoRestrictionParams { mode: GeoMode::Block, countries: vec!["RU".into()] }),
            "flag streams from RU",
        ),
        (
            RuleKind::DeviceVelocity(VelocityParams {
                max_distinct: 4,
                window_hours: 6,
                count: VelocityCount::Devices,
            }),
            "flag when one account uses more than 4 devices within 6 h",
        ),
        (
            RuleKind::ConcurrentStreams(ConcurrentParams {
                max_streams: 2,
                group_by_network: false,
                count_paused: true,
            }),
            "flag when one account plays more than 2 streams at once; paused streams count",
        ),
        (RuleKind::ConcurrentTranscodes(ConcurrentTranscodesParams { max_transcodes: 0 }), "flag any video transcode"),
    ];
    for (kind, want) in cases {
        assert_eq!(describe_kind(&kind), want);
    }
}

#[test]
fn previews_name_the_scope_and_the_exceptions() {
    let mut r = simultaneous();
    r.scope = Scope::Server { server_id: ServerId(2) };
    r.exceptions.users = vec![UserRef { server_id: ServerId(2), user_id: "bob".into() }];
    r.exceptions.networks = vec!["10.0.0.0/8".parse().expect("cidr"), "fd00::/8".parse().expect("cidr")];
    assert_eq!(
        describe(&r),
        "flag when one account streams from two places more than 100 km apart at the same time, on server 2, \
         except 1 account, 2 trusted networks"
    );
    r.scope = Scope::User { server_id: ServerId(2), user_id: "carol".into() };
    assert!(describe(&r).contains(", for account carol on server 2,"));
}
