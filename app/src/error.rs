//! `AppError`: the one error type server functions return, with stable snake_case codes
//! the UI can match. Internal details are logged on the server, never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("please sign in again")]
    Unauthorized,
    #[error("this action is not allowed for this caller")]
    Forbidden,
    #[error("something went wrong on the server; details are in its log")]
    Internal,
    #[error("request failed: {0}")]
    Transport(String),
    /// A submitted value was refused; `field` names the form input it belongs to.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("it no longer exists; reload the page")]
    NotFound,
}

impl AppError {
    /// The message for the form input `field`, when this error is about it.
    #[must_use]
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid { field: f, message } if f == field => Some(message),
            _ => None,
        }
    }

    /// The message to show above a form whose inputs are `fields`: every error except one that
    /// is shown next to one of those inputs.
    #[must_use]
    pub fn form_message(&self, fields: &[&str]) -> Option<String> {
        match self {
            AppError::Invalid { field, .. } if fields.contains(&field.as_str()) => None,
            other => Some(other.to_string()),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::AppError;

    #[test]
    fn field_errors_stay_with_their_field() {
        let e = AppError::Invalid { field: "url".into(), message: "must be http or https".into() };
        assert_eq!(e.field_message("url"), Some("must be http or https"));
        assert_eq!(e.field_message("name"), None);
        assert_eq!(e.form_message(&["name", "url"]), None);
        assert_eq!(e.form_message(&["name"]).as_deref(), Some("must be http or https"));
        assert_eq!(AppError::Internal.field_message("url"), None);
        assert!(AppError::NotFound.form_message(&["url"]).is_some());
    }

    #[test]
    fn field_errors_survive_the_wire() {
        let e = AppError::Invalid { field: "name".into(), message: "taken".into() };
        let json = serde_json::to_string(&e).expect("serialises");
        assert_eq!(json, r#"{"code":"invalid","detail":{"field":"name","message":"taken"}}"#);
        assert_eq!(serde_json::from_str::<AppError>(&json).expect("deserialises"), e);
        let old = serde_json::to_string(&AppError::Unauthorized).expect("serialises");
        assert_eq!(old, r#"{"code":"unauthorized"}"#);
    }
}
