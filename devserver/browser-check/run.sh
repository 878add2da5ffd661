#!/usr/bin/env bash
# What a real browser sees for each fault kind: starts the dev server, serves index.html from
# another origin, opens it in headless Chromium (BROWSER=firefox for Firefox) and prints what
# the page found. Exits 1 unless every check held. Not part of CI; needs python3 and a browser.
#   DEVSERVER=target/debug/vocafuse-devserver devserver/browser-check/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${DEVSERVER:-$here/../../target/debug/vocafuse-devserver}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$bin" --port 18787 --storage-port 18788 --data-dir "$work/data" --quiet > "$work/dev.out" 2> "$work/dev.err" &
pids+=($!)
python3 -m http.server 18899 --bind 127.0.0.1 --directory "$here" > "$work/page.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/dev.out" ] && break; sleep 0.1; done

url=http://127.0.0.1:18899/index.html
if [ "${BROWSER:-chromium}" = firefox ]; then
  mkdir -p "$work/ff"
  firefox --headless --no-remote --profile "$work/ff" "$url" > /dev/null 2>&1 &
else
  chromium --headless --no-sandbox --disable-gpu --remote-debugging-port=0 "$url" > /dev/null 2>&1 &
fi
pids+=($!)
for _ in $(seq 400); do grep -aq 'GET /result?' "$work/page.log" && break; sleep 0.1; done

result=$(grep -a -o 'GET /result?[^ ]*' "$work/page.log" | tail -1 | sed 's|GET /result?||')
[ -n "$result" ] || { echo "the page reported nothing" >&2; exit 1; }
printf '%s' "$result" | python3 -c '
import json, sys, urllib.parse
out = json.loads(urllib.parse.unquote(sys.stdin.read()))
print(json.dumps(out, indent=1))
sys.exit(0 if out.get("ok") else 1)'
