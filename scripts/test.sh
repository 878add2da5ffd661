#!/usr/bin/env bash
# Runs every test: native Rust tests, then the browser suites in headless Chromium, Firefox and
# WebKitGTK (Safari's engine).
# A browser suite that cannot start, or runs fewer tests than it declares, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# wasm-bindgen-test-runner gives a whole suite 20 s and a driver 5 s by default: too tight on a
# loaded 2-core machine. These are limits, not expectations.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}"

# An audio server with a null sink: without one, Firefox's AudioContext never starts (no audio
# device in a container), so the WAV path could not be tested there.
start_null_audio() {
  export XDG_RUNTIME_DIR="$(mktemp -d)"
  chmod 700 "$XDG_RUNTIME_DIR"
  pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit -n \
    --load="module-null-sink sink_name=vocafuse_null" --load="module-native-protocol-unix" \
    --log-target=file:"$XDG_RUNTIME_DIR/pulse.log" </dev/null
  for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the null audio server did not start:" >&2; cat "$XDG_RUNTIME_DIR/pulse.log" >&2; return 1
}
stop_null_audio() { [ -f "$XDG_RUNTIME_DIR/pulse/pid" ] && kill "$(cat "$XDG_RUNTIME_DIR/pulse/pid")" 2>/dev/null || true; }
scripts/setup.sh test

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "native tests (cargo test --workspace)"
cargo test --workspace

# Each browser suite must report exactly as many passing tests as tests/<suite>.rs declares.
run_browser_suite() {
  local browser="$1" suite="$2" log expected passed
  log="$(mktemp)"
  expected=$(grep -c '#\[wasm_bindgen_test\]' "tests/$suite.rs")
  say "$suite in headless $browser ($expected tests)"
  local run=(wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)")
  [ "$browser" = firefox ] && run=(wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)")
  # WebKit goes the runner's Firefox route (wasm-pack's --safari drops webdriver.json's
  # webkitgtk capabilities on Linux); MiniBrowser draws into a virtual display.
  [ "$browser" = webkit ] && run=(xvfb-run -a wasm-pack test --headless --firefox --geckodriver "$(command -v WebKitWebDriver)")
  if ! "${run[@]}" --test "$suite" 2>&1 | tee "$log"; then
    echo "FAILED: $suite in $browser" >&2; exit 1
  fi
  passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  if [ "${passed:-0}" -ne "$expected" ]; then
    echo "FAILED: $suite in $browser ran ${passed:-0} of $expected tests" >&2; exit 1
  fi
}

say "starting the development server for the browser suites"
cargo build -p vocafuse-devserver
dev_dir="$(mktemp -d)"
target/debug/vocafuse-devserver --port 0 --storage-port 0 --data-dir "$dev_dir/data" \
  >"$dev_dir/ready.json" 2>"$dev_dir/server.log" &
dev_pid=$!
start_null_audio
trap 'kill $dev_pid 2>/dev/null || true; stop_null_audio' EXIT
for _ in $(seq 1 100); do [ -s "$dev_dir/ready.json" ] && break; kill -0 $dev_pid || break; sleep 0.1; done
[ -s "$dev_dir/ready.json" ] || { echo "the development server did not start:" >&2; cat "$dev_dir/server.log" >&2; exit 1; }
cat "$dev_dir/ready.json"
export VOCAFUSE_DEV_API="$(sed -E 's/.*"api":"([^"]+)".*/\1/' "$dev_dir/ready.json")"
echo "dev server at $VOCAFUSE_DEV_API"

for browser in chrome firefox webkit; do
  for suite in recording upload; do
    run_browser_suite "$browser" "$suite"
  done
done
say "all suites passed"
