#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports, in one run on this machine: bundle size and what a page
# downloads to record a note, load and click-to-recording times on a phone's network, auto-stop
# accuracy, bytes per recorded minute, upload overhead against bare fetch, wasm memory growth, the WAV encoder in the browser, what persisting costs
# (main thread, storage), and the resampler natively. Browser code is built in release, as shipped. Results are printed and written to target/bench/results.jsonl. Nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
scripts/setup.sh test
out=target/bench; mkdir -p "$out"; : > "$out/results.jsonl"

scripts/build-pkg.sh >/dev/null
for f in pkg/vocafuse_wasm_bg.wasm pkg/index.js; do
  printf '{"bench":"bundle","file":"%s","raw":%d,"gzip":%d}\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done | tee -a "$out/results.jsonl"
# What a page fetches from the package to record and upload a note (the main path, WebM) and
# the WAV add-on on its own, in headless Chromium (scripts/size-main-path.mjs).
cargo build -q -p vocafuse-devserver
node scripts/size-main-path.mjs | tee /dev/stderr | sed -n 's/^BENCH //p' >> "$out/results.jsonl"
# On a phone's network (issue 19): each entry against a floor page with no SDK, on Lighthouse's
# mobile profile (scripts/phone-bench.mjs); the React and Vue pages build with tests/apps/vite's packages.
[ -d tests/apps/vite/node_modules/vite ] || (cd tests/apps/vite && npm install --no-save --no-audit --no-fund --loglevel=error)
node scripts/phone-bench.mjs | tee /dev/stderr | sed -n 's/^BENCH //p' >> "$out/results.jsonl"
# The budget's alternative (BENCHMARKS.md): the pure core alone, exported for a JS orchestrator.
build_release_wasm bench/decision-core target/decision-core decision_core >/dev/null 2>&1
tools/node_modules/.bin/esbuild target/decision-core/decision_core.js --bundle --format=esm --minify \
  --log-level=warning --outfile=target/decision-core/glue.min.js
for f in target/decision-core/decision_core_bg.wasm target/decision-core/glue.min.js; do
  printf '{"bench":"bundle","probe":"decision-core","file":"%s","raw":%d,"gzip":%d}\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done | tee -a "$out/results.jsonl"

trap stop_services EXIT
start_dev_server --quiet
for browser in chrome firefox; do
  for suite in bench bench_wav bench_durability; do
    needs_null_audio "$browser" "$suite" && start_null_audio
    lines=$(browser_test "$browser" --release --test "$suite" -- --nocapture 2>&1 | grep -o 'BENCH {.*}' | sed 's/^BENCH //' || true)
    [ -n "$lines" ] || { echo "bench: $suite in $browser printed no measurements (failed or timed out)" >&2; exit 1; }
    printf '%s\n' "$lines" | tee -a "$out/results.jsonl"
    stop_null_audio
  done
done

cargo run -q --release --example dsp_bench | tee -a "$out/results.jsonl"
echo "results: $out/results.jsonl"
