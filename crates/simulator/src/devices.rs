//! Playback devices: the presets a scenario names (`"apple_tv"`, `"roku"`, …) and the custom
//! form, with the product name each server kind reports for them.

use serde::{Deserialize, Serialize};
use sightline_domain::media::ServerKind;

/// A device as a scenario writes it: a preset name or a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeviceRef {
    Preset(String),
    Custom(CustomDevice),
}

/// A device described in full; `product` is used for every server kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDevice {
    /// What the owner named it (Plex `Player@title`, Jellyfin `DeviceName`).
    pub name: String,
    /// The app (Plex `Player@product`, Jellyfin `Client`).
    pub product: String,
    #[serde(default)]
    pub platform: Option<String>,
    /// The hardware (Plex `Player@device`).
    #[serde(default)]
    pub model: Option<String>,
    /// Jellyfin/Emby `DeviceType`; left out unless given.
    #[serde(default)]
    pub device_type: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// A resolved device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: String,
    pub platform: String,
    pub model: String,
    pub device_type: Option<String>,
    pub version: String,
    products: [String; 3],
}

/// The preset names, for error messages and docs.
pub const PRESETS: [&str; 8] =
    ["apple_tv", "roku", "chrome_windows", "iphone", "android_tv", "xbox", "fire_tv", "desktop_mac"];

impl Device {
    /// The preset of that name.
    #[must_use]
    pub fn preset(name: &str) -> Option<Self> {
        let (label, platform, model, plex, jellyfin, emby, version) = match name {
            "apple_tv" => {
                ("Living Room", "tvOS", "Apple TV", "Plex for Apple TV", "Swiftfin", "Emby for Apple TV", "8.45")
            }
            "roku" => {
                ("Bedroom Roku", "Roku", "Roku Ultra", "Plex for Roku", "Jellyfin Roku", "Emby for Roku", "6.11.2")
            }
            "chrome_windows" => ("Chrome", "Chrome", "Windows", "Plex Web", "Jellyfin Web", "Emby Web", "131.0"),
            "iphone" => ("iPhone", "iOS", "iPhone", "Plex for iOS", "Swiftfin", "Emby for iOS", "2024.11.1"),
            "android_tv" => (
                "SHIELD Android TV",
                "Android",
                "SHIELD Android TV",
                "Plex for Android (TV)",
                "Jellyfin Android TV",
                "Emby for Android TV",
                "10.9.2",
            ),
            "xbox" => ("Xbox", "Xbox", "Xbox Series X", "Plex for Xbox", "Jellyfin Xbox", "Emby for Xbox", "1.3.1"),
            "fire_tv" => (
                "Fire TV Stick",
                "Android",
                "AFTMM",
                "Plex for Android (TV)",
                "Jellyfin Android TV",
                "Emby for Android TV",
                "10.9.2",
            ),
            "desktop_mac" => {
                ("MacBook", "macOS", "OSX", "Plex for Mac", "Jellyfin Media Player", "Emby Theater", "1.1.0")
            }
            _ => return None,
        };
        Some(Self {
            name: label.to_owned(),
            platform: platform.to_owned(),
            model: model.to_owned(),
            device_type: None,
            version: version.to_owned(),
            products: [plex.to_owned(), jellyfin.to_owned(), emby.to_owned()],
        })
    }

    /// Resolves a scenario's device; `None` for an unknown preset.
    #[must_use]
    pub fn resolve(device: &DeviceRef) -> Option<Self> {
        match device {
            DeviceRef::Preset(name) => Self::preset(name),
            DeviceRef::Custom(c) => Some(Self {
                name: c.name.clone(),
                platform: c.platform.clone().unwrap_or_default(),
                model: c.model.clone().unwrap_or_else(|| c.name.clone()),
                device_type: c.device_type.clone(),
                version: c.version.clone().unwrap_or_else(|| "1.0.0".to_owned()),
                products: [c.product.clone(), c.product.clone(), c.product.clone()],
            }),
        }
    }

    /// The app name a server of `kind` reports for this device.
    #[must_use]
    pub fn product(&self, kind: ServerKind) -> &str {
        match kind {
            ServerKind::Plex => &self.products[0],
            ServerKind::Jellyfin => &self.products[1],
            ServerKind::Emby => &self.products[2],
        }
    }
}
