//! Tests for `AuthService` on a real SQLite store: setup race, login, limits, sessions, keys.

use super::*;
use crate::auth::rate_limit::{self, BucketPolicy, LoginLimiter};
use crate::store::sqlite::SqliteStore;
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("valid time")
}

fn meta() -> ClientMeta {
    ClientMeta { ip: "203.0.113.9".parse().expect("ip"), user_agent: Some("test".into()) }
}

const POLICY: SessionPolicy = SessionPolicy { idle: Duration::hours(1), absolute: Duration::hours(12) };

async fn service(limiter: LoginLimiter) -> (tempfile::TempDir, Arc<AuthService>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("a.db")).await.expect("opens"));
    let (gate, token) = SetupGate::open(dir.path(), None).expect("gate opens");
    let svc = AuthService::with_parts(store, POLICY, gate, PasswordHasher::new(1024, 1), limiter);
    (dir, Arc::new(svc), token)
}

async fn with_owner() -> (tempfile::TempDir, Arc<AuthService>, IssuedSession) {
    let (dir, svc, token) = service(LoginLimiter::default()).await;
    let s = svc.complete_setup(&token, "owner", "correct horse", &meta(), t0()).await.expect("setup");
    (dir, svc, s)
}

#[tokio::test]
async fn setup_needs_the_token_and_succeeds_exactly_once_when_two_browsers_race() {
    let (dir, svc, token) = service(LoginLimiter::default()).await;
    assert!(matches!(
        svc.complete_setup("wrong", "owner", "correct horse", &meta(), t0()).await,
        Err(AuthError::BadSetupToken)
    ));
    let a = {
        let (svc, token) = (Arc::clone(&svc), token.clone());
        tokio::spawn(async move { svc.complete_setup(&token, "alice", "correct horse", &meta(), t0()).await })
    };
    let b = {
        let (svc, token) = (Arc::clone(&svc), token.clone());
        tokio::spawn(async move { svc.complete_setup(&token, "bob", "battery staple", &meta(), t0()).await })
    };
    let results = [a.await.expect("joins"), b.await.expect("joins")];
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let closed = results.iter().filter(|r| matches!(r, Err(AuthError::SetupClosed))).count();
    assert_eq!((ok, closed), (1, 1), "{results:?}");
    assert!(!svc.setup_open());
    assert!(!dir.path().join("setup-token").exists(), "the used token file is deleted");
    assert!(matches!(
        svc.complete_setup(&token, "carol", "correct horse", &meta(), t0()).await,
        Err(AuthError::SetupClosed)
    ));
}

#[tokio::test]
async fn setup_validates_the_username_and_password() {
    let (_dir, svc, token) = service(LoginLimiter::default()).await;
    let err = svc.complete_setup(&token, "owner", "short", &meta(), t0()).await.expect_err("rejects");
    assert_eq!(err.to_string(), "password: must be at least 8 characters");
    assert!(svc.setup_open(), "a rejected attempt leaves setup open");
}

#[tokio::test]
async fn login_issues_a_new_session_each_time_and_rejects_wrong_passwords() {
    let (_dir, svc, first) = with_owner().await;
    let second = svc.login("OWNER", "correct horse", &meta(), t0()).await.expect("logs in");
    assert_ne!(first.cookie_value, second.cookie_value, "a login always rotates the session id");
    assert!(matches!(svc.login("owner", "nope nope", &meta(), t0()).await, Err(AuthError::InvalidCredentials)));
    assert!(matches!(svc.login("nobody", "correct horse", &meta(), t0()).await, Err(AuthError::InvalidCredentials)));
    let p = svc.session_principal(&second.cookie_value, t0()).await.expect("reads").expect("valid");
    assert_eq!(p.label(), "user:owner");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_a_retry_after() {
    let limiter = LoginLimiter::new(BucketPolicy { burst: 3.0, refill_per_sec: 1.0 / 60.0 }, rate_limit::PER_ACCOUNT);
    let (_dir, svc, token) = service(limiter).await;
    svc.complete_setup(&token, "owner", "correct horse", &meta(), t0()).await.expect("setup");
    for _ in 0..3 {
        assert!(matches!(svc.login("x", "y", &meta(), t0()).await, Err(AuthError::InvalidCredentials)));
    }
    match svc.login("owner", "correct horse", &meta(), t0()).await {
        Err(AuthError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 60),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    svc.login("owner", "correct horse", &meta(), t0() + Duration::seconds(60)).await.expect("allowed again");
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    let (_dir, svc, s) = with_owner().await;
    let cookie = s.cookie_value;
    let mut now = t0();
    for _ in 0..11 {
        now += Duration::minutes(59);
        assert!(svc.session_principal(&cookie, now).await.expect("reads").is_some(), "active at {now}");
    }
    assert!(svc.session_principal(&cookie, t0() + Duration::hours(12)).await.expect("reads").is_none(), "absolute");

    let idle = svc.login("owner", "correct horse", &meta(), t0()).await.expect("logs in").cookie_value;
    assert!(svc.session_principal(&idle, t0() + Duration::minutes(61)).await.expect("reads").is_none(), "idle");
    assert!(svc.session_principal("forged", t0()).await.expect("reads").is_none());
}

#[tokio::test]
async fn logout_ends_the_session_and_a_password_change_signs_out_everywhere() {
    let (_dir, svc, a) = with_owner().await;
    let b = svc.login("owner", "correct horse", &meta(), t0()).await.expect("logs in");
    svc.logout(&b.cookie_value, "user:owner", None, t0()).await.expect("logs out");
    assert!(svc.session_principal(&b.cookie_value, t0()).await.expect("reads").is_none());

    let c = svc.login("owner", "correct horse", &meta(), t0()).await.expect("logs in");
    let Principal::User { user_id, .. } = a.principal else { panic!("user principal") };
    assert!(matches!(
        svc.change_password(user_id, "wrong", "new password", &meta(), t0()).await,
        Err(AuthError::WrongCurrentPassword)
    ));
    let fresh = svc.change_password(user_id, "correct horse", "new password!", &meta(), t0()).await.expect("changes");
    for old in [&a.cookie_value, &c.cookie_value] {
        assert!(svc.session_principal(old, t0()).await.expect("reads").is_none());
    }
    assert!(svc.session_principal(&fresh.cookie_value, t0()).await.expect("reads").is_some());
    assert!(svc.login("owner", "new password!", &meta(), t0()).await.is_ok());
}

#[tokio::test]
async fn api_keys_authenticate_as_themselves_and_keep_their_scope() {
    let (_dir, svc, _) = with_owner().await;
    let (record, key) = svc.create_api_key("ci", true, t0()).await.expect("creates");
    assert!(key.starts_with("sl_") && record.prefix.starts_with("sl_"));
    let p = svc.api_key_principal(&key, t0()).await.expect("reads").expect("valid");
    assert!(!p.can_mutate());
    assert!(svc.api_key_principal("sl_forged", t0()).await.expect("reads").is_none());
    assert!(svc.api_key_principal(&key[3..], t0()).await.expect("reads").is_none());
    assert!(svc.create_api_key("  ", false, t0()).await.is_err());
}

#[tokio::test]
async fn the_owner_password_can_be_reset_from_the_cli() {
    let (_dir, svc, s) = with_owner().await;
    assert_eq!(svc.reset_owner_password("brand new pass", t0()).await.expect("resets"), "owner");
    assert!(svc.session_principal(&s.cookie_value, t0()).await.expect("reads").is_none());
    assert!(svc.login("owner", "brand new pass", &meta(), t0()).await.is_ok());
}
