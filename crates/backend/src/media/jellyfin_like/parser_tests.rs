//! Tests of the Jellyfin/Emby parser. No real Jellyfin capture with a clear licence exists in
//! `shared/fixtures`, so the Jellyfin and Emby 4.8 payloads here are built by hand, and a test
//! checks every key (and enum value) against the OpenAPI subsets they claim to follow.
//! The one recorded Emby session (2014 wiki) is used as is.

use super::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/");
const JELLYFIN_OPENAPI: &str = "jellyfin/openapi/jellyfin-12.0.0-openapi-subset.json";
const EMBY_OPENAPI: &str = "emby/openapi/emby-4.8.11.0-openapi-subset.json";

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{path}")).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A Jellyfin `/Sessions` reply: an HDR episode transcoded on the GPU, seen over IPv6 with a
/// port, and an idle session (no `NowPlayingItem`).
const JELLYFIN_TRANSCODE: &str = include_str!("../testdata/jellyfin_sessions_transcode.json");

/// A paused direct play of a letterboxed film, a music track direct-streamed to an IPv4-mapped
/// address, and live TV whose video is passed through while the audio is transcoded.
const JELLYFIN_MIXED: &str = r#"[
 {"Id":"11111111111111111111111111111111","UserId":"9b2f6e3a-1c4d-4e5f-8a9b-0c1d2e3f4a5b","UserName":"bob",
  "Client":"Jellyfin Media Player","DeviceName":"Living room","DeviceId":"jmp-living-room","RemoteEndPoint":"192.0.2.10",
  "PlayState":{"PositionTicks":600000000,"IsPaused":true,"PlayMethod":"DirectPlay","MediaSourceId":"22222222222222222222222222222222"},
  "NowPlayingItem":{"Name":"Example Film","Id":"22222222222222222222222222222222","Type":"Movie","MediaType":"Video",
    "RunTimeTicks":72000000000,"ProductionYear":1999,
    "MediaSources":[{"Id":"22222222222222222222222222222222","Container":"mkv","Bitrate":10640000}],
    "MediaStreams":[{"Type":"Video","Index":0,"Codec":"h264","Width":1920,"Height":800,"BitRate":10000000,"VideoRange":"SDR","VideoRangeType":"SDR"},
      {"Type":"Audio","Index":1,"Codec":"ac3","BitRate":640000,"IsDefault":true}]}},
 {"Id":"33333333333333333333333333333333","UserId":"9b2f6e3a-1c4d-4e5f-8a9b-0c1d2e3f4a5b","UserName":"bob",
  "Client":"Finamp","DeviceName":"Phone","DeviceId":"finamp-1","RemoteEndPoint":"::ffff:192.0.2.33",
  "PlayState":{"PositionTicks":300000000,"IsPaused":false,"PlayMethod":"DirectStream"},
  "NowPlayingItem":{"Name":"Example Track","Id":"44444444444444444444444444444444","Type":"Audio","MediaType":"Audio",
    "RunTimeTicks":2400000000,"ProductionYear":2020,"IndexNumber":3,"ParentIndexNumber":1,
    "Album":"Example Album","AlbumArtist":"Example Artist",
    "MediaStreams":[{"Type":"Audio","Index":0,"Codec":"flac","BitRate":900000}]}},
 {"Id":"55555555555555555555555555555555","UserId":"9b2f6e3a-1c4d-4e5f-8a9b-0c1d2e3f4a5b","UserName":"bob",
  "Client":"Jellyfin Web","DeviceName":"Chrome","DeviceId":"chrome-1","RemoteEndPoint":"192.0.2.10",
  "PlayState":{"PositionTicks":50000000,"IsPaused":false,"PlayMethod":"Transcode"},
  "NowPlayingItem":{"Name":"Example Channel","Id":"66666666666666666666666666666666","Type":"TvChannel","MediaType":"Video",
    "MediaStreams":[{"Type":"Video","Index":0,"Codec":"mpeg2video","Width":1920,"Height":1080},
      {"Type":"Audio","Index":1,"Codec":"ac3"}]},
  "TranscodingInfo":{"AudioCodec":"aac","VideoCodec":"mpeg2video","IsVideoDirect":true,"IsAudioDirect":false,
    "Bitrate":12000000,"HardwareAccelerationType":"nvenc"}}
]"#;

/// An Emby 4.8 `/Sessions` reply: a Dolby Vision film transcoded with a hardware decoder.
const EMBY_TRANSCODE: &str = include_str!("../testdata/emby_sessions_transcode.json");

fn v4(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
}

fn only(mut sessions: Vec<MediaSession>) -> MediaSession {
    assert_eq!(sessions.len(), 1, "{sessions:#?}");
    sessions.remove(0)
}

/// Walks `value` and fails on any key that `schema` (in the OpenAPI document) does not define,
/// and on any string outside an enum the key refers to.
fn assert_follows_schema(schemas: &Value, schema: &str, value: &Value, path: &str) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| assert_follows_schema(schemas, schema, v, path)),
        Value::Object(map) => {
            for (key, v) in map {
                let prop = &schemas[schema]["properties"][key];
                assert!(!prop.is_null(), "{path}.{key} is not a field of {schema}");
                if let Some(target) = schema_ref(prop) {
                    assert_follows_schema(schemas, target, v, &format!("{path}.{key}"));
                }
            }
        }
        Value::String(s) => {
            if let Some(values) = schemas[schema]["enum"].as_array() {
                assert!(values.iter().any(|e| e == s), "{path}: {s:?} is not a value of {schema}");
            }
        }
        _ => {}
    }
}

fn schema_ref(prop: &Value) -> Option<&str> {
    [&prop["$ref"], &prop["allOf"][0]["$ref"], &prop["items"]["$ref"], &prop["items"]["allOf"][0]["$ref"]]
        .into_iter()
        .find_map(Value::as_str)?
        .strip_prefix("#/components/schemas/")
}

fn check_against(openapi: &str, schema: &str, payload: &str) {
    let spec: Value = serde_json::from_str(&fixture(openapi)).expect("openapi json");
    let payload: Value = serde_json::from_str(payload).expect("payload json");
    assert_follows_schema(&spec["components"]["schemas"], schema, &payload, schema);
}

#[test]
fn the_hand_built_payloads_use_only_fields_and_values_from_the_published_schemas() {
    check_against(JELLYFIN_OPENAPI, "SessionInfoDto", JELLYFIN_TRANSCODE);
    check_against(JELLYFIN_OPENAPI, "SessionInfoDto", JELLYFIN_MIXED);
    check_against(JELLYFIN_OPENAPI, "SessionsMessage", &sessions_message(JELLYFIN_MIXED));
    check_against(EMBY_OPENAPI, "Session.SessionInfo", EMBY_TRANSCODE);
}

#[test]
fn the_schema_check_catches_an_invented_field_or_enum_value() {
    let spec: Value = serde_json::from_str(&fixture(JELLYFIN_OPENAPI)).expect("openapi json");
    for invented in [
        r#"{"PlayState":{"IsBuffering":true}}"#,
        r#"{"PlayState":{"PlayMethod":"Remux"}}"#,
        r#"{"NowPlayingItem":{"MediaStreams":[{"Type":"Hologram"}]}}"#,
        r#"{"TranscodingInfo":{"HardwareAccelerationType":"cuda"}}"#,
    ] {
        let payload: Value = serde_json::from_str(invented).expect("json");
        let caught = std::panic::catch_unwind(|| {
            assert_follows_schema(&spec["components"]["schemas"], "SessionInfoDto", &payload, "SessionInfoDto");
        });
        assert!(caught.is_err(), "{invented}");
    }
}

fn sessions_message(data: &str) -> String {
    format!(r#"{{"MessageType":"Sessions","MessageId":"0b7a1f52-2c1e-4f77-9d55-3c6a0e1b9f10","Data":{data}}}"#)
}

#[test]
fn a_jellyfin_gpu_transcode_of_an_hdr_episode_is_parsed_field_by_field() {
    let s = only(parse_sessions(JELLYFIN_TRANSCODE, ServerKind::Jellyfin).expect("parses"));

    assert_eq!(s.session_key, "a6f1c2d3e4b5a6978899aabbccddeeff");
    assert_eq!(s.upstream_session_id, None);
    let control =
        SessionControl { session_id: "a6f1c2d3e4b5a6978899aabbccddeeff".into(), remote_control: true, messages: true };
    assert_eq!(s.control, Some(control), "SupportsMediaControl, and no command list that leaves messages out");
    assert_eq!(s.user.id, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    assert_eq!(s.user.name, "alice");
    assert_eq!(s.user.thumb.as_deref(), Some("d7c02f11a99ba4b7381e86bb602596c1"));

    assert_eq!(s.media.media_type, MediaType::Episode);
    assert_eq!(s.media.item_key, "7c1d0e1b2a3f4e5d6c7b8a9f0e1d2c3b");
    assert_eq!(s.media.title, "Pilot");
    assert_eq!(s.media.grandparent_title.as_deref(), Some("Example Show"));
    assert_eq!(s.media.parent_title.as_deref(), Some("Season 1"));
    assert_eq!((s.media.season_number, s.media.episode_number), (Some(1), Some(1)));
    assert_eq!(s.media.year, Some(2008));
    assert_eq!(s.media.duration_ms, Some(3_456_789));
    assert_eq!(s.position_ms, Some(1_234_567));
    assert_eq!(s.state, PlaybackState::Playing);

    assert_eq!(s.player.name.as_deref(), Some("Firefox"));
    assert_eq!(s.player.device, None);
    assert_eq!(s.player.device_id.as_deref(), Some("TW96aWxsYS81LjAgKFgxMSk"));
    assert_eq!(s.player.product.as_deref(), Some("Jellyfin Web"));
    assert_eq!(s.player.platform, None);

    assert_eq!(s.client_ip, Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42))));
    assert_eq!((s.is_local, s.is_relayed, s.bandwidth_kbps), (None, false, None));

    // What the player receives: the transcoder's output.
    assert_eq!((s.quality.width, s.quality.height), (Some(1920), Some(1080)));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Hd1080));
    assert_eq!(s.quality.bitrate_kbps, Some(8000));
    assert_eq!(s.quality.video_codec.as_deref(), Some("h264"));
    assert_eq!(s.quality.audio_codec.as_deref(), Some("aac"));
    assert!(s.quality.hdr, "the source video stream is HDR10");

    assert_eq!(s.decision.video, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.audio, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.overall, StreamDecision::Transcode);
    assert!(s.decision.hw_transcode, "HardwareAccelerationType vaapi");
}

#[test]
fn a_paused_direct_play_reads_the_source_streams_and_the_media_source_bitrate() {
    let sessions = parse_sessions(JELLYFIN_MIXED, ServerKind::Jellyfin).expect("parses");
    assert_eq!(sessions.len(), 3);
    let s = &sessions[0];

    assert_eq!(s.media.media_type, MediaType::Movie);
    assert_eq!(s.media.title, "Example Film");
    assert_eq!((s.media.grandparent_title.as_deref(), s.media.season_number), (None, None));
    assert_eq!(s.media.year, Some(1999));
    assert_eq!(s.media.duration_ms, Some(7_200_000));
    assert_eq!(s.position_ms, Some(60_000));
    assert_eq!(s.state, PlaybackState::Paused);
    assert_eq!(s.client_ip, v4(192, 0, 2, 10));
    assert_eq!((s.quality.width, s.quality.height), (Some(1920), Some(800)));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Hd1080));
    assert_eq!(s.quality.bitrate_kbps, Some(10_640));
    assert_eq!(s.quality.video_codec.as_deref(), Some("h264"));
    assert_eq!(s.quality.audio_codec.as_deref(), Some("ac3"));
    assert!(!s.quality.hdr);
    assert_eq!(s.decision.video, Some(StreamDecision::DirectPlay));
    assert_eq!(s.decision.audio, Some(StreamDecision::DirectPlay));
    assert_eq!(s.decision.overall, StreamDecision::DirectPlay);
    assert!(!s.decision.hw_transcode);
}

#[test]
fn a_direct_streamed_track_has_no_video_and_its_mapped_ipv4_address_is_unwrapped() {
    let sessions = parse_sessions(JELLYFIN_MIXED, ServerKind::Jellyfin).expect("parses");
    let s = &sessions[1];

    assert_eq!(s.media.media_type, MediaType::Track);
    assert_eq!(s.media.title, "Example Track");
    assert_eq!(s.media.grandparent_title.as_deref(), Some("Example Artist"));
    assert_eq!(s.media.parent_title.as_deref(), Some("Example Album"));
    assert_eq!((s.media.season_number, s.media.episode_number), (None, None), "track numbers are not episodes");
    assert_eq!(s.client_ip, v4(192, 0, 2, 33));
    assert_eq!(s.quality.resolution, None);
    assert_eq!(s.quality.bitrate_kbps, Some(900));
    assert_eq!(s.quality.audio_codec.as_deref(), Some("flac"));
    assert_eq!(s.decision.video, None);
    assert_eq!(s.decision.audio, Some(StreamDecision::DirectStream));
    assert_eq!(s.decision.overall, StreamDecision::DirectStream);
}

#[test]
fn live_tv_passing_video_through_is_a_transcode_of_the_audio_only_and_not_a_hardware_one() {
    let sessions = parse_sessions(JELLYFIN_MIXED, ServerKind::Jellyfin).expect("parses");
    let s = &sessions[2];

    assert_eq!(s.media.media_type, MediaType::LiveTv);
    assert_eq!(s.media.duration_ms, None);
    assert_eq!(s.position_ms, Some(5_000));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Hd1080));
    assert_eq!(s.quality.bitrate_kbps, Some(12_000));
    assert_eq!(s.decision.video, Some(StreamDecision::DirectStream));
    assert_eq!(s.decision.audio, Some(StreamDecision::Transcode));
    assert_eq!(s.decision.overall, StreamDecision::Transcode);
    assert!(!s.decision.hw_transcode, "nvenc is configured, but the video is only copied");
}

#[test]
fn an_emby_hardware_decoded_dolby_vision_transcode_is_parsed_field_by_field() {
    let s = only(parse_sessions(EMBY_TRANSCODE, ServerKind::Emby).expect("parses"));

    assert_eq!(s.session_key, "e0b1c2d3a4f5e6d7c8b9a0f1e2d3c4b5");
    assert_eq!(s.user.id, "e8837bc1ad67520e8cd2f629e3155721");
    assert_eq!(s.user.name, "carol");
    assert_eq!(s.media.media_type, MediaType::Movie);
    assert_eq!(s.media.item_key, "123456");
    assert_eq!(s.media.year, Some(2021));
    assert_eq!(s.media.duration_ms, Some(9_000_000));
    assert_eq!(s.position_ms, Some(3_600_000));
    assert_eq!(s.player.name.as_deref(), Some("Tablet"));
    assert_eq!(s.player.device.as_deref(), Some("Tablet"));
    assert_eq!(s.player.device_id.as_deref(), Some("emby-tablet-1"));
    assert_eq!(s.player.product.as_deref(), Some("Emby for Android"));
    assert_eq!(s.client_ip, v4(203, 0, 113, 50));
    assert_eq!((s.quality.width, s.quality.height), (Some(1280), Some(536)));
    assert_eq!(s.quality.resolution, Some(VideoResolution::Hd720));
    assert_eq!(s.quality.bitrate_kbps, Some(6000));
    assert!(s.quality.hdr, "ExtendedVideoType DolbyVision");
    assert_eq!(s.decision.overall, StreamDecision::Transcode);
    assert!(s.decision.hw_transcode, "VideoDecoderIsHardware");
    let control =
        SessionControl { session_id: "e0b1c2d3a4f5e6d7c8b9a0f1e2d3c4b5".into(), remote_control: true, messages: true };
    assert_eq!(s.control, Some(control), "SupportsRemoteControl and DisplayMessage");
}

#[test]
fn remote_control_and_messages_follow_the_clients_flags_and_commands() {
    let read = |flags: &str| {
        let body = format!(r#"[{{"Id":"s1","UserId":"u1","NowPlayingItem":{{"Id":"i1"}}{flags}}}]"#);
        let s = only(parse_sessions(&body, ServerKind::Jellyfin).expect("parses"));
        let c = s.control.expect("a Jellyfin session can always be addressed");
        assert_eq!(c.session_id, "s1");
        (c.remote_control, c.messages)
    };
    assert_eq!(read(""), (false, false), "a client that claims nothing is not sent commands");
    assert_eq!(read(r#","SupportsMediaControl":false,"SupportsRemoteControl":true"#), (false, false));
    assert_eq!(read(r#","SupportsMediaControl":true,"SupportedCommands":["SetVolume"]"#), (true, false));
    assert_eq!(read(r#","SupportsRemoteControl":true,"SupportedCommands":["DisplayMessage"]"#), (true, true));
    assert_eq!(read(r#","SupportsRemoteControl":false,"SupportedCommands":[]"#), (false, false));
    assert_eq!(read(r#","SupportedCommands":["DisplayMessage"]"#), (true, true), "old servers list commands only");
}

#[test]
fn hardware_flags_are_read_per_server_kind() {
    // Emby's flags mean nothing to the Jellyfin reading, and the other way round.
    let jellyfin_read_of_emby = only(parse_sessions(EMBY_TRANSCODE, ServerKind::Jellyfin).expect("parses"));
    assert!(!jellyfin_read_of_emby.decision.hw_transcode);
    let emby_read_of_jellyfin = only(parse_sessions(JELLYFIN_TRANSCODE, ServerKind::Emby).expect("parses"));
    assert!(!emby_read_of_jellyfin.decision.hw_transcode);
}

#[test]
fn the_2014_emby_wiki_session_is_idle_because_it_only_views_an_item() {
    let one = fixture("emby/emby-wiki/sessions_item_emby_theater_2014.json");
    let list = format!("[{one}]");
    assert_eq!(parse_sessions(&list, ServerKind::Emby).expect("parses"), Vec::new());
}

#[test]
fn the_2014_emby_wiki_session_fields_parse_when_its_item_is_read_as_playing() {
    // `NowViewingItem` has the same BaseItemDto shape; renaming it tests the session-level fields.
    let one =
        fixture("emby/emby-wiki/sessions_item_emby_theater_2014.json").replace("NowViewingItem", "NowPlayingItem");
    let s = only(parse_sessions(&format!("[{one}]"), ServerKind::Emby).expect("parses"));

    assert_eq!(s.session_key, "4de66e1e6b8a4cae89542dc6f7ee7623");
    assert_eq!(s.user.id, "e8837bc1ad67520e8cd2f629e3155721");
    assert_eq!(s.user.name, "John");
    assert_eq!(s.user.thumb.as_deref(), Some("605eed331af1e1a8770643ee6fd1c2b9"));
    assert_eq!(s.media.media_type, MediaType::Episode);
    assert_eq!(s.media.item_key, "0f8d0805a66f7ed429ecd8890146c7c3");
    assert_eq!(s.media.title, "Partridge");
    assert_eq!(s.media.grandparent_title.as_deref(), Some("Parks and Recreation"));
    assert_eq!(s.media.parent_title, None);
    assert_eq!((s.media.season_number, s.media.episode_number), (Some(5), Some(17)));
    assert_eq!(s.media.year, Some(2013));
    assert_eq!(s.media.duration_ms, Some(1_288_224));
    assert_eq!(s.position_ms, None, "no PositionTicks in the PlayState");
    assert_eq!(s.state, PlaybackState::Playing);
    assert_eq!(s.player.name.as_deref(), Some("LIVINGROOM-PC"));
    assert_eq!(s.player.device_id.as_deref(), Some("LIVINGROOM-PC"));
    assert_eq!(s.player.product.as_deref(), Some("Emby Theater"));
    assert_eq!(s.client_ip, v4(192, 168, 1, 4));
    assert_eq!(s.quality, StreamQuality::default());
    assert_eq!(s.decision.overall, StreamDecision::DirectPlay, "no PlayMethod and no TranscodingInfo");
    let control = s.control.expect("addressable");
    assert!(control.remote_control && control.messages, "it lists its commands, DisplayMessage among them");
}

#[test]
fn a_websocket_sessions_message_gives_its_playbacks_and_other_messages_give_none() {
    let sessions = parse_sessions_message(&sessions_message(JELLYFIN_MIXED), ServerKind::Jellyfin).expect("parses");
    assert_eq!(sessions.map(|s| s.len()), Some(3));

    let nothing_plays = parse_sessions_message(&sessions_message("[]"), ServerKind::Jellyfin).expect("parses");
    assert_eq!(nothing_plays, Some(Vec::new()));

    for other in [
        r#"{"MessageType":"KeepAlive"}"#,
        r#"{"MessageType":"ForceKeepAlive","Data":60}"#,
        r#"{"MessageType":"RestartRequired","Data":""}"#,
    ] {
        assert_eq!(parse_sessions_message(other, ServerKind::Emby).expect("parses"), None, "{other}");
    }
    let bad_data = r#"{"MessageType":"Sessions","Data":"0,1500"}"#;
    assert!(matches!(parse_sessions_message(bad_data, ServerKind::Jellyfin), Err(ParseError::UnexpectedShape(_))));
}

#[test]
fn html_truncated_and_wrongly_shaped_bodies_are_refused() {
    let html = "<!DOCTYPE html><html><head><title>Jellyfin</title></head><body></body></html>";
    assert!(matches!(parse_sessions(html, ServerKind::Jellyfin), Err(ParseError::NotJson(_))));
    assert!(matches!(parse_sessions_message(html, ServerKind::Jellyfin), Err(ParseError::NotJson(_))));
    let truncated = &JELLYFIN_TRANSCODE[..JELLYFIN_TRANSCODE.len() / 2];
    assert!(matches!(parse_sessions(truncated, ServerKind::Jellyfin), Err(ParseError::NotJson(_))));
    let problem =
        r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"Unauthorized","status":401}"#;
    assert!(matches!(parse_sessions(problem, ServerKind::Jellyfin), Err(ParseError::UnexpectedShape(_))));
    assert!(matches!(parse_sessions("", ServerKind::Emby), Err(ParseError::NotJson(_))));
}

#[test]
fn plex_is_not_a_jellyfin_like_server() {
    assert!(matches!(parse_sessions("[]", ServerKind::Plex), Err(ParseError::UnexpectedShape(_))));
}

#[test]
fn a_session_with_only_its_required_fields_parses_with_everything_else_absent() {
    let s = only(
        parse_sessions(r#"[{"Id":"s1","UserId":"u1","NowPlayingItem":{"Id":"i1"}}]"#, ServerKind::Jellyfin)
            .expect("parses"),
    );
    assert_eq!((s.session_key.as_str(), s.user.id.as_str(), s.media.item_key.as_str()), ("s1", "u1", "i1"));
    assert_eq!((s.user.name.as_str(), s.media.title.as_str()), ("", ""));
    assert_eq!(s.media.media_type, MediaType::Other);
    assert_eq!((s.media.duration_ms, s.position_ms, s.client_ip), (None, None, None));
    assert_eq!(s.state, PlaybackState::Playing);
    assert_eq!(s.player, SessionPlayer::default());
    assert_eq!(s.quality, StreamQuality::default());
    assert_eq!((s.decision.video, s.decision.audio, s.decision.overall), (None, None, StreamDecision::DirectPlay));
}

#[test]
fn nulls_read_as_absent_like_jellyfin_sends_them() {
    let body = r#"[{"Id":"s1","UserId":"u1","UserName":null,"RemoteEndPoint":null,"TranscodingInfo":null,
        "PlayState":{"PositionTicks":null,"PlayMethod":null},"NowPlayingItem":{"Id":"i1","Name":null,"MediaStreams":null}}]"#;
    let s = only(parse_sessions(body, ServerKind::Jellyfin).expect("parses"));
    assert_eq!((s.user.name.as_str(), s.position_ms, s.client_ip), ("", None, None));
}

#[test]
fn a_playing_session_without_a_user_or_item_id_is_refused_by_name() {
    let no_user = r#"[{"Id":"s1","NowPlayingItem":{"Id":"i1"}}]"#;
    assert!(
        matches!(parse_sessions(no_user, ServerKind::Jellyfin), Err(ParseError::UnexpectedShape(m)) if m.contains("UserId"))
    );
    let no_item_id = r#"[{"Id":"s1","UserId":"u1","NowPlayingItem":{"Name":"x"}}]"#;
    assert!(
        matches!(parse_sessions(no_item_id, ServerKind::Emby), Err(ParseError::UnexpectedShape(m)) if m.contains("Id"))
    );
}

#[test]
fn a_position_past_the_runtime_is_clamped_and_a_negative_one_is_dropped() {
    let with_ticks = |ticks: i64| {
        let body = format!(
            r#"[{{"Id":"s","UserId":"u","PlayState":{{"PositionTicks":{ticks}}}, "NowPlayingItem":{{"Id":"i","RunTimeTicks":600000000}}}}]"#
        );
        only(parse_sessions(&body, ServerKind::Jellyfin).expect("parses")).position_ms
    };
    assert_eq!(with_ticks(650_000_000), Some(60_000));
    assert_eq!(with_ticks(-10_000), None);
    assert_eq!(with_ticks(10_000), Some(1));
}

#[test]
fn unknown_item_types_read_as_other() {
    let with_type = |kind: &str| {
        let body = format!(r#"[{{"Id":"s","UserId":"u","NowPlayingItem":{{"Id":"i","Type":"{kind}"}}}}]"#);
        only(parse_sessions(&body, ServerKind::Emby).expect("parses")).media.media_type
    };
    assert_eq!(with_type("Book"), MediaType::Other);
    assert_eq!(with_type("MusicVideo"), MediaType::Other);
    assert_eq!(with_type("Hologram"), MediaType::Other);
    assert_eq!(with_type("LiveTvProgram"), MediaType::LiveTv);
}

#[test]
fn remote_end_points_with_ports_ipv6_and_garbage() {
    let with_end_point = |raw: &str| {
        let body = format!(r#"[{{"Id":"s","UserId":"u","RemoteEndPoint":"{raw}","NowPlayingItem":{{"Id":"i"}}}}]"#);
        only(parse_sessions(&body, ServerKind::Jellyfin).expect("parses")).client_ip
    };
    let v6 = Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 5)));
    assert_eq!(with_end_point("[2001:db8::5]:8096"), v6);
    assert_eq!(with_end_point("2001:db8::5"), v6);
    assert_eq!(with_end_point("192.0.2.7:50123"), v4(192, 0, 2, 7));
    assert_eq!(with_end_point("[::ffff:192.0.2.7]:50123"), v4(192, 0, 2, 7));
    for garbage in ["", "unknown", "192.0.2", "192.0.2.7.9", "2001:db8::5:8096:1:2:3:4", "[2001:db8::5", "<script>"] {
        assert_eq!(with_end_point(garbage), None, "{garbage:?}");
    }
}

#[test]
fn the_poster_is_the_series_or_item_primary_image() {
    let sessions = parse_sessions(JELLYFIN_TRANSCODE, ServerKind::Jellyfin).expect("parses");
    let poster = sessions[0].media.poster.as_deref().expect("a poster path");
    assert!(poster.starts_with("/Items/") && poster.ends_with("/Images/Primary"), "{poster}");
}

#[test]
fn users_parse_into_accounts_with_their_policy() {
    let body = r#"[{"Id":"u1","Name":"Alice","PrimaryImageTag":"abc","Policy":{"IsAdministrator":true,"IsDisabled":false}},
        {"Id":"u2","Name":"Bob","Policy":{"IsAdministrator":false,"IsDisabled":true}},{"Name":"no id"}]"#;
    let users = parse_users(body).expect("parses");
    assert_eq!(users.len(), 2);
    assert_eq!(
        (users[0].external_id.as_str(), users[0].is_admin, users[0].thumb.as_deref()),
        ("u1", true, Some("/Users/u1/Images/Primary"))
    );
    assert!(users[1].is_disabled && users[1].thumb.is_none());
    assert!(parse_users("<html>").is_err());
}
