//! Jellyfin and Emby payloads: `SessionInfo` arrays (playing and idle clients), the `Sessions`
//! WebSocket message, `/System/Info`, `/System/Info/Public` and users. Only fields of the
//! published OpenAPI schemas (`shared/fixtures/{jellyfin,emby}/openapi`) are used; a test walks
//! the output against them. Pure: time comes in as `now`.

use crate::devices::Device;
use crate::ids;
use crate::output;
use crate::scenario::{Decision, MediaKind};
use crate::state::{ServerShared, Session, SimUser};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sightline_domain::media::ServerKind;

/// Positions and runtimes are in ticks of 100 ns.
const TICKS_PER_MS: u64 = 10_000;

/// A .NET-style UTC timestamp, as both servers write them.
#[must_use]
pub fn date(at: DateTime<Utc>) -> String {
    // chrono has no 7-digit fraction specifier (`%.7f` fails at format time): write it by hand.
    format!("{}.{:07}Z", at.format("%Y-%m-%dT%H:%M:%S"), at.timestamp_subsec_nanos() / 100)
}

/// `GET /Sessions`: the playing sessions, then the idle clients (which real servers list too).
#[must_use]
pub fn sessions_json(shared: &ServerShared, sessions: &[Session], now: DateTime<Utc>) -> String {
    let mut all: Vec<Value> = sessions.iter().map(|s| playing(shared, s, now)).collect();
    all.extend(idle_clients(shared, now));
    Value::Array(all).to_string()
}

/// The WebSocket message carrying the same array. Jellyfin adds a `MessageId`; Emby does not.
#[must_use]
pub fn sessions_message(kind: ServerKind, array: &str, n: u64) -> String {
    match kind {
        ServerKind::Jellyfin => {
            format!(r#"{{"MessageType":"Sessions","MessageId":"{}","Data":{array}}}"#, message_id(n))
        }
        _ => format!(r#"{{"MessageType":"Sessions","Data":{array}}}"#),
    }
}

/// A GUID in Jellyfin's dashed form, derived from `n`.
#[must_use]
pub fn message_id(n: u64) -> String {
    let h = ids::hex32(n ^ 0x00c0_ffee);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// What a client says it can be told to do, as web and TV clients list it.
const SUPPORTED_COMMANDS: [&str; 8] = [
    "DisplayMessage",
    "SetVolume",
    "Mute",
    "Unmute",
    "SetAudioStreamIndex",
    "SetSubtitleStreamIndex",
    "DisplayContent",
    "PlayState",
];

fn common(
    shared: &ServerShared,
    id: &str,
    user: &SimUser,
    device: &Device,
    device_id: &str,
    remote_control: bool,
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), json!(id));
    m.insert("UserId".into(), json!(user.id));
    m.insert("UserName".into(), json!(user.name));
    m.insert("UserPrimaryImageTag".into(), json!(user.image_tag));
    m.insert("Client".into(), json!(device.product(shared.kind)));
    m.insert("DeviceName".into(), json!(device.name));
    m.insert("DeviceId".into(), json!(device_id));
    if let Some(device_type) = &device.device_type {
        m.insert("DeviceType".into(), json!(device_type));
    }
    m.insert("ApplicationVersion".into(), json!(device.version));
    m.insert("LastActivityDate".into(), json!(date(now)));
    m.insert("ServerId".into(), json!(shared.machine_id));
    m.insert("SupportsRemoteControl".into(), json!(remote_control));
    m.insert("PlayableMediaTypes".into(), json!(["Audio", "Video"]));
    let commands: &[&str] = if remote_control { &SUPPORTED_COMMANDS } else { &[] };
    m.insert("SupportedCommands".into(), json!(commands));
    match shared.kind {
        ServerKind::Jellyfin => {
            m.insert("IsActive".into(), json!(true));
            m.insert("SupportsMediaControl".into(), json!(remote_control));
            m.insert("HasCustomDeviceName".into(), json!(false));
        }
        _ => {
            m.insert("Protocol".into(), json!("HTTP/1.1"));
        }
    }
    m
}

fn playing(shared: &ServerShared, s: &Session, now: DateTime<Utc>) -> Value {
    let mut m = common(shared, &s.key, &s.user, &s.device, &s.device_id, s.remote_control, now);
    m.insert("RemoteEndPoint".into(), json!(s.ip.to_string()));
    if shared.kind == ServerKind::Jellyfin {
        m.insert("LastPlaybackCheckIn".into(), json!(date(now)));
    }
    let method = match s.decision {
        Decision::DirectPlay => "DirectPlay",
        Decision::DirectStream => "DirectStream",
        Decision::Transcode => "Transcode",
    };
    let mut play_state = json!({
        "PositionTicks": s.position_ms * TICKS_PER_MS,
        "CanSeek": true,
        "IsPaused": s.state == crate::state::PlayState::Paused,
        "IsMuted": false,
        "VolumeLevel": 100,
        "AudioStreamIndex": if s.media.has_video() { 1 } else { 0 },
        "MediaSourceId": s.item_id,
        "PlayMethod": method,
        "RepeatMode": "RepeatNone",
    });
    if shared.kind == ServerKind::Jellyfin {
        play_state["PlaybackOrder"] = json!("Default");
    }
    m.insert("PlayState".into(), play_state);
    m.insert("NowPlayingItem".into(), item(shared, s));
    if let Some(t) = transcoding(shared.kind, s) {
        m.insert("TranscodingInfo".into(), t);
    }
    Value::Object(m)
}

fn item(shared: &ServerShared, s: &Session) -> Value {
    let media = &s.media;
    let (kind, media_type) = match media.kind {
        MediaKind::Movie => ("Movie", "Video"),
        MediaKind::Episode => ("Episode", "Video"),
        MediaKind::Track => ("Audio", "Audio"),
        MediaKind::Live => ("TvChannel", "Video"),
    };
    let mut m = Map::new();
    m.insert("Name".into(), json!(media.title));
    m.insert("ServerId".into(), json!(shared.machine_id));
    m.insert("Id".into(), json!(s.item_id));
    m.insert("Type".into(), json!(kind));
    m.insert("MediaType".into(), json!(media_type));
    m.insert("IsFolder".into(), json!(false));
    m.insert("RunTimeTicks".into(), json!(s.duration_ms() * TICKS_PER_MS));
    m.insert("ImageTags".into(), json!({ "Primary": ids::hex32(ids::hash(&s.item_id)) }));
    m.insert("BackdropImageTags".into(), json!([]));
    if let Some(year) = media.year {
        m.insert("ProductionYear".into(), json!(year));
    }
    match media.kind {
        MediaKind::Episode => {
            if let Some(show) = &media.show {
                m.insert("SeriesName".into(), json!(show));
                m.insert("SeriesId".into(), json!(ids::hex32(ids::hash(show))));
            }
            if let Some(season) = media.season {
                m.insert("SeasonName".into(), json!(format!("Season {season}")));
                m.insert("ParentIndexNumber".into(), json!(season));
            }
            if let Some(episode) = media.episode {
                m.insert("IndexNumber".into(), json!(episode));
            }
        }
        MediaKind::Track => {
            if let Some(artist) = &media.show {
                m.insert("AlbumArtist".into(), json!(artist));
                m.insert("Artists".into(), json!([artist]));
            }
            if let Some(album) = &media.album {
                m.insert("Album".into(), json!(album));
                m.insert("AlbumId".into(), json!(ids::hex32(ids::hash(album))));
            }
            m.insert("IndexNumber".into(), json!(media.episode.unwrap_or(1)));
            m.insert("ParentIndexNumber".into(), json!(media.season.unwrap_or(1)));
        }
        MediaKind::Live => {
            if let Some(channel) = &media.show {
                m.insert("ChannelName".into(), json!(channel));
            }
        }
        MediaKind::Movie => {}
    }
    let container = if media.kind == MediaKind::Track { "flac" } else { "mkv" };
    m.insert(
        "MediaSources".into(),
        json!([{ "Id": s.item_id, "Container": container, "Bitrate": u64::from(media.bitrate_kbps()) * 1000 }]),
    );
    m.insert("MediaStreams".into(), Value::Array(streams(shared.kind, s)));
    Value::Object(m)
}

fn streams(kind: ServerKind, s: &Session) -> Vec<Value> {
    let media = &s.media;
    let mut out = Vec::new();
    if media.has_video() {
        let (width, height) = media.resolution.dimensions();
        let mut v = json!({
            "Codec": media.video_codec(),
            "Type": "Video",
            "Index": 0,
            "Width": width,
            "Height": height,
            "BitRate": u64::from(media.bitrate_kbps().saturating_sub(640)) * 1000,
            "IsDefault": true,
            "BitDepth": if media.hdr { 10 } else { 8 },
            "AverageFrameRate": 23.976,
            "DisplayTitle": format!("{}p {}{}", height, media.video_codec().to_uppercase(), if media.hdr { " HDR" } else { "" }),
            "VideoRange": if media.hdr { "HDR" } else { "SDR" },
        });
        if media.hdr {
            v["ColorTransfer"] = json!("smpte2084");
            v["ColorPrimaries"] = json!("bt2020");
        }
        match kind {
            ServerKind::Jellyfin => v["VideoRangeType"] = json!(if media.hdr { "HDR10" } else { "SDR" }),
            _ => v["ExtendedVideoType"] = json!(if media.hdr { "Hdr10" } else { "None" }),
        }
        out.push(v);
    }
    let channels = if media.kind == MediaKind::Track { 2 } else { 6 };
    out.push(json!({
        "Codec": media.audio_codec(),
        "Type": "Audio",
        "Index": if media.has_video() { 1 } else { 0 },
        "Language": "eng",
        "Channels": channels,
        "BitRate": if media.kind == MediaKind::Track { u64::from(media.bitrate_kbps()) * 1000 } else { 640_000 },
        "IsDefault": true,
        "DisplayTitle": format!("English {}", media.audio_codec().to_uppercase()),
    }));
    out
}

fn transcoding(kind: ServerKind, s: &Session) -> Option<Value> {
    if s.decision == Decision::DirectPlay {
        return None;
    }
    let out = output::of(s);
    let media = &s.media;
    let reasons = if s.decision == Decision::Transcode {
        json!(["VideoCodecNotSupported", "AudioCodecNotSupported"])
    } else {
        json!(["ContainerNotSupported"])
    };
    let mut t = json!({
        "AudioCodec": out.audio_codec,
        "Container": "ts",
        "IsVideoDirect": !out.video_transcoded,
        "IsAudioDirect": !out.audio_transcoded,
        "Bitrate": u64::from(out.bitrate_kbps) * 1000,
        "CompletionPercentage": 12.5,
        "AudioChannels": 2,
        "TranscodeReasons": reasons,
    });
    if media.has_video() {
        t["VideoCodec"] = json!(out.video_codec);
        t["Width"] = json!(out.width);
        t["Height"] = json!(out.height);
        t["Framerate"] = json!(23.976);
    }
    let hw = s.hw && out.video_transcoded;
    match kind {
        ServerKind::Jellyfin => t["HardwareAccelerationType"] = json!(if hw { "vaapi" } else { "none" }),
        _ => {
            t["VideoDecoderIsHardware"] = json!(hw);
            t["VideoEncoderIsHardware"] = json!(hw);
        }
    }
    Some(t)
}

/// Clients that are connected but play nothing: the owner on the web app and one user's phone.
fn idle_clients(shared: &ServerShared, now: DateTime<Utc>) -> Vec<Value> {
    let owner = shared.users.iter().find(|u| u.admin);
    let other = shared.users.iter().find(|u| !u.admin);
    let clients = [(owner, "chrome_windows"), (other, "iphone")];
    clients
        .into_iter()
        .filter_map(|(user, preset)| Some((user?, Device::preset(preset)?)))
        .map(|(user, device)| {
            let seed = ids::hash(&user.name) ^ ids::hash(&device.name) ^ ids::hash(&shared.machine_id);
            let mut m = common(shared, &ids::hex32(seed), user, &device, &ids::alnum(seed, 24), true, now);
            m.insert("RemoteEndPoint".into(), json!("192.168.1.99"));
            let mut play_state =
                json!({ "CanSeek": false, "IsPaused": false, "IsMuted": false, "RepeatMode": "RepeatNone" });
            if shared.kind == ServerKind::Jellyfin {
                play_state["PlaybackOrder"] = json!("Default");
            }
            m.insert("PlayState".into(), play_state);
            Value::Object(m)
        })
        .collect()
}

/// `GET /System/Info/Public`.
#[must_use]
pub fn public_info(shared: &ServerShared) -> Value {
    let mut info = json!({
        "LocalAddress": shared.base_url,
        "ServerName": shared.name,
        "Version": shared.version,
        "Id": shared.machine_id,
    });
    if shared.kind == ServerKind::Jellyfin {
        info["ProductName"] = json!("Jellyfin Server");
        info["OperatingSystem"] = json!("");
        info["StartupWizardCompleted"] = json!(true);
    } else {
        info["LocalAddresses"] = json!([shared.base_url]);
        info["RemoteAddresses"] = json!([]);
    }
    info
}

/// `GET /System/Info` (administrators only).
#[must_use]
pub fn system_info(shared: &ServerShared, port: u16) -> Value {
    let mut info = public_info(shared);
    info["OperatingSystemDisplayName"] = json!("Linux");
    info["HasPendingRestart"] = json!(false);
    info["IsShuttingDown"] = json!(false);
    info["SupportsLibraryMonitor"] = json!(true);
    info["WebSocketPortNumber"] = json!(port);
    info["CanSelfRestart"] = json!(true);
    info["CanLaunchWebBrowser"] = json!(false);
    info["HasUpdateAvailable"] = json!(false);
    info["CompletedInstallations"] = json!([]);
    if shared.kind == ServerKind::Jellyfin {
        info["OperatingSystem"] = json!("Linux");
        info["PackageName"] = json!("jellyfin-server");
    } else {
        info["OperatingSystem"] = json!("Linux");
        info["HttpServerPortNumber"] = json!(port);
        info["SupportsHttps"] = json!(false);
        info["CanSelfUpdate"] = json!(false);
    }
    info
}

/// The user list: `GET /Users` (an array on both servers).
#[must_use]
pub fn users(shared: &ServerShared, now: DateTime<Utc>) -> Value {
    Value::Array(shared.users.iter().map(|u| user(shared, u, now)).collect())
}

fn user(shared: &ServerShared, u: &SimUser, now: DateTime<Utc>) -> Value {
    let mut policy = json!({
        "IsAdministrator": u.admin,
        "IsHidden": false,
        "IsDisabled": false,
        "EnableRemoteAccess": true,
        "EnableMediaPlayback": true,
        "EnableAudioPlaybackTranscoding": true,
        "EnableVideoPlaybackTranscoding": true,
        "EnablePlaybackRemuxing": true,
        "EnableContentDownloading": true,
        "EnableAllFolders": true,
        "EnableAllDevices": true,
        "EnableAllChannels": true,
        "InvalidLoginAttemptCount": 0,
        "RemoteClientBitrateLimit": 0,
    });
    if shared.kind == ServerKind::Jellyfin {
        policy["AuthenticationProviderId"] =
            json!("Jellyfin.Server.Implementations.Users.DefaultAuthenticationProvider");
        policy["PasswordResetProviderId"] = json!("Jellyfin.Server.Implementations.Users.DefaultPasswordResetProvider");
        policy["MaxActiveSessions"] = json!(0);
    } else {
        policy["SimultaneousStreamLimit"] = json!(0);
    }
    json!({
        "Name": u.name,
        "ServerId": shared.machine_id,
        "Id": u.id,
        "PrimaryImageTag": u.image_tag,
        "HasPassword": true,
        "HasConfiguredPassword": true,
        "HasConfiguredEasyPassword": false,
        "EnableAutoLogin": false,
        "LastLoginDate": date(now),
        "LastActivityDate": date(now),
        "Policy": policy,
    })
}
