//! Helpers for the benchmark suites (bench/browser/bench*.rs): timing, wasm memory, and the `BENCH`
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
// The WAV add-on as the worklet runs it: `seconds` of a 440 Hz tone at `rate`, in 128-frame
// render quanta, through the shipped driver and wasm; the time of each of `passes` passes (ms).
export async function addOnPasses(assets, rate, seconds, passes) {
  const { WavEncoder } = await import(assets + 'vocafuse-capture-worklet.js');
  const module = await WebAssembly.compile(await (await fetch(assets + 'vocafuse_wav.wasm')).arrayBuffer());
  const quantum = new Float32Array(128);
  const quanta = Math.floor(rate * seconds / 128);
  const times = [];
  for (let p = 0; p < passes; p++) {
    let bytes = 0;
    const encoder = new WavEncoder(await WebAssembly.instantiate(module), rate, (b) => { bytes += b.length; });
    const t0 = performance.now();
    for (let q = 0, n = 0; q < quanta; q++) {
      for (let i = 0; i < 128; i++, n++) quantum[i] = 0.5 * Math.sin(2 * Math.PI * 440 * n / rate);
      encoder.push(quantum);
    }
    bytes += encoder.finish().length;
    times.push(performance.now() - t0);
    if (bytes < 2 * 16000 * seconds - 4) throw new Error(`the add-on gave ${bytes} bytes`);
  }
  return times;
}
// The time spent filling the quanta alone (subtracted from addOnPasses' times).
export function fillPasses(rate, seconds, passes) {
  const quantum = new Float32Array(128);
  const quanta = Math.floor(rate * seconds / 128);
  const times = [];
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    for (let q = 0, n = 0; q < quanta; q++) {
      for (let i = 0; i < 128; i++, n++) quantum[i] = 0.5 * Math.sin(2 * Math.PI * 440 * n / rate);
    }
    times.push(performance.now() - t0);
  }
  return times;
}
// getUserMedia hands out a known tone (an oscillator, `amp` at `freq` Hz) instead of the fake
// microphone's beeps, so a recording can be checked sample by sample.
let toneContext = null;
export async function toneMicrophone(freq, amp) {
  toneContext = new AudioContext();
  const osc = toneContext.createOscillator();
  const gain = toneContext.createGain();
  osc.frequency.value = freq;
  gain.gain.value = amp;
  const dest = toneContext.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  await toneContext.resume();
  navigator.mediaDevices.getUserMedia = async () => dest.stream.clone();
}
export function stopTone() { if (toneContext) toneContext.close(); toneContext = null; }
// A WAV recording of the tone: its decoded length, and the SNR (dB) of the best-fitting sine at
// `freq` over each second (a dropped or repeated block breaks the phase and shows as noise).
export async function toneReport(blob, freq) {
  const audio = await new OfflineAudioContext(1, 1, 16000).decodeAudioData(await blob.arrayBuffer());
  const x = audio.getChannelData(0);
  const rate = audio.sampleRate;
  const snrs = [];
  for (let from = rate; from + rate <= x.length - rate / 2; from += rate) {
    let ss = 0, sc = 0, cc = 0, xs = 0, xc = 0, xx = 0;
    for (let n = from; n < from + rate; n++) {
      const s = Math.sin(2 * Math.PI * freq * n / rate), c = Math.cos(2 * Math.PI * freq * n / rate);
      ss += s * s; sc += s * c; cc += c * c; xs += x[n] * s; xc += x[n] * c; xx += x[n] * x[n];
    }
    const det = ss * cc - sc * sc;
    const a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
    const fit = a * xs + b * xc; // energy of the fitted sine
    snrs.push(10 * Math.log10(fit / Math.max(xx - fit, 1e-20)));
  }
  return { seconds: audio.duration, minSnr: Math.min(...snrs), medianSnr: [...snrs].sort((p, q) => p - q)[snrs.length >> 1], worstSecond: snrs.indexOf(Math.min(...snrs)) + 1 };
}
// Main-thread time in the WAV capture's message handler (the SDK keeping each block), by
// wrapping the handler platform.js sets on the AudioWorkletNode's port.
let captureBusy = 0, captureMessages = 0;
export function timeCaptureMessages() {
  const Original = window.AudioWorkletNode;
  if (Original.__timed) return;
  window.AudioWorkletNode = class extends Original {
    constructor(...args) {
      super(...args);
      const port = this.port;
      let handler = null;
      Object.defineProperty(port, 'onmessage', {
        configurable: true,
        get: () => handler,
        set: (h) => {
          handler = h;
          MessagePort.prototype.__lookupSetter__('onmessage').call(port, h && ((e) => {
            const t = performance.now();
            try { h(e); } finally { captureBusy += performance.now() - t; captureMessages++; }
          }));
        },
      });
    }
  };
  window.AudioWorkletNode.__timed = true;
}
export function captureTime() { return [captureBusy, captureMessages]; }
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
    #[wasm_bindgen(js_name = addOnPasses)]
    pub fn add_on_passes(assets: &str, rate: u32, seconds: u32, passes: u32) -> Promise;
    #[wasm_bindgen(js_name = fillPasses)]
    pub fn fill_passes(rate: u32, seconds: u32, passes: u32) -> js_sys::Array;
    #[wasm_bindgen(js_name = toneMicrophone)]
    pub fn tone_microphone(freq: f64, amp: f64) -> Promise;
    #[wasm_bindgen(js_name = stopTone)]
    pub fn stop_tone();
    #[wasm_bindgen(js_name = toneReport)]
    pub fn tone_report(blob: &JsValue, freq: f64) -> Promise;
    #[wasm_bindgen(js_name = timeCaptureMessages)]
    pub fn time_capture_messages();
    #[wasm_bindgen(js_name = captureTime)]
    pub fn capture_time() -> js_sys::Array;
}

pub fn browser() -> String {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap_or_default();
    if ua.contains("Firefox") {
        "firefox".into()
    } else {
        "chromium".into()
    }
}
