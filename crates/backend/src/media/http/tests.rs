//! Tests for `MediaHttp` against real axum servers on 127.0.0.1:0: the token header, redirects,
//! body caps, timeouts, origin escapes, TLS mismatches and the DNS policy.

use super::*;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode as AxStatus, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use std::sync::Mutex;

const TOKEN: &str = "tok-3f9a1c";
const HEADER: &str = "X-Emby-Token";

/// What a test server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    token: Option<String>,
    content_type: Option<String>,
    body: String,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Seen>>>);

impl Log {
    fn seen(&self) -> Vec<Seen> {
        self.0.lock().expect("log lock").clone()
    }
}

/// Starts `router` on a fresh loopback port and returns its address.
async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

/// A server that records every request and answers `200 application/json` `{"ok":true}`.
async fn recording_server() -> (SocketAddr, Log) {
    let log = Log::default();
    let router = Router::new().fallback(record).with_state(log.clone());
    (serve(router).await, log)
}

async fn record(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let header_text = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("request body");
    log.0.lock().expect("log lock").push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        token: header_text(HEADER),
        content_type: header_text("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    ([(header::CONTENT_TYPE, "application/json")], r#"{"ok":true}"#).into_response()
}

fn url(raw: &str) -> Url {
    Url::parse(raw).expect("test url")
}

fn client(base: &str) -> MediaHttp {
    MediaHttp::new(url(base), HEADER, &SecretString::new(TOKEN)).expect("client")
}

fn client_with(base: &str, options: MediaHttpOptions) -> MediaHttp {
    MediaHttp::with_options(url(base), HEADER, &SecretString::new(TOKEN), options).expect("client")
}

fn unreachable_message(result: Result<HttpReply, HttpError>) -> String {
    match result {
        Err(HttpError::Unreachable(message)) => message,
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn the_token_arrives_in_the_configured_header_and_never_in_the_url() {
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}"));

    let reply = http.get("/Sessions", &[("activeWithinSeconds", "960")]).await.expect("reply");

    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert_eq!(reply.body, r#"{"ok":true}"#);
    let seen = log.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].token.as_deref(), Some(TOKEN));
    assert_eq!(seen[0].uri, "/Sessions?activeWithinSeconds=960");
    assert!(!seen[0].uri.contains(TOKEN));
}

#[tokio::test]
async fn request_paths_join_below_a_sub_path_base() {
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}/jellyfin"));

    http.get("/Sessions", &[]).await.expect("leading slash");
    http.get("Sessions", &[]).await.expect("relative");
    http.get("", &[]).await.expect("empty path");

    let uris: Vec<String> = log.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(uris, ["/jellyfin/Sessions", "/jellyfin/Sessions", "/jellyfin/"]);
}

#[tokio::test]
async fn query_values_are_encoded_rather_than_spliced_into_the_url() {
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}"));

    http.get("status/sessions/terminate", &[("sessionId", "a&b=c"), ("reason", "bye #1 ?")]).await.expect("reply");

    assert_eq!(log.seen()[0].uri, "/status/sessions/terminate?sessionId=a%26b%3Dc&reason=bye+%231+%3F");
}

#[tokio::test]
async fn post_sends_the_json_body_with_its_content_type() {
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}"));
    let message = serde_json::json!({ "Header": "Sightline", "Text": "Stream limit reached" });

    http.post("/Sessions/abc/Message", &[], Some(&message)).await.expect("with body");
    http.post("/Sessions/abc/Playing/Stop", &[("x", "1")], None).await.expect("without body");

    let seen = log.seen();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&seen[0].body).expect("json"), message);
    assert_eq!(seen[0].token.as_deref(), Some(TOKEN));
    assert_eq!(seen[1].uri, "/Sessions/abc/Playing/Stop?x=1");
    assert_eq!(seen[1].body, "");
}

#[tokio::test]
async fn a_redirect_to_another_port_is_not_followed() {
    let (other, other_log) = recording_server().await;
    let location = format!("http://{other}/steal");
    let router = Router::new().fallback(any(move || {
        let location = location.clone();
        async move { (AxStatus::FOUND, [(header::LOCATION, location)]) }
    }));
    let addr = serve(router).await;

    let result = client(&format!("http://{addr}")).get("/Sessions", &[]).await;

    assert_eq!(result, Err(HttpError::Redirect(302)));
    assert!(other_log.seen().is_empty());
    assert!(HttpError::Redirect(302).to_string().contains("302"));
}

/// A body of `n_chunks` × 64 KiB, streamed without a `Content-Length`.
fn streamed_body(n_chunks: usize) -> Body {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    Body::from_stream(futures::stream::iter((0..n_chunks).map(move |_| Ok::<_, io::Error>(chunk.clone()))))
}

#[tokio::test]
async fn a_streamed_ten_mib_body_is_refused_as_too_large() {
    let addr = serve(Router::new().route("/big", get(|| async { streamed_body(160) }))).await;

    let result = client(&format!("http://{addr}")).get("/big", &[]).await;

    assert_eq!(result, Err(HttpError::TooLarge));
}

#[tokio::test]
async fn a_declared_ten_mib_body_is_refused_before_it_is_read() {
    let big = Bytes::from(vec![b'x'; 10 * 1024 * 1024]);
    let addr = serve(Router::new().route("/big", get(move || async move { big }))).await;

    let result = client(&format!("http://{addr}")).get("/big", &[]).await;

    assert_eq!(result, Err(HttpError::TooLarge));
}

#[tokio::test]
async fn an_endless_body_is_abandoned_at_the_cap_instead_of_filling_memory() {
    let endless = || async {
        let chunk = Bytes::from(vec![b'x'; 16 * 1024]);
        Body::from_stream(futures::stream::repeat_with(move || Ok::<_, io::Error>(chunk.clone())))
    };
    let addr = serve(Router::new().route("/endless", get(endless))).await;
    // A long deadline: if the cap did not stop the read, this would end in a timeout instead.
    let options = MediaHttpOptions {
        max_body_bytes: 256 * 1024,
        total_timeout: Duration::from_secs(60),
        ..MediaHttpOptions::default()
    };

    let result = client_with(&format!("http://{addr}"), options).get("/endless", &[]).await;

    assert_eq!(result, Err(HttpError::TooLarge));
}

#[tokio::test]
async fn a_body_exactly_at_the_cap_is_accepted() {
    let addr = serve(Router::new().route("/four", get(|| async { streamed_body(4) }))).await;
    let options = MediaHttpOptions { max_body_bytes: 4 * 64 * 1024, ..MediaHttpOptions::default() };

    let reply = client_with(&format!("http://{addr}"), options).get("/four", &[]).await.expect("reply");

    assert_eq!(reply.body.len(), 4 * 64 * 1024);
}

#[tokio::test]
async fn unauthorized_and_forbidden_map_to_unauthorized_and_other_errors_to_status() {
    let router = Router::new()
        .route("/401", get(|| async { AxStatus::UNAUTHORIZED }))
        .route("/403", get(|| async { AxStatus::FORBIDDEN }))
        .route("/500", get(|| async { AxStatus::INTERNAL_SERVER_ERROR }));
    let addr = serve(router).await;
    let http = client(&format!("http://{addr}"));

    assert_eq!(http.get("/401", &[]).await, Err(HttpError::Unauthorized(401)));
    assert_eq!(http.get("/403", &[]).await, Err(HttpError::Unauthorized(403)));
    assert_eq!(http.get("/500", &[]).await, Err(HttpError::Status(500)));
    assert_eq!(http.get("/missing", &[]).await, Err(HttpError::Status(404)));
}

#[tokio::test]
async fn html_content_type_is_handed_back_so_adapters_can_refuse_a_login_page() {
    let login = || async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], "<html>Sign in</html>") };
    let addr = serve(Router::new().route("/status/sessions", get(login))).await;

    let reply = client(&format!("http://{addr}")).get("/status/sessions", &[]).await.expect("reply");

    assert_eq!(reply.content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert_eq!(reply.body, "<html>Sign in</html>");
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_refused() {
    let addr = serve(Router::new().route("/bin", get(|| async { Bytes::from_static(&[0xff, 0xfe, 0x00]) }))).await;

    assert_eq!(client(&format!("http://{addr}")).get("/bin", &[]).await, Err(HttpError::NotUtf8));
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);

    let message = unreachable_message(client(&format!("http://{addr}")).get("/Sessions", &[]).await);

    assert!(message.starts_with(&format!("could not connect to http://{addr}")), "{message}");
}

#[tokio::test]
async fn a_server_that_never_answers_hits_the_total_timeout() {
    let addr = serve(Router::new().route("/hang", get(std::future::pending::<()>))).await;
    let options = MediaHttpOptions { total_timeout: Duration::from_millis(300), ..MediaHttpOptions::default() };

    let message = unreachable_message(client_with(&format!("http://{addr}"), options).get("/hang", &[]).await);

    assert_eq!(message, format!("http://{addr} did not answer within 300ms"));
}

#[tokio::test]
async fn origin_escaping_paths_are_refused_and_no_server_sees_a_request() {
    let (evil, evil_log) = recording_server().await;
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}"));

    for path in [
        format!("http://{evil}/x"),
        format!("//{evil}/x"),
        format!("///{evil}/x"),
        format!("\\\\{evil}/x"),
        format!("/\\{evil}/x"),
        format!("http:/\\{evil}/x"),
        format!("https://{addr}/x"),
        "//evil.example/x".to_owned(),
        "http://evil.example/".to_owned(),
        format!("http://{addr}@{evil}/x"),
    ] {
        let result = http.get(&path, &[]).await;
        assert_eq!(result, Err(HttpError::Refused(UrlPolicyError::OriginChanged(path.clone()))), "{path}");
    }
    assert!(evil_log.seen().is_empty());
    assert!(log.seen().is_empty());
}

#[tokio::test]
async fn an_at_sign_path_stays_a_path_on_the_configured_server() {
    let (evil, evil_log) = recording_server().await;
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}"));

    http.get(&format!("@{evil}/x"), &[]).await.expect("reply");
    http.get("@evil.example/x", &[]).await.expect("reply");

    assert!(evil_log.seen().is_empty());
    let uris: Vec<String> = log.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(uris, [format!("/@{evil}/x"), "/@evil.example/x".to_owned()]);
}

#[tokio::test]
async fn paths_that_climb_above_the_base_path_are_refused() {
    let (addr, log) = recording_server().await;
    let http = client(&format!("http://{addr}/jellyfin/"));

    for path in ["../x", "../../x", "/../x", "%2e%2e/x", "Sessions/../../x", "/..", ".."] {
        let result = http.get(path, &[]).await;
        assert_eq!(result, Err(HttpError::Refused(UrlPolicyError::OutsideBasePath(path.to_owned()))), "{path}");
    }
    assert!(log.seen().is_empty());
}

#[test]
fn paths_with_their_own_query_or_fragment_are_refused() {
    let http = client("http://nas:8096/");
    for path in ["Sessions?X-Emby-Token=x", "Sessions#top", "?a=b"] {
        assert_eq!(http.request_url(path, &[]), Err(UrlPolicyError::PathNotPlain(path.to_owned())), "{path}");
    }
}

#[tokio::test]
async fn an_https_address_on_a_plain_http_port_fails_with_a_tls_message() {
    let (addr, _log) = recording_server().await;

    let result = client(&format!("https://{addr}")).get("/Sessions", &[]).await;

    match result {
        Err(HttpError::Tls(message)) => {
            assert!(message.contains(&format!("https://{addr}")), "{message}");
            assert!(message.contains("really served over https"), "{message}");
        }
        other => panic!("expected a tls failure, got {other:?}"),
    }
}

#[test]
fn debug_output_shows_the_base_and_header_name_but_never_the_token() {
    let http = client("http://nas:8096/jellyfin");

    let debug = format!("{http:?}");

    assert!(debug.contains("http://nas:8096/jellyfin/"), "{debug}");
    assert!(debug.contains("x-emby-token"), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");
}

#[test]
fn the_constructor_checks_the_base_address_header_name_and_token() {
    let token = SecretString::new(TOKEN);
    let refused = MediaHttp::new(url("http://169.254.169.254/"), HEADER, &token).map(|_| ());
    assert!(matches!(refused, Err(BuildError::Refused(UrlPolicyError::LinkLocal(_)))), "{refused:?}");
    let refused = MediaHttp::new(url("http://user:pw@nas/"), HEADER, &token).map(|_| ());
    assert_eq!(refused, Err(BuildError::Refused(UrlPolicyError::Credentials)));
    let bad_name = MediaHttp::new(url("http://nas/"), "X Token", &token).map(|_| ());
    assert_eq!(bad_name, Err(BuildError::HeaderName("X Token".into())));
    let bad_value = MediaHttp::new(url("http://nas/"), HEADER, &SecretString::new("a\r\nEvil: 1")).map(|_| ());
    assert_eq!(bad_value, Err(BuildError::HeaderValue));
    assert!(!BuildError::HeaderValue.to_string().contains("Evil"));
}

/// A resolver whose answers the test chooses, standing in for a DNS server that rebinds names.
fn fake_resolver(answers: &'static [(&'static str, &'static str)]) -> PolicyResolver {
    PolicyResolver {
        lookup: Arc::new(move |host: String| -> LookupFuture {
            let found: Vec<SocketAddr> = answers
                .iter()
                .filter(|(name, _)| *name == host)
                .map(|(_, ip)| SocketAddr::new(ip.parse().expect("ip"), 0))
                .collect();
            Box::pin(async move { Ok(found) })
        }),
    }
}

fn client_resolving(base: &str, resolver: PolicyResolver) -> MediaHttp {
    MediaHttp::build(url(base), HEADER, &SecretString::new(TOKEN), MediaHttpOptions::default(), resolver)
        .expect("client")
}

#[tokio::test]
async fn a_name_that_resolves_to_link_local_is_refused_at_connect_time() {
    let resolver = fake_resolver(&[("rebind.test", "169.254.169.254"), ("mapped.test", "::ffff:169.254.169.254")]);

    for host in ["rebind.test", "mapped.test"] {
        let http = client_resolving(&format!("http://{host}:8096"), resolver.clone());
        let result = http.get("/Sessions", &[]).await;
        assert!(matches!(result, Err(HttpError::Refused(UrlPolicyError::LinkLocal(_)))), "{host}: {result:?}");
    }
}

#[tokio::test]
async fn refused_addresses_are_dropped_and_the_allowed_ones_still_connect() {
    let (addr, log) = recording_server().await;
    let resolver = fake_resolver(&[("mixed.test", "169.254.169.254"), ("mixed.test", "127.0.0.1")]);
    let http = client_resolving(&format!("http://mixed.test:{}", addr.port()), resolver);

    http.get("/Sessions", &[]).await.expect("reply");

    assert_eq!(log.seen().len(), 1);
}

#[tokio::test]
async fn a_host_name_is_resolved_by_the_system_resolver_and_reaches_the_server() {
    let (addr, log) = recording_server().await;

    client(&format!("http://localhost:{}", addr.port())).get("/identity", &[]).await.expect("reply");

    assert_eq!(log.seen()[0].uri, "/identity");
}

#[test]
fn the_resolver_filter_keeps_allowed_addresses_and_explains_an_empty_result() {
    let addr = |s: &str| SocketAddr::new(s.parse().expect("ip"), 0);

    let kept = allowed_addrs("nas", vec![addr("169.254.1.1"), addr("192.168.1.4"), addr("fe80::1")]).expect("kept");
    assert_eq!(kept, [addr("192.168.1.4")]);

    let refused = allowed_addrs("nas", vec![addr("0.0.0.0"), addr("169.254.1.1")]).expect_err("refused");
    let refused = refused.downcast_ref::<ResolveRefused>().expect("policy refusal");
    assert!(matches!(refused.0, UrlPolicyError::Unspecified(_)));

    let nothing = allowed_addrs("nas", vec![]).expect_err("nothing");
    assert_eq!(nothing.to_string(), "no address found for nas");
}
