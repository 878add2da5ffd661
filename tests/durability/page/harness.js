// The durability test page. The node tests drive `window.H` through WebDriver scripts: every
// method returns JSON-friendly values, and long calls run as named "jobs" whose outcome the
// tests poll (so a reload, a kill or a second tab can happen while they are under way).
//
// Query string: `?autoinit=1` creates and initialises the SDK on load (job "autoinit"), with
// `resumeOnInit=1` to let init() resume pending recordings by itself.
import init, { VocaFuseSDK, VocaFuseError } from '/pkg/index.js';

const DB = 'vocafuse';

const H = {
  loadedAt: performance.timeOrigin + performance.now(),
  sdk: null,
  rec: null,
  /** What the current recorder reported. */
  events: null,
  /** name → { done, ok, value | error, startedAt, endedAt } */
  jobs: {},
  pageErrors: [],
  netEvents: [],
};
window.H = H;

addEventListener('error', (e) => H.pageErrors.push(`error: ${e.message} (${e.filename}:${e.lineno})`));
addEventListener('unhandledrejection', (e) => H.pageErrors.push(`unhandledrejection: ${describeError(e.reason)}`));
addEventListener('online', () => H.netEvents.push({ type: 'online', at: Date.now() }));
addEventListener('offline', () => H.netEvents.push({ type: 'offline', at: Date.now() }));

function describeError(e) {
  if (!e) return String(e);
  return e.code ? `${e.code}: ${e.message}` : (e.stack || e.message || String(e));
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A JSON-friendly picture of whatever an SDK call resolved or rejected with. */
async function summarize(v) {
  if (v === undefined || v === null) return null;
  if (v instanceof Error || v instanceof VocaFuseError || (typeof v === 'object' && typeof v.code === 'string' && 'userMessage' in v)) {
    return {
      error: true, name: v.name, code: v.code, message: v.message, retryable: v.retryable,
      status: v.status, details: v.details, isVocaFuseError: v instanceof VocaFuseError,
    };
  }
  if (Array.isArray(v)) return Promise.all(v.map(summarize));
  if (typeof Blob !== 'undefined' && v.blob instanceof Blob) {
    return {
      recording: true, mimeType: v.mimeType, duration: v.duration, size: v.size, format: v.format,
      blobSize: v.blob.size, blobType: v.blob.type, sha256: await sha256(v.blob),
    };
  }
  try { return JSON.parse(JSON.stringify(v)); } catch { return String(v); }
}

/** Runs `promise` as the job `name`; the tests poll `H.job(name)`. */
H.start = (name, promise) => {
  const job = { done: false, startedAt: Date.now() };
  H.jobs[name] = job;
  Promise.resolve(promise).then(
    async (value) => { job.value = await summarize(value); job.ok = true; },
    async (err) => { job.error = await summarize(err); job.ok = false; },
  ).then(() => { job.endedAt = Date.now(); job.done = true; });
  return { started: name };
};
H.job = (name) => H.jobs[name] || null;

/** Creates the SDK (same-origin dev server) and awaits its init(). */
H.init = async (config = {}) => {
  await init();
  H.sdk = new VocaFuseSDK({
    tokenEndpoint: `${location.origin}/api/token`,
    apiBaseUrl: location.origin,
    retries: 3,
    timeout: 30000,
    ...config,
  });
  await H.sdk.init();
  return {
    hasPendingRecordings: typeof H.sdk.pendingRecordings === 'function',
    hasResumePending: typeof H.sdk.resumePending === 'function',
  };
};

/** Does the loaded package have the durability API at all? (Without creating an SDK.) */
H.durabilityApi = async () => {
  await init();
  const proto = VocaFuseSDK.prototype;
  return { pendingRecordings: typeof proto.pendingRecordings === 'function', resumePending: typeof proto.resumePending === 'function' };
};

/** A recorder whose callbacks land in `H.events`; resolves once it records. */
H.record = async (options = {}) => {
  const events = { states: [], stateTimes: [], progress: null, progressCount: 0, upload: [], errors: [] };
  H.events = events;
  H.rec = H.sdk.createRecorder({
    ...options,
    onStateChange: (s) => { events.states.push(s); events.stateTimes.push(Date.now()); },
    onRecordProgress: (s) => { events.progress = s; events.progressCount += 1; },
    onUploadProgress: (p) => events.upload.push(p),
    onError: (e) => events.errors.push({ code: e.code, message: e.message }),
  });
  await H.rec.start();
  return { state: H.rec.state };
};

/** The recorder's live view. */
H.recState = () => (H.rec ? {
  state: H.rec.state, duration: H.rec.duration, isRecording: H.rec.isRecording,
  isUploading: H.rec.isUploading, events: H.events,
} : null);

/** The recorder's kept recording (`rec.recording`), with its SHA-256. */
H.recording = async () => (H.rec && H.rec.recording ? summarize(H.rec.recording) : null);

/** `sdk.pendingRecordings()` as plain objects. */
H.pending = async () => {
  const list = await H.sdk.pendingRecordings();
  return list.map((p) => ({
    id: p.id, createdAt: p.createdAt, format: p.format, mimeType: p.mimeType,
    duration: p.duration, size: p.size, state: p.state,
  }));
};

async function pendingEntry(id) {
  const list = await H.sdk.pendingRecordings();
  const entry = list.find((p) => p.id === id);
  if (!entry) throw new Error(`no pending recording ${id} (pending: ${list.map((p) => p.id).join(', ') || 'none'})`);
  return entry;
}

/** An entry's blob: size, type, SHA-256, and the duration an <audio> element reads from it. */
H.pendingBlob = async (id) => {
  const blob = await (await pendingEntry(id)).blob();
  return { size: blob.size, type: blob.type, sha256: await sha256(blob), audio: await audioDuration(blob) };
};

/** `{ duration (a string: 'Infinity' survives JSON), error }` from loadedmetadata. */
function audioDuration(blob) {
  return new Promise((resolve) => {
    const audio = document.createElement('audio');
    const url = URL.createObjectURL(blob);
    const done = (out) => { clearTimeout(timer); URL.revokeObjectURL(url); audio.removeAttribute('src'); resolve(out); };
    const timer = setTimeout(() => done({ duration: null, error: 'no loadedmetadata in 15 s' }), 15_000);
    audio.preload = 'metadata';
    audio.addEventListener('loadedmetadata', () => done({ duration: String(audio.duration), error: null }));
    audio.addEventListener('error', () => done({ duration: null, error: `media error ${audio.error?.code}: ${audio.error?.message}` }));
    audio.src = url;
  });
}

/** Starts `entry.upload()` as the job `name`. */
H.uploadPending = async (id, name = 'upload') => H.start(name, (await pendingEntry(id)).upload());
/** Keeps this page's `pendingRecordings()` entries, to call `upload()` on them later. */
H.grab = async () => {
  H.grabbed = await H.sdk.pendingRecordings();
  return H.grabbed.map((p) => p.id);
};
/** Starts `upload()` on an entry kept by `H.grab()` (even if another tab holds it by now). */
H.uploadGrabbed = (id, name = 'upload') => {
  const entry = (H.grabbed || []).find((p) => p.id === id);
  if (!entry) throw new Error(`no grabbed entry ${id}`);
  return H.start(name, entry.upload());
};
H.discardPending = async (id) => { await (await pendingEntry(id)).discard(); return true; };
H.resumePending = (name = 'resume') => H.start(name, H.sdk.resumePending());

// ---- IndexedDB, directly (the documented layout), with no SDK involved ----

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('recordings')) db.createObjectStore('recordings', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks', { keyPath: ['id', 'seq'] });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('indexedDB.open blocked'));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

/**
 * Stores a pending recording of `size` random bytes in `chunks` chunks, as the SDK would have
 * left it. Resolves with `{ id, sha256, size, createdAt }`.
 */
H.seed = async ({ size = 12_000_000, chunks = 3, format = 'webm', mimeType = 'audio/webm', duration = 12.5, state = 'recorded' } = {}) => {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const id = crypto.randomUUID();
  const createdAt = Date.now();
  const meta = JSON.stringify({
    format, mime_type: mimeType, duration, size, state,
    max_duration: 60, max_file_size: 25000000, bits_per_second: 32000, patched: false,
  });
  const db = await openDb();
  try {
    const tx = db.transaction(['recordings', 'chunks'], 'readwrite');
    const step = Math.ceil(size / chunks);
    for (let seq = 0; seq * step < size; seq += 1) {
      const data = new Blob([bytes.subarray(seq * step, Math.min(size, (seq + 1) * step))], { type: mimeType });
      tx.objectStore('chunks').put({ id, seq, data });
    }
    tx.objectStore('recordings').put({ id, createdAt, meta });
    await done(tx);
  } finally {
    db.close();
  }
  return { id, sha256: hex, size, createdAt };
};

/**
 * Every stored recording: `{ id, createdAt, meta (parsed, or the raw text), chunks, bytes,
 * sha256 (of the chunks in seq order) }`. Opens (and, when absent, creates) the database.
 */
H.readDb = async ({ hash = true } = {}) => {
  const db = await openDb();
  try {
    const tx = db.transaction(['recordings', 'chunks'], 'readonly');
    const rows = await request(tx.objectStore('recordings').getAll());
    const chunks = await request(tx.objectStore('chunks').getAll());
    const out = [];
    for (const row of rows) {
      const mine = chunks.filter((c) => c.id === row.id).sort((a, b) => a.seq - b.seq);
      let meta = row.meta;
      try { meta = JSON.parse(row.meta); } catch { /* keep the text */ }
      const whole = new Blob(mine.map((c) => c.data));
      out.push({
        id: row.id, createdAt: row.createdAt, meta, chunks: mine.length,
        seqs: mine.map((c) => c.seq), bytes: whole.size, sha256: hash ? await sha256(whole) : null,
      });
    }
    return out;
  } finally {
    db.close();
  }
};

/** How many rows each store holds, and chunks whose recording row is gone. */
H.dbCounts = async () => {
  const db = await openDb();
  try {
    const tx = db.transaction(['recordings', 'chunks'], 'readonly');
    const ids = new Set(await request(tx.objectStore('recordings').getAllKeys()));
    const chunkKeys = await request(tx.objectStore('chunks').getAllKeys());
    return { recordings: ids.size, chunks: chunkKeys.length, orphanChunks: chunkKeys.filter(([id]) => !ids.has(id)).length };
  } finally {
    db.close();
  }
};

/** Deletes the whole database (call before any SDK opened it in this page). */
H.wipe = () => new Promise((resolve, reject) => {
  const req = indexedDB.deleteDatabase(DB);
  req.onsuccess = () => resolve(true);
  req.onerror = () => reject(req.error);
  req.onblocked = () => reject(new Error('deleteDatabase blocked: another connection is open'));
});

/** Web Locks held or waited for in this origin (for diagnostics). */
H.locks = async () => (navigator.locks ? navigator.locks.query() : null);

H.ready = true;

const params = new URLSearchParams(location.search);
if (params.get('autoinit') === '1') {
  H.start('autoinit', H.init({ resumeOnInit: params.get('resumeOnInit') === '1' }));
}
