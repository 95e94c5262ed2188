//! Per-account detection settings, stored as the JSON of `UserSettings`; default settings are no row.

use super::SqliteStore;
use super::time::to_ms;
use crate::store::{AccountSettingStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sightline_domain::ServerId;
use sightline_domain::rules::UserSettings;

#[async_trait]
impl AccountSettingStore for SqliteStore {
    async fn account_settings(&self, server: ServerId, user_id: &str) -> Result<Option<UserSettings>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT settings_json FROM account_settings WHERE server_id = ? AND user_id = ?")
                .bind(server.0)
                .bind(user_id)
                .fetch_optional(&self.reader)
                .await?;
        row.map(|(json,)| serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
    }

    async fn set_account_settings(
        &self,
        server: ServerId,
        user_id: &str,
        settings: &UserSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if *settings == UserSettings::default() {
            sqlx::query("DELETE FROM account_settings WHERE server_id = ? AND user_id = ?")
                .bind(server.0)
                .bind(user_id)
                .execute(&self.writer)
                .await?;
            return Ok(());
        }
        let json = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO account_settings (server_id, user_id, settings_json, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (server_id, user_id) DO UPDATE SET settings_json = excluded.settings_json, \
             updated_at = excluded.updated_at",
        )
        .bind(server.0)
        .bind(user_id)
        .bind(json)
        .bind(to_ms(now))
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
