//! The service worker's push and notification-click handlers (`public/sw.js`), run under Node by
//! `service_worker_push.mjs` with a stand-in worker scope. Node is already needed for the browser tests.

use std::path::Path;
use std::process::Command;

#[test]
fn push_notifications_show_text_and_open_only_our_origin() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/service_worker_push.mjs");
    let out = Command::new("node")
        .arg(&script)
        .output()
        .expect("node must be installed to test public/sw.js (it also runs the browser tests)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "service worker tests failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "unexpected output:\n{stdout}");
}
