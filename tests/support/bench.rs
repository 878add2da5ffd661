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
}

pub fn browser() -> String {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap_or_default();
    if ua.contains("Firefox") { "firefox".into() } else { "chromium".into() }
}

