//! Tests of the Plex parsers against recorded payloads in `shared/fixtures/plex`, plus bad input.

use super::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/");

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{path}")).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn only(mut sessions: Vec<MediaSession>) -> MediaSession {
    assert_eq!(sessions.len(), 1, "{sessions:#?}");
    sessions.remove(0)
}

fn ip(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
}

/// The first item of a parsed XML document, for fixtures that are not `/status/sessions` replies.
fn first_item(xml: &str) -> Node {
    let mut root = xml_tree(xml).expect("well-formed xml");
    assert!(!root.children.is_empty(), "no items");
    root.children.remove(0)
}

#[test]
fn a_lan_movie_session_recorded_by_home_assistant_is_parsed_field_by_field() {
    // The file is a Home Assistant template; HA fills `{user_id}` with 1, and so do we.
    let xml = fixture("plex/ha-core/session_base.xml").replace("{user_id}", "1");
    let s = only(parse_sessions_xml(&xml).expect("parses"));

    assert_eq!(s.session_key, "1");
    assert_eq!(s.upstream_session_id.as_deref(), Some("session_id_1"));
    let control = SessionControl { session_id: "session_id_1".into(), remote_control: true, messages: false };
    assert_eq!(s.control, Some(control), "terminate takes the Session id, not the sessionKey");
    assert_eq!(s.user.id, "1");
    assert_eq!(s.user.name, "User 1");
    assert_eq!(s.user.thumb.as_deref(), Some("https://plex.tv/users/1234567890abcdef/avatar?c=11111"));

    assert_eq!(s.media.media_type, MediaType::Movie);
    assert_eq!(s.media.item_key, "1");
    assert_eq!(s.media.title, "Movie 1");
    assert_eq!(s.media.grandparent_title, None);
    assert_eq!(s.media.parent_title, None);
    assert_eq!(s.media.season_number, None);
    assert_eq!(s.media.episode_number, None);
    assert_eq!(s.media.year, Some(2000));
    assert_eq!(s.media.duration_ms, Some(9_000_000));
    assert_eq!(s.position_ms, Some(0));
    assert_eq!(s.state, PlaybackState::Playing);

    assert_eq!(s.player.name.as_deref(), Some("SHIELD Android TV"));
    assert_eq!(s.player.device.as_deref(), Some("SHIELD Android TV"));
    assert_eq!(s.player.device_id.as_deref(), Some("1234567890123456-com-plexapp-android"));
    assert_eq!(s.player.product.as_deref(), Some("Plex for Android (TV)"));
    assert_eq!(s.player.platform.as_deref(), Some("Android"));

    // `local="1"`, so the LAN `address` wins over `remotePublicAddress` (10.20.30.40).
    assert_eq!(s.client_ip, ip(1, 2, 3, 11));
    assert_eq!(s.is_local, Some(true));
    assert!(!s.is_relayed);
    assert_eq!(s.bandwidth_kbps, Some(7000));

    assert_eq!(s.quality.width, Some(1280));
    assert_eq!(s.quality.height, Some(544));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Hd720));
    assert_eq!(s.quality.bitrate_kbps, Some(6000));
    assert_eq!(s.quality.video_codec.as_deref(), Some("h264"));
    assert_eq!(s.quality.audio_codec.as_deref(), Some("aac"));
    assert!(!s.quality.hdr);

    // Video stream `decision="copy"`, audio `decision="transcode"`, no TranscodeSession element.
    assert_eq!(s.decision.video, Some(StreamDecision::DirectStream));
    assert_eq!(s.decision.audio, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.overall, StreamDecision::Transcode);
    assert!(!s.decision.hw_transcode);
}

#[test]
fn a_pre_roll_clip_is_a_session_of_type_other() {
    let s = only(parse_sessions_xml(&fixture("plex/ha-core/session_transient.xml")).expect("parses"));

    assert_eq!(s.session_key, "95");
    assert_eq!(s.upstream_session_id.as_deref(), Some("session_id_1"));
    assert_eq!(s.user.id, "1");
    assert_eq!(s.user.name, "User 1");
    assert_eq!(s.media.media_type, MediaType::Other);
    assert_eq!(s.media.item_key, "203214");
    assert_eq!(s.media.title, "fancy_preroll");
    assert_eq!(s.media.year, None);
    assert_eq!(s.media.duration_ms, Some(6000));
    assert_eq!(s.position_ms, Some(0));
    assert_eq!(s.client_ip, ip(1, 2, 3, 11));
    assert_eq!(s.bandwidth_kbps, Some(1981));
    assert_eq!((s.quality.width, s.quality.height), (Some(720), Some(404)));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Sd));
    assert_eq!(s.quality.bitrate_kbps, Some(1886));
    assert_eq!(s.decision.video, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.audio, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.overall, StreamDecision::Transcode);
}

#[test]
fn the_live_tv_fixture_is_not_a_status_sessions_reply_and_is_refused_for_lack_of_a_session_key() {
    // It was recorded from `/livetv/sessions/live_tv_1`: no sessionKey, User, Player or Session.
    let err = parse_sessions_xml(&fixture("plex/ha-core/livetv_sessions.xml")).expect_err("no session key");
    assert!(matches!(&err, ParseError::UnexpectedShape(m) if m.contains("sessionKey")), "{err}");
}

#[test]
fn a_live_tv_item_reads_as_live_tv_with_its_episode_fields_and_a_copying_transcoder() {
    let item = first_item(&fixture("plex/ha-core/livetv_sessions.xml"));

    let media = media_item(&item).expect("has a ratingKey");
    assert_eq!(media.media_type, MediaType::LiveTv);
    assert_eq!(media.item_key, "203216");
    assert_eq!(media.title, "The Price Is Right");
    assert_eq!(media.grandparent_title.as_deref(), Some("The Price Is Right"));
    assert_eq!(media.parent_title, None);
    assert_eq!(media.season_number, Some(49));
    assert_eq!(media.episode_number, Some(105));
    assert_eq!(media.year, Some(2021));
    assert_eq!(media.duration_ms, None);

    let streams = Streams::of(&item);
    let quality = streams.quality();
    assert_eq!((quality.width, quality.height), (Some(1920), Some(1080)));
    assert_eq!(quality.resolution, Some(VideoResolution::Hd1080));
    assert_eq!(quality.video_codec.as_deref(), Some("mpeg2video"));
    assert_eq!(quality.audio_codec.as_deref(), Some("ac3"));
    assert_eq!(quality.bitrate_kbps, None);
    assert!(!quality.hdr);

    // TranscodeSession (inside Media here) copies both streams; hardware was requested, not used.
    let decision = streams.decision();
    assert_eq!(decision.video, Some(StreamDecision::DirectStream));
    assert_eq!(decision.audio, Some(StreamDecision::DirectStream));
    assert_eq!(decision.overall, StreamDecision::DirectStream);
    assert!(!decision.hw_transcode);
}

#[test]
fn a_transcode_sessions_reply_holds_no_playbacks_but_its_hardware_transcode_is_recognised() {
    let xml = fixture("plex/python-plexapi/transcode_sessions.xml");
    assert_eq!(parse_sessions_xml(&xml).expect("parses"), Vec::new());

    let transcode = first_item(&xml);
    let streams = Streams { media: None, part: None, video: None, audio: None, transcode: Some(&transcode) };
    let decision = streams.decision();
    assert_eq!(decision.video, Some(StreamDecision::Transcode));
    assert_eq!(decision.audio, Some(StreamDecision::Transcode));
    assert!(decision.hw_transcode, "transcodeHwDecoding=dxva2, transcodeHwEncoding=qsv");
}

#[test]
fn the_plex_api_rs_transcode_session_payloads_are_not_session_lists_and_yield_no_playbacks() {
    for name in ["empty", "music", "video"] {
        let json = fixture(&format!("plex/plex-api-rs/transcode_sessions_{name}.json"));
        assert_eq!(parse_sessions_json(&json).expect("parses"), Vec::new(), "{name}");
    }
}

#[test]
fn a_json_transcode_session_reads_booleans_and_decisions_like_xml() {
    let tree = json_tree(&fixture("plex/plex-api-rs/transcode_sessions_video.json")).expect("parses");
    let transcode = tree.child("TranscodeSession").expect("one transcode session");
    assert_eq!(transcode.flag("transcodeHwRequested"), Some(true));
    assert_eq!(transcode.flag("throttled"), Some(false));
    let streams = Streams { media: None, part: None, video: None, audio: None, transcode: Some(transcode) };
    let decision = streams.decision();
    assert_eq!(decision.video, Some(StreamDecision::Transcode));
    assert_eq!(decision.audio, Some(StreamDecision::Transcode));
    assert!(!decision.hw_transcode, "only requested, neither decoder nor encoder named");
}

/// A JSON `/status/sessions` reply assembled from the `example:` values of the legacy
/// LukeHagar spec (`plex/openapi/legacy-6a441e4f/paths__status__sessions.yaml`), which come
/// from a real reply. Only fields and values that appear there.
const JSON_TRACK_SESSION: &str = include_str!("../testdata/plex_status_sessions_track.json");

#[test]
fn a_json_music_session_from_the_spec_example_is_parsed_field_by_field() {
    let s = only(parse_sessions_json(JSON_TRACK_SESSION).expect("parses"));

    assert_eq!(s.session_key, "203");
    assert_eq!(s.upstream_session_id.as_deref(), Some("93h7e00ncblxncqw9lkfaoxi"));
    assert_eq!(s.control.map(|c| c.session_id).as_deref(), Some("93h7e00ncblxncqw9lkfaoxi"));
    assert_eq!(s.user.id, "1");
    assert_eq!(s.user.name, "Blindkitty38");
    assert_eq!(s.media.media_type, MediaType::Track);
    assert_eq!(s.media.item_key, "67085");
    assert_eq!(s.media.title, "The American Dream Is Killing Me");
    assert_eq!(s.media.grandparent_title.as_deref(), Some("Green Day"));
    assert_eq!(s.media.parent_title.as_deref(), Some("Saviors"));
    assert_eq!(
        (s.media.season_number, s.media.episode_number),
        (None, None),
        "track and disc numbers are not episodes"
    );
    assert_eq!(s.media.year, Some(2024));
    assert_eq!(s.media.duration_ms, Some(186_240));
    assert_eq!(s.position_ms, Some(1000));
    assert_eq!(s.state, PlaybackState::Playing);
    assert_eq!(s.player.name.as_deref(), Some("DESKTOP-BL80MTD"));
    assert_eq!(s.player.device, None);
    assert_eq!(s.player.device_id.as_deref(), Some("3tsdzir85m2onc3qyr255aq1"));
    assert_eq!(s.player.product.as_deref(), Some("Plex for Windows"));
    assert_eq!(s.player.platform.as_deref(), Some("windows"));
    assert_eq!(s.client_ip, ip(10, 10, 10, 171));
    assert_eq!(s.is_local, Some(true));
    assert!(!s.is_relayed);
    assert_eq!(s.bandwidth_kbps, Some(1050));
    assert_eq!(s.quality.resolution, None);
    assert_eq!(s.quality.bitrate_kbps, Some(1014));
    assert_eq!(s.quality.video_codec, None);
    assert_eq!(s.quality.audio_codec.as_deref(), Some("flac"));
    assert_eq!(s.decision.video, None);
    assert_eq!(s.decision.audio, Some(StreamDecision::DirectPlay));
    assert_eq!(s.decision.overall, StreamDecision::DirectPlay);
}

#[test]
fn a_remote_player_is_located_by_its_public_address() {
    let json = JSON_TRACK_SESSION.replace(r#""local":true"#, r#""local":false"#);
    let s = only(parse_sessions_json(&json).expect("parses"));
    assert_eq!(s.is_local, Some(false));
    assert_eq!(s.client_ip, ip(68, 248, 140, 20));
}

#[test]
fn without_a_local_flag_the_session_location_decides_and_a_relayed_player_is_flagged() {
    let xml = r#"<MediaContainer size="1"><Video sessionKey="4" ratingKey="8" type="movie">
        <User id="2" title="Bob"/><Player address="10.0.0.2" remotePublicAddress="2001:db8::7" relayed="1"/>
        <Session id="abc" location="wan"/></Video></MediaContainer>"#;
    let s = only(parse_sessions_xml(xml).expect("parses"));
    assert_eq!(s.is_local, Some(false));
    assert!(s.is_relayed);
    assert_eq!(s.client_ip, Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7))));
}

#[test]
fn websocket_play_state_captures_give_their_session_key_state_and_offset() {
    let lines: Vec<String> =
        fixture("plex/notifications/websocket_captures.jsonl").lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 11);

    let error = parse_notification(&lines[0]).expect("parses");
    assert_eq!(
        error,
        vec![PlayStateNotification {
            session_key: "16".into(),
            rating_key: Some("6263".into()),
            state: NotifiedState::Error,
            view_offset_ms: Some(0),
            client_identifier: Some("bsa256dspr4svju3zq3ssndfx".into()),
        }]
    );

    let stopped = parse_notification(&lines[1]).expect("parses");
    assert_eq!(
        stopped,
        vec![PlayStateNotification {
            session_key: "112".into(),
            rating_key: Some("188653".into()),
            state: NotifiedState::Playback(PlaybackState::Stopped),
            view_offset_ms: Some(381_000),
            client_identifier: None,
        }]
    );

    // Activity, content change, reachability, timeline, transcode and update messages.
    for (n, line) in lines.iter().enumerate().skip(2) {
        assert_eq!(parse_notification(line).expect("parses"), Vec::new(), "line {}", n + 1);
    }
}

#[test]
fn consecutive_playing_notifications_from_an_older_server_advance_the_offset() {
    let offsets: Vec<Option<u64>> = fixture("plex/notifications/websocket_playing_2016_pkc162.jsonl")
        .lines()
        .map(|line| {
            let n = only_notification(parse_notification(line).expect("parses"));
            assert_eq!(n.session_key, "7");
            assert_eq!(n.rating_key.as_deref(), Some("2174"));
            assert_eq!(n.state, NotifiedState::Playback(PlaybackState::Playing));
            assert_eq!(n.client_identifier, None);
            n.view_offset_ms
        })
        .collect();
    assert_eq!(offsets, [Some(2_119_067), Some(2_119_853), Some(2_120_600), Some(2_121_342)]);
}

fn only_notification(mut v: Vec<PlayStateNotification>) -> PlayStateNotification {
    assert_eq!(v.len(), 1, "{v:#?}");
    v.remove(0)
}

#[test]
fn an_sse_payload_without_the_container_wrapper_parses_like_the_websocket_frame() {
    let line = fixture("plex/notifications/websocket_captures.jsonl").lines().nth(1).expect("line 2").to_owned();
    let frame: Value = serde_json::from_str(&line).expect("json");
    let bare = frame["NotificationContainer"].to_string();
    assert_eq!(parse_notification(&bare).expect("parses"), parse_notification(&line).expect("parses"));

    // Some captures show the entry as a single object rather than a list.
    let entry = frame["NotificationContainer"]["PlaySessionStateNotification"][0].to_string();
    let single = format!(r#"{{"PlaySessionStateNotification":{entry}}}"#);
    assert_eq!(parse_notification(&single).expect("parses"), parse_notification(&line).expect("parses"));
}

#[test]
fn paused_buffering_and_unknown_notification_states_are_kept_apart() {
    let with_state = |state: &str| {
        let body = format!(
            r#"{{"NotificationContainer":{{"type":"playing","size":1,"PlaySessionStateNotification":[{{"sessionKey":"7","state":"{state}","viewOffset":"12"}}]}}}}"#
        );
        only_notification(parse_notification(&body).expect("parses"))
    };
    assert_eq!(with_state("paused").state, NotifiedState::Playback(PlaybackState::Paused));
    assert_eq!(with_state("buffering").state, NotifiedState::Playback(PlaybackState::Buffering));
    assert_eq!(with_state("hovering").state, NotifiedState::Unknown("hovering".into()));
    assert_eq!(with_state("paused").view_offset_ms, Some(12), "a numeric string offset still reads");
}

#[test]
fn a_notification_that_is_not_json_or_lacks_a_session_key_is_an_error() {
    assert!(matches!(parse_notification("<html>502</html>"), Err(ParseError::NotJson(_))));
    assert!(matches!(parse_notification(r#"{"NotificationContainer":{"type":"playing""#), Err(ParseError::NotJson(_))));
    assert!(matches!(parse_notification("[1,2]"), Err(ParseError::UnexpectedShape(_))));
    let keyless = r#"{"NotificationContainer":{"PlaySessionStateNotification":[{"state":"playing"}]}}"#;
    assert!(matches!(parse_notification(keyless), Err(ParseError::UnexpectedShape(m)) if m.contains("sessionKey")));
}

#[test]
fn html_instead_of_xml_or_json_is_refused() {
    let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    assert!(matches!(parse_sessions_xml(nginx), Err(ParseError::NotXml(_))), "unclosed <hr>");
    let doctype = "<!DOCTYPE html><html><body><p>Sign in</p></body></html>";
    assert!(matches!(parse_sessions_xml(doctype), Err(ParseError::NotXml(_))));
    let tidy = "<html><body><h1>Unauthorized</h1></body></html>";
    assert!(matches!(parse_sessions_xml(tidy), Err(ParseError::UnexpectedShape(m)) if m.contains("html")));
    assert!(matches!(parse_sessions_json(nginx), Err(ParseError::NotJson(_))));
    assert!(matches!(parse_sessions_xml("502 Bad Gateway"), Err(ParseError::NotXml(_))));
    assert!(matches!(parse_sessions_xml(""), Err(ParseError::NotXml(_))));
}

#[test]
fn a_truncated_body_is_an_error_in_either_format() {
    let xml = fixture("plex/ha-core/session_transient.xml");
    for cut in [xml.len() / 2, xml.len() - 20] {
        assert!(matches!(parse_sessions_xml(&xml[..cut]), Err(ParseError::NotXml(_))), "cut at {cut}");
    }
    let json = &JSON_TRACK_SESSION[..JSON_TRACK_SESSION.len() / 2];
    assert!(matches!(parse_sessions_json(json), Err(ParseError::NotJson(_))));
}

#[test]
fn a_session_with_only_its_required_fields_parses_with_everything_else_absent() {
    let xml = r#"<MediaContainer size="1"><Video sessionKey="3" ratingKey="9"><User id="5"/></Video></MediaContainer>"#;
    let s = only(parse_sessions_xml(xml).expect("parses"));
    assert_eq!((s.session_key.as_str(), s.media.item_key.as_str(), s.user.id.as_str()), ("3", "9", "5"));
    assert_eq!(s.user.name, "");
    assert_eq!(s.user.thumb, None);
    assert_eq!(s.upstream_session_id, None);
    assert_eq!(s.control, None, "without a Session id there is nothing to terminate");
    assert_eq!(s.media.media_type, MediaType::Other);
    assert_eq!(s.media.title, "");
    assert_eq!((s.media.year, s.media.duration_ms, s.position_ms), (None, None, None));
    assert_eq!(s.state, PlaybackState::Playing);
    assert_eq!(s.player, SessionPlayer::default());
    assert_eq!((s.client_ip, s.is_local, s.is_relayed, s.bandwidth_kbps), (None, None, false, None));
    assert_eq!(s.quality, StreamQuality::default());
    assert_eq!((s.decision.video, s.decision.audio), (None, None));
    assert_eq!(s.decision.overall, StreamDecision::DirectPlay);
}

#[test]
fn a_session_missing_its_key_or_user_is_refused_by_name() {
    let no_user = r#"<MediaContainer><Video sessionKey="3" ratingKey="9"/></MediaContainer>"#;
    assert!(matches!(parse_sessions_xml(no_user), Err(ParseError::UnexpectedShape(m)) if m.contains("User")));
    let no_rating_key = r#"<MediaContainer><Video sessionKey="3"><User id="1"/></Video></MediaContainer>"#;
    assert!(
        matches!(parse_sessions_xml(no_rating_key), Err(ParseError::UnexpectedShape(m)) if m.contains("ratingKey"))
    );
}

#[test]
fn an_empty_container_is_no_sessions() {
    assert_eq!(
        parse_sessions_xml(r#"<?xml version="1.0" encoding="UTF-8"?><MediaContainer size="0"/>"#),
        Ok(Vec::new())
    );
    assert_eq!(parse_sessions_json(r#"{"MediaContainer":{"size":0}}"#), Ok(Vec::new()));
    assert!(matches!(parse_sessions_json(r#"{"size":0}"#), Err(ParseError::UnexpectedShape(_))));
    assert!(matches!(parse_sessions_json("[]"), Err(ParseError::UnexpectedShape(_))));
}

#[test]
fn a_view_offset_past_the_duration_is_clamped_to_the_duration() {
    let xml = fixture("plex/ha-core/session_base.xml")
        .replace("{user_id}", "1")
        .replace(r#"viewOffset="0""#, r#"viewOffset="9500000""#);
    let s = only(parse_sessions_xml(&xml).expect("parses"));
    assert_eq!(s.position_ms, Some(9_000_000));
}

#[test]
fn unknown_media_types_read_as_other_and_live_wins_over_the_type() {
    let with = |attrs: &str| {
        let xml = format!(
            r#"<MediaContainer><Video sessionKey="1" ratingKey="2" {attrs}><User id="3"/></Video></MediaContainer>"#
        );
        only(parse_sessions_xml(&xml).expect("parses")).media
    };
    assert_eq!(with(r#"type="hologram""#).media_type, MediaType::Other);
    assert_eq!(with(r#"type="photo""#).media_type, MediaType::Other);
    assert_eq!(with(r#"type="movie" live="1""#).media_type, MediaType::LiveTv);
    let episode = with(r#"type="episode" index="3" parentIndex="2" grandparentTitle="Show" parentTitle="Season 2""#);
    assert_eq!(episode.media_type, MediaType::Episode);
    assert_eq!((episode.season_number, episode.episode_number), (Some(2), Some(3)));
    assert_eq!(
        (episode.grandparent_title.as_deref(), episode.parent_title.as_deref()),
        (Some("Show"), Some("Season 2"))
    );
}

#[test]
fn garbage_player_addresses_give_no_ip_and_a_mapped_ipv4_is_unwrapped() {
    let with_address = |address: &str| {
        let xml = format!(
            r#"<MediaContainer><Video sessionKey="1" ratingKey="2"><User id="3"/><Player address="{address}" local="1"/></Video></MediaContainer>"#
        );
        only(parse_sessions_xml(&xml).expect("parses")).client_ip
    };
    assert_eq!(with_address("not-an-ip"), None);
    assert_eq!(with_address("300.1.1.1"), None);
    assert_eq!(with_address(""), None);
    assert_eq!(with_address("::ffff:192.168.1.20"), ip(192, 168, 1, 20));
}

#[test]
fn hdr_and_dolby_vision_video_streams_are_flagged() {
    let with_stream = |attrs: &str| {
        let xml = format!(
            r#"<MediaContainer><Video sessionKey="1" ratingKey="2"><User id="3"/><Media><Part><Stream streamType="1" codec="hevc" {attrs}/></Part></Media></Video></MediaContainer>"#
        );
        only(parse_sessions_xml(&xml).expect("parses")).quality
    };
    assert!(with_stream(r#"colorTrc="smpte2084""#).hdr);
    assert!(with_stream(r#"colorTrc="arib-std-b67""#).hdr);
    assert!(with_stream(r#"DOVIPresent="1""#).hdr);
    assert!(!with_stream(r#"colorTrc="bt709""#).hdr);
    assert_eq!(with_stream("").video_codec.as_deref(), Some("hevc"));
}

#[test]
fn predefined_entities_are_decoded_and_nothing_else_is() {
    let xml = r#"<MediaContainer><Video sessionKey="1" ratingKey="2" title="Tom &amp; Jerry &#233;"><User id="3"/></Video></MediaContainer>"#;
    assert_eq!(only(parse_sessions_xml(xml).expect("parses")).media.title, "Tom & Jerry é");
    let undeclared =
        r#"<MediaContainer><Video sessionKey="1" ratingKey="2" title="&xxe;"><User id="3"/></Video></MediaContainer>"#;
    assert!(matches!(parse_sessions_xml(undeclared), Err(ParseError::NotXml(_))));
}

#[test]
fn a_doctype_with_entities_is_refused_without_expanding_them() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<MediaContainer><Video sessionKey="1" ratingKey="2" title="&lol9;"><User id="3"/></Video></MediaContainer>"#;
    let err = parse_sessions_xml(laughs).expect_err("refused");
    assert!(matches!(&err, ParseError::NotXml(m) if m.contains("document type")), "{err}");

    let external = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><MediaContainer><Video sessionKey="1" ratingKey="2" title="&xxe;"><User id="3"/></Video></MediaContainer>"#;
    assert!(matches!(parse_sessions_xml(external), Err(ParseError::NotXml(_))));
}

#[test]
fn absurd_nesting_and_two_roots_are_refused() {
    let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
    assert_eq!(parse_sessions_xml(&deep), Err(ParseError::TooLarge { limit: MAX_DEPTH, unit: "levels of nesting" }));
    assert!(matches!(parse_sessions_xml("<MediaContainer/><MediaContainer/>"), Err(ParseError::NotXml(_))));
}

#[test]
fn the_poster_is_the_items_own_library_path_and_remote_urls_are_ignored() {
    let xml = fixture("plex/ha-core/session_base.xml").replace("{user_id}", "1");
    let s = only(parse_sessions_xml(&xml).expect("parses"));
    assert_eq!(s.media.poster.as_deref(), Some("/library/metadata/1/thumb/1590245989"));
    // An episode prefers its show's poster; a remote URL is never proxied.
    let episode = r#"<MediaContainer size="1"><Video sessionKey="5" ratingKey="9" type="episode" title="E"
        thumb="/library/metadata/9/thumb/1" grandparentThumb="/library/metadata/7/thumb/2">
        <User id="1" title="a"/><Player state="playing"/></Video></MediaContainer>"#;
    let s = only(parse_sessions_xml(episode).expect("parses"));
    assert_eq!(s.media.poster.as_deref(), Some("/library/metadata/7/thumb/2"));
    let remote = episode
        .replace("/library/metadata/7/thumb/2", "http://evil.example/x.jpg")
        .replace("thumb=\"/library/metadata/9/thumb/1\"", "thumb=\"https://plex.tv/x.png\"");
    assert_eq!(only(parse_sessions_xml(&remote).expect("parses")).media.poster, None);
}

#[test]
fn local_accounts_and_plex_tv_shared_users_parse_into_accounts() {
    let local = parse_accounts_xml(&fixture("plex/ha-core/plex_server_accounts.xml")).expect("parses");
    let ids: Vec<_> = local.iter().map(|a| (a.external_id.as_str(), a.name.as_str(), a.is_admin)).collect();
    // Account 0 is Plex's placeholder; account 1 is the owner.
    assert_eq!(ids, [("1", "User 1", true), ("1000", "User 1000", false), ("1001", "User 1001", false)]);
    let shared = parse_accounts_xml(&fixture("plex/ha-core/plextv_shared_users.xml")).expect("parses");
    assert_eq!(shared.len(), 2);
    assert_eq!(shared[0].external_id, "1000");
    assert_eq!(shared[0].thumb.as_deref(), Some("https://plex.tv/users/0000000000000000/avatar?c=1467656888"));
    let json = r#"{"MediaContainer":{"size":2,"Account":[{"id":0,"name":""},{"id":1,"name":"owner"}]}}"#;
    let from_json = parse_accounts_json(json).expect("parses");
    assert_eq!((from_json.len(), from_json[0].name.as_str(), from_json[0].is_admin), (1, "owner", true));
    assert!(parse_accounts_xml("<html>").is_err());
    assert!(parse_accounts_json("<html>").is_err());
}
