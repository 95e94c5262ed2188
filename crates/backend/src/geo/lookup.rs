//! One address looked up in the databases: location (City, or Country when there is no City
//! database), network owner (ASN) and anonymity flags. Only public addresses are looked up;
//! a lookup error is logged and reads as "unknown", never as a failure of the session.

use super::databases::{DbRole, GeoDatabases};
use maxminddb::geoip2;
use serde::{Deserialize, Serialize};
use sightline_domain::rules::AddressClass;
use std::net::IpAddr;

/// Where an address is, as far as the databases know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoInfo {
    pub class: Option<AddressClass>,
    pub city: Option<String>,
    /// The largest subdivision (state, region).
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    pub country: Option<String>,
    /// Two-letter continent code (EU, NA, …).
    pub continent: Option<String>,
    pub postal_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// MaxMind's 67 % confidence radius, in km.
    pub accuracy_km: Option<u16>,
    pub time_zone: Option<String>,
    pub asn: Option<u32>,
    pub asn_org: Option<String>,
    /// VPN exit, hosting network, proxy or Tor: says little about where a person is.
    pub anonymous: bool,
    pub vpn: bool,
    pub hosting: bool,
    pub tor: bool,
}

impl GeoDatabases {
    /// Looks `ip` up. Non-public addresses carry only their class.
    #[must_use]
    pub fn lookup(&self, ip: IpAddr) -> GeoInfo {
        let ip = ip.to_canonical();
        let class = AddressClass::of(Some(ip), false);
        let mut info = GeoInfo { class: Some(class), ..GeoInfo::default() };
        if class != AddressClass::Public {
            return info;
        }
        if let Some(db) = self.first(DbRole::City) {
            match db.reader.lookup(ip).and_then(|r| r.decode::<geoip2::City>()) {
                Ok(Some(city)) => fill_city(&mut info, &city),
                Ok(None) => {}
                Err(e) => tracing::debug!(%ip, error = %e, "city lookup failed"),
            }
        } else if let Some(db) = self.first(DbRole::Country) {
            match db.reader.lookup(ip).and_then(|r| r.decode::<geoip2::Country>()) {
                Ok(Some(c)) => {
                    info.country_code = c.country.iso_code.map(str::to_owned);
                    info.country = c.country.names.english.map(str::to_owned);
                    info.continent = c.continent.code.map(str::to_owned);
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(%ip, error = %e, "country lookup failed"),
            }
        }
        if let Some(db) = self.first(DbRole::Asn) {
            match db.reader.lookup(ip).and_then(|r| r.decode::<geoip2::Asn>()) {
                Ok(Some(asn)) => {
                    info.asn = asn.autonomous_system_number;
                    info.asn_org = asn.autonomous_system_organization.map(str::to_owned);
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(%ip, error = %e, "asn lookup failed"),
            }
        }
        if let Some(db) = self.first(DbRole::AnonymousIp) {
            match db.reader.lookup(ip).and_then(|r| r.decode::<geoip2::AnonymousIp>()) {
                Ok(Some(a)) => {
                    info.anonymous = a.is_anonymous.unwrap_or(false);
                    info.vpn = a.is_anonymous_vpn.unwrap_or(false);
                    info.hosting = a.is_hosting_provider.unwrap_or(false);
                    info.tor = a.is_tor_exit_node.unwrap_or(false);
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(%ip, error = %e, "anonymous-ip lookup failed"),
            }
        }
        info
    }
}

fn fill_city(info: &mut GeoInfo, c: &geoip2::City<'_>) {
    info.city = c.city.names.english.map(str::to_owned);
    info.region = c.subdivisions.first().and_then(|s| s.names.english.or(s.iso_code)).map(str::to_owned);
    info.country_code = c.country.iso_code.map(str::to_owned);
    info.country = c.country.names.english.map(str::to_owned);
    info.continent = c.continent.code.map(str::to_owned);
    info.postal_code = c.postal.code.map(str::to_owned);
    // A point without both coordinates, or outside the globe, is no point.
    if let (Some(lat), Some(lon)) = (c.location.latitude, c.location.longitude)
        && lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
    {
        info.latitude = Some(lat);
        info.longitude = Some(lon);
        info.accuracy_km = c.location.accuracy_radius;
    }
    info.time_zone = c.location.time_zone.map(str::to_owned);
}
