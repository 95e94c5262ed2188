//! Embedded migrations and the boot-time runner that names a failing migration.

use sqlx::SqlitePool;
use sqlx::migrate::{MigrateError, Migrator};
use thiserror::Error;

/// Every migration in `migrations/sqlite`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

#[derive(Debug, Error)]
pub enum OpenError {
    #[error("cannot open database {path}: {source}")]
    Connect {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} ({description}) failed: {reason}")]
    Migration { version: i64, description: String, reason: String },
    #[error("database migrations cannot run: {0}")]
    Migrate(String),
}

/// Applies pending migrations, each in its own transaction.
pub async fn run_migrations(pool: &SqlitePool, migrator: &Migrator) -> Result<(), OpenError> {
    migrator.run(pool).await.map_err(|e| describe(migrator, e))
}

fn describe(migrator: &Migrator, e: MigrateError) -> OpenError {
    let name = |version: i64| {
        migrator
            .iter()
            .find(|m| m.version == version)
            .map_or_else(|| "unknown".to_owned(), |m| m.description.to_string())
    };
    match e {
        MigrateError::ExecuteMigration(source, version) => {
            OpenError::Migration { version, description: name(version), reason: source.to_string() }
        }
        MigrateError::VersionMissing(v) => OpenError::Migrate(format!(
            "the database was migrated by a newer Sightline (migration {v} is unknown to this build); \
             run the newer version or restore a backup"
        )),
        MigrateError::VersionMismatch(v) => OpenError::Migration {
            version: v,
            description: name(v),
            reason: "this migration was changed after it was applied".to_owned(),
        },
        other => OpenError::Migrate(other.to_string()),
    }
}
