//! Helpers for the browser suites: options with recording callbacks, waiting on events (never
//! on guessed delays), and a `getUserMedia` spy that keeps every stream handed out.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(inline_js = r#"
const md = () => navigator.mediaDevices;
let streams = [];
let original = null;
let OriginalRecorder = null;
export function spyOnMicrophone() {
  const d = md();
  if (!original) original = d.getUserMedia.bind(d);
  streams = [];
  d.getUserMedia = async (c) => { const s = await original(c); streams.push(s); return s; };
}
export function refuseMicrophone(name) {
  spyOnMicrophone();
  md().getUserMedia = () => Promise.reject(new DOMException('stubbed ' + name, name));
}
let OriginalAudioContext = null;
// Both encoders (MediaRecorder, and Web Audio for WAV) fail once the microphone is open.
export function breakEncoders() {
  if (!OriginalRecorder) OriginalRecorder = window.MediaRecorder;
  if (!OriginalAudioContext) OriginalAudioContext = window.AudioContext;
  if (OriginalRecorder) window.MediaRecorder = class extends OriginalRecorder {
    constructor() { super(...arguments); throw new DOMException('stubbed encoder failure', 'UnknownError'); }
  };
  window.AudioContext = class extends OriginalAudioContext {
    constructor() { super(...arguments); throw new DOMException('stubbed audio failure', 'UnknownError'); }
  };
  // wasm-bindgen binds the AudioContext constructor once, so the SDK's own context is not one of
  // the class above: its microphone source fails instead (methods are looked up at each call).
  if (!originalSource) originalSource = OriginalAudioContext.prototype.createMediaStreamSource;
  OriginalAudioContext.prototype.createMediaStreamSource = () => { throw new DOMException('stubbed audio failure', 'UnknownError'); };
}
let originalSource = null;
// A browser that never answers the microphone request (the person never decides).
export function hangMicrophone() {
  spyOnMicrophone();
  md().getUserMedia = () => new Promise(() => {});
}
export function restoreBrowser() {
  if (originalSource) OriginalAudioContext.prototype.createMediaStreamSource = originalSource;
  if (originalResume) (OriginalAudioContext || AudioContext).prototype.resume = originalResume;
  if (original) md().getUserMedia = original;
  if (OriginalRecorder) window.MediaRecorder = OriginalRecorder;
  if (OriginalAudioContext) window.AudioContext = OriginalAudioContext;
}
export function recordsWebm() {
  return typeof MediaRecorder === 'function' && MediaRecorder.isTypeSupported('audio/webm');
}
export function streamsHandedOut() { return streams.length; }
export function trackStates() {
  return JSON.stringify(streams.map(s => s.getTracks().map(t => t.readyState)));
}
export function liveTracks() {
  return streams.flatMap(s => s.getTracks()).filter(t => t.readyState !== 'ended').length;
}
export function blobType(b) { return b.type; }
export function isError(e) { return e instanceof Error && e.name === 'VocaFuseError' && typeof e.toJSON === 'function'; }
export function stringify(v) { return JSON.stringify(v); }
export async function wavInfo(blob) {
  const bytes = await blob.arrayBuffer();
  const v = new DataView(bytes);
  const text = (o) => String.fromCharCode(...new Uint8Array(bytes, o, 4));
  const decoded = await new OfflineAudioContext(1, 1, 16000).decodeAudioData(bytes.slice(0));
  const pcm = decoded.getChannelData(0);
  let peak = 0;
  for (const x of pcm) peak = Math.max(peak, Math.abs(x));
  return { riff: text(0), wave: text(8), format: v.getUint16(20, true), channels: v.getUint16(22, true),
    rate: v.getUint32(24, true), bits: v.getUint16(34, true), dataBytes: v.getUint32(40, true),
    riffSize: v.getUint32(4, true), size: bytes.byteLength, decodedSeconds: decoded.duration, peak };
}
export function mediaDuration(blob) {
  return new Promise((resolve, reject) => {
    const audio = new Audio();
    const url = URL.createObjectURL(blob);
    audio.preload = 'metadata';
    audio.onloadedmetadata = () => { URL.revokeObjectURL(url); resolve(audio.duration); };
    audio.onerror = () => reject(new Error('the browser could not read the recording'));
    audio.src = url;
  });
}
export function makeBlob(size, type) {
  const chunk = new Uint8Array(65536);
  const parts = [];
  let left = size, seed = 1;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; chunk[i] = seed >>> 24; }
    parts.push(chunk.slice(0, n));
    left -= n;
  }
  return new Blob(parts, { type });
}
export async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
}
export async function dev(method, url, body) {
  const res = await fetch(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
export function wasmMemoryBytes(memory) { return memory.buffer.byteLength; }
// A microphone the test controls: an oscillator (or silence) through Web Audio, handed out by a
// stubbed getUserMedia that also records the constraints it was asked for.
let control = null;
export async function controlledMicrophone(sound) {
  spyOnMicrophone();
  // WebKit starts Web Audio without a click only while the page captures: a real (fake-device)
  // capture runs beside the controlled one for the whole test.
  const capture = await original({ audio: true });
  const context = new (OriginalAudioContext || AudioContext)();
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  gain.gain.value = sound ? 0.5 : 0;
  const destination = context.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  await context.resume();
  control = { context, gain, destination, capture, constraints: [] };
  md().getUserMedia = async (c) => {
    control.constraints.push(c);
    const s = destination.stream.clone();
    streams.push(s);
    return s;
  };
}
export function setSound(on) { control.gain.gain.value = on ? 0.5 : 0; }
// The sound from now on, on the audio clock (so it does not depend on when timers run): `steps`
// is JSON `[[seconds from now, on], ...]`.
export function scheduleSound(steps) {
  const now = control.context.currentTime;
  for (const [at, on] of JSON.parse(steps)) control.gain.gain.setValueAtTime(on ? 0.5 : 0, now + at);
}
function controlledTrack() { return streams[streams.length - 1].getAudioTracks()[0]; }
// What a browser does when the device goes: the track ends (its readyState too).
export function endTrack() { const t = controlledTrack(); t.stop(); t.dispatchEvent(new Event('ended')); }
export function muteTrack(muted) { controlledTrack().dispatchEvent(new Event(muted ? 'mute' : 'unmute')); }
export function lastConstraints() { return JSON.stringify(control.constraints[control.constraints.length - 1]); }
export function releaseControlledMicrophone() {
  if (control) { control.context.close(); control.capture.getTracks().forEach((t) => t.stop()); control = null; }
  restoreBrowser();
}
// enumerateDevices answering `list` (a JSON array), or the browser's own again with null.
let originalEnumerate = null;
export function stubDevices(list) {
  const d = md();
  if (!originalEnumerate) originalEnumerate = d.enumerateDevices.bind(d);
  d.enumerateDevices = list == null ? originalEnumerate : async () => JSON.parse(list);
}
export function fireDeviceChange() { md().dispatchEvent(new Event('devicechange')); }
// AudioContexts resumed since the count began (wasm-bindgen binds the constructor once, so a
// replaced window.AudioContext is not seen; resume() is looked up at each call).
let contexts = new Set();
let originalResume = null;
export function countAudioContexts() {
  const proto = (OriginalAudioContext || AudioContext).prototype;
  if (!originalResume) originalResume = proto.resume;
  contexts = new Set();
  proto.resume = function () { contexts.add(this); return originalResume.call(this); };
}
export function audioContextsCreated() { return contexts.size; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = spyOnMicrophone)]
    pub fn spy_on_microphone();
    #[wasm_bindgen(js_name = refuseMicrophone)]
    pub fn refuse_microphone(name: &str);
    #[wasm_bindgen(js_name = hangMicrophone)]
    pub fn hang_microphone();
    #[wasm_bindgen(js_name = breakEncoders)]
    pub fn break_encoders();
    #[wasm_bindgen(js_name = controlledMicrophone)]
    fn controlled_microphone_js(sound: bool) -> js_sys::Promise;
    #[wasm_bindgen(js_name = setSound)]
    pub fn set_sound(on: bool);
    #[wasm_bindgen(js_name = scheduleSound)]
    pub fn schedule_sound(steps: &str);
    #[wasm_bindgen(js_name = endTrack)]
    pub fn end_track();
    #[wasm_bindgen(js_name = muteTrack)]
    pub fn mute_track(muted: bool);
    #[wasm_bindgen(js_name = lastConstraints)]
    pub fn last_constraints() -> String;
    #[wasm_bindgen(js_name = releaseControlledMicrophone)]
    pub fn release_controlled_microphone();
    #[wasm_bindgen(js_name = stubDevices)]
    pub fn stub_devices(list: Option<String>);
    #[wasm_bindgen(js_name = fireDeviceChange)]
    pub fn fire_device_change();
    #[wasm_bindgen(js_name = countAudioContexts)]
    pub fn count_audio_contexts();
    /// AudioContexts resumed since `count_audio_contexts()`.
    #[wasm_bindgen(js_name = audioContextsCreated)]
    pub fn audio_contexts_created() -> u32;
    #[wasm_bindgen(js_name = recordsWebm)]
    pub fn records_webm() -> bool;
    #[wasm_bindgen(js_name = restoreBrowser)]
    pub fn restore_browser();
    #[wasm_bindgen(js_name = streamsHandedOut)]
    pub fn streams_handed_out() -> u32;
    #[wasm_bindgen(js_name = trackStates)]
    pub fn track_states() -> String;
    #[wasm_bindgen(js_name = liveTracks)]
    pub fn live_tracks() -> u32;
    #[wasm_bindgen(js_name = blobType)]
    pub fn blob_type(b: &JsValue) -> String;
    #[wasm_bindgen(js_name = isError)]
    pub fn is_vocafuse_error(e: &JsValue) -> bool;
    pub fn stringify(v: &JsValue) -> String;
    #[wasm_bindgen(js_name = wavInfo)]
    pub fn wav_info(blob: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = mediaDuration)]
    pub fn media_duration(blob: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = makeBlob)]
    pub fn make_blob(size: f64, mime: &str) -> web_sys::Blob;
    #[wasm_bindgen(js_name = sha256)]
    fn sha256_js(blob: &web_sys::Blob) -> js_sys::Promise;
    #[wasm_bindgen(js_name = dev)]
    fn dev_js(method: &str, url: &str, body: &JsValue) -> js_sys::Promise;
}

/// Where the test page finds the WAV add-on (the capture worklet and the encoder's wasm):
/// scripts/test.sh builds it into target/wav-addon (build_wav_addon), which the test runner
/// serves from the crate's folder.
pub const ASSETS_URL: &str = match option_env!("VOCAFUSE_TEST_ASSETS") {
    Some(url) => url,
    None => "/target/wav-addon/",
};

/// An SDK whose token endpoint is unreachable: enough to record without uploading.
pub fn sdk() -> vocafuse_wasm::facade::VocaFuseSdk {
    vocafuse_wasm::facade::VocaFuseSdk::new(obj(&[("tokenEndpoint", "http://127.0.0.1:9/token".into()), ("assetsUrl", ASSETS_URL.into())])).unwrap()
}

pub fn recorder(probe: &Probe) -> vocafuse_wasm::facade::VoiceRecorder {
    sdk().create_recorder(probe.options.clone()).unwrap()
}

/// A probe's options with `autoUpload: false`, plus `extra`.
pub fn local(extra: &[(&str, JsValue)]) -> Probe {
    let mut all = vec![("autoUpload", JsValue::FALSE)];
    all.extend(extra.iter().cloned());
    Probe::new(&all)
}

/// The promise's value; a rejection fails the test with the error as JSON.
pub async fn ok(p: js_sys::Promise) -> JsValue {
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap_or_else(|e| panic!("rejected: {}", stringify(&e)))
}

pub async fn rejection(p: js_sys::Promise) -> JsValue {
    wasm_bindgen_futures::JsFuture::from(p).await.expect_err("promise resolved")
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
pub fn get_f64(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(f64::NAN)
}
pub fn get_str(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// Waits until `done()` holds, checking every 20 ms, for something no callback announces.
pub async fn poll_until(what: &str, limit_ms: u32, done: impl Fn() -> bool) {
    let start = js_sys::Date::now();
    while !done() {
        assert!(js_sys::Date::now() - start < f64::from(limit_ms), "timed out after {limit_ms} ms waiting for {what}");
        TimeoutFuture::new(20).await;
    }
}

pub async fn sleep_ms(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// One of the callbacks a probe hands the recorder.
type Callback = Closure<dyn FnMut(JsValue)>;

/// Records what a recorder reports through its callbacks, and wakes waiters on each report.
#[derive(Clone)]
pub struct Probe {
    pub states: Rc<RefCell<Vec<String>>>,
    pub errors: Rc<RefCell<Vec<JsValue>>>,
    pub progress: Rc<RefCell<Vec<f64>>>,
    pub levels: Rc<RefCell<Vec<f64>>>,
    pub uploads: Rc<RefCell<Vec<f64>>>,
    pub completes: Rc<RefCell<Vec<JsValue>>>,
    pub cancels: Rc<RefCell<u32>>,
    wake: Rc<RefCell<mpsc::UnboundedReceiver<()>>>,
    closures: Rc<Vec<Callback>>,
    pub options: JsValue,
}

impl Probe {
    /// Options with every callback wired to the probe, plus `extra` fields.
    pub fn new(extra: &[(&str, JsValue)]) -> Probe {
        let (tx, rx) = mpsc::unbounded::<()>();
        let states = Rc::new(RefCell::new(Vec::new()));
        let errors = Rc::new(RefCell::new(Vec::new()));
        let progress = Rc::new(RefCell::new(Vec::new()));
        let levels = Rc::new(RefCell::new(Vec::new()));
        let uploads = Rc::new(RefCell::new(Vec::new()));
        let completes = Rc::new(RefCell::new(Vec::new()));
        let cancels = Rc::new(RefCell::new(0));
        let options = Object::new();
        let mut closures = Vec::new();
        let mut hook = |name: &str, f: Box<dyn FnMut(JsValue)>| {
            let tx = tx.clone();
            let mut f = f;
            let c = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
                f(v);
                let _ = tx.unbounded_send(());
            });
            Reflect::set(&options, &name.into(), c.as_ref().unchecked_ref()).unwrap();
            closures.push(c);
        };
        let s = states.clone();
        hook("onStateChange", Box::new(move |v| s.borrow_mut().push(v.as_string().unwrap())));
        let e = errors.clone();
        hook("onError", Box::new(move |v| e.borrow_mut().push(v)));
        let p = progress.clone();
        hook("onRecordProgress", Box::new(move |v| p.borrow_mut().push(v.as_f64().unwrap())));
        let l = levels.clone();
        hook("onLevel", Box::new(move |v| l.borrow_mut().push(v.as_f64().unwrap())));
        let u = uploads.clone();
        hook("onUploadProgress", Box::new(move |v| u.borrow_mut().push(v.as_f64().unwrap())));
        let c = completes.clone();
        hook("onComplete", Box::new(move |v| c.borrow_mut().push(v)));
        let n = cancels.clone();
        hook("onCancel", Box::new(move |_| *n.borrow_mut() += 1));
        for (k, v) in extra {
            Reflect::set(&options, &(*k).into(), v).unwrap();
        }
        Probe {
            states,
            errors,
            progress,
            levels,
            uploads,
            completes,
            cancels,
            wake: Rc::new(RefCell::new(rx)),
            closures: Rc::new(closures),
            options: options.into(),
        }
    }

    /// The `details` of the last error `onError` heard.
    pub fn last_details(&self) -> JsValue {
        get(self.errors.borrow().last().expect("an error"), "details")
    }

    pub fn error_codes(&self) -> Vec<String> {
        self.errors.borrow().iter().map(|e| get_str(e, "code")).collect()
    }

    /// Waits until `done` holds, re-checking on every callback; fails after `limit_ms`.
    #[allow(clippy::await_holding_refcell_ref)] // a probe has one waiter at a time
    pub async fn until(&self, what: &str, limit_ms: u32, done: impl Fn(&Probe) -> bool) {
        let mut deadline = TimeoutFuture::new(limit_ms).fuse();
        while !done(self) {
            let mut wake = self.wake.borrow_mut();
            let mut next = wake.next().fuse();
            futures::select! {
                _ = next => {},
                _ = deadline => panic!("timed out after {limit_ms} ms waiting for {what}; states {:?}, errors {:?}",
                    self.states.borrow(), self.error_codes()),
            }
        }
    }

    /// Waits until the recorder reports at least `seconds` recorded; returns what it reported.
    pub async fn until_recorded(&self, seconds: f64) -> f64 {
        self.until(&format!("{seconds} s recorded"), 20_000, |p| p.progress.borrow().last().is_some_and(|s| *s >= seconds)).await;
        *self.progress.borrow().last().unwrap()
    }

    pub async fn until_state(&self, state: &str, limit_ms: u32) {
        let s = state.to_string();
        self.until(&format!("state {state}"), limit_ms, move |p| p.states.borrow().last() == Some(&s)).await;
    }
}

// ---- the development server ----

/// The dev server the test command starts (scripts/test.sh).
pub const DEV_API: &str = match option_env!("VOCAFUSE_DEV_API") {
    Some(url) => url,
    None => "http://127.0.0.1:18787",
};

pub async fn sha256(blob: &web_sys::Blob) -> String {
    wasm_bindgen_futures::JsFuture::from(sha256_js(blob)).await.unwrap().as_string().unwrap()
}

/// The upload result as the app sees it, or as the upload layer returns it.
pub trait VoicenoteId {
    fn voicenote_id(&self) -> String;
}
impl VoicenoteId for JsValue {
    fn voicenote_id(&self) -> String {
        get_str(self, "voicenote_id")
    }
}
impl VoicenoteId for vocafuse_wasm::core::upload::UploadResult {
    fn voicenote_id(&self) -> String {
        self.voicenote_id.clone()
    }
}

/// The SHA-256 the dev server stored for an uploaded note.
pub async fn stored_sha(result: &impl VoicenoteId) -> String {
    let id = result.voicenote_id();
    assert!(!id.is_empty(), "no voicenote_id");
    get_str(&dev("GET", &format!("/__dev/voicenotes/{id}"), JsValue::NULL).await, "sha256")
}

/// Calls the dev server's control API (`/__dev/...`).
pub async fn dev(method: &str, path: &str, body: JsValue) -> JsValue {
    let url = format!("{DEV_API}{path}");
    wasm_bindgen_futures::JsFuture::from(dev_js(method, &url, &body)).await.unwrap_or_else(|e| panic!("{}", stringify(&e)))
}

/// Scripts the next responses of a dev-server route.
pub async fn faults(route: &str, responses: &str) {
    let body = js_sys::JSON::parse(&format!(r#"{{"route":"{route}","responses":{responses}}}"#)).unwrap();
    dev("POST", "/__dev/faults", body).await;
}

pub async fn reset_dev() {
    dev("POST", "/__dev/reset", JsValue::NULL).await;
}

/// The dev server's request log entries for `route`.
pub async fn log_of(route: &str) -> Vec<JsValue> {
    let log: js_sys::Array = dev("GET", "/__dev/log", JsValue::NULL).await.unchecked_into();
    log.iter().filter(|e| get_str(e, "route") == route).collect()
}

/// Hands the SDK a microphone the test controls: a tone (`sound`) or silence, through Web Audio.
pub async fn controlled_microphone(sound: bool) {
    wasm_bindgen_futures::JsFuture::from(controlled_microphone_js(sound)).await.unwrap_or_else(|e| panic!("{}", stringify(&e)));
}

/// An SDK context for the dev server, for tests of the upload layer below the facade.
pub fn context(change: impl FnOnce(&mut vocafuse_wasm::core::config::SdkConfig)) -> vocafuse_wasm::web::sdk::SdkContext {
    let mut config = vocafuse_wasm::core::config::SdkConfig::new(format!("{DEV_API}/api/token"), DEV_API);
    change(&mut config);
    vocafuse_wasm::web::sdk::SdkContext::new(config, Default::default())
}

pub fn sdk_config(extra: &[(&str, JsValue)]) -> JsValue {
    let mut all = vec![
        ("tokenEndpoint", JsValue::from_str(&format!("{DEV_API}/api/token"))),
        ("apiBaseUrl", JsValue::from_str(DEV_API)),
        ("assetsUrl", JsValue::from_str(ASSETS_URL)),
    ];
    all.extend(extra.iter().cloned());
    obj(&all)
}
