//! From a session's client address to the `SessionGeo` the dashboard, the store and the rule
//! engine share: relayed streams are "Relay" whatever their address; only public addresses are
//! looked up; a point needs both coordinates.

use super::{GeoDatabases, GeoInfo};
use sightline_domain::geo::LatLon;
use sightline_domain::live::SessionGeo;
use sightline_domain::media::MediaSession;
use sightline_domain::rules::{AddressClass, Location};

impl GeoDatabases {
    /// Where `session`'s client is, or `None` when it reported no address.
    #[must_use]
    pub fn session_geo(&self, session: &MediaSession) -> Option<SessionGeo> {
        let ip = session.client_ip?;
        if session.is_relayed {
            return Some(SessionGeo {
                class: AddressClass::Relay,
                country_name: None,
                country_code: None,
                location: None,
                anonymous: false,
            });
        }
        Some(to_session_geo(self.lookup(ip)))
    }
}

/// Maps a lookup to the shared shape.
#[must_use]
pub fn to_session_geo(info: GeoInfo) -> SessionGeo {
    let location = match (info.latitude, info.longitude) {
        (Some(lat), Some(lon)) => Some(Location {
            point: LatLon { lat, lon },
            accuracy_km: f64::from(info.accuracy_km.unwrap_or(0)),
            city: info.city,
            region: info.region,
            country: info.country_code.clone(),
            asn: info.asn,
            asn_org: info.asn_org,
        }),
        _ => None,
    };
    SessionGeo {
        class: info.class.unwrap_or_default(),
        country_name: info.country,
        country_code: info.country_code,
        location,
        anonymous: info.anonymous,
    }
}
