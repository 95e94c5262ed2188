//! `AuthService`: sign-in, sessions, setup, password changes and API keys on top of the store.
//! Every outcome that matters for security is written to the audit log.

use super::password::{HashError, PasswordHasher};
use super::rate_limit::LoginLimiter;
use super::setup::SetupGate;
use super::token::{API_KEY_PREFIX, hash_token, new_api_key, random_token};
use crate::store::{ApiKeyRecord, NewAuditEntry, NewAuthSession, Store, StoreError, UserRecord};
use chrono::{DateTime, Duration, Utc};
use sightline_domain::validate::{self, InputError};
use sightline_domain::{Principal, UserId};
use std::net::IpAddr;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::OnceCell;

/// How long browser sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

/// A freshly issued browser session: the cookie value is shown to the browser once.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub cookie_value: String,
    pub expires_at: DateTime<Utc>,
    pub principal: Principal,
}

/// Where a request came from, for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct ClientMeta {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("setup is already complete")]
    SetupClosed,
    #[error("the setup token is not valid")]
    BadSetupToken,
    #[error("no owner exists yet; finish the setup in the browser first")]
    NoOwner,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("{0}")]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// Sessions are refreshed in the store at most this often, to spare the writer.
const TOUCH_EVERY_SECS: i64 = 60;

pub struct AuthService {
    store: Arc<dyn Store>,
    hasher: PasswordHasher,
    limiter: LoginLimiter,
    policy: SessionPolicy,
    setup: SetupGate,
    /// A hash verified against when the user does not exist, so timing does not reveal names.
    dummy_hash: OnceCell<String>,
}

impl AuthService {
    #[must_use]
    pub fn new(store: Arc<dyn Store>, policy: SessionPolicy, setup: SetupGate) -> Self {
        Self::with_parts(store, policy, setup, PasswordHasher::default(), LoginLimiter::default())
    }

    /// Like [`AuthService::new`] with an explicit hasher and limiter (tests use cheaper ones).
    #[must_use]
    pub fn with_parts(
        store: Arc<dyn Store>,
        policy: SessionPolicy,
        setup: SetupGate,
        hasher: PasswordHasher,
        limiter: LoginLimiter,
    ) -> Self {
        Self { store, hasher, limiter, policy, setup, dummy_hash: OnceCell::new() }
    }

    /// Whether the instance still waits for its owner.
    #[must_use]
    pub fn setup_open(&self) -> bool {
        self.setup.is_open()
    }

    /// Creates the owner with the one-time setup token and signs them in.
    pub async fn complete_setup(
        &self,
        setup_token: &str,
        username: &str,
        password: &str,
        meta: &ClientMeta,
        now: DateTime<Utc>,
    ) -> Result<IssuedSession, AuthError> {
        if !self.setup.is_open() {
            return Err(AuthError::SetupClosed);
        }
        if !self.setup.verify(setup_token) {
            self.audit("anonymous", "setup_rejected", "wrong setup token", Some(meta.ip), now).await;
            return Err(AuthError::BadSetupToken);
        }
        let username = validate::username(username)?;
        validate::new_password(password, &username)?;
        let hash = self.hasher.hash(password.to_owned()).await?;
        let user = match self.store.create_owner(&username, &hash, now).await {
            Ok(u) => u,
            Err(StoreError::Conflict(_)) => return Err(AuthError::SetupClosed),
            Err(e) => return Err(e.into()),
        };
        self.setup.close();
        self.audit(&format!("user:{}", user.username), "setup_completed", "owner created", Some(meta.ip), now).await;
        self.issue(&user, meta, now).await
    }

    /// Signs in with username and password, subject to rate limits.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        meta: &ClientMeta,
        now: DateTime<Utc>,
    ) -> Result<IssuedSession, AuthError> {
        let username = username.trim();
        if let Some(retry_after_secs) = self.limiter.check(meta.ip, username, now) {
            self.audit("anonymous", "login_rate_limited", username, Some(meta.ip), now).await;
            return Err(AuthError::RateLimited { retry_after_secs });
        }
        let user = self.store.user_by_username(username).await?;
        let stored = match &user {
            Some(u) => u.password_hash.clone(),
            None => self.dummy_hash().await?,
        };
        let verified = self.hasher.verify(password.to_owned(), stored).await?;
        let Some(user) = user.filter(|_| verified.ok) else {
            self.limiter.record_failure(meta.ip, username, now);
            self.audit("anonymous", "login_failed", username, Some(meta.ip), now).await;
            return Err(AuthError::InvalidCredentials);
        };
        self.limiter.record_success(username);
        if verified.needs_rehash {
            let hash = self.hasher.hash(password.to_owned()).await?;
            self.store.replace_password_hash(user.id, &hash).await?;
        }
        self.audit(&format!("user:{}", user.username), "login", "", Some(meta.ip), now).await;
        self.issue(&user, meta, now).await
    }

    /// The principal behind a session cookie, if the session exists and has not expired.
    pub async fn session_principal(
        &self,
        cookie_value: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Principal>, StoreError> {
        let id_hash = hash_token(cookie_value);
        let Some(session) = self.store.session_by_hash(&id_hash).await? else {
            return Ok(None);
        };
        if now >= session.expires_at || now - session.last_seen_at >= self.policy.idle {
            self.store.delete_session(&id_hash).await?;
            return Ok(None);
        }
        if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
            self.store.touch_session(&id_hash, now).await?;
        }
        Ok(Some(Principal::User { user_id: session.user_id, username: session.username, role: session.role }))
    }

    /// The principal behind a bearer API key, if the key exists and is not revoked.
    pub async fn api_key_principal(&self, key: &str, now: DateTime<Utc>) -> Result<Option<Principal>, StoreError> {
        if !key.starts_with(API_KEY_PREFIX) {
            return Ok(None);
        }
        let Some(record) = self.store.api_key_by_hash(&hash_token(key)).await? else {
            return Ok(None);
        };
        if record.last_used_at.is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY_SECS) {
            self.store.touch_api_key(record.id, now).await?;
        }
        Ok(Some(Principal::ApiKey { key_id: record.id, name: record.name, read_only: record.read_only }))
    }

    /// Ends one browser session.
    pub async fn logout(
        &self,
        cookie_value: &str,
        actor: &str,
        ip: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.delete_session(&hash_token(cookie_value)).await?;
        self.audit(actor, "logout", "", ip, now).await;
        Ok(())
    }

    /// Changes a password after checking the current one, ends every session of the user
    /// (all devices are signed out) and issues a new session for this browser.
    pub async fn change_password(
        &self,
        user_id: UserId,
        current: &str,
        new: &str,
        meta: &ClientMeta,
        now: DateTime<Utc>,
    ) -> Result<IssuedSession, AuthError> {
        let user = self.store.user_by_id(user_id).await?.ok_or(AuthError::InvalidCredentials)?;
        if let Some(retry_after_secs) = self.limiter.check(meta.ip, &user.username, now) {
            return Err(AuthError::RateLimited { retry_after_secs });
        }
        if !self.hasher.verify(current.to_owned(), user.password_hash.clone()).await?.ok {
            self.limiter.record_failure(meta.ip, &user.username, now);
            self.audit(&format!("user:{}", user.username), "password_change_failed", "", Some(meta.ip), now).await;
            return Err(AuthError::WrongCurrentPassword);
        }
        validate::new_password(new, &user.username)?;
        let hash = self.hasher.hash(new.to_owned()).await?;
        let ended = self.store.set_password(user.id, &hash, now).await?;
        let detail = format!("{ended} sessions ended");
        self.audit(&format!("user:{}", user.username), "password_changed", &detail, Some(meta.ip), now).await;
        self.issue(&user, meta, now).await
    }

    /// Sets the owner's password from the command line and ends all their sessions.
    /// Returns the owner's username.
    pub async fn reset_owner_password(&self, new: &str, now: DateTime<Utc>) -> Result<String, AuthError> {
        let owner = self.store.owner().await?.ok_or(AuthError::NoOwner)?;
        validate::new_password(new, &owner.username)?;
        let hash = self.hasher.hash(new.to_owned()).await?;
        self.store.set_password(owner.id, &hash, now).await?;
        self.audit("cli", "password_reset", &owner.username, None, now).await;
        Ok(owner.username)
    }

    /// Creates an API key; the returned plaintext key is shown once and never stored.
    pub async fn create_api_key(
        &self,
        name: &str,
        read_only: bool,
        now: DateTime<Utc>,
    ) -> Result<(ApiKeyRecord, String), AuthError> {
        let name = validate::name(name)?;
        let name = name.as_str();
        let key = new_api_key();
        let prefix: String = key.chars().take(API_KEY_PREFIX.len() + 4).collect();
        let record = self.store.create_api_key(name, &hash_token(&key), &prefix, read_only, now).await?;
        let detail = format!("{name} ({})", if read_only { "read-only" } else { "read-write" });
        self.audit("cli", "api_key_created", &detail, None, now).await;
        Ok((record, key))
    }

    /// Deletes sessions that are idle or past their absolute lifetime.
    pub async fn sweep_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.store.delete_stale_sessions(now, now - self.policy.idle).await
    }

    /// Appends to the audit log. A failure is logged, never fatal to the request.
    pub async fn audit(&self, actor: &str, action: &str, detail: &str, ip: Option<IpAddr>, now: DateTime<Utc>) {
        let entry = NewAuditEntry {
            at: now,
            actor: actor.to_owned(),
            action: action.to_owned(),
            detail: detail.chars().take(500).collect(),
            ip: ip.map(|i| i.to_string()),
        };
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }

    async fn issue(
        &self,
        user: &UserRecord,
        meta: &ClientMeta,
        now: DateTime<Utc>,
    ) -> Result<IssuedSession, AuthError> {
        let cookie_value = random_token(32);
        let expires_at = now + self.policy.absolute;
        self.store
            .create_session(&NewAuthSession {
                id_hash: hash_token(&cookie_value),
                user_id: user.id,
                created_at: now,
                expires_at,
                ip: Some(meta.ip.to_string()),
                user_agent: meta.user_agent.as_ref().map(|u| u.chars().take(300).collect()),
            })
            .await?;
        Ok(IssuedSession { cookie_value, expires_at, principal: principal_of(user) })
    }

    async fn dummy_hash(&self) -> Result<String, HashError> {
        self.dummy_hash.get_or_try_init(|| self.hasher.hash(random_token(16))).await.cloned()
    }
}

fn principal_of(user: &UserRecord) -> Principal {
    Principal::User { user_id: user.id, username: user.username.clone(), role: user.role }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
