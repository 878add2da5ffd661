//! The `#[wasm_bindgen]` surface of API.md. Only this module knows JS shapes of the public API;
//! it converts and delegates.

use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::core::errors::{Messages, SdkError};
use crate::core::format::FormatPreference;
use crate::core::response;
use crate::web::button;
use crate::web::durable;
use crate::web::js::{error_to_js, set};
use crate::web::media::recording_plan;
use crate::web::recorder::{parse_options, Recorder};
use crate::web::sdk::SdkContext;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Reports a panic on the console instead of an opaque `unreachable` trap.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("vocafuse-wasm panicked (please report): {info}").into());
    }));
}

fn throw(err: &SdkError) -> JsValue {
    error_to_js(err, &Messages::default())
}

#[wasm_bindgen(js_name = VocaFuseSDK)]
pub struct VocaFuseSdk {
    ctx: Rc<SdkContext>,
}

#[wasm_bindgen(js_class = VocaFuseSDK)]
impl VocaFuseSdk {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<VocaFuseSdk, JsValue> {
        let ctx = SdkContext::from_js(&config).map_err(|e| throw(&e))?;
        Ok(VocaFuseSdk { ctx: Rc::new(ctx) })
    }

    /// Fetches the first token.
    pub fn init(&self) -> Promise {
        let ctx = self.ctx.clone();
        future_to_promise(async move {
            crate::web::upload::fetch_first_token(&ctx).await.map_err(|e| error_to_js(&e, &ctx.messages))?;
            if ctx.config.resume_on_init && ctx.config.persist {
                // In the background: init() does not wait for the uploads. What fails stays pending.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = resume_all(&ctx).await;
                });
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Recordings kept in this browser and not confirmed by the service, oldest first.
    #[wasm_bindgen(js_name = pendingRecordings)]
    pub fn pending_recordings(&self) -> Promise {
        let ctx = self.ctx.clone();
        future_to_promise(async move {
            let rows = durable::pending().await.map_err(|e| error_to_js(&e, &ctx.messages))?;
            let list = Array::new();
            for row in rows {
                list.push(&PendingRecording { ctx: ctx.clone(), row }.into());
            }
            Ok(list.into())
        })
    }

    /// Uploads every pending recording, one after the other: a result or an error for each.
    #[wasm_bindgen(js_name = resumePending)]
    pub fn resume_pending(&self) -> Promise {
        let ctx = self.ctx.clone();
        future_to_promise(async move { resume_all(&ctx).await.map(JsValue::from) })
    }

    #[wasm_bindgen(js_name = isVoicenoteSupported)]
    pub fn is_voicenote_supported(&self) -> bool {
        recording_plan(FormatPreference::Auto).is_ok()
    }

    #[wasm_bindgen(js_name = isRecordingSupported)]
    pub fn is_recording_supported(&self) -> bool {
        self.is_voicenote_supported()
    }

    #[wasm_bindgen(js_name = createRecorder)]
    pub fn create_recorder(&self, options: JsValue) -> Result<VoiceRecorder, JsValue> {
        let (options, callbacks) = parse_options(&options).map_err(|e| error_to_js(&e, &self.ctx.messages))?;
        Ok(VoiceRecorder { rec: Recorder::new(self.ctx.clone(), options, callbacks) })
    }

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
        let button = button::resolve(&target).map_err(|e| error_to_js(&e, &self.ctx.messages))?;
        let recorder = self.create_recorder(options)?;
        let rec = recorder.rec.clone();
        let toggle = button::Toggle::attach(button, rec.clone());
        // The recorder keeps its button working even when the app drops the handle (and the
        // garbage collector finalizes it): only `detach()` ends it.
        *rec.button.borrow_mut() = Some(toggle);
        Ok(VoiceNoteHandle { recorder: recorder.into(), rec })
    }

    /// Forgets the cached token.
    pub fn reset(&self) {
        crate::web::upload::forget_token(&self.ctx);
    }
}

async fn resume_all(ctx: &Rc<SdkContext>) -> Result<Array, JsValue> {
    let rows = durable::pending().await.map_err(|e| error_to_js(&e, &ctx.messages))?;
    let results = Array::new();
    for row in rows {
        let outcome = durable::upload_pending(ctx, &row.id).await;
        results.push(&outcome.unwrap_or_else(|e| error_to_js(&e, &ctx.messages)));
    }
    Ok(results)
}

/// A recording kept in IndexedDB and not confirmed (API.md, "Durability").
#[wasm_bindgen]
pub struct PendingRecording {
    ctx: Rc<SdkContext>,
    row: durable::Row,
}

#[wasm_bindgen]
impl PendingRecording {
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.row.id.clone()
    }
    #[wasm_bindgen(getter, js_name = createdAt)]
    pub fn created_at(&self) -> f64 {
        self.row.created_at
    }
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.row.meta.format.clone()
    }
    #[wasm_bindgen(getter, js_name = mimeType)]
    pub fn mime_type(&self) -> String {
        self.row.meta.mime_type.clone()
    }
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.row.meta.duration
    }
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.row.meta.size as f64
    }
    /// `'recorded'` or `'uploading'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.row.meta.pending_state().unwrap_or("recorded").to_string()
    }

    pub fn blob(&self) -> Promise {
        let (ctx, id) = (self.ctx.clone(), self.row.id.clone());
        future_to_promise(async move {
            durable::pending_blob(&id).await.map(JsValue::from).map_err(|e| error_to_js(&e, &ctx.messages))
        })
    }

    pub fn upload(&self) -> Promise {
        let (ctx, id) = (self.ctx.clone(), self.row.id.clone());
        future_to_promise(async move { durable::upload_pending(&ctx, &id).await.map_err(|e| error_to_js(&e, &ctx.messages)) })
    }

    pub fn discard(&self) -> Promise {
        let (ctx, id) = (self.ctx.clone(), self.row.id.clone());
        future_to_promise(async move {
            durable::discard_pending(&id).await.map(|()| JsValue::UNDEFINED).map_err(|e| error_to_js(&e, &ctx.messages))
        })
    }
}

#[wasm_bindgen]
pub struct VoiceRecorder {
    rec: Rc<Recorder>,
}

#[wasm_bindgen]
impl VoiceRecorder {
    pub fn start(&self) -> Promise {
        self.rec.start_promise()
    }

    /// The upload result with `autoUpload`, else the recording.
    pub fn stop(&self) -> Promise {
        self.rec.stop_promise()
    }

    pub fn upload(&self) -> Promise {
        self.rec.begin_upload()
    }

    pub fn cancel(&self) -> Promise {
        let result = self.rec.cancel();
        future_to_promise(async move { result.map(|_| JsValue::UNDEFINED) })
    }

    pub fn pause(&self) -> Result<(), JsValue> {
        self.rec.pause()
    }

    pub fn resume(&self) -> Result<(), JsValue> {
        self.rec.resume()
    }

    pub fn destroy(&self) {
        self.rec.destroy();
    }

    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.rec.state().as_str().to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.rec.duration()
    }

    #[wasm_bindgen(getter, js_name = isRecording)]
    pub fn is_recording(&self) -> bool {
        use crate::core::state::RecorderState::*;
        matches!(self.rec.state(), Recording | Paused)
    }

    #[wasm_bindgen(getter, js_name = isUploading)]
    pub fn is_uploading(&self) -> bool {
        use crate::core::state::RecorderState::*;
        matches!(self.rec.state(), Uploading | Waiting)
    }

    #[wasm_bindgen(getter)]
    pub fn recording(&self) -> JsValue {
        self.rec.recording().map_or(JsValue::NULL, |r| r.to_js())
    }
}

/// What `addVoiceNote` returns.
#[wasm_bindgen]
pub struct VoiceNoteHandle {
    recorder: JsValue,
    rec: Rc<Recorder>,
}

#[wasm_bindgen]
impl VoiceNoteHandle {
    #[wasm_bindgen(getter)]
    pub fn recorder(&self) -> JsValue {
        self.recorder.clone()
    }

    /// Removes every listener and destroys the recorder. Calling it again does nothing.
    pub fn detach(&self) {
        let toggle = self.rec.button.borrow_mut().take();
        if let Some(toggle) = toggle {
            toggle.detach(&self.rec);
        }
    }
}

fn headers_from_js(headers: &JsValue) -> Vec<(String, String)> {
    let pair = |entry: JsValue| -> Option<(String, String)> {
        let a: js_sys::Array = entry.dyn_into().ok()?;
        Some((a.get(0).as_string()?, a.get(1).as_string()?))
    };
    if headers.is_undefined() || headers.is_null() || !headers.is_object() {
        return Vec::new();
    }
    // A `Headers` object (or any iterable of pairs), else a plain record.
    if let Ok(Some(iter)) = js_sys::try_iter(headers) {
        return iter.filter_map(|e| e.ok()).filter_map(pair).collect();
    }
    Object::entries(headers.unchecked_ref()).iter().filter_map(pair).collect()
}


/// Normalises any HTTP error answer into a `VocaFuseError`. Never throws.
#[wasm_bindgen(js_name = errorFromResponse)]
pub fn error_from_response(status: JsValue, body: JsValue, headers: JsValue) -> JsValue {
    let status = status.as_f64().filter(|s| (0.0..=999.0).contains(s)).map_or(0, |s| s as u16);
    let body = body.as_string().unwrap_or_default();
    let headers = headers_from_js(&headers);
    throw(&response::error_from_response(status, &body, &headers, js_sys::Date::now()))
}

/// A WebSocket message `{ "type": "error", "message": … }` as a `VocaFuseError`, else `null`.
#[wasm_bindgen(js_name = errorFromSocketMessage)]
pub fn error_from_socket_message(data: JsValue) -> JsValue {
    data.as_string()
        .and_then(|d| response::error_from_socket_message(&d))
        .map_or(JsValue::NULL, |e| throw(&e))
}
