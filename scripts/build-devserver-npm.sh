#!/usr/bin/env bash
# Packs `npx vocafuse-devserver` into target/npm/: the launcher (npm/devserver) and one package per
# platform carrying the release binary, in the pattern esbuild and Biome use (the launcher lists
# the platform packages as optionalDependencies; npm installs the one whose os/cpu match).
#
#   bash scripts/build-devserver-npm.sh [PLATFORM...]   (default: linux-x64)
#
# PLATFORM: linux-x64 and linux-arm64, static musl binaries that run on any Linux (glibc or
# musl), linked by rust-lld; ring's C and assembly (under jsonwebtoken) are compiled by Zig's C
# compiler for either (PyPI's ziglang; scripts/setup.sh test installs it). darwin-x64,
# darwin-arm64 and win32-x64 are cross-built by cargo-zigbuild (`cargo install cargo-zigbuild`)
# with the same Zig, no macOS SDK or MinGW needed; they are built here but cannot run here.
# All five: bash scripts/build-devserver-npm.sh linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64
# Versions follow devserver/Cargo.toml. Prints the tarballs' paths, the launcher's first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# --binary FILE: pack FILE as linux-x64's binary instead of building it (the tests pack the debug
# build they already made: the package's layout, the launcher and npx are what they test; the
# release build is the package build's, minutes of LTO).
prebuilt=""
if [ "${1:-}" = --binary ]; then prebuilt=$(realpath "$2"); shift 2; fi
[ $# -gt 0 ] || set -- linux-x64
[ -z "$prebuilt" ] || [ "$*" = linux-x64 ] || { echo "build-devserver-npm: --binary packs linux-x64 only" >&2; exit 2; }
cross=""; for p in "$@"; do case "$p" in linux-*) ;; *) cross=cross ;; esac; done
[ -n "$prebuilt" ] || bash scripts/setup.sh npm $cross
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' devserver/Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "build-devserver-npm: no version in devserver/Cargo.toml" >&2; exit 1; }
target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
out="$target_dir/npm"
stage="$out/stage"
rm -rf "$stage"
mkdir -p "$stage"

# npm's os/cpu names -> Rust target.
rust_target() {
  case "$1" in
    linux-x64) echo x86_64-unknown-linux-musl ;;
    linux-arm64) echo aarch64-unknown-linux-musl ;;
    darwin-x64) echo x86_64-apple-darwin ;;
    darwin-arm64) echo aarch64-apple-darwin ;;
    win32-x64) echo x86_64-pc-windows-gnu ;;
    *) echo "build-devserver-npm: no build for $1 (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64)" >&2; exit 2 ;;
  esac
}

# CC_<target>/AR_<target>: Zig's clang and ar, through small wrappers (cc-rs
# wants one program; its --target spelling is Rust's, which Zig does not take).
zig_cc() {
  local target=$1 dir="$target_dir/npm/zig" zig_target
  python3 -m ziglang version >/dev/null 2>&1 \
    || { echo "build-devserver-npm: $target needs Zig's C compiler: pip install ziglang" >&2; exit 1; }
  zig_target=$(echo "$target" | sed 's/-unknown-/-/')
  mkdir -p "$dir"
  printf '#!/bin/sh\nfor a; do shift; case "$a" in --target=*) ;; *) set -- "$@" "$a" ;; esac; done\nexec python3 -m ziglang cc -target %s "$@"\n' "$zig_target" > "$dir/cc-$target"
  printf '#!/bin/sh\nexec python3 -m ziglang ar "$@"\n' > "$dir/ar"
  chmod +x "$dir/cc-$target" "$dir/ar"
  local t=${target//-/_}
  echo "CC_$t=$dir/cc-$target" "AR_$t=$dir/ar"
}

staged=()
for platform in "$@"; do
  target=$(rust_target "$platform")
  say "dev server for $platform ($target)"
  [ -n "$prebuilt" ] || rustup target list --installed | grep -qx "$target" || rustup target add "$target"
  # Static: the musl targets link their own C runtime; rust-lld links any of them from this host.
  case "$platform" in
    linux-x64) if [ -n "$prebuilt" ]; then mkdir -p "$target_dir/$target/release" && cp "$prebuilt" "$target_dir/$target/release/vocafuse-devserver"; else
      env "CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER=rust-lld" $(zig_cc "$target") \
        cargo build --release --locked -p vocafuse-devserver --target "$target"; fi ;;
    linux-*)
      env "CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER=rust-lld" $(zig_cc "$target") \
        cargo build --release --locked -p vocafuse-devserver --target "$target" ;;
    *)
      # Linking for macOS and Windows takes Zig as the linker too, with the argument fixes
      # cargo-zigbuild (crates.io) makes.
      command -v cargo-zigbuild >/dev/null \
        || { echo "build-devserver-npm: $platform needs cargo-zigbuild: cargo install cargo-zigbuild" >&2; exit 1; }
      cargo zigbuild --release --locked -p vocafuse-devserver --target "$target" ;;
  esac
  name="vocafuse-devserver-$platform"
  dir="$stage/$name"
  mkdir -p "$dir/bin"
  exe=vocafuse-devserver
  [ "$platform" != win32-x64 ] || exe=vocafuse-devserver.exe
  cp "$target_dir/$target/release/$exe" "$dir/bin/"
  os=${platform%-*} cpu=${platform#*-}
  node -e '
    const [name, version, os, cpu] = process.argv.slice(1);
    const manifest = {
      name, version,
      description: `The vocafuse-devserver binary for ${os}-${cpu}; installed by the vocafuse-devserver package, run with npx vocafuse-devserver.`,
      license: "MIT",
      repository: { type: "git", url: "https://github.com/vocafuse-wasm/vocafuse-wasm", directory: "devserver" },
      os: [os], cpu: [cpu],
      files: ["bin/"],
      preferUnplugged: true,
    };
    require("node:fs").writeFileSync(process.argv[5], JSON.stringify(manifest, null, 2) + "\n");
  ' "$name" "$version" "$os" "$cpu" "$dir/package.json"
  printf '# %s\n\nThe `vocafuse-devserver` binary for %s, installed by [vocafuse-devserver](https://www.npmjs.com/package/vocafuse-devserver). Run it with `npx vocafuse-devserver`.\n' "$name" "$platform" > "$dir/README.md"
  staged+=("$dir")
done

# The launcher, with the platform packages built in this run as its optional dependencies.
cp -r npm/devserver "$stage/vocafuse-devserver"
node -e '
  const fs = require("node:fs");
  const [file, version, ...platforms] = process.argv.slice(1);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(platforms.map((p) => [`vocafuse-devserver-${p}`, version]));
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n");
' "$stage/vocafuse-devserver/package.json" "$version" "$@"
# Every build went through: the old tarballs go only now.
rm -f "$out"/vocafuse-devserver-*.tgz
for dir in "$stage/vocafuse-devserver" "${staged[@]}"; do
  echo "$out/$(cd "$out" && npm pack "$dir" --pack-destination "$out" --silent)"
done
rm -rf "$stage"
