//! The small Plex containers besides sessions: `/identity`, `/` (capabilities, after
//! `plex/ha-core/plex_server_base.xml`) and `/accounts` (after `plex_server_accounts.xml`). Pure.

use super::element::Element;
use crate::state::ServerShared;

/// `GET /identity`.
#[must_use]
pub fn identity(shared: &ServerShared) -> Element {
    Element::new("MediaContainer")
        .i("size", 0)
        .b("claimed", true)
        .s("machineIdentifier", shared.machine_id.clone())
        .s("version", shared.version)
}

/// `GET /`: the capabilities HA's fixture shows, with name and machine identifier filled in.
#[must_use]
pub fn root(shared: &ServerShared) -> Element {
    const DIRECTORIES: [&str; 10] = [
        "activities",
        "butler",
        "channels",
        "clients",
        "devices",
        "diagnostics",
        "hubs",
        "library",
        "playlists",
        "status",
    ];
    let owner = shared.users.iter().find(|u| u.admin).map_or("owner", |u| u.name.as_str());
    let container = Element::new("MediaContainer")
        .i("size", DIRECTORIES.len())
        .b("allowCameraUpload", true)
        .b("allowChannelAccess", true)
        .b("allowMediaDeletion", true)
        .b("allowSharing", true)
        .b("allowSync", true)
        .b("allowTuners", true)
        .b("backgroundProcessing", true)
        .b("certificate", true)
        .b("companionProxy", true)
        .s("countryCode", "usa")
        .s("diagnostics", "logs,databases,streaminglogs")
        .b("eventStream", true)
        .s("friendlyName", shared.name.clone())
        .b("hubSearch", true)
        .b("itemClusters", true)
        .i("livetv", 7)
        .s("machineIdentifier", shared.machine_id.clone())
        .b("mediaProviders", true)
        .b("multiuser", true)
        .b("myPlex", true)
        .s("myPlexMappingState", "mapped")
        .s("myPlexSigninState", "ok")
        .b("myPlexSubscription", true)
        .s("myPlexUsername", format!("{owner}@example.com"))
        .b("offlineTranscode", true)
        .s(
            "ownerFeatures",
            "adaptive_bitrate,camera_upload,collections,content_filter,dvr,hardware_transcoding,home,hwtranscode,\
             livetv,lyrics,music_videos,pass,photos-v5,server-manager,session_bandwidth_restrictions,session_kick,\
             sync,trailers,webhooks",
        )
        .s("platform", "Linux")
        .s("platformVersion", "22.04.4 LTS (Jammy Jellyfish)")
        .b("pluginHost", true)
        .b("pushNotifications", false)
        .b("readOnlyLibraries", false)
        .i("streamingBrainABRVersion", 3)
        .i("streamingBrainVersion", 2)
        .b("sync", true)
        .i("transcoderActiveVideoSessions", 0)
        .b("transcoderAudio", true)
        .b("transcoderLyrics", true)
        .b("transcoderPhoto", true)
        .b("transcoderSubtitles", true)
        .b("transcoderVideo", true)
        .s("transcoderVideoBitrates", "64,96,208,320,720,1500,2000,3000,4000,8000,10000,12000,20000")
        .s("transcoderVideoQualities", "0,1,2,3,4,5,6,7,8,9,10,11,12")
        .s("transcoderVideoResolutions", "128,128,160,240,320,480,768,720,720,1080,1080,1080,1080")
        .i("updatedAt", 1_700_000_000)
        .b("updater", true)
        .s("version", shared.version)
        .b("voiceSearch", true);
    DIRECTORIES
        .iter()
        .fold(container, |c, key| c.child(Element::new("Directory").i("count", 1).s("key", *key).s("title", *key)))
}

/// `GET /accounts`: the system account `0` and one per user.
#[must_use]
pub fn accounts(shared: &ServerShared) -> Element {
    let system = account("0", "");
    let container = Element::new("MediaContainer")
        .i("size", shared.users.len() + 1)
        .s("identifier", "com.plexapp.system.accounts")
        .child(system);
    shared.users.iter().fold(container, |c, u| c.child(account(&u.id, &u.name)))
}

fn account(id: &str, name: &str) -> Element {
    Element::new("Account")
        .s("id", id)
        .s("key", format!("/accounts/{id}"))
        .s("name", name)
        .s("defaultAudioLanguage", "en")
        .b("autoSelectAudio", true)
        .s("defaultSubtitleLanguage", "en")
        .i("subtitleMode", 1)
        .s("thumb", "")
}
