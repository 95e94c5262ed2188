//! Health, start-up failures and graceful shutdown.

use crate::helpers::{TestApp, test_config};
use server::serve::start;

#[tokio::test]
async fn healthz_is_public_and_reports_version_and_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], true);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn a_taken_port_fails_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    config.listen = app.running.addr;
    let err = start(config).await.err().expect("second bind fails");
    let msg = format!("{err:#}");
    assert!(
        msg.contains(&format!("cannot listen on {}", app.running.addr)) && msg.contains("SIGHTLINE_LISTEN"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_unusable_data_dir_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let config = test_config(&file.join("data"));
    let err = start(config).await.err().expect("fails");
    let msg = format!("{err:#}");
    assert!(msg.contains("data directory") && msg.contains("cannot be created"), "{msg}");
}

#[tokio::test]
async fn shutdown_finishes_and_the_port_is_released() {
    let app = TestApp::spawn().await;
    let addr = app.running.addr;
    app.running.stop().await.expect("stops cleanly");
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing listens after stop");
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let (app, cookie) = TestApp::with_owner().await;
    let res = app.get("/api/v1/nothing-here", Some(&cookie)).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn a_wrong_secret_key_stops_the_start_with_a_clear_message_and_the_right_one_still_works() {
    use sightline_backend::secret::SecretString;
    let dir = tempfile::tempdir().expect("temp dir");
    let running = start(test_config(dir.path())).await.expect("first start");
    assert!(dir.path().join("keys/secret.key").exists(), "a key file is created when no key is configured");
    running.stop().await.expect("stops");

    let mut config = test_config(dir.path());
    config.secret_key = Some(SecretString::new("09".repeat(32)));
    let err = start(config).await.err().expect("a different key is refused");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("is not the one this database was encrypted with") && msg.contains("Nothing was changed"),
        "{msg}"
    );

    let running = start(test_config(dir.path())).await.expect("the original key file still works");
    running.stop().await.expect("stops");
}
