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

/// Polls until something accepts connections on `addr`.
#[allow(clippy::disallowed_methods, reason = "a synchronous test polling a child process may sleep")]
fn wait_until_listening(addr: &str) -> bool {
    for _ in 0..300 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

#[test]
fn the_server_prints_the_setup_token_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pkg = dir.path().join("site").join("pkg");
    std::fs::create_dir_all(&pkg).expect("mkdir");
    std::fs::write(pkg.join("sightline.wasm"), b"").expect("write");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .env("SIGHTLINE_DATA_DIR", dir.path().join("data"))
        .env("SIGHTLINE_LISTEN", &addr)
        .env("SIGHTLINE_SITE_ROOT", dir.path().join("site"))
        .env("SIGHTLINE_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    assert!(wait_until_listening(&addr), "the server never listened on {addr}");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("exits");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exit {:?}\n{log}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let token = std::fs::read_to_string(dir.path().join("data").join("setup-token")).expect("token file");
    assert!(log.contains(&format!("Setup token: {}", token.trim())), "{log}");
    assert!(log.contains("stopped cleanly"), "{log}");
}
