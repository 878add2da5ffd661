// The VocaFuseError class. wasm-bindgen cannot make a Rust type extend Error, so the class lives
// here; Rust constructs it with the fields it computed from its code table.
const FIELDS = ['code', 'message', 'userMessage', 'details', 'timestamp', 'retryable', 'status',
  'serverCode', 'retryAfter'];

export class VocaFuseError extends Error {
  constructor(init = {}) {
    const f = typeof init === 'string' ? { code: init } : (init || {});
    super(f.message || f.code || 'Unknown error');
    Object.defineProperty(this, 'name', { value: 'VocaFuseError', configurable: true, writable: true });
    this.code = f.code || 'UNKNOWN_ERROR';
    this.userMessage = f.userMessage || 'Something went wrong. Please try again.';
    if (f.details !== undefined && f.details !== null) this.details = f.details;
    this.timestamp = typeof f.timestamp === 'number' ? f.timestamp : Date.now();
    this.retryable = Boolean(f.retryable);
    if (typeof f.status === 'number') this.status = f.status;
    if (typeof f.serverCode === 'number') this.serverCode = f.serverCode;
    if (typeof f.retryAfter === 'number') this.retryAfter = f.retryAfter;
  }

  toJSON() {
    const out = { name: this.name };
    for (const k of FIELDS) if (this[k] !== undefined) out[k] = this[k];
    return out;
  }
}

// The one place outside this class that knows its shape: Rust reads a thrown error's code here.
export function codeOf(value) {
  if (!(value instanceof VocaFuseError)) return undefined;
  return typeof value.code === 'string' ? value.code : '';
}

// An app callback that throws must not break the recorder: report it where the app will see it.
export function callSafely(fn, arg) {
  try {
    fn(arg);
  } catch (e) {
    setTimeout(() => { throw e; });
  }
}

// A rejection that is also delivered to onError must not surface as "unhandled".
export function quiet(promise) {
  promise.catch(() => {});
}

// ---- a failure of the SDK itself ----
// Every live recorder's pending calls and onError, so that a panic in the wasm (which then
// cannot run again) still settles every promise with a VocaFuseError and tells every recorder,
// instead of leaving them pending forever.
const live = new Set();

export function register(onError) {
  const entry = { onError, pending: new Set() };
  live.add(entry);
  return entry;
}

export function unregister(entry) {
  live.delete(entry);
}

// `promise`, settled by the SDK as usual, or rejected by `failAll`.
export function track(entry, promise) {
  return new Promise((resolve, reject) => {
    entry.pending.add(reject);
    promise.then(
      (value) => { entry.pending.delete(reject); resolve(value); },
      (error) => { entry.pending.delete(reject); reject(error); },
    );
  });
}

export function failAll(error) {
  for (const entry of live) {
    for (const reject of entry.pending) reject(error);
    entry.pending.clear();
    if (entry.onError) callSafely(entry.onError, error);
  }
}
