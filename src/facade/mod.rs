//! The `#[wasm_bindgen]` surface of API.md. Only this module knows the JS shapes of the public
//! API: it reads option objects (`convert`), holds the app's callbacks, returns promises and
//! result objects, and turns every `SdkError` into a `VocaFuseError` (`convert::error_to_js`).
//! Below it, the SDK speaks Rust types.

mod convert;
mod gesture;
mod snapshot;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use self::convert::{call, error_to_js, microphones_to_js, recording_to_js, result_to_js, set, Callbacks};
use self::snapshot::View;
use crate::core::errors::{ErrorCode, Messages, SdkError};
use crate::core::format::FormatPreference;
use crate::core::gesture::GesturePhase;
use crate::core::lifecycle::RecorderState;
use crate::core::response;
use crate::core::upload::UploadResult;
use crate::web::button::Toggle;
use crate::web::durable;
use crate::web::http::Started;
use crate::web::indexeddb::Row;
use crate::web::media::{self, recording_plan};
use crate::web::recorder::{Recorder, RecorderObserver, Stopped};
use crate::web::sdk::SdkContext;

pub use self::gesture::Gesture;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = register)]
    fn register_recorder(on_error: &JsValue) -> JsValue;
    fn unregister(entry: &JsValue);
    fn track(entry: &JsValue, promise: &Promise) -> Promise;
    #[wasm_bindgen(js_name = failAll)]
    fn fail_all(error: &JsValue);
}

/// A panic (a bug: there should be none) ends the wasm. Before it does, every pending call of
/// every live recorder is rejected with a `VocaFuseError` and every `onError` hears of it, the
/// way ruffle's panic hook tells each player, instead of promises that never settle.
#[wasm_bindgen(start)]
pub fn start() {
    install_panic_hook();
}

/// Installs the SDK's panic hook (done when the module starts).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("vocafuse-wasm failed and must be reloaded (please report): {info}");
        web_sys::console::error_1(&message.as_str().into());
        fail_all(&error_to_js(&SdkError::new(ErrorCode::UnknownError, message), &Messages::default()));
    }));
}

/// Panics inside a timer callback: lets a test watch the panic hook at work.
#[doc(hidden)]
pub fn panic_soon_for_tests() {
    // A closure the browser frees once it has run (no `forget`).
    let callback = Closure::once_into_js(|| -> () { panic!("a deliberate panic for a test") });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0);
    }
}

fn throw(err: &SdkError) -> JsValue {
    error_to_js(err, &Messages::default())
}

/// A promise of `work`, rejecting with its `VocaFuseError`.
fn promise<T, F>(ctx: Rc<SdkContext>, work: F, to_js: fn(T) -> JsValue) -> Promise
where
    F: Future<Output = Result<T, SdkError>> + 'static,
    T: 'static,
{
    // Boxed as one type: one future_to_promise for every call, not one per call (5.9 KB of the
    // wasm, 1.7 KB gzipped; BENCHMARKS.md).
    let work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> =
        Box::pin(async move { work.await.map(to_js).map_err(|e| error_to_js(&e, &ctx.messages)) });
    future_to_promise(work)
}

/// `VocaFuseSDK`: the config, the token and the app's recorders' shared context.
#[wasm_bindgen(js_name = VocaFuseSDK)]
#[derive(Debug)]
pub struct VocaFuseSdk {
    ctx: Rc<SdkContext>,
}

#[wasm_bindgen(js_class = VocaFuseSDK)]
impl VocaFuseSdk {
    /// `new VocaFuseSDK(config)`; a config API.md does not allow throws `INVALID_CONFIG`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<VocaFuseSdk, JsValue> {
        let (config, messages) = convert::sdk_config(&config).map_err(|e| throw(&e))?;
        Ok(VocaFuseSdk { ctx: Rc::new(SdkContext::new(config, messages)) })
    }

    /// Fetches the first token.
    pub fn init(&self) -> Promise {
        self.first(None)
    }

    /// `init()` reading the answer of the token request the package's JS started early
    /// (`VocaFuseSDK.load` in js/index.js), with the controller that aborts it.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __initWith)]
    pub fn init_with(&self, response: Promise, controller: web_sys::AbortController) -> Promise {
        self.first(Some(Started { response, controller }))
    }

    fn first(&self, early: Option<Started>) -> Promise {
        let ctx = self.ctx.clone();
        let work = async move {
            ctx.first_token(early).await?;
            if ctx.config.resume_on_init && ctx.config.persist {
                // In the background: init() does not wait for the uploads. What fails stays pending.
                let ctx = ctx.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = resume_all(&ctx, false).await;
                });
            }
            Ok(())
        };
        promise(self.ctx.clone(), work, |()| JsValue::UNDEFINED)
    }

    /// Recordings kept in this browser and not confirmed by the service, oldest first.
    #[wasm_bindgen(js_name = pendingRecordings)]
    pub fn pending_recordings(&self) -> Promise {
        let ctx = self.ctx.clone();
        let work = async move {
            let list = Array::new();
            for row in durable::pending().await? {
                list.push(&PendingRecording { ctx: ctx.clone(), row }.into());
            }
            Ok(list)
        };
        promise(self.ctx.clone(), work, JsValue::from)
    }

    /// Uploads every pending recording, one after the other: a result or an error for each.
    #[wasm_bindgen(js_name = resumePending)]
    pub fn resume_pending(&self) -> Promise {
        let ctx = self.ctx.clone();
        promise(self.ctx.clone(), async move { resume_all(&ctx, true).await }, JsValue::from)
    }

    /// Whether this browser can record a voice note in some format.
    #[wasm_bindgen(js_name = isVoicenoteSupported)]
    pub fn is_voicenote_supported(&self) -> bool {
        recording_plan(FormatPreference::Auto).is_ok()
    }

    /// The same as `isVoicenoteSupported` (the name API.md keeps for older apps).
    #[wasm_bindgen(js_name = isRecordingSupported)]
    pub fn is_recording_supported(&self) -> bool {
        self.is_voicenote_supported()
    }

    /// A recorder with `options` (`RecorderOptions`); wrong options throw `INVALID_CONFIG`.
    #[wasm_bindgen(js_name = createRecorder)]
    pub fn create_recorder(&self, options: JsValue) -> Result<VoiceRecorder, JsValue> {
        let (options, callbacks) = convert::recorder_options(&options).map_err(|e| error_to_js(&e, &self.ctx.messages))?;
        let app = Rc::new(AppCallbacks {
            registry: register_recorder(callbacks.on_error.as_ref().map_or(&JsValue::UNDEFINED, |f| f.as_ref())),
            callbacks,
            ctx: self.ctx.clone(),
            button: RefCell::new(None),
            view: View::new(self.is_voicenote_supported(), options.auto_upload),
        });
        let rec = Recorder::new(self.ctx.clone(), options, Box::new(Observer(app.clone())));
        Ok(VoiceRecorder { rec, app })
    }

    /// `{ version, voicenoteSupported, tokenEndpoint, apiBaseUrl }`.
    #[wasm_bindgen(js_name = getInfo)]
    pub fn get_info(&self) -> JsValue {
        let o = Object::new();
        set(&o, "version", &VERSION.into());
        set(&o, "voicenoteSupported", &self.is_voicenote_supported().into());
        set(&o, "tokenEndpoint", &self.ctx.config.token_endpoint.as_str().into());
        set(&o, "apiBaseUrl", &self.ctx.config.api_base_url.as_str().into());
        o.into()
    }

    /// Makes a button a record toggle (`data-state`, `aria-pressed`, disabled while uploading).
    #[wasm_bindgen(js_name = addVoiceNote)]
    pub fn add_voice_note(&self, target: JsValue, options: JsValue) -> Result<VoiceNoteHandle, JsValue> {
        let button = convert::element(&target).map_err(|e| error_to_js(&e, &self.ctx.messages))?;
        let recorder = self.create_recorder(options)?;
        // The recorder keeps its button working even when the app drops the handle (and the
        // garbage collector finalizes it): only `detach()` ends it.
        let toggle = Toggle::attach(button, recorder.rec.clone());
        *recorder.app.button.borrow_mut() = Some(toggle);
        let (rec, app) = (recorder.rec.clone(), recorder.app.clone());
        Ok(VoiceNoteHandle { recorder: recorder.into(), rec, app })
    }

    /// The microphones this browser offers, `{ deviceId, label, isDefault }` each. Labels are
    /// empty until the person has granted the microphone once (record once, or call
    /// `getUserMedia`, to get them).
    #[wasm_bindgen(js_name = listMicrophones)]
    pub fn list_microphones(&self) -> Promise {
        promise(self.ctx.clone(), media::microphones(), |list| microphones_to_js(&list))
    }

    /// Calls `callback` with the new list whenever microphones come or go; returns the function
    /// that stops it.
    #[wasm_bindgen(js_name = onMicrophonesChange)]
    pub fn on_microphones_change(&self, callback: js_sys::Function) -> JsValue {
        let listener = media::on_devices_change(move || {
            let callback = callback.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(list) = media::microphones().await {
                    call(&Some(callback), &microphones_to_js(&list));
                }
            });
        });
        // The subscription lives until the app calls what it got back.
        Closure::once_into_js(move || drop(listener))
    }

    /// Forgets the cached token.
    pub fn reset(&self) {
        self.ctx.forget_token();
    }
}

async fn resume_all(ctx: &Rc<SdkContext>, awaited: bool) -> Result<Array, SdkError> {
    let results = Array::new();
    for row in durable::pending().await? {
        let outcome = durable::upload_pending(ctx, &row.id, awaited).await;
        results.push(&outcome.map_or_else(|e| error_to_js(&e, &ctx.messages), |r| result_to_js(&r)));
    }
    Ok(results)
}

/// A recording kept in IndexedDB and not confirmed (API.md, "Durability").
#[wasm_bindgen]
pub struct PendingRecording {
    ctx: Rc<SdkContext>,
    row: Row,
}

#[wasm_bindgen]
impl PendingRecording {
    /// The recording's id in IndexedDB.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.row.id.clone()
    }
    /// ms since the epoch, when recording started.
    #[wasm_bindgen(getter, js_name = createdAt)]
    pub fn created_at(&self) -> f64 {
        self.row.created_at
    }
    /// `'webm'`, `'mp4'`, `'ogg'` or `'wav'`.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.row.meta.format.clone()
    }
    /// The recording's MIME type.
    #[wasm_bindgen(getter, js_name = mimeType)]
    pub fn mime_type(&self) -> String {
        self.row.meta.mime_type.clone()
    }
    /// Seconds recorded.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.row.meta.duration
    }
    /// Bytes recorded.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.row.meta.size as f64
    }
    /// `'recorded'` or `'uploading'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.row.meta.pending_state().unwrap_or("recorded").to_string()
    }
    /// Its waveform (peaks 0..1), as the recording had it; empty when it was recorded unmetered.
    #[wasm_bindgen(getter)]
    pub fn waveform(&self) -> JsValue {
        convert::waveform_to_js(&self.row.meta.waveform)
    }

    /// The kept audio as a `Blob`.
    pub fn blob(&self) -> Promise {
        let id = self.row.id.clone();
        promise(self.ctx.clone(), async move { durable::pending_blob(&id).await }, JsValue::from)
    }

    /// Uploads it (resuming a multipart upload where it stopped); resolves with the `UploadResult`.
    pub fn upload(&self) -> Promise {
        let (ctx, id) = (self.ctx.clone(), self.row.id.clone());
        promise(self.ctx.clone(), async move { durable::upload_pending(&ctx, &id, true).await }, |r| result_to_js(&r))
    }

    /// Deletes it from IndexedDB.
    pub fn discard(&self) -> Promise {
        let id = self.row.id.clone();
        promise(self.ctx.clone(), async move { durable::discard_pending(&id).await }, |()| JsValue::UNDEFINED)
    }
}

/// The app's callbacks and what else the facade keeps for one recorder: its entry in the panic
/// registry and its `addVoiceNote` button.
struct AppCallbacks {
    callbacks: Callbacks,
    ctx: Rc<SdkContext>,
    registry: JsValue,
    /// The `addVoiceNote` button bound to this recorder, until `detach()`.
    button: RefCell<Option<Toggle>>,
    /// What the framework entries' snapshot needs beyond the recorder's getters.
    view: View,
}

impl AppCallbacks {
    fn error(&self, err: &SdkError) -> JsValue {
        error_to_js(err, &self.ctx.messages)
    }

    /// A call's promise, settled by `work` or, should the SDK panic, by the panic hook.
    fn promise<T: 'static>(&self, work: impl Future<Output = Result<T, SdkError>> + 'static, to_js: fn(T) -> JsValue) -> Promise {
        track(&self.registry, &promise(self.ctx.clone(), work, to_js))
    }
}

impl Drop for AppCallbacks {
    fn drop(&mut self) {
        unregister(&self.registry);
    }
}

/// The recorder's observer: the app's callbacks, and the button's reflection of the state.
struct Observer(Rc<AppCallbacks>);

impl RecorderObserver for Observer {
    fn state_changed(&self, state: RecorderState) {
        self.0.view.state_changed(state);
        if let Some(toggle) = self.0.button.borrow().as_ref() {
            toggle.reflect(state);
        }
        call(&self.0.callbacks.on_state_change, &state.as_str().into());
    }
    fn recorded(&self, seconds: f64) {
        call(&self.0.callbacks.on_record_progress, &seconds.into());
    }
    fn wants_level(&self) -> bool {
        self.0.callbacks.on_level.is_some()
    }
    fn level(&self, level: f64) {
        self.0.view.level(level);
        call(&self.0.callbacks.on_level, &level.into());
    }
    fn upload_progress(&self, percent: f64) {
        self.0.view.upload_progress(percent);
        call(&self.0.callbacks.on_upload_progress, &percent.into());
    }
    fn completed(&self, result: &UploadResult) {
        let result = result_to_js(result);
        self.0.view.completed(&result);
        call(&self.0.callbacks.on_complete, &result);
    }
    fn failed(&self, error: &SdkError) {
        let passes = error.code == ErrorCode::NetworkError;
        let error = self.0.error(error);
        self.0.view.failed(&error, passes);
        call(&self.0.callbacks.on_error, &error);
    }
    fn cancelled(&self) {
        call(&self.0.callbacks.on_cancel, &JsValue::UNDEFINED);
    }
}

fn stopped_to_js(stopped: Stopped) -> JsValue {
    match stopped {
        Stopped::Recording(r) => recording_to_js(&r),
        Stopped::Uploaded(r) => result_to_js(&r),
    }
}

/// A recorder (`sdk.createRecorder(options)`).
#[wasm_bindgen]
pub struct VoiceRecorder {
    rec: Rc<Recorder>,
    app: Rc<AppCallbacks>,
}

#[wasm_bindgen]
impl VoiceRecorder {
    /// Opens the microphone and starts recording.
    pub fn start(&self) -> Promise {
        self.app.promise(self.rec.start(), |()| JsValue::UNDEFINED)
    }

    /// The upload result with `autoUpload`, else the recording.
    pub fn stop(&self) -> Promise {
        self.app.promise(self.rec.stop(), stopped_to_js)
    }

    /// Uploads the recording; resolves with the `UploadResult`.
    pub fn upload(&self) -> Promise {
        self.app.promise(self.rec.upload(), |r| result_to_js(&r))
    }

    /// Stops without keeping anything, or aborts the upload.
    pub fn cancel(&self) -> Promise {
        let result = self.rec.cancel();
        self.app.promise(async move { result }, |()| JsValue::UNDEFINED)
    }

    /// Pauses recording (`INVALID_STATE` unless recording).
    pub fn pause(&self) -> Result<(), JsValue> {
        self.rec.pause().map_err(|e| self.app.error(&e))
    }

    /// Resumes a paused recording (`INVALID_STATE` unless paused).
    pub fn resume(&self) -> Result<(), JsValue> {
        self.rec.resume().map_err(|e| self.app.error(&e))
    }

    /// Releases the microphone and every listener; the recorder cannot be used again.
    pub fn destroy(&self) {
        self.rec.destroy();
    }

    /// The microphone for the next take (`null`: the browser's default). Throws
    /// `INVALID_STATE` while recording.
    #[wasm_bindgen(js_name = setDevice)]
    pub fn set_device(&self, device_id: Option<String>) -> Result<(), JsValue> {
        self.rec.set_device(device_id.filter(|d| !d.is_empty())).map_err(|e| self.app.error(&e))
    }

    /// `'ok'`, `'muted'` or `'silent'`: whether the microphone delivers anything.
    #[wasm_bindgen(getter, js_name = inputStatus)]
    pub fn input_status(&self) -> String {
        self.rec.input_status().as_str().to_string()
    }

    /// `'ok'`, `'offline'` or `'unreachable'`: how the upload in flight reaches the network.
    #[wasm_bindgen(getter, js_name = networkStatus)]
    pub fn network_status(&self) -> String {
        self.rec.network_status().as_str().to_string()
    }

    /// The recorder's state (API.md's `RecorderState`).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.rec.state().as_str().to_string()
    }

    /// Seconds recorded so far.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.rec.duration()
    }

    /// Recording or paused.
    #[wasm_bindgen(getter, js_name = isRecording)]
    pub fn is_recording(&self) -> bool {
        self.rec.state().capturing()
    }

    /// Uploading or waiting to.
    #[wasm_bindgen(getter, js_name = isUploading)]
    pub fn is_uploading(&self) -> bool {
        self.rec.state().uploading()
    }

    /// The last kept recording (`VoicenoteResult`), or `null`.
    #[wasm_bindgen(getter)]
    pub fn recording(&self) -> JsValue {
        self.app.view.recording(&self.rec)
    }

    /// The framework entries' snapshot (`facade::snapshot`), read by js/voice-note.js on each
    /// report: the one place the entries learn what the recorder's state means. `gesture` and
    /// `hint`: what the entry's `Gesture` last said (`phase`, `hint`); `hold`: the toggle is a
    /// hold control (the element's `mode="hold"`).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __snapshot)]
    pub fn snapshot(&self, gesture: &str, hint: bool, hold: bool) -> JsValue {
        self.app.view.snapshot(&self.rec, GesturePhase::parse(gesture), hint, hold)
    }
}

/// What `addVoiceNote` returns.
#[wasm_bindgen]
pub struct VoiceNoteHandle {
    recorder: JsValue,
    rec: Rc<Recorder>,
    app: Rc<AppCallbacks>,
}

#[wasm_bindgen]
impl VoiceNoteHandle {
    /// The button's `VoiceRecorder`.
    #[wasm_bindgen(getter)]
    pub fn recorder(&self) -> JsValue {
        self.recorder.clone()
    }

    /// Removes every listener and destroys the recorder. Calling it again does nothing.
    pub fn detach(&self) {
        let toggle = self.app.button.borrow_mut().take();
        if let Some(toggle) = toggle {
            toggle.detach();
            self.rec.destroy();
        }
    }
}

/// Normalises any HTTP error answer into a `VocaFuseError`. Never throws.
#[wasm_bindgen(js_name = errorFromResponse)]
pub fn error_from_response(status: JsValue, body: JsValue, headers: JsValue) -> JsValue {
    let status = status.as_f64().filter(|s| (0.0..=999.0).contains(s)).map_or(0, |s| s as u16);
    let body = body.as_string().unwrap_or_default();
    throw(&response::error_from_response(status, &body, &convert::headers(&headers), js_sys::Date::now()))
}

/// A WebSocket message `{ "type": "error", "message": … }` as a `VocaFuseError`, else `null`.
#[wasm_bindgen(js_name = errorFromSocketMessage)]
pub fn error_from_socket_message(data: JsValue) -> JsValue {
    data.as_string().and_then(|d| response::error_from_socket_message(&d)).map_or(JsValue::NULL, |e| throw(&e))
}

// By hand: the recorder and the app's callbacks hold JS values and closures without Debug.
impl std::fmt::Debug for PendingRecording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingRecording").field("id", &self.row.id).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for VoiceRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceRecorder").field("state", &self.rec.state().as_str()).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for VoiceNoteHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceNoteHandle").field("state", &self.rec.state().as_str()).finish_non_exhaustive()
    }
}
