//! What pages watch on a server action's latest result: its error, and a refetch after success.

use crate::error::AppError;
use leptos::prelude::*;

/// The error of an action's latest run, if it failed.
pub fn latest_error<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Memo<Option<AppError>> {
    Memo::new(move |_| value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// Bumps `changed` each time the action succeeds, so the lists that depend on it refetch.
pub fn refetch_on_success<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    changed: RwSignal<u64>,
) {
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
        }
    });
}
