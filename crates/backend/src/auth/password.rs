//! Argon2id password hashing (m = 19 MiB, t = 2, p = 1) with a cap on concurrent hashes,
//! so a login flood cannot allocate unbounded memory. Hashing runs on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::Semaphore;

/// Memory cost in KiB (19 MiB, the OWASP minimum for argon2id).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
pub const TIME_COST: u32 = 2;
/// At most this many hashes run at once; others wait.
pub const MAX_CONCURRENT_HASHES: usize = 2;

#[derive(Debug, Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Task(String),
}

/// Outcome of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub ok: bool,
    /// The stored hash uses other parameters and should be replaced.
    pub needs_rehash: bool,
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new(MEMORY_KIB, TIME_COST)
    }
}

impl PasswordHasher {
    /// A hasher with the given costs. Production uses [`Default`].
    ///
    /// # Panics
    /// Never with the defaults; only if the given costs are outside argon2's limits.
    #[must_use]
    pub fn new(memory_kib: u32, time_cost: u32) -> Self {
        #[allow(clippy::expect_used, reason = "constant parameters, checked by tests")]
        let params = Params::new(memory_kib, time_cost, 1, None).expect("valid argon2 parameters");
        Self { permits: Arc::new(Semaphore::new(MAX_CONCURRENT_HASHES)), params }
    }

    fn argon(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError::Task(e.to_string()))?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            let mut salt_bytes = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
            let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Hash(e.to_string()))?;
            Self::argon(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await
        .map_err(|e| HashError::Task(e.to_string()))?
    }

    /// Verifies `password` against a stored PHC string. A malformed stored hash verifies as false.
    pub async fn verify(&self, password: String, stored: String) -> Result<Verified, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError::Task(e.to_string()))?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Verified { ok: false, needs_rehash: false };
            };
            let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
            let current = Params::try_from(&parsed).ok();
            let needs_rehash = ok
                && (parsed.algorithm.as_str() != "argon2id"
                    || current.is_none_or(|p| p.m_cost() != params.m_cost() || p.t_cost() != params.t_cost()));
            Verified { ok, needs_rehash }
        })
        .await
        .map_err(|e| HashError::Task(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_costs_and_verify() {
        let h = PasswordHasher::default();
        let phc = h.hash("correct horse".into()).await.expect("hashes");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            h.verify("correct horse".into(), phc.clone()).await.expect("verifies"),
            Verified { ok: true, needs_rehash: false }
        );
        assert!(!h.verify("wrong horse".into(), phc).await.expect("verifies").ok);
    }

    #[tokio::test]
    async fn the_same_password_gets_a_different_salt_each_time() {
        let h = PasswordHasher::new(1024, 1);
        let a = h.hash("pw".into()).await.expect("hashes");
        let b = h.hash("pw".into()).await.expect("hashes");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn hashes_with_old_parameters_are_flagged_for_rehash() {
        let weak = PasswordHasher::new(1024, 1).hash("pw".into()).await.expect("hashes");
        let v = PasswordHasher::default().verify("pw".into(), weak).await.expect("verifies");
        assert_eq!(v, Verified { ok: true, needs_rehash: true });
    }

    #[tokio::test]
    async fn malformed_stored_hashes_never_verify() {
        let h = PasswordHasher::default();
        for stored in ["", "plaintext", "$argon2id$garbage"] {
            assert!(!h.verify("plaintext".into(), stored.into()).await.expect("verifies").ok);
        }
    }
}
