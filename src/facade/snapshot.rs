//! The one snapshot of a recorder that the framework entries render (API.md, "Framework
//! entries"): the recorder's getters, what its state means (`core::view`), and what its observer
//! last heard (level, upload progress, error, result). `js/voice-note.js` caches it per report.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use super::convert::{recording_to_js, set};
use crate::core::lifecycle::RecorderState;
use crate::core::view::{label, Press};
use crate::web::recorder::Recorder;

/// What the observer heard since the take began, and the kept recording's JS object (the same
/// object for as long as the same recording is kept, so renderers can compare by identity).
pub struct View {
    level: Cell<f64>,
    upload_progress: Cell<f64>,
    error: RefCell<JsValue>,
    result: RefCell<JsValue>,
    /// The kept recording's `Blob` and its `VoicenoteResult`.
    recording: RefCell<Option<(JsValue, JsValue)>>,
    supported: bool,
    /// The waveform of no recording: one array, so that it compares equal across snapshots.
    no_waveform: JsValue,
}

impl View {
    pub fn new(supported: bool) -> View {
        View {
            level: Cell::new(0.0),
            upload_progress: Cell::new(0.0),
            error: RefCell::new(JsValue::NULL),
            result: RefCell::new(JsValue::NULL),
            recording: RefCell::new(None),
            supported,
            no_waveform: Array::new().into(),
        }
    }

    /// A new take forgets the last one's error, result and progress.
    pub fn state_changed(&self, state: RecorderState) {
        if state == RecorderState::Requesting {
            self.upload_progress.set(0.0);
            *self.error.borrow_mut() = JsValue::NULL;
            *self.result.borrow_mut() = JsValue::NULL;
        }
    }

    pub fn level(&self, level: f64) {
        self.level.set(level);
    }

    pub fn upload_progress(&self, percent: f64) {
        self.upload_progress.set(percent);
    }

    pub fn completed(&self, result: &JsValue) {
        self.upload_progress.set(100.0);
        *self.result.borrow_mut() = result.clone();
    }

    pub fn failed(&self, error: &JsValue) {
        *self.error.borrow_mut() = error.clone();
    }

    /// `recorder.recording`: `null`, or the kept recording's `VoicenoteResult`.
    pub fn recording(&self, rec: &Recorder) -> JsValue {
        let Some(kept) = rec.recording() else {
            *self.recording.borrow_mut() = None;
            return JsValue::NULL;
        };
        let blob: &JsValue = kept.blob.as_ref();
        if let Some((cached_blob, object)) = self.recording.borrow().as_ref() {
            if cached_blob == blob {
                return object.clone();
            }
        }
        let object = recording_to_js(&kept);
        *self.recording.borrow_mut() = Some((blob.clone(), object.clone()));
        object
    }

    /// The snapshot: API.md's fields, plus `press` (what a press of the toggle does: `'start'`,
    /// `'stop'` or `''`) and `label` (the key of the toggle's text).
    pub fn snapshot(&self, rec: &Recorder) -> JsValue {
        let state = rec.state();
        let recording = self.recording(rec);
        // The kept recording's peaks, once the recorder measures them (`[]` until then).
        let waveform = if recording.is_null() { None } else { Reflect::get(&recording, &"waveform".into()).ok().filter(Array::is_array) };
        let o = Object::new();
        set(&o, "state", &state.as_str().into());
        set(&o, "capturing", &state.capturing().into());
        set(&o, "busy", &state.busy().into());
        set(&o, "hasRecording", &(!recording.is_null()).into());
        set(&o, "duration", &rec.duration().into());
        set(&o, "level", &(if state == RecorderState::Recording { self.level.get() } else { 0.0 }).into());
        set(&o, "uploadProgress", &self.upload_progress.get().into());
        set(&o, "inputStatus", &rec.input_status().as_str().into());
        set(&o, "waveform", &waveform.unwrap_or_else(|| self.no_waveform.clone()));
        set(&o, "gesture", &"idle".into());
        set(&o, "error", &self.error.borrow());
        set(&o, "recording", &recording);
        set(&o, "result", &self.result.borrow());
        set(&o, "supported", &self.supported.into());
        set(&o, "press", &Press::of(state).as_str().into());
        set(&o, "label", &label(state).into());
        Object::freeze(&o).into()
    }
}
