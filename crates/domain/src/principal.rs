//! Who is asking: a signed-in owner/admin, or a bearer API key.

use crate::ids::{ApiKeyId, UserId};
use serde::{Deserialize, Serialize};

/// The role of a Sightline account. There is exactly one owner; admins come later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
}

impl Role {
    /// The stable name stored in the database and sent over the wire.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored name; unknown names are `None`, never a default.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated caller of a request. Every protected route resolves exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A browser signed in with a password.
    User { user_id: UserId, username: String, role: Role },
    /// A caller presenting `Authorization: Bearer <key>`.
    ApiKey { key_id: ApiKeyId, name: String, read_only: bool },
}

impl Principal {
    /// Whether this caller may change state. Read-only API keys may not.
    #[must_use]
    pub fn can_mutate(&self) -> bool {
        match self {
            Principal::User { .. } => true,
            Principal::ApiKey { read_only, .. } => !read_only,
        }
    }

    /// A short human label for logs and the audit trail.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Principal::User { username, .. } => format!("user:{username}"),
            Principal::ApiKey { name, .. } => format!("api-key:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_api_keys_cannot_mutate_but_users_can() {
        let ro = Principal::ApiKey { key_id: ApiKeyId(1), name: "ro".into(), read_only: true };
        let rw = Principal::ApiKey { key_id: ApiKeyId(2), name: "rw".into(), read_only: false };
        let user = Principal::User { user_id: UserId(1), username: "o".into(), role: Role::Owner };
        assert!(!ro.can_mutate());
        assert!(rw.can_mutate());
        assert!(user.can_mutate());
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in [Role::Owner, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
