//! Validation of what a person types into account forms: usernames and passwords.
//!
//! Pure functions with a stable code per failure, so the server can redirect with
//! `?error=<code>` and the page shows the same sentence without reflecting any input.

use thiserror::Error;

/// Shortest accepted password (ASVS 6.2.1).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password; long passphrases must work (ASVS 6.2.9 asks for at least 64).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest accepted username.
pub const MAX_USERNAME_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("username: is required")]
    UsernameRequired,
    #[error("username: must be at most 64 characters")]
    UsernameTooLong,
    #[error("username: may contain only letters, digits, '.', '_', '-' and '@'")]
    UsernameCharacters,
    #[error("password: must be at least 8 characters")]
    PasswordTooShort,
    #[error("password: must be at most 256 characters")]
    PasswordTooLong,
    #[error("password: must not be the username")]
    PasswordIsUsername,
    #[error("password: the two passwords do not match")]
    PasswordMismatch,
    #[error("name: must be 1 to 64 characters")]
    NameLength,
}

const ALL: [InputError; 8] = [
    InputError::UsernameRequired,
    InputError::UsernameTooLong,
    InputError::UsernameCharacters,
    InputError::PasswordTooShort,
    InputError::PasswordTooLong,
    InputError::PasswordIsUsername,
    InputError::PasswordMismatch,
    InputError::NameLength,
];

impl InputError {
    /// A stable snake_case code for URLs and API errors.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            InputError::UsernameRequired => "username_required",
            InputError::UsernameTooLong => "username_too_long",
            InputError::UsernameCharacters => "username_characters",
            InputError::PasswordTooShort => "password_too_short",
            InputError::PasswordTooLong => "password_too_long",
            InputError::PasswordIsUsername => "password_is_username",
            InputError::PasswordMismatch => "password_mismatch",
            InputError::NameLength => "name_length",
        }
    }

    /// The error for a code; unknown codes are `None`.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        ALL.into_iter().find(|e| e.code() == code)
    }
}

/// Accepts 1-64 characters of letters, digits, `.`, `_`, `-` and `@`; returns the trimmed name.
pub fn username(raw: &str) -> Result<String, InputError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InputError::UsernameRequired);
    }
    if name.chars().count() > MAX_USERNAME_CHARS {
        return Err(InputError::UsernameTooLong);
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')) {
        return Err(InputError::UsernameCharacters);
    }
    Ok(name.to_owned())
}

/// Checks a new password's length and that it differs from the username.
pub fn new_password(password: &str, username: &str) -> Result<(), InputError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(InputError::PasswordTooShort);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(InputError::PasswordTooLong);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(InputError::PasswordIsUsername);
    }
    Ok(())
}

/// A label such as an API key name: 1-64 characters after trimming.
pub fn name(raw: &str) -> Result<String, InputError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 64 {
        return Err(InputError::NameLength);
    }
    Ok(n.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_limited_to_safe_characters() {
        assert_eq!(username("  owner ").as_deref(), Ok("owner"));
        assert_eq!(username(""), Err(InputError::UsernameRequired));
        assert_eq!(username("<script>"), Err(InputError::UsernameCharacters));
        assert_eq!(username(&"a".repeat(65)), Err(InputError::UsernameTooLong));
        assert!(username("jo.doe@home").is_ok());
    }

    #[test]
    fn passwords_need_eight_to_256_characters_and_not_the_username() {
        assert_eq!(new_password("short", "owner"), Err(InputError::PasswordTooShort));
        assert_eq!(new_password("Owner123", "owner123"), Err(InputError::PasswordIsUsername));
        assert!(new_password("correct horse", "owner").is_ok());
        assert_eq!(new_password(&"x".repeat(257), "owner"), Err(InputError::PasswordTooLong));
        assert!(new_password(&"é".repeat(8), "owner").is_ok());
    }

    #[test]
    fn every_error_code_round_trips_and_unknown_codes_do_not() {
        for e in ALL {
            assert_eq!(InputError::from_code(e.code()), Some(e));
        }
        assert_eq!(InputError::from_code("<script>"), None);
    }
}
