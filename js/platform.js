// The browser plumbing the Rust layer drives, as one module (each extra module is one more
// request when the package loads): capture for the WAV path, and IndexedDB and Web Locks
// as promises for durability, and the snapshot object the framework entries render.

// ---- capture ----
// Capture for the WAV path: microphone -> AudioWorklet running the WAV encoder's own wasm on the
// audio thread -> blocks of 16 kHz WAV data handed to Rust, which keeps them within the limits.
// Where there is no AudioWorklet, the same wasm and driver run on the main thread behind a
// ScriptProcessor. Both files ship next to the package's entry (found by these literal
// `new URL(..., import.meta.url)`, which bundlers copy), or under the SDK's `assetsUrl`.
// `?no-inline` is Vite's documented word for "emit a file": its default build would otherwise
// embed the small worklet as a data: URL, which a strict CSP (script-src 'self') refuses. Vite
// drops the query from the emitted URL; webpack and Turbopack keep it, and servers ignore it.

function captureAssets(base) {
  if (base) {
    const dir = new URL(base, document.baseURI);
    return { worklet: new URL('vocafuse-capture-worklet.js', dir), wasm: new URL('vocafuse_wav.wasm', dir) };
  }
  return {
    worklet: new URL('./vocafuse-capture-worklet.js?no-inline', import.meta.url),
    wasm: new URL('./vocafuse_wav.wasm?no-inline', import.meta.url),
  };
}

// A file's URL for a message: a bundler's data: URL is named for what it is, not its content.
function describeUrl(url, file) {
  return url.protocol === 'data:'
    ? `an inlined data: URL (your bundler inlined ${file}; serve it as a file, or set assetsUrl)`
    : url.href;
}

// The browser's own reason, without the (possibly kilobytes of) data: URL it may quote.
function reason(e) {
  return String((e && e.message) || e).replace(/data:[^\s)]+/g, 'the data: URL');
}

// The encoder's wasm, fetched and compiled once per URL (not streamed: any content type will do).
const compiled = new Map();
function compileEncoder(url) {
  let module = compiled.get(url.href);
  if (!module) {
    module = fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.arrayBuffer();
      })
      .then((bytes) => WebAssembly.compile(bytes))
      .catch((e) => {
        compiled.delete(url.href);
        throw new DOMException(`the WAV encoder ${describeUrl(url, 'vocafuse_wav.wasm')} could not be loaded (see assetsUrl): ${reason(e)}`, 'NotReadableError');
      });
    compiled.set(url.href, module);
  }
  return module;
}

// Waits for `promise`, at most `ms`, then gives `fallback`.
function within(promise, ms, fallback) {
  let timer;
  return Promise.race([promise, new Promise((r) => { timer = setTimeout(() => r(fallback), ms); })])
    .finally(() => clearTimeout(timer));
}

async function workletNode(context, assets, encoder, onBlock) {
  try {
    await context.audioWorklet.addModule(assets.worklet);
  } catch (e) {
    throw new DOMException(`the capture worklet ${describeUrl(assets.worklet, 'vocafuse-capture-worklet.js')} could not be loaded (see assetsUrl): ${reason(e)}`, 'NotReadableError');
  }
  const module = await encoder;
  const options = (wasm) => ({
    numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit', processorOptions: { wasm },
  });
  const node = new AudioWorkletNode(context, 'vocafuse-capture', options(module));
  let started, tail;
  const ready = new Promise((resolve, reject) => { started = { resolve, reject }; });
  ready.catch(() => {}); // awaited by openCapture, maybe after it failed
  const finished = new Promise((resolve) => { tail = resolve; });
  node.port.onmessage = (e) => {
    const data = e.data;
    if (data instanceof Uint8Array) onBlock(data);
    else if (data.tail) tail(data.tail);
    else if (data.ready) started.resolve();
    else if (data.error) started.reject(new DOMException(data.error, data.name === 'NotSupportedError' ? data.name : 'NotReadableError'));
  };
  return {
    node,
    ready,
    finish() {
      node.port.postMessage('finish');
      return finished;
    },
    stop() { node.port.onmessage = null; },
  };
}

async function scriptProcessorNode(context, assets, encoder, onBlock) {
  const [{ WavEncoder }, module] = await Promise.all([
    import(/* webpackIgnore: true */ /* @vite-ignore */ assets.worklet.href),
    encoder,
  ]);
  const wav = new WavEncoder(await WebAssembly.instantiate(module), context.sampleRate, onBlock);
  // The documented fallback: deprecated, but present wherever AudioWorklet is not.
  const node = context.createScriptProcessor(2048, 1, 1);
  node.onaudioprocess = (e) => wav.push(e.inputBuffer.getChannelData(0));
  return {
    node,
    ready: Promise.resolve(),
    finish() {
      node.onaudioprocess = null;
      return Promise.resolve(wav.finish());
    },
    stop() { node.onaudioprocess = null; },
  };
}

// Opens the capture in `context` (the recorder's, created and resumed inside start() so that
// Safari counts the click; the recorder closes it); `onBlock` receives Uint8Arrays of 16 kHz WAV
// data (no header). The handle's `finish()` resolves with the last data (null if the audio
// thread did not answer within a second) and disconnects; `close()` disconnects at once.
export async function openCapture(stream, onBlock, assetsUrl, context) {
  const assets = captureAssets(assetsUrl);
  const encoder = compileEncoder(assets.wasm);
  encoder.catch(() => {}); // awaited below; not unhandled if the worklet fails first
  const source = context.createMediaStreamSource(stream);
  const capture = context.audioWorklet && typeof AudioWorkletNode === 'function'
    ? await workletNode(context, assets, encoder, onBlock)
    : await scriptProcessorNode(context, assets, encoder, onBlock);
  source.connect(capture.node);
  capture.node.connect(context.destination); // pulls the graph; the node outputs silence
  if (context.state !== 'running') {
    // resume() can stay pending forever (no audio device, no user gesture): bound the wait.
    await within(context.resume().catch(() => {}), 3000);
  }
  if (context.state !== 'running') {
    throw new DOMException(`the audio system did not start (AudioContext is ${context.state})`, 'NotReadableError');
  }
  const started = await within(capture.ready.then(() => true), 3000, false);
  if (!started) throw new DOMException('the capture worklet did not start', 'NotReadableError');
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    capture.stop();
    try { source.disconnect(); capture.node.disconnect(); } catch { /* already gone */ }
  };
  return {
    sampleRate: context.sampleRate,
    async finish() {
      if (closed) return null;
      try {
        return await within(capture.finish(), 1000, null);
      } finally {
        close();
      }
    },
    close,
  };
}

export function hasWebAudio() {
  return typeof AudioContext === 'function';
}

// ---- storage and locks ----
// IndexedDB and Web Locks as promises, for the SDK's durability (src/web/durable.rs decides
// what is stored; the schema is documented in src/core/durable.rs and the README).
// Database `vocafuse` v1: `recordings` {id, createdAt, meta} keyed by id, and `chunks`
// {id, seq, data} keyed by [id, seq].

let opened = null;
// Every operation runs after the one before it, whatever it awaits: a recording's rows are
// written, read and deleted in exactly the order the SDK asked.
let queue = Promise.resolve();
function inOrder(operation) {
  const result = queue.then(operation);
  queue = result.catch(() => {});
  return result;
}
// Some browsers refuse Blobs in IndexedDB (WebKit in private or automated sessions): from the
// first refusal on, chunks are stored as ArrayBuffers.
let blobsRefused = false;

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function db() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) throw new DOMException('IndexedDB is not available', 'NotSupportedError');
      const request = indexedDB.open('vocafuse', 1);
      request.onupgradeneeded = () => {
        const d = request.result;
        if (!d.objectStoreNames.contains('recordings')) d.createObjectStore('recordings', { keyPath: 'id' });
        if (!d.objectStoreNames.contains('chunks')) d.createObjectStore('chunks', { keyPath: ['id', 'seq'] });
      };
      request.onsuccess = () => {
        const d = request.result;
        // Another tab upgrading (a later SDK version): let it.
        d.onversionchange = () => { d.close(); opened = null; };
        d.onclose = () => { opened = null; };
        resolve(d);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new DOMException('the voice note storage is blocked by another tab', 'InvalidStateError'));
    });
    opened.catch(() => { opened = null; });
  }
  return opened;
}

// One transaction over `stores`; `work(tx)` issues the requests. Resolves with `work`'s value
// once the transaction has committed.
async function transact(stores, mode, work) {
  const tx = (await db()).transaction(stores, mode);
  const value = work(tx);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException('the transaction was aborted', 'AbortError'));
  });
  return value;
}

const range = (id) => IDBKeyRange.bound([id, -Infinity], [id, Infinity]);

export function putRecording(id, createdAt, meta) {
  return inOrder(() => transact(['recordings'], 'readwrite', (tx) => {
    tx.objectStore('recordings').put({ id, createdAt, meta });
  }));
}

// A chunk and the recording's updated metadata, together.
export function putChunk(id, seq, data, createdAt, meta) {
  const write = (value) => transact(['recordings', 'chunks'], 'readwrite', (tx) => {
    tx.objectStore('chunks').put({ id, seq, data: value });
    tx.objectStore('recordings').put({ id, createdAt, meta });
  });
  return inOrder(async () => {
    if (!(data instanceof Blob)) return write(data);
    if (blobsRefused) return write(await data.arrayBuffer());
    try {
      return await write(data);
    } catch (e) {
      if (e && e.name === 'QuotaExceededError') throw e;
      blobsRefused = true;
      return write(await data.arrayBuffer());
    }
  });
}

export function getRecording(id) {
  return inOrder(() => readRecording(id));
}

async function readRecording(id) {
  let row;
  await transact(['recordings'], 'readonly', (tx) => {
    done(tx.objectStore('recordings').get(id)).then((r) => { row = r; });
  });
  return row;
}

// Every recording row, oldest first.
export function listRecordings() {
  return inOrder(readAll);
}

async function readAll() {
  let rows = [];
  await transact(['recordings'], 'readonly', (tx) => {
    done(tx.objectStore('recordings').getAll()).then((r) => { rows = r; });
  });
  return rows
    .filter((r) => r && typeof r.id === 'string' && typeof r.meta === 'string')
    .sort((a, b) => (a.createdAt || 0) - (b.createdAt || 0));
}

// The recorded data, in order, as Blobs.
export function getChunks(id) {
  return inOrder(async () => {
    let rows = [];
    await transact(['chunks'], 'readonly', (tx) => {
      done(tx.objectStore('chunks').getAll(range(id))).then((r) => { rows = r; });
    });
    return rows.sort((a, b) => a.seq - b.seq).map((r) => (r.data instanceof Blob ? r.data : new Blob([r.data])));
  });
}

// Forgets the audio; the row stays (with what `meta` says).
export function confirm(id, createdAt, meta) {
  return inOrder(() => transact(['recordings', 'chunks'], 'readwrite', (tx) => {
    tx.objectStore('chunks').delete(range(id));
    tx.objectStore('recordings').put({ id, createdAt, meta });
  }));
}

export function remove(id) {
  return inOrder(() => transact(['recordings', 'chunks'], 'readwrite', (tx) => {
    tx.objectStore('chunks').delete(range(id));
    tx.objectStore('recordings').delete(id);
  }));
}

// Asks the browser not to evict the recordings under storage pressure (where it allows).
export async function persistStorage() {
  const storage = globalThis.navigator && navigator.storage;
  if (!storage || !storage.persist) return false;
  if (storage.persisted && (await storage.persisted())) return true;
  return storage.persist();
}

// Waits for the Web Lock `name` and resolves with the function that releases it (null where
// the browser has no Web Locks).
export function holdLock(name) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return Promise.resolve(null);
  return new Promise((granted, failed) => {
    locks.request(name, () => new Promise((release) => granted(() => release()))).catch(failed);
  });
}

// Names of the locks held or asked for, in any tab of this origin.
export async function busyLocks() {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks || !locks.query) return [];
  const state = await locks.query();
  return [...(state.held || []), ...(state.pending || [])].map((l) => l.name);
}

export function newId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

export function isOnline() {
  return !(globalThis.navigator && navigator.onLine === false);
}

// ---- the framework entries' snapshot ----

// The framework entries' snapshot object (API.md, "Framework entries"). Rust decides every value
// (src/facade/snapshot.rs) and passes them in this order; only the field names live here, which
// keeps them out of the wasm.
const NO_WAVEFORM = Object.freeze([]);

export function snapshot(state, capturing, busy, hasRecording, duration, level, uploadProgress, inputStatus,
  networkStatus, error, recording, result, supported, gesture, press, label, review, progress, lock, hint) {
  // The kept recording's peaks, once the recorder measures them.
  const waveform = recording && Array.isArray(recording.waveform) ? recording.waveform : NO_WAVEFORM;
  return Object.freeze({
    state, capturing, busy, hasRecording, duration, level, uploadProgress, inputStatus, networkStatus,
    waveform, gesture, error, recording, result, supported, press, label, review, progress, lock, hint,
  });
}
