// Sums `twiggy top --format csv` of the named main wasm into the SDK's areas and prints a
// Markdown table (scripts/size-breakdown.sh runs it). A function counts in the area of the first
// `vocafuse_wasm::` path in its name (drop glue and closures included), so code the compiler
// inlined counts where it landed; names without one go to the library they come from.
// Run: node scripts/size-areas.mjs target/size-named/top.csv
import { readFileSync } from 'node:fs';

const AREAS = [
  ['recording and the JS API (web::recorder, media, button; the facade)', /^(web::(recorder|media|button|js)|facade)\b/],
  ['the upload (web::upload, http, token, abort, network, sdk)', /^web::(upload|http|token|abort|network|sdk)\b/],
  ["durability's browser layer (web::durable, indexeddb, locks)", /^web::(durable|indexeddb|locks)\b/],
  ['core::response (error bodies, Retry-After, messages)', /^core::response\b/],
  ['core::json', /^core::json\b/],
  ['the rest of the pure core (lifecycle, durable rules, upload plan, errors, limits, WebM, text …)', /^core::/],
];

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').slice(1).map((line) => {
  const m = line.match(/^"?(.*?)"?,(\d+),/);
  // Nightly's names carry crate hashes (core[9c69…]::): dropped, so one pattern fits both.
  return { name: m[1].replace(/""/g, '"').replace(/\[[0-9a-f]{16}\]/g, ''), bytes: Number(m[2]) };
});

const totals = new Map();
const add = (area, bytes) => totals.set(area, (totals.get(area) || 0) + bytes);
for (const { name, bytes } of rows) {
  if (/ names" subsection|"module name" subsection/.test(name)) continue; // the names kept for twiggy
  const own = name.match(/vocafuse_wasm::((?:core|web|facade)(?:::\w+)?)/);
  if (/^(<*js_sys::futures|<*wasm_bindgen_futures)/.test(name)) {
    add("promises and futures (js_sys::futures: future_to_promise's closures, each with an exported call's body inlined)", bytes);
  } else if (own) {
    add((AREAS.find(([, re]) => re.test(own[1])) || ['vocafuse_wasm (crate root)'])[0], bytes);
  } else if (/^data segment/.test(name)) {
    add('string and table data (data segments: messages, option names, code table, panic texts)', bytes);
  } else if (/^(import|export|type|elem|table|global|memory|wasm magic|data (count )?section|code section|custom section 'target_features')/.test(name)) {
    add('imports, exports, tables, types (wasm sections)', bytes);
  } else if (/^custom section 'name'/.test(name)) {
    // the names kept for twiggy: not shipped
  } else if (/shim$|^[a-z]+_[a-zA-Z]+$|^error(From|To)|^start$|^__wbg_\w+_free$/.test(name)) {
    add("wasm-bindgen's shims of the exported methods", bytes);
  } else if (/^vocafuse_dsp/.test(name)) {
    add('the rest of the pure core (lifecycle, durable rules, upload plan, errors, limits, WebM, text …)', bytes);
  } else if (/^<*(wasm_bindgen|js_sys|web_sys|gloo_\w+|talc|futures_\w+|http::|__externref|__wbindgen)|^code\[\d+\]$/.test(name)) {
    add('wasm-bindgen, js-sys, web-sys, gloo, futures-channel, talc', bytes);
  } else if (/^<*(core|alloc|std|compiler_builtins|__rustc)\b|^<*[&*[]|^<*(u8|u16|u32|u64|usize|i32|i64|f32|f64|bool|char|str)\b|^<[A-Z] as |^(__[a-z0-9]+|round|fmaxf?|fminf?|floor|ceil|trunc)$|^memcpy|^memset|^memmove|^memcmp/.test(name)) {
    add("Rust's core, alloc and std (formatting, panics, collections, generic code for our types)", bytes);
  } else {
    add('other: ' + name.slice(0, 40), bytes);
  }
}
const sorted = [...totals].sort((a, b) => b[1] - a[1]);
const sum = sorted.reduce((n, [, b]) => n + b, 0);
console.log('| area | raw bytes | share |');
console.log('|---|---:|---:|');
for (const [area, bytes] of sorted) console.log(`| ${area} | ${bytes.toLocaleString('en')} | ${(100 * bytes / sum).toFixed(1)} % |`);
console.log(`| **total (without the names section)** | **${sum.toLocaleString('en')}** | |`);
