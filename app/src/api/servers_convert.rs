//! Server-side conversions for the servers functions: backend records and errors into the
//! page's view models and `AppError`s (field errors keep their field).

use crate::error::AppError;
use crate::model::servers::{ServerView, TestOutcome};
use sightline_backend::AppContext;
use sightline_backend::media::server::{MediaError, ServerIdentity};
use sightline_backend::servers::ServerError;
use sightline_backend::store::{ServerRecord, StoreError};
use sightline_domain::live::ServerHealth;

/// A record with what the live board says about it.
pub(super) fn view_with_board(ctx: &AppContext, record: ServerRecord) -> ServerView {
    let health = ctx.ingest.board.health(record.id);
    let streams = ctx.ingest.board.streams_on(record.id);
    view(record, health, streams)
}

/// A record as the page shows it: everything but the token (which a record never holds).
pub(super) fn view(record: ServerRecord, health: Option<ServerHealth>, streams: usize) -> ServerView {
    ServerView {
        id: record.id,
        kind: record.kind,
        name: record.name,
        url: record.url,
        color: record.color,
        enabled: record.enabled,
        health,
        streams,
    }
}

/// [`app_error`], answered with a matching HTTP status (422 for a refused value, 404 for a
/// missing one) instead of 500, so the browser and the logs do not report a server failure.
pub(super) fn failed(e: ServerError) -> AppError {
    crate::api::map::convert::answered(app_error(e))
}

/// A refused value becomes a field error on the input of the same name; a duplicate name is an
/// error on `name`; storage failures are logged and become `Internal`.
pub(super) fn app_error(e: ServerError) -> AppError {
    match e {
        ServerError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
        ServerError::NameTaken => AppError::Invalid { field: "name".to_owned(), message: e.to_string() },
        ServerError::NotFound => AppError::NotFound,
        ServerError::Store(inner) => crate::ssr::internal(&inner),
    }
}

/// The media server's answer to a connection test.
pub(super) fn outcome(result: Result<ServerIdentity, MediaError>) -> TestOutcome {
    match result {
        Ok(identity) => TestOutcome::Connected { name: identity.name, version: identity.version },
        Err(e) => TestOutcome::Failed { code: e.code().to_owned(), message: e.to_string() },
    }
}

/// A test that could not start. A token that no longer decrypts is something the owner can fix
/// (by entering it again), so it is an outcome rather than an opaque error.
pub(super) fn test_error(e: ServerError) -> Result<TestOutcome, AppError> {
    match e {
        ServerError::Store(StoreError::Corrupt(detail)) => {
            tracing::warn!(%detail, "a stored media-server token could not be read");
            Ok(TestOutcome::Failed {
                code: "token_unreadable".to_owned(),
                message: "the stored token could not be read (was the secret key changed?); enter the token again \
                          with Edit"
                    .to_owned(),
            })
        }
        other => Err(failed(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use sightline_domain::ServerId;
    use sightline_domain::media::ServerKind;

    #[test]
    fn refused_values_keep_their_field() {
        let e =
            app_error(ServerError::Invalid { field: "url", message: "169.254.169.254 is a link-local address".into() });
        assert_eq!(e.field_message("url"), Some("169.254.169.254 is a link-local address"));
        assert_eq!(e.field_message("name"), None);
        let taken = app_error(ServerError::NameTaken);
        assert_eq!(taken.field_message("name"), Some("a server with that name already exists"));
        assert_eq!(app_error(ServerError::NotFound), AppError::NotFound);
        assert_eq!(app_error(ServerError::Store(StoreError::Corrupt("x".into()))), AppError::Internal);
    }

    #[test]
    fn test_outcomes_carry_the_specific_failure() {
        let ok = outcome(Ok(ServerIdentity {
            name: Some("Basement".into()),
            version: Some("10.9".into()),
            machine_id: Some("abc".into()),
        }));
        assert_eq!(ok, TestOutcome::Connected { name: Some("Basement".into()), version: Some("10.9".into()) });
        let refused = outcome(Err(MediaError::Unreachable("connection refused".into())));
        assert_eq!(refused, TestOutcome::Failed { code: "unreachable".into(), message: "connection refused".into() });
        let bad = outcome(Err(MediaError::BadToken));
        assert!(matches!(bad, TestOutcome::Failed { ref code, .. } if code == "bad_token"));
        let unreadable = test_error(ServerError::Store(StoreError::Corrupt("nonce".into())));
        assert!(matches!(unreadable, Ok(TestOutcome::Failed { ref code, .. }) if code == "token_unreadable"));
        assert_eq!(test_error(ServerError::NotFound), Err(AppError::NotFound));
    }

    #[test]
    fn views_never_hold_more_than_the_record_and_the_board() {
        let at = chrono::Utc.timestamp_opt(1_700_000_000, 0).single().expect("a valid instant");
        let record = ServerRecord {
            id: ServerId(7),
            kind: ServerKind::Jellyfin,
            name: "Den".into(),
            url: "http://127.0.0.1:8096/".into(),
            color: "#38bdf8".into(),
            enabled: true,
            created_at: at,
            updated_at: at,
        };
        let v = view(record, None, 2);
        assert_eq!(
            (v.id, v.kind, v.name.as_str(), v.streams, v.health),
            (ServerId(7), ServerKind::Jellyfin, "Den", 2, None)
        );
    }
}
