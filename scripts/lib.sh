# Shared by the scripts in scripts/ (sourced, not run).

export PATH="$HOME/.cargo/bin:$PATH"
# wasm-bindgen-test-runner gives a whole suite 20 s and a driver 5 s by default: too tight on a
# loaded 2-core machine. These are limits, not expectations.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Stops the calling script ($1 names it) unless pkg/ holds a built package.
need_pkg() {
  local f
  for f in index.js index.d.ts package.json vocafuse_wasm_bg.wasm; do
    [ -f "pkg/$f" ] || { echo "$1: pkg/$f is missing; build the package first: bash scripts/build-pkg.sh" >&2; exit 1; }
  done
}

# The e2e suite's node modules (playwright-core, axe-core), from its lockfile, when missing: for the
# scripts that run alone (scripts/setup.sh test installs them for the test command).
need_e2e_modules() {
  [ -d tests/e2e/node_modules/playwright-core ] && [ -d tests/e2e/node_modules/axe-core ] && return 0
  say "npm ci in tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
}

# The toolchain of the release package alone (scripts/setup.sh installs it): a pinned nightly, for
# std rebuilt for size and without panic locations or Debug formatting (build_release_wasm). The
# tests, the dev server and everything else build with stable.
export VOCAFUSE_RELEASE_TOOLCHAIN=nightly-2026-05-20

# The release wasm of crate <dir> as shipped: wasm-pack's build (size-tuned profile), a current
# wasm-opt, short import names. Into <out> (made anew), as <name>_bg.wasm and <name>.js.
# On the pinned nightly, in its own target directory (no rebuilds when stable builds follow):
# std rebuilt with the crate (-Zbuild-std: LTO and opt-level z reach it) and its size-first
# algorithms (optimize_for_size); panics keep their message but not their file and line
# (-Zlocation-detail=none); `{:?}` prints nothing (-Zfmt-debug=none: no message of the SDK uses
# Debug). panic stays "abort", not "immediate-abort": the panic hook must still run to settle
# every pending call (tests/panic.rs). BENCHMARKS.md, "Bundle size", has what each bought.
build_release_wasm() {
  local dir=$1 out=$2 name=$3
  rm -rf "$out"
  # The -Z flags go to the wasm target only, through cargo's config, not RUSTFLAGS: wasm-pack
  # installs wasm-bindgen-cli with cargo when it is missing (a fresh machine), and under
  # -Zfmt-debug=none that install's build scripts generate broken code.
  RUSTUP_TOOLCHAIN="$VOCAFUSE_RELEASE_TOOLCHAIN" CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-target}")/release-nightly" \
    wasm-pack build "$dir" --target web --release --weak-refs --out-dir "$(realpath -m "$out")" --out-name "$name" --no-pack \
    -- -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size \
    --config 'target.wasm32-unknown-unknown.rustflags=["-Zlocation-detail=none", "-Zfmt-debug=none"]'
  # KEEP_NAMES=1 keeps the function names (for twiggy: scripts/size-breakdown.sh), nothing else differs.
  local names=--strip-debug
  [ "${KEEP_NAMES:-}" = 1 ] && names="--debuginfo --strip-dwarf"
  tools/node_modules/.bin/wasm-opt "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm" -Oz \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue $names --strip-producers
  # Short names for the imports from the glue (the hashed names were 5 KB of the wasm, 2 KB gzipped of the glue).
  node scripts/short-imports.mjs "$out/${name}_bg.wasm" "$out/$name.js"
}

# The WAV add-on as the package ships it, into <out>: the capture worklet (minified ES module) and
# the WAV encoder's own wasm (worklet/, no wasm-bindgen), size-tuned by a current wasm-opt.
build_wav_addon() {
  local out=$1 target="${CARGO_TARGET_DIR:-target}"
  mkdir -p "$out"
  cargo build -q -p vocafuse-wav --target wasm32-unknown-unknown --release
  tools/node_modules/.bin/wasm-opt "$target/wasm32-unknown-unknown/release/vocafuse_wav.wasm" -o "$out/vocafuse_wav.wasm" -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --strip-debug --strip-producers
  tools/node_modules/.bin/esbuild js/capture-worklet.js --format=esm --minify --legal-comments=none \
    --log-level=warning --outfile="$out/vocafuse-capture-worklet.js"
}

# An audio server with a null sink: without one, Firefox's AudioContext never starts (no audio
# device in a container).
start_null_audio() {
  export XDG_RUNTIME_DIR="$(mktemp -d)"
  chmod 700 "$XDG_RUNTIME_DIR"
  pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit -n \
    --load="module-null-sink sink_name=vocafuse_null" --load="module-native-protocol-unix" \
    --log-target=file:"$XDG_RUNTIME_DIR/pulse.log" </dev/null
  for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the null audio server did not start:" >&2; cat "$XDG_RUNTIME_DIR/pulse.log" >&2; return 1
}

# The development server on free ports; exports VOCAFUSE_DEV_API (read at compile time by the
# browser suites). Extra arguments go to the server.
start_dev_server() {
  cargo build -q -p vocafuse-devserver
  dev_dir="$(mktemp -d)"
  target/debug/vocafuse-devserver --port 0 --storage-port 0 --data-dir "$dev_dir/data" "$@" \
    >"$dev_dir/ready.json" 2>"$dev_dir/server.log" &
  dev_pid=$!
  for _ in $(seq 1 100); do [ -s "$dev_dir/ready.json" ] && break; kill -0 "$dev_pid" || break; sleep 0.1; done
  [ -s "$dev_dir/ready.json" ] || { echo "the development server did not start:" >&2; cat "$dev_dir/server.log" >&2; return 1; }
  export VOCAFUSE_DEV_API="$(sed -E 's/.*"api":"([^"]+)".*/\1/' "$dev_dir/ready.json")"
  echo "dev server at $VOCAFUSE_DEV_API"
}

stop_null_audio() {
  [ -f "${XDG_RUNTIME_DIR:-/nonexistent}/pulse/pid" ] && kill "$(cat "$XDG_RUNTIME_DIR/pulse/pid")" 2>/dev/null
  unset XDG_RUNTIME_DIR
  return 0
}

# Stops what the functions above started; set as the EXIT trap.
stop_services() {
  [ -n "${dev_pid:-}" ] && kill "$dev_pid" 2>/dev/null
  stop_null_audio
}

# Firefox needs an audio server for Web Audio (the WAV path), but with one its MediaRecorder on
# the fake microphone stalls here, so the server runs only around Firefox's WAV suites.
needs_null_audio() { [ "$1" = firefox ] && [[ "$2" == *wav* || "$2" == microphone ]]; }

# The command that runs a wasm-bindgen-test suite in `browser` (chrome, firefox or webkit).
# WebKit goes the runner's Firefox route (wasm-pack's --safari drops webdriver.json's webkitgtk
# capabilities on Linux); MiniBrowser draws into a virtual display.
browser_test() {
  local browser="$1"; shift
  case "$browser" in
    chrome) wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" "$@" ;;
    firefox) wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" "$@" ;;
    webkit) xvfb-run -a wasm-pack test --headless --firefox --geckodriver "$(command -v WebKitWebDriver)" "$@" ;;
    *) echo "unknown browser $browser" >&2; return 2 ;;
  esac
}
