#!/usr/bin/env bash
# Durability end to end (API.md "Durability"): headless Chromium (chromedriver) and Firefox ESR
# (geckodriver), driven through plain W3C WebDriver from node (tests/durability/webdriver.mjs),
# against the dev server serving tests/durability/page and pkg/. Reload mid-recording, reload
# and browser kill mid-multipart-upload, 10 s offline during an upload, two tabs with one
# pending recording, and the time from a reload to the resumed upload (BENCH lines).
#
# Needs pkg/ built (bash scripts/build-pkg.sh); builds the dev server when missing. No PulseAudio:
# Firefox's MediaRecorder on the fake microphone stalls with one. DURABILITY_BROWSERS picks the
# browsers (default "chromium firefox"). A browser that cannot start fails the run.
# Prints node's TAP summary per browser and the BENCH lines; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export CI="${CI:-true}"
exec </dev/null

need_pkg durability
browsers="${DURABILITY_BROWSERS:-chromium firefox}"
browsers="${browsers//,/ }"
for browser in $browsers; do
  case "$browser" in
    chromium) need=("${CHROMEDRIVER:-/usr/bin/chromedriver}" "${CHROMIUM:-/usr/bin/chromium}") ;;
    firefox) need=("${GECKODRIVER:-$HOME/.cargo/bin/geckodriver}" "${FIREFOX:-/usr/bin/firefox-esr}") ;;
    *) echo "durability: unknown browser $browser (chromium or firefox)" >&2; exit 2 ;;
  esac
  for bin in "${need[@]}"; do
    [ -x "$bin" ] || { echo "durability: $bin is missing (needed for $browser); run scripts/setup.sh test" >&2; exit 1; }
  done
done
if [ ! -x target/debug/vocafuse-devserver ]; then
  say "building the dev server"
  cargo build -p vocafuse-devserver
fi

logs=()
trap 'rm -f "${logs[@]}"' EXIT
status=0
for browser in $browsers; do
  say "durability tests in $browser (node --test tests/durability/)"
  log="$(mktemp)"
  logs+=("$log")
  DURABILITY_BROWSERS="$browser" node --test --test-concurrency=1 --test-reporter=tap tests/durability/ 2>&1 \
    | tee "$log" || status=1
  # A run that declared nothing or passed nothing is a failure too (e.g. the browser never started).
  grep -Eq '^# pass [1-9]' "$log" || status=1
done

say "summary"
i=0
for browser in $browsers; do
  log="${logs[$i]}"; i=$((i + 1))
  echo "$browser: $(grep -E '^# (tests|pass|fail|cancelled|skipped|todo) ' "$log" | sed 's/^# //' | tr '\n' ' ')"
  grep -E '^\s*not ok ' "$log" | grep -v '# TODO' | sed "s/^/  $browser: /" || true
done
for log in "${logs[@]}"; do sed -nE 's/^\s*# BENCH /BENCH /p' "$log"; done
if [ "$status" -ne 0 ]; then echo "durability: FAILED" >&2; exit "$status"; fi
echo "durability: all passed"
