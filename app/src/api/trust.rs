//! Server function for trust badges: every account's current trust score, for the now-playing cards
//! (and any list of accounts). The arithmetic and history live in `sightline_backend::trust`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One account's current score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustBadge {
    pub server: i64,
    /// The media server's user id.
    pub user_id: String,
    /// 0..=100.
    pub score: u8,
}

/// The scores of accounts that were ever scored; every other account stands at `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustScores {
    pub start: u8,
    pub scores: Vec<TrustBadge>,
}

impl TrustScores {
    /// An account's score.
    #[must_use]
    pub fn of(&self, server: i64, user_id: &str) -> u8 {
        self.scores.iter().find(|b| b.server == server && b.user_id == user_id).map_or(self.start, |b| b.score)
    }
}

/// Every scored account's current score, and the score of the others.
#[server(endpoint = "trust_badges")]
pub async fn trust_badges() -> Result<TrustScores, AppError> {
    let (ctx, _principal) = crate::ssr::require_principal()?;
    let start = sightline_backend::trust::policy(&ctx).await.map_err(|e| crate::ssr::internal(&e))?.start;
    let scores = sightline_backend::trust::scores(&ctx, sightline_backend::clock::now())
        .await
        .map_err(|e| crate::ssr::internal(&e))?;
    let mut badges: Vec<TrustBadge> =
        scores.into_iter().map(|((server, user_id), score)| TrustBadge { server: server.0, user_id, score }).collect();
    badges.sort_by(|a, b| (a.server, &a.user_id).cmp(&(b.server, &b.user_id)));
    Ok(TrustScores { start, scores: badges })
}

/// The badge's class and words for a score (the bands of `sightline_domain::rules::trust::band`).
#[must_use]
pub fn trust_level(score: u8) -> (&'static str, &'static str) {
    use sightline_domain::rules::trust::{TrustBand, band};
    match band(score) {
        TrustBand::Good => ("trust ok", "trusted"),
        TrustBand::Caution => ("trust warn", "watch"),
        TrustBand::Bad => ("trust bad", "suspect"),
    }
}
