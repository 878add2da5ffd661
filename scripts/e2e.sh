#!/usr/bin/env bash
# End-to-end tests in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
# every code block of README.md and of the npm README, run as pasted (tests/e2e/readme.test.mjs), the demo page, the npm package inside a Vite production build, a <script type="module"> page,
# the package's TypeScript types, and the framework entries as their users build them (Next.js,
# webpack 5, Vite + React under StrictMode, Vite + Vue, <vocafuse-recorder> with no build step), and
# what a page downloads from the package to record a WebM and a WAV note (tests/e2e/size.test.mjs),
# the bundler builds under the README's strict CSP, and `npx vocafuse-devserver` from its packed
# tarballs in a fresh folder (tests/e2e/npx-devserver.test.mjs), and axe-core on <vocafuse-recorder> in
# each state and on the demo, with screenshots of the element both ways (tests/e2e/a11y.test.mjs).
# Each test file starts its own dev server on free ports.
#
# Needs pkg/ built (bash scripts/build-pkg.sh) and scripts/setup.sh test run once. Installs
# the node modules of tools/, tests/e2e, tests/vite-app and tests/apps/* when missing, and builds the dev
# server when missing.
# Prints node's TAP summary ("# pass N" / "# fail N") and the BENCH lines; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export CI="${CI:-true}"
exec </dev/null
npm_ci() { (cd "$1" && npm ci --no-audit --no-fund --loglevel=error); }

need_pkg e2e
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null \
  || { echo "e2e: ${CHROMIUM:-/usr/bin/chromium} is missing; run scripts/setup.sh test" >&2; exit 1; }
[ -x tools/node_modules/.bin/tsc ] || npm_ci tools
need_e2e_modules
# Not `npm ci` for the Vite app: the registry here lacks rollup's native packages for other
# platforms, so the lockfile lists only linux-x64/arm64 and `npm ci` refuses it as out of sync.
# `npm install --no-save` follows the same lockfile and writes nothing.
[ -d tests/vite-app/node_modules/vite ] || {
  say "npm install in tests/vite-app"
  (cd tests/vite-app && npm install --no-save --no-audit --no-fund --loglevel=error)
}
# The framework apps (tests/apps/*: Next.js, webpack 5, Vite with React and Vue), from their
# committed lockfiles; the Vite one like tests/vite-app above.
[ -d tests/apps/next/node_modules/next ] || { say "npm ci in tests/apps/next"; npm_ci tests/apps/next; }
[ -d tests/apps/webpack/node_modules/webpack ] || { say "npm ci in tests/apps/webpack"; npm_ci tests/apps/webpack; }
[ -d tests/apps/vite/node_modules/vite ] || {
  say "npm install in tests/apps/vite"
  (cd tests/apps/vite && npm install --no-save --no-audit --no-fund --loglevel=error)
}
if [ ! -x target/debug/vocafuse-devserver ]; then
  say "building the dev server"
  cargo build -p vocafuse-devserver
fi
# npx vocafuse-devserver's tarballs for tests/e2e/npx-devserver.test.mjs, with the debug build
# above as linux-x64's binary (the package's release build is minutes of LTO: the package build's).
say "packing npx vocafuse-devserver (scripts/build-devserver-npm.sh --binary target/debug/vocafuse-devserver)"
bash scripts/build-devserver-npm.sh --binary target/debug/vocafuse-devserver linux-x64 >/dev/null

say "end-to-end tests (node --test tests/e2e/)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
node --test --test-concurrency=1 --test-reporter=tap tests/e2e/ 2>&1 | tee "$log" || status=$?

say "summary"
grep -E '^# (tests|pass|fail|cancelled|skipped|todo) ' "$log" || true
sed -n 's/^# BENCH /BENCH /p' "$log"
grep -E '^\s*not ok ' "$log" | grep -v '# TODO' || true
if [ "$status" -ne 0 ]; then echo "e2e: FAILED" >&2; exit "$status"; fi
echo "e2e: all passed"
