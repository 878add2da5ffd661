#!/usr/bin/env bash
# Hold to talk, the review step and axe-core on the element, with real input in Firefox ESR and
# WebKitGTK through WebDriver actions (tests/hold/webdriver.test.mjs); Chromium's run is part of
# scripts/e2e.sh (tests/e2e/hold.test.mjs, a11y.test.mjs). Needs pkg/ built (bash scripts/build-pkg.sh).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
exec </dev/null
need_pkg hold
[ -x target/debug/vocafuse-devserver ] || cargo build -p vocafuse-devserver
need_e2e_modules # axe-core comes from the e2e suite's lockfile
say "hold to talk: Firefox"
HOLD_BROWSER=firefox node --test --test-reporter=spec tests/hold/webdriver.test.mjs
say "hold to talk: WebKitGTK"
HOLD_BROWSER=webkit xvfb-run -a node --test --test-reporter=spec tests/hold/webdriver.test.mjs
say "hold to talk: all passed"
