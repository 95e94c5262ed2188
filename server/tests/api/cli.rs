//! The `sightline` binary's commands, run as a real process against a temporary data dir.

use crate::helpers::{TestApp, test_config};
use std::process::Command;

fn sightline(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sightline"))
        .args(args)
        .env("SIGHTLINE_DATA_DIR", data_dir)
        .env("SIGHTLINE_LOG", "warn")
        .output()
        .expect("runs")
}

#[test]
fn help_lists_every_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sightline(dir.path(), &["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for cmd in ["serve", "api-key", "admin"] {
        assert!(text.contains(cmd), "{cmd} missing from:\n{text}");
    }
    let out = sightline(dir.path(), &["admin", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("reset-password"));
}

#[tokio::test]
async fn an_api_key_created_on_the_command_line_works_against_the_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sightline(dir.path(), &["api-key", "create", "--name", "home assistant", "--read-only"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let key = stdout.lines().find(|l| l.starts_with("sl_")).expect("the key is printed").to_owned();
    assert!(stdout.contains("read-only"));

    let running = server::serve::start(test_config(dir.path())).await.expect("starts");
    let res = reqwest::Client::new()
        .get(format!("http://{}/api/v1/me", running.addr))
        .bearer_auth(&key)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let me: serde_json::Value = res.json().await.expect("json");
    assert_eq!(me["name"], "home assistant");
    assert!(running.setup_token.is_some(), "creating a key did not consume the pending setup");
}

#[tokio::test]
async fn reset_password_sets_a_new_password_and_reports_a_missing_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sightline(dir.path(), &["admin", "reset-password"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no owner exists yet"));

    let app = TestApp::spawn_with(|c| c.data_dir = dir.path().to_path_buf()).await;
    let old = app.setup("owner").await;
    let out = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .args(["admin", "reset-password"])
        .env("SIGHTLINE_DATA_DIR", dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout.lines().find_map(|l| l.strip_prefix("New password (shown once): ")).expect("printed");
    assert_eq!(app.get("/api/v1/me", Some(&old)).await.status(), 401, "old sessions are gone");
    assert_eq!(crate::helpers::location(&app.login("owner", password).await), "/");
}

#[test]
fn a_bad_setting_stops_the_server_with_a_one_line_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .env("SIGHTLINE_DATA_DIR", dir.path())
        .env("SIGHTLINE_LISTEN", "nowhere")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
    assert!(stderr.contains("SIGHTLINE_LISTEN"), "{stderr}");
}
