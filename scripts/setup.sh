#!/usr/bin/env bash
# Installs what the build and the tests need, only when it is missing. Safe to run again.
#   scripts/setup.sh build   - the wasm toolchain (demo, package)
#   scripts/setup.sh test    - that, plus Chromium, Firefox ESR and their drivers
#   scripts/setup.sh npm     - what packing npx vocafuse-devserver's release binaries needs
#                              (`npm cross`: and cargo-zigbuild, for macOS and Windows)
set -euo pipefail
what="${1:-test}"
# lib.sh: PATH and the pinned toolchain of the release package (VOCAFUSE_RELEASE_TOOLCHAIN).
source "$(dirname "$0")/lib.sh"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# The release package's pinned nightly (scripts/lib.sh), with std's source for -Zbuild-std.
release_toolchain="$VOCAFUSE_RELEASE_TOOLCHAIN"
if ! rustup toolchain list | grep -q "^$release_toolchain-"; then
  say "installing $release_toolchain (the release package is built with it; tests use stable)"
  rustup toolchain install "$release_toolchain" --profile minimal --component rust-src --target wasm32-unknown-unknown
fi

if [ "$what" = test ]; then
  for component in rustfmt clippy; do
    rustup component list --installed | grep -q "^$component" || { say "adding $component"; rustup component add "$component"; }
  done
fi

# npx vocafuse-devserver's release binaries (scripts/build-devserver-npm.sh runs `setup.sh npm`):
# static musl builds, whose C (ring) Zig's C compiler builds, from PyPI. Not the tests': they pack
# the debug build they already made.
if [ "$what" = npm ]; then
  rustup target list --installed | grep -qx x86_64-unknown-linux-musl || { say "adding x86_64-unknown-linux-musl"; rustup target add x86_64-unknown-linux-musl; }
  python3 -m ziglang version >/dev/null 2>&1 || { say "installing ziglang (Zig's C compiler) from PyPI"; python3 -m pip install --quiet ziglang==0.17.1; }
  # macOS and Windows binaries link through cargo-zigbuild (`setup.sh npm cross`).
  if [ "${2:-}" = cross ] && ! command -v cargo-zigbuild >/dev/null; then
    say "installing cargo-zigbuild (a few minutes, once)"
    cargo install cargo-zigbuild --locked
  fi
  exit 0
fi

apt_missing=()
if [ "$what" = test ]; then
  command -v chromium >/dev/null || apt_missing+=(chromium)
  command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || apt_missing+=(firefox-esr)
  # Firefox runs Web Audio (the WAV path) only with an audio server; a null sink is enough.
  command -v pulseaudio >/dev/null || apt_missing+=(pulseaudio)
  # WebKitGTK (Safari's engine) under a virtual display, with GStreamer for its media stack.
  command -v WebKitWebDriver >/dev/null || apt_missing+=(webkit2gtk-driver)
  command -v xvfb-run >/dev/null || apt_missing+=(xvfb xauth)
  dpkg -s gstreamer1.0-libav >/dev/null 2>&1 || apt_missing+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav)
  # The official Python server SDK's test runs in a virtual environment (scripts/python-sdk.sh).
  command -v python3 >/dev/null || apt_missing+=(python3)
  python3 -c 'import ensurepip' 2>/dev/null || apt_missing+=(python3-venv)
  # The speech chain (tests/e2e/speech.test.mjs): a voice to say digits, a decoder for the takes.
  command -v espeak-ng >/dev/null || apt_missing+=(espeak-ng)
  command -v ffmpeg >/dev/null || apt_missing+=(ffmpeg)
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing ${apt_missing[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" </dev/null
fi

# A current binaryen (wasm-opt), TypeScript and esbuild (bundles the package's JS), from the npm registry.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/tools/node_modules/.bin/wasm-opt" ] || [ ! -x "$root/tools/node_modules/.bin/tsc" ] \
  || [ ! -x "$root/tools/node_modules/.bin/esbuild" ]; then
  say "installing build tools from npm (binaryen, typescript, esbuild)"
  (cd "$root/tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$what" = test ] && { [ ! -d "$root/tests/e2e/node_modules/playwright-core" ] || [ ! -d "$root/tests/e2e/node_modules/axe-core" ]; }; then
  say "installing playwright-core (it drives Debian's Chromium; it downloads no browser) and axe-core"
  (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The official VocaFuse Python SDK and PocketSphinx, pinned with what they pull in, in a venv
# under target/ (the system Python stays untouched); made again whenever the pins change.
py_env="$root/target/python-sdk"
py_pins="$root/devserver/python/requirements.txt"
if [ "$what" = test ] && ! cmp -s "$py_pins" "$py_env/installed-requirements.txt"; then
  say "installing the VocaFuse Python SDK and PocketSphinx from PyPI into target/python-sdk"
  rm -rf "$py_env"
  python3 -m venv "$py_env"
  "$py_env/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$py_pins"
  cp "$py_pins" "$py_env/installed-requirements.txt"
fi

if [ "$what" = test ] && [ ! -d "$root/examples/express/node_modules/express" ]; then
  say "installing Express for examples/express (the README's backend example, run by the e2e tests)"
  (cd "$root/examples/express" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install wasm-pack --version 0.15.1
fi
if [ "$what" = test ] && ! command -v geckodriver >/dev/null; then
  say "installing geckodriver (a few minutes, once)"
  cargo install geckodriver --version 0.37.1
fi
