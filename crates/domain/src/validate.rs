//! Validation of what a person types into account forms: usernames and passwords.
//!
//! Pure functions with per-field reasons, so the server and the browser give the same message.

use thiserror::Error;

/// Shortest accepted password (ASVS 6.2.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password; long passphrases must work (ASVS 6.2.9 asks for at least 64).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest accepted username.
pub const MAX_USERNAME_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl InputError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        InputError::Invalid { field, reason: reason.into() }
    }
}

/// Accepts 1-64 characters of letters, digits, `.`, `_`, `-` and `@`; returns the trimmed name.
pub fn username(raw: &str) -> Result<String, InputError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InputError::new("username", "is required"));
    }
    if name.chars().count() > MAX_USERNAME_CHARS {
        return Err(InputError::new("username", format!("must be at most {MAX_USERNAME_CHARS} characters")));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')) {
        return Err(InputError::new("username", "may contain only letters, digits, '.', '_', '-' and '@'"));
    }
    Ok(name.to_owned())
}

/// Checks a new password's length and that it differs from the username.
pub fn new_password(password: &str, username: &str) -> Result<(), InputError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(InputError::new("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(InputError::new("password", format!("must be at most {MAX_PASSWORD_CHARS} characters")));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(InputError::new("password", "must not be the username"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_limited_to_safe_characters() {
        assert_eq!(username("  owner ").as_deref(), Ok("owner"));
        assert!(username("").is_err());
        assert!(username("<script>").is_err());
        assert!(username(&"a".repeat(65)).is_err());
        assert!(username("jo.doe@home").is_ok());
    }

    #[test]
    fn passwords_need_eight_to_256_characters_and_not_the_username() {
        assert!(new_password("short", "owner").is_err());
        assert!(new_password("Owner123", "owner123").is_err());
        assert!(new_password("correct horse", "owner").is_ok());
        assert!(new_password(&"x".repeat(257), "owner").is_err());
        assert!(new_password(&"é".repeat(8), "owner").is_ok());
    }
}
