#!/usr/bin/env bash
# Runs every test: native Rust tests and the dev server's backend API with the official Python SDK,
# then the browser suites in headless Chromium, Firefox and
# WebKitGTK (Safari's engine), then the package and demo end-to-end tests (and the package under a
# strict CSP in all three engines), then durability end to
# end (reloads, a killed browser, offline, two tabs) in Chromium and Firefox.
# A browser suite that cannot start, or runs fewer tests than it declares, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
scripts/setup.sh test

say "formatting and lints (cargo fmt --check, cargo clippy -D warnings: native and wasm32)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# The dev server is native only (tokio's networking does not build for wasm32).
cargo clippy -p vocafuse-wasm -p vocafuse-decision-core --all-targets --target wasm32-unknown-unknown -- -D warnings

say "module layout: no import circle, no source file over 600 lines (scripts/check-layout.mjs)"
node scripts/check-layout.mjs

say "native tests (cargo test --workspace)"
cargo test --workspace

say "the dev server's backend API with the official VocaFuse Python SDK (vocafuse 0.1.1)"
scripts/python-sdk.sh

# The browser suites, in the order they run.
SUITES=(recording upload wav durability network microphone microphone_events panic)

# The tests a suite holds, as its test binary lists them (wasm-bindgen-test-runner --list: no
# browser starts), one name a line. Not a grep of the source: attributes, cfgs and macros count.
list_suite() {
  browser_test chrome --test "$1" -- --list 2>/dev/null | sed -n 's/: test$//p'
}

# Each browser suite must report exactly as many passing tests as its binary holds.
run_browser_suite() {
  local browser="$1" suite="$2" log expected passed
  log="$(mktemp)"
  expected=$(list_suite "$suite" | wc -l)
  [ "$expected" -gt 0 ] || { echo "FAILED: $suite lists no tests" >&2; exit 1; }
  say "$suite in $browser ($expected tests)"
  if ! browser_test "$browser" --test "$suite" 2>&1 | tee "$log"; then
    echo "FAILED: $suite in $browser" >&2; exit 1
  fi
  passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  if [ "${passed:-0}" -ne "$expected" ]; then
    echo "FAILED: $suite in $browser ran ${passed:-0} of $expected tests" >&2; exit 1
  fi
}

# One test in a fresh WebKitGTK page, its output in $3; true when it reported exactly one pass.
webkit_test_passes() {
  browser_test webkit --test "$1" -- --exact "$2" >"$3" 2>&1 && grep -q 'test result: ok\. 1 passed' "$3"
}

# WebKitGTK's web process falls over after a few dozen recordings in one page (each opens and
# closes AudioContexts and GStreamer pipelines), so there every test gets a fresh page; each must
# report exactly one pass, and every test the binary holds must have run.
run_webkit_suite_per_test() {
  local suite="$1" name log count=0 names
  names=$(list_suite "$suite")
  say "$suite in webkit, one page per test ($(printf '%s\n' "$names" | wc -l) tests)"
  for name in $names; do
    log="$(mktemp)"
    if ! webkit_test_passes "$suite" "$name" "$log" && grep -q 'WebProcess CRASHED' "$log"; then
      # The engine's own process died (e.g. GLib's "getauxval () failed: Interrupted system call"
      # at start-up), not an assertion: said here with its cause, and the test runs once more.
      echo "  WebKitGTK's web process crashed in $name ($(grep -m1 -o 'GLib-ERROR.*' "$log" || echo 'no GLib error logged')); running it again"
      webkit_test_passes "$suite" "$name" "$log" || { cat "$log"; echo "FAILED: $suite::$name in webkit" >&2; exit 1; }
    elif ! grep -q 'test result: ok\. 1 passed' "$log"; then
      cat "$log"; echo "FAILED: $suite::$name in webkit" >&2; exit 1
    fi
    echo "  ok $name"; count=$((count + 1))
  done
  if [ "$count" -eq 0 ] || [ "$count" -ne "$(printf '%s\n' "$names" | wc -l)" ]; then
    echo "FAILED: $suite in webkit ran $count tests of $(printf '%s\n' "$names" | wc -l)" >&2; exit 1
  fi
  echo "test result: ok. $count passed; 0 failed (webkit, $suite)"
}

say "the WAV add-on for the browser suites (target/wav-addon, support::ASSETS_URL)"
build_wav_addon target/wav-addon

say "starting the development server for the browser suites"
trap stop_services EXIT
start_dev_server

for browser in chrome firefox; do
  for suite in "${SUITES[@]}"; do
    # Firefox delivers no script-dispatched events to a MediaStreamTrack (tests/microphone_events.rs).
    [ "$browser" = firefox ] && [ "$suite" = microphone_events ] && continue
    needs_null_audio "$browser" "$suite" && start_null_audio
    run_browser_suite "$browser" "$suite"
    stop_null_audio
  done
done
for suite in "${SUITES[@]}"; do
  run_webkit_suite_per_test "$suite"
done

say "the npm package (Vite app, script tag, types) and the demo, end to end"
scripts/build-pkg.sh
scripts/e2e.sh
say "the package under a strict Content-Security-Policy in Firefox and WebKitGTK (WebDriver)"
scripts/csp.sh
say "hold to talk by real input in Firefox and WebKitGTK (WebDriver actions)"
scripts/hold.sh
say "durability end to end: reloads, a killed browser, 10 s offline, two tabs (WebDriver)"
scripts/durability.sh
say "all suites passed"
