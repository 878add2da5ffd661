// The browser plumbing the Rust layer drives, as one module (each extra module is one more
// request when the package loads): PCM capture for the WAV path, and IndexedDB and Web Locks
// as promises for durability.

// ---- capture ----
// PCM capture for the WAV path: microphone -> AudioWorklet (or ScriptProcessor where there is no
// AudioWorklet) -> Float32Array blocks handed to Rust, which resamples and encodes. The worklet's
// module comes from a Blob URL, so the app hosts no extra file.
const PROCESSOR = `
class VocaFuseCapture extends AudioWorkletProcessor {
  constructor() { super(); this.block = new Float32Array(512); this.filled = 0; }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (input) {
      for (let i = 0; i < input.length; i++) {
        this.block[this.filled++] = input[i];
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block, [this.block.buffer]);
          this.block = new Float32Array(512);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor('vocafuse-capture', VocaFuseCapture);
`;

export async function openCapture(stream, onBlock) {
  const context = new AudioContext();
  try {
    const source = context.createMediaStreamSource(stream);
    let node;
    if (context.audioWorklet && typeof AudioWorkletNode === 'function') {
      const url = URL.createObjectURL(new Blob([PROCESSOR], { type: 'application/javascript' }));
      try { await context.audioWorklet.addModule(url); } finally { URL.revokeObjectURL(url); }
      node = new AudioWorkletNode(context, 'vocafuse-capture', {
        numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit',
      });
      node.port.onmessage = (e) => onBlock(e.data);
    } else {
      // The documented fallback: deprecated, but present wherever AudioWorklet is not.
      node = context.createScriptProcessor(2048, 1, 1);
      node.onaudioprocess = (e) => onBlock(new Float32Array(e.inputBuffer.getChannelData(0)));
    }
    source.connect(node);
    node.connect(context.destination); // pulls the graph; the node outputs silence
    if (context.state !== 'running') {
      // resume() can stay pending forever (no audio device, no user gesture): bound the wait.
      await Promise.race([context.resume().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    }
    if (context.state !== 'running') {
      throw new DOMException(`the audio system did not start (AudioContext is ${context.state})`, 'NotReadableError');
    }
    return {
      sampleRate: context.sampleRate,
      close() {
        if (node.port) node.port.onmessage = null; else node.onaudioprocess = null;
        try { source.disconnect(); node.disconnect(); } catch { /* already gone */ }
        context.close().catch(() => {});
      },
    };
  } catch (e) {
    context.close().catch(() => {});
    throw e;
  }
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
