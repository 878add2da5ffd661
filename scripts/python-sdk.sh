#!/usr/bin/env bash
# The official VocaFuse Python SDK (vocafuse 0.1.1, pinned in devserver/python/requirements.txt,
# installed by scripts/setup.sh test into target/python-sdk) against a fresh dev server: tokens,
# voice notes listed, read and deleted, a transcription, a webhook and its signed delivery.
# Prints `N passed, N failed`; fails unless every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
python="target/python-sdk/bin/python"
[ -x "$python" ] || { echo "python-sdk.sh: $python is missing; run: bash scripts/setup.sh test" >&2; exit 1; }
# Loopback only: a proxy from the environment must not see these requests.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
export VOCAFUSE_API_KEY="sk_test_python_sdk" VOCAFUSE_API_SECRET="secret_python_sdk"
trap stop_services EXIT
# Short waits so the test does not idle: the simulated transcript after 0.2 s, retries after 0.1 s.
start_dev_server --api-key "$VOCAFUSE_API_KEY" --api-secret "$VOCAFUSE_API_SECRET" \
  --transcribe-delay 0.2 --webhook-backoff 0.1 --quiet
VOCAFUSE_API="$VOCAFUSE_DEV_API" "$python" devserver/python/sdk_test.py
