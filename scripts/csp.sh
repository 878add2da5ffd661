#!/usr/bin/env bash
# The package under a strict Content-Security-Policy (`default-src 'self'; script-src 'self'
# 'wasm-unsafe-eval'`, the dev server in connect-src) in Firefox ESR and WebKitGTK, through
# WebDriver (tests/csp/webdriver.test.mjs); Chromium's run is part of scripts/e2e.sh
# (tests/e2e/csp.test.mjs). Firefox records WebM without an audio server and WAV with one (its
# Web Audio needs one; its MediaRecorder on the fake microphone stalls with one). Firefox runs the
# same page from a default Vite build too (CSP_APP=vite); Chromium's is in tests/e2e/vite.test.mjs.
# Needs pkg/ built (bash scripts/build-pkg.sh). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
exec </dev/null
need_pkg csp
[ -x target/debug/vocafuse-devserver ] || cargo build -p vocafuse-devserver
trap stop_services EXIT
run() { CSP_BROWSER=$1 CSP_FORMATS=$2 node --test --test-reporter=spec tests/csp/webdriver.test.mjs; }
say "strict CSP: Firefox, WebM"
run firefox webm
say "strict CSP: Firefox, WAV (with a null audio server)"
start_null_audio
run firefox wav
say "strict CSP: Firefox, a default Vite build of the packed package, WAV (its worklet must stay a file)"
CSP_APP=vite run firefox wav
stop_null_audio
say "strict CSP: Firefox, the same Vite build, WebM"
CSP_APP=vite run firefox webm
say "strict CSP: WebKitGTK, WAV (its MediaRecorder makes only mp4, so WebM is not recordable there at all)"
CSP_BROWSER=webkit CSP_FORMATS=wav xvfb-run -a node --test --test-reporter=spec tests/csp/webdriver.test.mjs
say "strict CSP: all passed"
