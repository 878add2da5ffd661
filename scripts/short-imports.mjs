// Gives the wasm's imports from wasm-bindgen's own glue module short names ("a", "b", … "aZ"),
// in the wasm's import section and in the glue's import object alike (and the exports the glue
// calls, "$a", "$b", …: see below). wasm-bindgen names each
// import after the JS function it wraps plus a 16-hex-digit hash
// (`__wbg_new_with_media_stream_and_media_recorder_options_0f1d44ca00812419`); with ~160 of them,
// renaming saves about 5 KB of the wasm (2.5 KB gzipped) and 2 KB gzipped of the glue. Imports from the SDK's own
// JS snippets keep their names (the glue passes those modules as they are).
//
// usage: node scripts/short-imports.mjs pkg/vocafuse_wasm_bg.wasm pkg/vocafuse_wasm.js
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, gluePath] = process.argv.slice(2);
const GLUE_MODULE = './vocafuse_wasm_bg.js';
let wasm = readFileSync(wasmPath);
const originalSize = wasm.length;
let glue = readFileSync(gluePath, 'utf8');

function fail(message) {
  console.error(`short-imports: ${message}`);
  process.exit(1);
}

let pos = 8;
function leb() {
  let result = 0, shift = 0, byte;
  do {
    byte = wasm[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
}
function encodeLeb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
function name() {
  const len = leb();
  const s = wasm.subarray(pos, pos + len).toString('utf8');
  pos += len;
  return s;
}
function limits() {
  const flags = wasm[pos++];
  leb();
  if (flags & 1) leb();
}

if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
let section = null;
while (pos < wasm.length) {
  const header = pos;
  const id = wasm[pos++];
  const size = leb();
  if (id === 2) {
    section = { header, start: pos, end: pos + size };
    break;
  }
  pos += size;
}
if (!section) fail('no import section');

const used = new Map();
const short = (i) => {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = letters[i % 52] + s;
    i = Math.floor(i / 52) - 1;
  } while (i >= 0);
  return s;
};
const parts = [];
const count = leb();
parts.push(encodeLeb(count));
for (let i = 0; i < count; i++) {
  const entryStart = pos;
  const module = name();
  const nameStart = pos;
  const field = name();
  const descStart = pos;
  const kind = wasm[pos++];
  if (kind === 0) leb();
  else if (kind === 1) { pos++; limits(); }
  else if (kind === 2) limits();
  else if (kind === 3) pos += 2;
  else if (kind === 4) { pos++; leb(); }
  else fail(`unknown import kind ${kind}`);
  if (module !== GLUE_MODULE) {
    parts.push(wasm.subarray(entryStart, pos));
    continue;
  }
  if (!used.has(field)) used.set(field, short(used.size));
  const renamed = Buffer.from(used.get(field));
  parts.push(wasm.subarray(entryStart, nameStart), encodeLeb(renamed.length), renamed, wasm.subarray(descStart, pos));
}
if (pos !== section.end) fail('the import section did not parse to its end');

// The glue's import object: `        __wbg_name_hash: function(…) {` (or `: name,`) lines.
let renamedInGlue = 0;
glue = glue.replace(/^(\s+)(__wb[A-Za-z0-9_]+)(:)/gm, (whole, indent, key, colon) => {
  if (!used.has(key)) return whole;
  renamedInGlue++;
  return indent + used.get(key) + colon;
});
if (renamedInGlue !== used.size) fail(`renamed ${used.size} imports in the wasm but ${renamedInGlue} in the glue`);

const body = Buffer.concat(parts);
let out = Buffer.concat([wasm.subarray(0, section.header), Buffer.from([2]), encodeLeb(body.length), body, wasm.subarray(section.end)]);

// The exports the glue calls (`wasm.name`) get short names too: wasm-bindgen names its closure
// adapters after their Rust types (`wasm_bindgen_<hash>___convert__closures_____invoke___js_sys_…`,
// up to 330 characters), and the glue spells each name again. `memory` keeps its name, and so do
// exports the glue never calls. Prefixed with `$`, so they cannot meet an import's short name.
wasm = out;
pos = 8;
section = null;
while (pos < wasm.length) {
  const header = pos;
  const id = wasm[pos++];
  const size = leb();
  if (id === 7) {
    section = { header, start: pos, end: pos + size };
    break;
  }
  pos += size;
}
if (!section) fail('no export section');
const called = new Set([...glue.matchAll(/\bwasm\.([A-Za-z_$][A-Za-z0-9_$]*)/g)].map((m) => m[1]));
const exported = new Map();
const exportParts = [];
const exportCount = leb();
exportParts.push(encodeLeb(exportCount));
for (let i = 0; i < exportCount; i++) {
  const field = name();
  const rest = pos;
  pos++; // kind
  leb(); // index
  let kept = field;
  if (field !== 'memory' && called.has(field)) {
    kept = '$' + short(exported.size);
    exported.set(field, kept);
  }
  const bytes = Buffer.from(kept);
  exportParts.push(encodeLeb(bytes.length), bytes, wasm.subarray(rest, pos));
}
if (pos !== section.end) fail('the export section did not parse to its end');
glue = glue.replace(/\bwasm\.([A-Za-z_$][A-Za-z0-9_$]*)/g, (whole, field) => (exported.has(field) ? `wasm.${exported.get(field)}` : whole));
for (const field of exported.keys()) {
  if (new RegExp(`\\bwasm\\.${field.replace(/\$/g, '\\$')}\\b`).test(glue)) fail(`the glue still calls wasm.${field}`);
}
const exportBody = Buffer.concat(exportParts);
out = Buffer.concat([wasm.subarray(0, section.header), Buffer.from([7]), encodeLeb(exportBody.length), exportBody, wasm.subarray(section.end)]);

writeFileSync(wasmPath, out);
writeFileSync(gluePath, glue);
console.log(`short-imports: ${used.size} imports and ${exported.size} exports renamed, wasm ${originalSize} -> ${out.length} bytes`);
