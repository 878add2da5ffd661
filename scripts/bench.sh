#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports, in one run on this machine: bundle size, auto-stop
# accuracy, bytes per recorded minute, upload overhead against bare fetch, wasm memory growth.
# Results are printed and written to target/bench/results.jsonl. Nothing here is asserted.
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
out=target/bench; mkdir -p "$out"; : > "$out/results.jsonl"

scripts/build-pkg.sh >/dev/null
for f in pkg/vocafuse_wasm_bg.wasm pkg/vocafuse_wasm.js pkg/index.js pkg/snippets/*/js/error.js; do
  printf '{"bench":"bundle","file":"%s","raw":%d,"gzip":%d}\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done | tee -a "$out/results.jsonl"

cargo build -q -p vocafuse-devserver
dev_dir="$(mktemp -d)"
target/debug/vocafuse-devserver --port 0 --storage-port 0 --data-dir "$dev_dir/data" --quiet \
  >"$dev_dir/ready.json" 2>"$dev_dir/server.log" &
dev_pid=$!
start_null_audio
trap 'kill $dev_pid 2>/dev/null || true; stop_null_audio' EXIT
for _ in $(seq 1 100); do [ -s "$dev_dir/ready.json" ] && break; sleep 0.1; done
export VOCAFUSE_DEV_API="$(sed -E 's/.*"api":"([^"]+)".*/\1/' "$dev_dir/ready.json")"

for browser in chrome firefox; do
  driver=(--chromedriver "$(command -v chromedriver)")
  [ "$browser" = firefox ] && driver=(--geckodriver "$(command -v geckodriver)")
  wasm-pack test --headless "--$browser" "${driver[@]}" --test bench -- --nocapture 2>&1 \
    | grep -o 'BENCH {.*}' | sed 's/^BENCH //' | tee -a "$out/results.jsonl"
done

if [ -f examples/dsp_bench.rs ]; then
  cargo run -q --release --example dsp_bench | tee -a "$out/results.jsonl"
fi
echo "results: $out/results.jsonl"
