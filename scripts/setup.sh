#!/usr/bin/env bash
# Installs what the build and the tests need, only when it is missing. Safe to run again.
#   scripts/setup.sh build   - the wasm toolchain (demo, package)
#   scripts/setup.sh test    - that, plus Chromium, Firefox ESR and their drivers
set -euo pipefail
what="${1:-test}"
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# The release package's pinned nightly (scripts/lib.sh), with std's source for -Zbuild-std.
release_toolchain=$(sed -n 's/^export VOCAFUSE_RELEASE_TOOLCHAIN=//p' "$(dirname "$0")/lib.sh")
if ! rustup toolchain list | grep -q "^$release_toolchain-"; then
  say "installing $release_toolchain (the release package is built with it; tests use stable)"
  rustup toolchain install "$release_toolchain" --profile minimal --component rust-src --target wasm32-unknown-unknown
fi

if [ "$what" = test ]; then
  for component in rustfmt clippy; do
    rustup component list --installed | grep -q "^$component" || { say "adding $component"; rustup component add "$component"; }
  done
fi

# npx vocafuse-devserver's binaries (scripts/build-devserver-npm.sh): static musl builds, whose C
# (ring) Zig's C compiler builds, from PyPI.
if [ "$what" = test ]; then
  rustup target list --installed | grep -qx x86_64-unknown-linux-musl || { say "adding x86_64-unknown-linux-musl"; rustup target add x86_64-unknown-linux-musl; }
  python3 -m ziglang version >/dev/null 2>&1 || { say "installing ziglang (Zig's C compiler) from PyPI"; python3 -m pip install --quiet ziglang==0.17.1; }
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
if [ "$what" = test ] && [ ! -d "$root/tests/e2e/node_modules/playwright-core" ]; then
  say "installing playwright-core (it drives Debian's Chromium; it downloads no browser)"
  (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install wasm-pack --version 0.15.1
fi
if [ "$what" = test ] && ! command -v geckodriver >/dev/null; then
  say "installing geckodriver (a few minutes, once)"
  cargo install geckodriver --version 0.37.1
fi
