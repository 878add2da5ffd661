#!/usr/bin/env bash
# Builds the npm package in pkg/: the release wasm (size-tuned, wasm-opt run, short import
# names) and one minified ES module, index.js (with its source map): the wrapper entry that adds
# VocaFuseError and ErrorCode, the generated bindings and the SDK's JS snippets, bundled by esbuild;
# and the WAV add-on beside them (the capture worklet and its encoder's wasm, loaded on the WAV
# path only).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
scripts/setup.sh build

# A clean pkg/ (wasm-pack leaves snippet files of earlier builds behind).
build_release_wasm . pkg vocafuse_wasm

error_module=$(cd pkg && find snippets -path '*/js/error.js' | head -n 1)
[ -n "$error_module" ] || { echo "build-pkg: the error.js snippet is missing from pkg/" >&2; exit 1; }
codes=$(cargo run --quiet --example error_codes)
# The token request VocaFuseSDK.load sends before the wasm is ready: the SDK's own, from Rust.
token_request=$(cargo run --quiet --example token_request)

sed -e "s#__ERROR_MODULE__#./${error_module}#" -e "s#__ERROR_CODES__#${codes}#" -e "s#__TOKEN_REQUEST__#${token_request}#" \
  js/index.js > pkg/entry.js
grep -q '__[A-Z_]*__' pkg/entry.js && { echo "build-pkg: a placeholder of js/index.js was not filled in" >&2; exit 1; }
# One file for the browser to fetch besides the wasm; minified, as <script type="module"> pages
# get it (bundlers minify anyway). new URL('vocafuse_wasm_bg.wasm', import.meta.url) is kept.
tools/node_modules/.bin/esbuild pkg/entry.js --bundle --format=esm --minify --sourcemap \
  --legal-comments=none --log-level=warning --log-override:duplicate-object-key=silent --outfile=pkg/index.js
# The ScriptProcessor fallback imports the worklet file at run time; esbuild drops the comments
# that tell bundlers to leave that import() alone, so they are put back (webpack would otherwise
# replace it with a module lookup that fails).
sed -i -E 's#import\(([A-Za-z_$][A-Za-z0-9_$]*\.worklet\.href)\)#import(/* webpackIgnore: true */ /* @vite-ignore */ \1)#' pkg/index.js
grep -q 'import(/\* webpackIgnore: true \*/ /\* @vite-ignore \*/ [A-Za-z_$][A-Za-z0-9_$]*\.worklet\.href)' pkg/index.js \
  || { echo "build-pkg: the fallback's import() of the worklet is not marked for bundlers" >&2; exit 1; }
grep -q 'new URL("vocafuse_wasm_bg.wasm",import.meta.url)' pkg/index.js \
  || { echo "build-pkg: the bundle no longer finds its wasm next to itself" >&2; exit 1; }
# The WAV add-on, next to index.js: the capture worklet and the WAV encoder's own wasm, which the
# entry finds with literal new URL('./file', import.meta.url) forms (bundlers copy what they name).
build_wav_addon pkg
for f in vocafuse-capture-worklet.js vocafuse_wav.wasm; do
  grep -q "new URL(\"./$f?no-inline\",import.meta.url)" pkg/index.js \
    || { echo "build-pkg: the bundle no longer finds $f next to itself" >&2; exit 1; }
done
rm -rf pkg/entry.js pkg/vocafuse_wasm.js pkg/vocafuse_wasm.d.ts pkg/vocafuse_wasm_bg.wasm.d.ts pkg/snippets
{
  sed '/__ERROR_CODES_TYPE__/,$d' js/index.d.ts
  printf 'export declare const ErrorCode: Readonly<{\n'
  printf '%s' "$codes" | tr -d '{}' | tr ',' '\n' | sed -E 's/"([A-Z_]+)":"([A-Z_]+)"/  \1: "\2";/'
  printf '\n}>;\nexport type ErrorCodeName = keyof typeof ErrorCode;\n'
  sed '1,/__ERROR_CODES_TYPE__/d' js/index.d.ts
} > pkg/index.d.ts
# The framework entries (react, vue, element), the state and the hold gesture they share, and the locales: hand-written
# ESM, minified one by one, not bundled: they import 'react'/'vue' (the app's) and ./index.js lazily.
for entry in voice-note hold react vue element locales/ar locales/de locales/es locales/fr; do
  # The element is loaded by <script type="module"> pages: voice-note.js is bundled into it (one
  # round trip less on a phone's network); the entry and the locales stay lazy imports.
  # voice-note.js holds the option names generated from Rust (js/options.js).
  bundle=(); [ "$entry" = element ] && bundle=(--bundle --external:./index.js '--external:./locales/*')
  [ "$entry" = voice-note ] && bundle=(--bundle --external:./index.js)
  tools/node_modules/.bin/esbuild "js/$entry.js" "${bundle[@]}" --format=esm --minify --sourcemap --legal-comments=none \
    --log-level=warning --outfile="pkg/$entry.js"
  cp "js/$entry.d.ts" "pkg/$entry.d.ts"
done
grep -q 'import("./index.js")' pkg/element.js && ! grep -q 'from"./voice-note.js"' pkg/element.js && ! grep -q 'from"./hold.js"' pkg/element.js \
  || { echo "build-pkg: element.js should hold voice-note.js and hold.js and import ./index.js lazily" >&2; exit 1; }
node scripts/package-json.mjs
cp js/README.npm.md pkg/README.md
echo "built pkg/ ($(du -sh pkg | cut -f1))"
