//! Audit log queries: append and read newest first.

use super::SqliteStore;
use super::time::{from_ms, to_ms};
use crate::store::{AuditEntry, AuditStore, NewAuditEntry, StoreError};
use async_trait::async_trait;

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, e: &NewAuditEntry) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, detail, ip) VALUES (?, ?, ?, ?, ?)")
            .bind(to_ms(e.at))
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.detail)
            .bind(e.ip.as_deref())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, at, actor, action, detail, ip FROM audit_log ORDER BY id DESC LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
        rows.into_iter()
            .map(|(id, at, actor, action, detail, ip)| {
                Ok(AuditEntry { id, at: from_ms(at)?, actor, action, detail, ip })
            })
            .collect()
    }
}
