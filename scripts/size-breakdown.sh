#!/usr/bin/env bash
# What costs what in the main wasm: the release wasm built exactly as the package's
# (build_release_wasm) but with its function names kept, then `twiggy top`, each function summed
# into the area of the SDK it belongs to (scripts/size-areas.mjs). Raw bytes (names excluded).
# Installs twiggy (crates.io) when missing. Run: bash scripts/size-breakdown.sh [rows of twiggy top]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
command -v twiggy >/dev/null || { say "installing twiggy (a few minutes, once)"; cargo install twiggy --version 0.8.0; }
out=target/size-named
KEEP_NAMES=1 build_release_wasm . "$out" vocafuse_wasm >/dev/null 2>&1
twiggy top -n 100000 --format csv "$out/vocafuse_wasm_bg.wasm" > "$out/top.csv"
node scripts/size-areas.mjs "$out/top.csv"
twiggy top -n "${1:-25}" "$out/vocafuse_wasm_bg.wasm" | cut -c1-150
