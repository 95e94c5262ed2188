#!/usr/bin/env bash
# Sightline's two commands.
#   ./dev.sh run    build Sightline (release) and start it on SQLite in ./data at http://localhost:3000
#   ./dev.sh test   run the whole suite: fmt, clippy (ssr + hydrate), unit and integration tests,
#                   browser tests in headless Chromium
# Each installs what it is missing (wasm32 target, cargo-leptos, wasm-bindgen-cli, npm tools,
# Chromium) and says what it is doing. Tools already present are skipped.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

CARGO_LEPTOS_VERSION="0.3.11"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*"; }
now() { date +%s; }
T0=$(now)
elapsed() { echo "$(( $(now) - T0 )) s"; }

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then return; fi
  step "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION without runtime downloads (about 20 min on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version --features no_downloads
}

ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then return; fi
  step "installing wasm-bindgen-cli $want to match Cargo.lock (about 4 min, once)"
  cargo install wasm-bindgen-cli --version "$want"
}

ensure_npm_tools() {
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/playwright-core ]; then
    step "installing npm tools: binaryen (wasm-opt) and playwright-core"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  # npm's wasm-opt must come before any system binaryen (Debian's 108 breaks the WASM).
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  step "installing Debian's Chromium for the browser tests"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
}

cmd_run() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_npm_tools
  step "building Sightline (release; the first build takes 10-20 min on 2 cores)"
  cargo leptos build --release
  step "starting Sightline on http://localhost:3000 (data in ./data; Ctrl-C stops it)"
  export SIGHTLINE_SITE_ROOT="${SIGHTLINE_SITE_ROOT:-$ROOT/target/site}"
  exec "$ROOT/target/release/sightline" serve
}

cmd_test() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_npm_tools
  ensure_chromium
  # A fresh target/ (a clean clone, CI) gains nothing from incremental builds and they double its
  # size on disk; a warm tree that already has them keeps them.
  if [ ! -d "$ROOT/target/debug/incremental" ]; then
    export CARGO_INCREMENTAL=0
    step "fresh target/: incremental compilation off (saves about half the disk)"
  fi
  step "formatting check (cargo fmt --check)  [$(elapsed)]"
  cargo fmt --all --check
  step "clippy, server side (ssr), warnings are errors  [$(elapsed)]"
  cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
  step "clippy, browser side (hydrate, wasm32), warnings are errors  [$(elapsed)]"
  cargo clippy -p frontend -p app -p sightline-domain --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
  step "unit and integration tests  [$(elapsed)]"
  cargo test --workspace --exclude frontend
  step "building the site for the browser tests (cargo leptos build)  [$(elapsed)]"
  cargo leptos build
  step "browser tests (headless Chromium; screenshots in target/e2e-artifacts)  [$(elapsed)]"
  node end2end/tests/e2e.mjs
  step "all green in $(elapsed)"
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  *) echo "usage: ./dev.sh run | ./dev.sh test" >&2; exit 2 ;;
esac
