//! Geographic arithmetic: coordinates and great-circle distances. Pure; nothing here looks an address up.

use serde::{Deserialize, Serialize};

/// The mean Earth radius (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point on Earth in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    #[must_use]
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// Finite, latitude within ±90 and longitude within ±180.
    #[must_use]
    pub fn is_valid(self) -> bool {
        self.lat.is_finite() && self.lon.is_finite() && self.lat.abs() <= 90.0 && self.lon.abs() <= 180.0
    }
}

/// The great-circle distance between two points, in kilometres (haversine formula on a sphere;
/// the error against the ellipsoid is under 0.5 %, far below GeoIP accuracy).
#[must_use]
pub fn haversine_km(a: LatLon, b: LatLon) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lon - a.lon).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    // Clamping guards against rounding pushing `h` just above 1 for antipodal points.
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The distance two located points are at least apart, given each point's accuracy radius:
/// the great-circle distance minus both radii, never below zero.
#[must_use]
pub fn min_distance_km(a: LatLon, radius_a_km: f64, b: LatLon, radius_b_km: f64) -> f64 {
    (haversine_km(a, b) - radius_a_km.max(0.0) - radius_b_km.max(0.0)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARIS: LatLon = LatLon { lat: 48.8566, lon: 2.3522 };
    const SYDNEY: LatLon = LatLon { lat: -33.8688, lon: 151.2093 };
    const NYC: LatLon = LatLon { lat: 40.7128, lon: -74.0060 };
    const LA: LatLon = LatLon { lat: 34.0522, lon: -118.2437 };

    #[test]
    fn known_city_distances_are_within_half_a_percent() {
        let close = |got: f64, want: f64| (got - want).abs() / want < 0.005;
        assert!(close(haversine_km(PARIS, SYDNEY), 16_960.0), "{}", haversine_km(PARIS, SYDNEY));
        assert!(close(haversine_km(NYC, LA), 3_936.0), "{}", haversine_km(NYC, LA));
        assert_eq!(haversine_km(PARIS, PARIS), 0.0);
    }

    #[test]
    fn distance_is_symmetric_and_finite_for_antipodes() {
        assert_eq!(haversine_km(NYC, LA), haversine_km(LA, NYC));
        let d = haversine_km(LatLon::new(0.0, 0.0), LatLon::new(0.0, 180.0));
        assert!(d.is_finite() && (d - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn accuracy_radii_are_subtracted_and_the_result_never_goes_negative() {
        let d = haversine_km(NYC, LA);
        assert!((min_distance_km(NYC, 100.0, LA, 50.0) - (d - 150.0)).abs() < 1e-9);
        assert_eq!(min_distance_km(NYC, 3_000.0, LA, 1_000.0), 0.0);
    }

    #[test]
    fn invalid_coordinates_are_recognised() {
        assert!(PARIS.is_valid());
        assert!(!LatLon::new(f64::NAN, 0.0).is_valid());
        assert!(!LatLon::new(91.0, 0.0).is_valid());
        assert!(!LatLon::new(0.0, f64::INFINITY).is_valid());
    }
}
