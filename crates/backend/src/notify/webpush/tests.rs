//! Web Push end to end: RFC 8291's worked example, and `WebPushSender` against a real loopback
//! push service whose messages a test-side receiver (written from RFC 8291, not from `ece`) decrypts.

use super::ece::{self, encrypt_with};
use super::vapid::{TOKEN_LIFETIME, VAPID_KEY_FILE, VapidKeys};
use super::{ExpiredSubscriptions, PushPayload, WebPushSender};
use crate::notify::{Deliver, DeliveryOutcome, Destination, DestinationConfig, EventKind, Notice, Var};
use crate::secret::SecretString;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::hmac::{Hmac, Mac};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;
use sightline_domain::rules::Severity;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn b64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("test vectors are base64url")
}

// RFC 8291 §5 / Appendix A.
const RFC_PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
const RFC_AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
const RFC_AS_PUBLIC: &str = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
const RFC_UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
const RFC_UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const RFC_SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
const RFC_AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
const RFC_BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

/// The user agent's side of RFC 8291 §3.4 and RFC 8188 §2, written from the RFCs with bare HMAC.
fn receive(body: &[u8], ua_private: &SecretKey, auth_secret: &[u8]) -> Vec<u8> {
    fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().to_vec()
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().expect("four bytes"));
    assert_eq!(rs, 4096);
    let idlen = usize::from(body[20]);
    let as_public = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    assert!(ciphertext.len() <= rs as usize, "one record");

    let ua_public = ua_private.public_key().to_encoded_point(false);
    let sender = PublicKey::from_sec1_bytes(as_public).expect("the key id is the sender's public key");
    let ecdh = p256::ecdh::diffie_hellman(ua_private.to_nonzero_scalar(), sender.as_affine());
    // HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
    let prk_key = hmac(auth_secret, &[ecdh.raw_secret_bytes()]);
    let ikm = hmac(&prk_key, &[b"WebPush: info\0", ua_public.as_bytes(), as_public, &[1]]);
    // HKDF(salt, IKM, "Content-Encoding: aes128gcm" || 0x00, 16) and "...: nonce" || 0x00, 12
    let prk = hmac(salt, &[&ikm[..32]]);
    let cek = hmac(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac(&prk, &[b"Content-Encoding: nonce\0", &[1]]);

    use aes_gcm::aead::{Aead as _, KeyInit as _};
    let cipher = aes_gcm::Aes128Gcm::new_from_slice(&cek[..16]).expect("16-byte key");
    let mut record =
        cipher.decrypt(aes_gcm::Nonce::from_slice(&nonce[..12]), ciphertext).expect("the record authenticates");
    // Strip padding: zeros after the delimiter, which must be 0x02 (last record).
    while record.last() == Some(&0) {
        record.pop();
    }
    assert_eq!(record.pop(), Some(2), "last-record delimiter");
    record
}

#[test]
fn rfc8291_example_is_reproduced_byte_for_byte() {
    let as_private = SecretKey::from_slice(&b64(RFC_AS_PRIVATE)).expect("valid key");
    assert_eq!(as_private.public_key().to_encoded_point(false).as_bytes(), b64(RFC_AS_PUBLIC).as_slice());
    let salt: [u8; 16] = b64(RFC_SALT).try_into().expect("16-byte salt");
    let body = encrypt_with(RFC_PLAINTEXT.as_bytes(), &b64(RFC_UA_PUBLIC), &b64(RFC_AUTH), &as_private, &salt)
        .expect("encrypts");
    assert_eq!(URL_SAFE_NO_PAD.encode(&body), RFC_BODY);
}

#[test]
fn the_test_receiver_reads_the_rfc_example() {
    let ua_private = SecretKey::from_slice(&b64(RFC_UA_PRIVATE)).expect("valid key");
    assert_eq!(receive(&b64(RFC_BODY), &ua_private, &b64(RFC_AUTH)), RFC_PLAINTEXT.as_bytes());
}

#[test]
fn fresh_encryptions_differ_but_all_decrypt() {
    let ua_private = ece::random_secret_key();
    let ua_public = ua_private.public_key().to_encoded_point(false);
    let auth = [7u8; 16];
    let a = ece::encrypt(b"same", ua_public.as_bytes(), &auth).expect("encrypts");
    let b = ece::encrypt(b"same", ua_public.as_bytes(), &auth).expect("encrypts");
    assert_ne!(a, b, "salt and sender key are fresh per message");
    assert_eq!(receive(&a, &ua_private, &auth), b"same");
    assert_eq!(receive(&b, &ua_private, &auth), b"same");
    let too_big = vec![b'x'; ece::MAX_PLAINTEXT + 1];
    assert!(ece::encrypt(&too_big, ua_public.as_bytes(), &auth).is_err());
    let biggest = ece::encrypt(&too_big[1..], ua_public.as_bytes(), &auth).expect("the maximum fits");
    assert_eq!(biggest.len(), 4096);
}

#[test]
fn vapid_keys_persist_across_restarts_in_a_private_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let first = VapidKeys::load_or_create(dir.path()).expect("created");
    let second = VapidKeys::load_or_create(dir.path()).expect("read back");
    assert_eq!(first.public_key(), second.public_key());
    assert_eq!(b64(first.public_key()).len(), 65);
    let file = dir.path().join(VAPID_KEY_FILE);
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().expect("keys dir")), 0o700);

    let other = tempfile::tempdir().expect("temp dir");
    let third = VapidKeys::load_or_create(other.path()).expect("created");
    assert_ne!(first.public_key(), third.public_key(), "each data dir has its own key");

    std::fs::write(&file, "not a key\n").expect("overwrite");
    assert!(VapidKeys::load_or_create(dir.path()).is_err(), "a damaged key file is an error, never replaced");
}

/// What the loopback push service received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone)]
struct PushService {
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<(StatusCode, Option<&'static str>)>>,
}

async fn accept(
    State(svc): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    svc.received.lock().expect("not poisoned").push(Received { path: id, headers, body: body.to_vec() });
    let (status, retry_after) = *svc.answer.lock().expect("not poisoned");
    let mut res = status.into_response();
    if let Some(v) = retry_after {
        res.headers_mut().insert("retry-after", v.parse().expect("header value"));
    }
    res
}

async fn push_service() -> (PushService, String) {
    let svc = PushService { received: Arc::default(), answer: Arc::new(Mutex::new((StatusCode::CREATED, None))) };
    let router = axum::Router::new().route("/wpush/{id}", axum::routing::post(accept)).with_state(svc.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    (svc, format!("http://{addr}"))
}

/// A browser: its key pair and auth secret, and the destination its opt-in created.
struct Browser {
    private: SecretKey,
    auth: [u8; 16],
    dest: Destination,
}

fn browser(endpoint: &str) -> Browser {
    let private = ece::random_secret_key();
    let auth = [42u8; 16];
    let public = private.public_key().to_encoded_point(false);
    let dest = Destination {
        id: 7,
        name: "Pixel 8".to_owned(),
        enabled: true,
        events: vec![EventKind::IncidentOpened],
        min_severity: Severity::Medium,
        allow_private: true,
        rate_per_minute: 30,
        title_template: None,
        body_template: None,
        config: DestinationConfig::WebPush {
            endpoint: SecretString::new(endpoint),
            p256dh: URL_SAFE_NO_PAD.encode(public.as_bytes()),
            auth: SecretString::new(URL_SAFE_NO_PAD.encode(auth)),
        },
    };
    Browser { private, auth, dest }
}

fn incident() -> Notice {
    let mut n = Notice::new(EventKind::IncidentOpened, crate::clock::now(), "incident:42:opened")
        .with(Var::Rule, "Impossible travel")
        .with(Var::Summary, "alice <b>streamed</b> from Paris and Sydney")
        .with(Var::IncidentId, "42");
    n.severity = Some(Severity::High);
    n
}

#[derive(Default)]
struct Expired(Mutex<Vec<i64>>);

#[async_trait::async_trait]
impl ExpiredSubscriptions for Expired {
    async fn expired(&self, destination_id: i64) {
        self.0.lock().expect("not poisoned").push(destination_id);
    }
}

fn sender(keys: &Arc<VapidKeys>, expired: &Arc<Expired>) -> WebPushSender {
    WebPushSender::for_plain_http_tests(Arc::clone(keys), "mailto:owner@example.com".to_owned())
        .expect("client builds")
        .on_expired(Arc::clone(expired) as Arc<dyn ExpiredSubscriptions>)
}

fn verify_jwt(authorization: &str, keys: &VapidKeys) -> serde_json::Value {
    let rest = authorization.strip_prefix("vapid t=").expect("vapid scheme");
    let (token, k) = rest.split_once(", k=").expect("t and k");
    assert_eq!(k, keys.public_key(), "k is our public key");
    let vk = VerifyingKey::from_sec1_bytes(&b64(k)).expect("k is a P-256 point");
    assert_eq!(vk, keys.verifying_key());
    let (input, sig) = token.rsplit_once('.').expect("three parts");
    let sig = Signature::from_slice(&b64(sig)).expect("64-byte r||s");
    vk.verify(input.as_bytes(), &sig).expect("the signature verifies with the VAPID public key");
    let (header, claims) = input.split_once('.').expect("header.claims");
    let header: serde_json::Value = serde_json::from_slice(&b64(header)).expect("JSON header");
    assert_eq!(header["alg"], "ES256");
    serde_json::from_slice(&b64(claims)).expect("JSON claims")
}

#[tokio::test]
async fn a_push_reaches_the_service_encrypted_signed_and_decryptable() {
    let (svc, base) = push_service().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = Arc::new(VapidKeys::load_or_create(dir.path()).expect("keys"));
    let expired = Arc::new(Expired::default());
    let b = browser(&format!("{base}/wpush/abc"));
    let before = crate::clock::now();

    let outcome = sender(&keys, &expired).deliver(&b.dest, &incident()).await;
    assert_eq!(outcome, DeliveryOutcome::Delivered { status: 201 });

    let got = svc.received.lock().expect("not poisoned").pop().expect("one request");
    assert_eq!(got.path, "abc");
    let header = |name: &str| got.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(header("content-encoding"), "aes128gcm");
    assert_eq!(header("ttl"), "86400");
    assert_eq!(header("urgency"), "high");

    let claims = verify_jwt(&header("authorization"), &keys);
    assert_eq!(claims["aud"], base.as_str(), "aud is the endpoint's origin");
    assert_eq!(claims["sub"], "mailto:owner@example.com");
    let exp = claims["exp"].as_i64().expect("numeric exp");
    assert!(exp > before.timestamp() && exp <= (crate::clock::now() + TOKEN_LIFETIME).timestamp());
    assert!(TOKEN_LIFETIME <= chrono::Duration::hours(12));

    let plaintext = receive(&got.body, &b.private, &b.auth);
    let payload: PushPayload = serde_json::from_slice(&plaintext).expect("the payload is JSON");
    assert_eq!(payload, PushPayload::new(&b.dest, &incident()));
    assert!(payload.body.starts_with("alice <b>streamed</b> from Paris and Sydney"), "text travels as text");
    assert_eq!(payload.url, "/alerts/42");
    assert!(expired.0.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn gone_subscriptions_fail_as_expired_and_are_reported() {
    let (svc, base) = push_service().await;
    let keys = Arc::new(VapidKeys::parse(&"11".repeat(32)).expect("a valid scalar"));
    let expired = Arc::new(Expired::default());
    *svc.answer.lock().expect("not poisoned") = (StatusCode::GONE, None);
    let b = browser(&format!("{base}/wpush/old"));
    let outcome = sender(&keys, &expired).deliver(&b.dest, &incident()).await;
    assert_eq!(outcome, DeliveryOutcome::Failed { reason: "subscription expired".to_owned() });
    assert_eq!(*expired.0.lock().expect("not poisoned"), vec![7]);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let (svc, base) = push_service().await;
    let keys = Arc::new(VapidKeys::parse(&"22".repeat(32)).expect("a valid scalar"));
    let expired = Arc::new(Expired::default());
    let s = sender(&keys, &expired);
    let b = browser(&format!("{base}/wpush/busy"));

    *svc.answer.lock().expect("not poisoned") = (StatusCode::TOO_MANY_REQUESTS, Some("17"));
    let outcome = s.deliver(&b.dest, &incident()).await;
    assert_eq!(
        outcome,
        DeliveryOutcome::Retry {
            after: Some(Duration::from_secs(17)),
            reason: "push service rate limit (429)".to_owned()
        }
    );
    *svc.answer.lock().expect("not poisoned") = (StatusCode::BAD_GATEWAY, None);
    assert!(matches!(s.deliver(&b.dest, &incident()).await, DeliveryOutcome::Retry { after: None, .. }));
    assert!(expired.0.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn private_and_plain_http_endpoints_are_never_contacted() {
    let (svc, base) = push_service().await;
    let keys = Arc::new(VapidKeys::parse(&"33".repeat(32)).expect("a valid scalar"));
    let expired = Arc::new(Expired::default());
    let mut b = browser(&format!("{base}/wpush/x"));
    b.dest.allow_private = false;
    let outcome = sender(&keys, &expired).deliver(&b.dest, &incident()).await;
    assert!(matches!(&outcome, DeliveryOutcome::Failed { reason } if reason.contains("private")), "{outcome:?}");

    b.dest.allow_private = true;
    let production = WebPushSender::new(Arc::clone(&keys), "mailto:owner@example.com".to_owned()).expect("builds");
    let outcome = production.deliver(&b.dest, &incident()).await;
    assert!(matches!(&outcome, DeliveryOutcome::Failed { reason } if reason.contains("https")), "{outcome:?}");
    assert!(svc.received.lock().expect("not poisoned").is_empty(), "nothing reached the service");
}

#[tokio::test]
async fn unreachable_services_are_retried_without_naming_the_endpoint() {
    // Bind, then drop: nothing listens on the port any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let keys = Arc::new(VapidKeys::parse(&"44".repeat(32)).expect("a valid scalar"));
    let b = browser(&format!("http://{addr}/wpush/secret-token"));
    let outcome = sender(&keys, &Arc::new(Expired::default())).deliver(&b.dest, &incident()).await;
    let DeliveryOutcome::Retry { reason, .. } = outcome else { panic!("a refused connection is retried") };
    assert!(!reason.contains("secret-token"), "{reason}");
}

#[tokio::test]
async fn malformed_subscription_keys_fail_without_a_request() {
    let (svc, base) = push_service().await;
    let keys = Arc::new(VapidKeys::parse(&"55".repeat(32)).expect("a valid scalar"));
    let mut b = browser(&format!("{base}/wpush/x"));
    if let DestinationConfig::WebPush { p256dh, .. } = &mut b.dest.config {
        *p256dh = "AAAA".to_owned();
    }
    let outcome = sender(&keys, &Arc::new(Expired::default())).deliver(&b.dest, &incident()).await;
    assert!(matches!(outcome, DeliveryOutcome::Failed { .. }));
    assert!(svc.received.lock().expect("not poisoned").is_empty());
}
