//! Reusable view pieces: the signed-in layout with its navigation, the theme switch and
//! the live-connection indicator.

pub mod action_state;
pub mod auth_card;
pub mod layout;
pub mod live_indicator;
pub mod now_playing;
pub mod push_optin;
pub mod settings_tabs;
pub mod table;
pub mod theme;
pub mod world_map;
