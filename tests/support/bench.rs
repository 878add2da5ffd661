//! Helpers for the benchmark suites (tests/bench*.rs): timing, wasm memory, and the `BENCH`
//! lines scripts/bench.sh collects.
#![allow(dead_code)]

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export async function decodedSeconds(blob) {
  const ctx = new OfflineAudioContext(1, 1, 48000);
  const audio = await ctx.decodeAudioData(await blob.arrayBuffer());
  return audio.duration;
}
export async function barePut(urls, blob, ranges) {
  const t0 = performance.now();
  await Promise.all(urls.map((u, i) => fetch(u, { method: 'PUT', body: blob.slice(ranges[i][0], ranges[i][1] + 1),
    headers: { 'Content-Type': 'audio/webm' } }).then(r => { if (!r.ok) throw new Error('PUT ' + r.status); })));
  return performance.now() - t0;
}
export function now() { return performance.now(); }
export function memoryBytes() { return wasmMemory().buffer.byteLength; }
let mem = null;
export function setMemory(m) { mem = m; }
function wasmMemory() { return mem; }
export function report(line) { console.log('BENCH ' + line); }
// What persisting costs (bench_durability): main-thread time in listeners and IndexedDB work.
// Here, not in a snippet of its own: with one more JS module the test runner's page stalled while
// loading in Chromium (twice in a row under scripts/bench.sh).
let busy = 0, depth = 0;
function timed(fn) {
  return function (...args) {
    if (depth > 0) return fn.apply(this, args);
    depth++;
    const t = performance.now();
    try { return fn.apply(this, args); } finally { busy += performance.now() - t; depth--; }
  };
}
export function instrument() {
  if (globalThis.__vfInstrumented) return;
  globalThis.__vfInstrumented = true;
  const wrapped = new WeakMap();
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, l, o) {
    if (typeof l !== 'function') return add.call(this, type, l, o);
    if (!wrapped.has(l)) wrapped.set(l, timed(l));
    return add.call(this, type, wrapped.get(l), o);
  };
  EventTarget.prototype.removeEventListener = function (type, l, o) {
    return remove.call(this, type, (typeof l === 'function' && wrapped.get(l)) || l, o);
  };
  const handlers = [[IDBRequest.prototype, ['onsuccess', 'onerror']],
    [IDBOpenDBRequest.prototype, ['onupgradeneeded', 'onblocked']],
    [IDBTransaction.prototype, ['oncomplete', 'onerror', 'onabort']]];
  for (const [proto, names] of handlers) for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d) continue;
    Object.defineProperty(proto, name, { configurable: true, get: d.get,
      set(fn) { d.set.call(this, typeof fn === 'function' ? timed(fn) : fn); } });
  }
  for (const [proto, names] of [[IDBDatabase.prototype, ['transaction']], [IDBObjectStore.prototype, ['put', 'get', 'getAll', 'delete', 'clear']]]) {
    for (const name of names) proto[name] = timed(proto[name]);
  }
}
export function busyMs() { return busy; }
export async function usage() {
  const e = await navigator.storage.estimate();
  return e.usage;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = decodedSeconds)]
    pub fn decoded_seconds(blob: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = barePut)]
    pub fn bare_put(urls: &js_sys::Array, blob: &web_sys::Blob, ranges: &js_sys::Array) -> Promise;
    pub fn now() -> f64;
    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes() -> f64;
    #[wasm_bindgen(js_name = setMemory)]
    pub fn set_memory(m: &JsValue);
    pub fn report(line: &str);
    pub fn instrument();
    #[wasm_bindgen(js_name = busyMs)]
    pub fn busy_ms() -> f64;
    pub fn usage() -> Promise;
}

pub fn browser() -> String {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap_or_default();
    if ua.contains("Firefox") { "firefox".into() } else { "chromium".into() }
}

