#!/usr/bin/env bash
# Runs the demo: builds the package, then starts the local VocaFuse development server, which
# serves the page at http://127.0.0.1:8787 and stores uploaded notes in .devserver-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-pkg.sh
cargo build -p vocafuse-devserver
echo
echo "  Demo: http://127.0.0.1:${PORT:-8787}/   (Ctrl-C to stop; notes land in .devserver-data/)"
echo
exec target/debug/vocafuse-devserver --port "${PORT:-8787}" --storage-port "${STORAGE_PORT:-8788}" \
  --www www --pkg pkg --data-dir .devserver-data
