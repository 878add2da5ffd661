#!/usr/bin/env bash
# What costs what in the main wasm: the release wasm built exactly as the package's
# (build_release_wasm) but with its function names kept, then `twiggy top`, each function summed
# into the area of the SDK it belongs to (scripts/size-areas.mjs). Raw bytes (names excluded).
# Needs twiggy: cargo install twiggy. Run: bash scripts/size-breakdown.sh [rows of twiggy top]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v twiggy >/dev/null || { echo "size-breakdown: twiggy is missing: cargo install twiggy" >&2; exit 1; }
out=target/size-named
KEEP_NAMES=1 build_release_wasm . "$out" vocafuse_wasm >/dev/null 2>&1
twiggy top -n 100000 --format csv "$out/vocafuse_wasm_bg.wasm" > "$out/top.csv"
node scripts/size-areas.mjs "$out/top.csv"
twiggy top -n "${1:-25}" "$out/vocafuse_wasm_bg.wasm" | cut -c1-150
