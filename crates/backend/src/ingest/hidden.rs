//! Spotting a media server that cannot see its clients' real addresses: when several accounts
//! stream from one private address at once, a reverse proxy or a container network is most likely
//! in between, and every location, travel and "same place" judgement about those streams is blind.

use sightline_domain::live::NowPlaying;
use sightline_domain::rules::AddressClass;
use std::collections::{BTreeMap, BTreeSet};

/// This many accounts on one private address at once is no longer one household.
pub const HIDDEN_CLIENTS_ACCOUNTS: usize = 3;

/// One warning per (server, private address) shared by at least [`HIDDEN_CLIENTS_ACCOUNTS`] accounts.
#[must_use]
pub fn hidden_client_warnings(streams: &[NowPlaying]) -> Vec<String> {
    let mut shared: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for s in streams {
        let Some(ip) = s.session.client_ip else { continue };
        if AddressClass::of(Some(ip), s.session.is_relayed) != AddressClass::Private || ip.is_loopback() {
            continue;
        }
        shared.entry((s.server.name.clone(), ip.to_string())).or_default().insert(s.session.user.id.as_str());
    }
    shared
        .into_iter()
        .filter(|(_, users)| users.len() >= HIDDEN_CLIENTS_ACCOUNTS)
        .map(|((server, ip), users)| {
            format!(
                "{} accounts stream from {ip} on {server} at once: a reverse proxy or container network probably hides \
                 the real client addresses, so places and sharing checks are blind for them. Let the media server see \
                 client addresses (Plex: its network settings; Jellyfin: Known proxies).",
                users.len()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_domain::ServerId;
    use sightline_domain::live::ServerRef;
    use sightline_domain::media::{
        MediaItem, MediaSession, MediaType, PlaybackDecision, PlaybackState, ServerKind, SessionPlayer, SessionUser,
        StreamQuality,
    };

    fn stream(user: &str, ip: &str) -> NowPlaying {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
        NowPlaying {
            play: format!("{user}-{ip}"),
            server: ServerRef {
                id: ServerId(1),
                name: "Den".to_owned(),
                kind: ServerKind::Plex,
                color: "#000000".to_owned(),
            },
            started_at: at,
            updated_at: at,
            played_ms: 0,
            paused_ms: 0,
            resumes: None,
            session: MediaSession {
                session_key: user.to_owned(),
                upstream_session_id: None,
                user: SessionUser { id: user.to_owned(), name: user.to_owned(), thumb: None },
                media: MediaItem {
                    media_type: MediaType::Movie,
                    item_key: "1".to_owned(),
                    title: "Film".to_owned(),
                    grandparent_title: None,
                    parent_title: None,
                    season_number: None,
                    episode_number: None,
                    year: None,
                    duration_ms: None,
                    poster: None,
                },
                position_ms: None,
                state: PlaybackState::Playing,
                player: SessionPlayer::default(),
                client_ip: ip.parse().ok(),
                is_local: None,
                is_relayed: false,
                quality: StreamQuality::default(),
                decision: PlaybackDecision::new(None, None, None, false),
                bandwidth_kbps: None,
                control: None,
            },
            poster_url: None,
            geo: None,
        }
    }

    #[test]
    fn three_accounts_on_one_private_address_warn_once_and_households_do_not() {
        let proxy = [stream("a", "172.18.0.1"), stream("b", "172.18.0.1"), stream("c", "172.18.0.1")];
        let warnings = hidden_client_warnings(&proxy);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("3 accounts stream from 172.18.0.1 on Den"), "{}", warnings[0]);
        // Two people at home, one account twice, or public addresses are not a proxy.
        let household = [stream("a", "192.168.1.5"), stream("b", "192.168.1.5"), stream("a", "192.168.1.5")];
        assert!(hidden_client_warnings(&household).is_empty());
        let public = [stream("a", "81.2.69.142"), stream("b", "81.2.69.142"), stream("c", "81.2.69.142")];
        assert!(hidden_client_warnings(&public).is_empty());
    }
}
