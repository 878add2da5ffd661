// One voice note's state for the framework entries (react.js, vue.js, element.js): it warms the
// SDK once mounted (the wasm's download hinted at once, the SDK loaded with its first token at
// idle time, or at once on intent), creates the recorder lazily, turns its callbacks into immutable
// snapshots for subscribers, and releases everything on release(). It touches no browser global
// until an action or connect() runs, so importing it during server rendering is safe.

import { CALLBACKS, CONFIG_KEYS, RECORDER_KEYS } from './options.js';

/**
 * The snapshot before there is a recorder (the recorder makes every later one: what its state
 * means, `press`, `label`, `review`, `progress` and `lock` included, is decided in Rust).
 */
const INITIAL = Object.freeze({
  state: 'idle', capturing: false, busy: false, hasRecording: false, duration: 0, level: 0,
  uploadProgress: 0, inputStatus: 'ok', networkStatus: 'ok', waveform: Object.freeze([]), gesture: 'idle', error: null,
  recording: null, result: null, supported: null, press: 'start', label: 'record',
  review: false, progress: false, lock: '', hint: false,
});
// Without a recorder nothing is under way: a press starts (a hold control says to hold) and nothing uploads.
const settledLabel = (hold) => (hold ? 'hold' : 'record');

/** The toggle's texts in English, keyed by the snapshot's `label` (the locales' `labels` too). */
export const LABELS = Object.freeze({
  record: 'Record', stop: 'Stop', starting: 'Starting…', sending: 'Sending…',
  waiting: 'Waiting for the network…', unreachable: 'Can’t reach the server, retrying…', sent: 'Sent ✓',
  hold: 'Hold to record', release: 'Release to send', cancelling: 'Release to cancel',
});

let entry = null;
/** The package entry's module, imported once (its wasm not yet). */
function importEntry() {
  if (!entry) {
    entry = import('./index.js');
    entry.catch(() => { entry = null; });
  }
  return entry;
}

let core = null;
/** The package entry, imported (and its wasm instantiated) once, on first use. */
export function loadCore() {
  if (!core) {
    core = importEntry().then(async (m) => { await m.default(); return m; });
    core.catch(() => { core = null; });
  }
  return core;
}

// The SDKs made from config fields, one per config on the page (many elements share one, and its
// token), each `VocaFuseSDK.load`ed: the wasm and the first token overlapped.
const sdks = new Map();
function sdkFor(config) {
  const key = keyOf(config);
  let promise = sdks.get(key);
  if (!promise) {
    // load() as soon as the entry is here: its first token request goes out while the wasm loads.
    promise = importEntry().then((m) => m.VocaFuseSDK.load(config));
    sdks.set(key, promise);
    promise.catch(() => { if (sdks.get(key) === promise) sdks.delete(key); });
  }
  return promise;
}

// The same file the entry fetches (bundlers resolve both to one asset), so the preload is used.
const WASM_URL = () => new URL('./vocafuse_wasm_bg.wasm', import.meta.url);
let hinted = false;
/**
 * `<link rel="preload">` for the wasm, once per page: its download starts now, beside the app's
 * other files, instead of after the entry's. `as="fetch"` with `crossorigin` matches the entry's
 * fetch (so no second download), and needs nothing beyond connect-src under a strict CSP.
 */
function hintWasm() {
  if (hinted || typeof document === 'undefined' || !document.head) return;
  hinted = true;
  const href = WASM_URL().href;
  for (const link of document.querySelectorAll('link[rel="preload"]')) if (link.href === href) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.type = 'application/wasm';
  link.crossOrigin = 'anonymous';
  link.href = href;
  document.head.appendChild(link);
}

// Runs `fn` when the browser is idle (after the app's own first work), within `timeout` ms.
// Returns the function that cancels it.
function whenIdle(fn, timeout) {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 1);
  return () => clearTimeout(id);
}

/**
 * What this browser offers, checked without the wasm (the SDK's isVoicenoteSupported() refines
 * it once loaded): a secure context, getUserMedia, and MediaRecorder or Web Audio for WAV.
 */
function browserCanRecord() {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return false;
  return Boolean(window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    && (typeof MediaRecorder === 'function' || typeof AudioContext === 'function'));
}

const pick = (options, keys) => {
  const out = {};
  for (const k of keys) if (options[k] !== undefined) out[k] = options[k];
  return out;
};
const keyOf = (value) => JSON.stringify(value);
// An app's `sdk` is told apart by identity: a new one means a new recorder at the next take.
const sdkIds = new WeakMap();
let sdkCount = 0;
const sdkId = (sdk) => {
  if (!sdkIds.has(sdk)) sdkIds.set(sdk, (sdkCount += 1));
  return sdkIds.get(sdk);
};

/** What the entries' `useVoiceNote` returns besides the snapshot (`toggle`: the record toggle's press). */
export const ACTIONS = ['start', 'stop', 'cancel', 'pause', 'resume', 'upload', 'send', 'discard', 'toggle'];

/** The snapshot's fields (the Vue composable makes a ref of each). */
export const FIELDS = Object.keys(INITIAL);

export class VoiceNote {
  /** `options`: an `sdk` or SDK config fields, plus RecorderOptions (callbacks included). */
  constructor(options = {}) {
    this.options = options;
    this.snapshot = INITIAL;
    this.gesture = 'idle';      // the hold gesture's phase and hint, as js/hold.js's Gesture says
    this.hint = false;
    this.hold = false;          // the toggle is a hold control (the element's mode="hold")
    this.listeners = new Set();
    this.recorder = null;       // { key, recorder } once an action created it
    this.idle = null;           // cancels the idle callback that will warm the SDK
    this.generation = 0;        // bumped by release(): work started before it is dropped
    this.pending = null;        // the recorder being made: { generation, promise }
    this.frame = 0;             // the animation frame that will read level/progress
    this.subscribe = this.subscribe.bind(this);
    this.getSnapshot = this.getSnapshot.bind(this);
    for (const m of ACTIONS) this[m] = this[m].bind(this);
  }

  /** The latest options: callbacks are read at call time; recorder/SDK fields at the next action. */
  setOptions(options = {}) { this.options = options; }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot() { return this.snapshot; }

  /** The snapshot during server rendering (and hydration): nothing known, nothing supported yet. */
  static serverSnapshot() { return INITIAL; }

  /**
   * Mounted in a browser: works out `supported` without loading the wasm, hints the wasm's
   * download, and warms the SDK at idle time so that the first click records at once.
   */
  connect() {
    if (this.snapshot.supported === null) this.publish({ ...this.snapshot, supported: browserCanRecord() });
    if (!this.snapshot.supported) return;
    hintWasm();
    if (!this.idle) this.idle = whenIdle(() => { this.idle = null; this.warm(); }, 1000);
  }

  /**
   * Loads the SDK now (and fetches its first token): what the first action needs, started early.
   * Called at idle time after connect(), and by the element on intent (pointer over, focus). Safe
   * to call often: the work is shared per page and per config. A failure is not shown here: the
   * first action tries again and reports it.
   */
  warm() {
    if (this.idle) { this.idle(); this.idle = null; }
    if (typeof window === 'undefined') return;
    const options = this.options;
    (options.sdk ? loadCore() : sdkFor(pick(options, CONFIG_KEYS))).catch(() => {});
  }

  /**
   * Releases the recorder (microphone, AudioContext, uploads) and drops work in flight. The
   * object stays usable: the next action makes a new recorder (StrictMode mounts twice).
   */
  release() {
    this.generation += 1;
    this.pending = null;
    if (this.idle) { this.idle(); this.idle = null; }
    if (this.frame) { cancelFrame(this.frame); this.frame = 0; }
    const held = this.recorder;
    this.recorder = null;
    if (held) {
      held.recorder.destroy();
      // What the destroyed recorder says of itself (idle, nothing kept) is what the next mount sees.
      const last = this.read(held.recorder);
      held.recorder.free?.();
      this.publish(last);
    }
  }

  start() { return this.call('start'); }
  stop() { return this.call('stop'); }
  cancel() { return this.call('cancel'); }
  upload() { return this.call('upload'); }
  pause() { return this.call('pause'); }
  resume() { return this.call('resume'); }
  /** Review: sends the kept note. */
  send() { return this.call('upload'); }
  /** Review: drops the kept note (what cancel() does to a stopped recorder). */
  discard() { return this.call('cancel'); }

  /**
   * The record toggle: does what the snapshot's `press` says (the recorder's rule), nothing while
   * busy. Rejections are in `error` (and onError) already.
   */
  toggle() {
    const { press } = this.snapshot;
    return press === 'start' || press === 'stop' ? this[press]() : Promise.resolve(undefined);
  }

  /**
   * Runs a recorder method, making the recorder first when there is none (so a call in the wrong
   * state gets the recorder's own INVALID_STATE). A call cut short by release() resolves with
   * undefined: its component is gone.
   */
  async call(method) {
    const generation = this.generation;
    const recorder = await this.ensureRecorder(method === 'start');
    if (!recorder || generation !== this.generation) return undefined;
    return recorder[method]();
  }

  /** The recorder for the current options, made when missing (or between takes, when they changed). */
  ensureRecorder(mayReplace) {
    const options = this.options;
    const key = keyOf([options.sdk ? sdkId(options.sdk) : pick(options, CONFIG_KEYS), pick(options, RECORDER_KEYS)]);
    // A recorder in the middle of a take is kept, whatever changed (the change applies to the next).
    const settled = this.snapshot.press === 'start';
    if (this.recorder && (this.recorder.key === key || !mayReplace || !settled)) {
      return Promise.resolve(this.recorder.recorder);
    }
    if (this.pending && this.pending.generation === this.generation && this.pending.key === key) {
      return this.pending.promise;
    }
    const generation = this.generation;
    const promise = (async () => {
      const sdk = await this.ensureSdk(options);
      if (generation !== this.generation) return null;
      const recorder = sdk.createRecorder({ ...pick(options, RECORDER_KEYS), ...this.callbacks(generation) });
      if (generation !== this.generation) { recorder.destroy(); return null; }
      if (this.recorder) { this.recorder.recorder.destroy(); this.recorder.recorder.free?.(); }
      this.recorder = { key, recorder };
      if (this.pending && this.pending.promise === promise) this.pending = null;
      this.refresh();
      return recorder;
    })();
    this.pending = { generation, key, promise };
    promise.catch((error) => {
      if (this.pending && this.pending.promise === promise) this.pending = null;
      if (generation !== this.generation) return;
      // The SDK's own failures (INVALID_CONFIG; AUTHENTICATION_FAILED or SERVICE_UNAVAILABLE from
      // init()) reach the app like the recorder's: in `error`, in onError, and as the state `error`.
      this.publish({ ...this.snapshot, error, state: 'error', level: 0, press: 'start', label: settledLabel(this.hold), progress: false });
      if (typeof this.options.onError === 'function') this.options.onError(error);
    });
    return promise;
  }

  /** The app's `sdk`, or one made from the config fields (and its first token fetched), kept per config. */
  ensureSdk(options) {
    return options.sdk ? Promise.resolve(options.sdk) : sdkFor(pick(options, CONFIG_KEYS));
  }

  /**
   * The recorder's callbacks: each report makes the snapshot read again from the recorder (level
   * and progress at most once per animation frame), then the app's (latest) callback runs.
   */
  callbacks(generation) {
    const live = () => generation === this.generation;
    const out = {};
    for (const name of CALLBACKS) {
      const often = name === 'onLevel' || name === 'onRecordProgress' || name === 'onUploadProgress';
      out[name] = (value) => {
        if (!live()) return;
        if (often) this.refreshNextFrame(); else this.refresh();
        const fn = this.options[name];
        if (typeof fn === 'function') fn(value);
      };
    }
    return out;
  }

  /** The snapshot `recorder` makes with the gesture it is told of. */
  read(recorder) { return recorder.__snapshot(this.gesture, this.hint, this.hold); }

  /** Reads the snapshot the recorder makes, now. */
  refresh() {
    if (this.frame) { cancelFrame(this.frame); this.frame = 0; }
    const held = this.recorder && this.recorder.recorder;
    if (held) this.publish(this.read(held));
  }

  /**
   * The hold's Rust `Gesture` (js/hold.js) changed its phase or hint: the recorder makes its
   * snapshots with them (the label, the lock control).
   */
  setGesture(gesture) {
    this.gesture = gesture.phase;
    this.hint = gesture.hint;
    if (this.recorder) this.refresh();
    // No recorder yet (the first press waits for the SDK's token): the Gesture says what a
    // recorder would, so a held control reads "Release to send" and offers its lock from the start.
    else this.publish({ ...this.snapshot, label: gesture.idleLabel(this.hold), lock: gesture.lock(this.options.autoUpload) });
  }

  /** The toggle is a hold control (the element's mode="hold"): its label says so. */
  setHold(hold) {
    if (hold === this.hold) return;
    this.hold = hold;
    if (this.recorder) this.refresh(); else this.publish({ ...this.snapshot, label: settledLabel(hold) });
  }

  publish(snapshot) {
    const { gesture, hint } = this;
    // Until a recorder makes one with them, the snapshot carries the gesture's phase and hint as they are.
    const s = snapshot.gesture === gesture && snapshot.hint === hint ? snapshot : { ...snapshot, gesture, hint };
    this.snapshot = Object.isFrozen(s) ? s : Object.freeze(s);
    for (const listener of this.listeners) listener(this.snapshot);
  }

  /** Level and progress arrive ~10 times a second: read them at most once per animation frame. */
  refreshNextFrame() {
    if (!this.frame) {
      this.frame = requestFrame(() => {
        this.frame = 0;
        this.refresh();
      });
    }
  }
}

// requestAnimationFrame where there is one (it does not run in hidden tabs, which is the point);
// a 16 ms timer elsewhere.
const requestFrame = (fn) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(fn) : setTimeout(fn, 16));
const cancelFrame = (id) => (typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(id) : clearTimeout(id));
