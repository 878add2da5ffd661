//! The one snapshot of a recorder that the framework entries render (API.md, "Framework
//! entries"): the recorder's getters, what its state means (`core::view`), what its observer
//! last heard (level, upload progress, error, result), and the hold gesture it is given (phase,
//! hint). `js/voice-note.js` caches it per report.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use super::convert::recording_to_js;
use crate::core::gesture::GesturePhase;
use crate::core::lifecycle::RecorderState;
use crate::core::view::{label, progress, review, Lock, Press};
use crate::web::recorder::Recorder;

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    /// The frozen snapshot object from the values, in API.md's order (the names stay in JS).
    #[wasm_bindgen(js_name = snapshot)]
    #[allow(clippy::too_many_arguments)]
    fn make(
        state: &str,
        capturing: bool,
        busy: bool,
        has_recording: bool,
        duration: f64,
        level: f64,
        upload_progress: f64,
        input_status: &str,
        network_status: &str,
        error: &JsValue,
        recording: &JsValue,
        result: &JsValue,
        supported: bool,
        gesture: &str,
        press: &str,
        label: &str,
        review: bool,
        progress: bool,
        lock: &str,
        hint: bool,
    ) -> JsValue;
}

/// What the observer heard since the take began, and the kept recording's JS object (the same
/// object for as long as the same recording is kept, so renderers can compare by identity).
pub struct View {
    level: Cell<f64>,
    upload_progress: Cell<f64>,
    error: RefCell<JsValue>,
    /// The error is the network's notice, which goes once the upload gets through.
    error_passes: Cell<bool>,
    result: RefCell<JsValue>,
    /// The kept recording's `Blob` and its `VoicenoteResult`.
    recording: RefCell<Option<(JsValue, JsValue)>>,
    supported: bool,
    /// The recorder's `autoUpload`: whether a stopped note goes, or waits for its review.
    auto_upload: bool,
}

impl View {
    pub fn new(supported: bool, auto_upload: bool) -> View {
        View {
            level: Cell::new(0.0),
            upload_progress: Cell::new(0.0),
            error: RefCell::new(JsValue::NULL),
            error_passes: Cell::new(false),
            result: RefCell::new(JsValue::NULL),
            recording: RefCell::new(None),
            supported,
            auto_upload,
        }
    }

    /// A new take forgets the last one's error, result and progress.
    pub fn state_changed(&self, state: RecorderState) {
        if state == RecorderState::Uploaded && self.error_passes.get() {
            *self.error.borrow_mut() = JsValue::NULL;
        }
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

    /// `passes`: a notice that the upload's getting through ends (the network's).
    pub fn failed(&self, error: &JsValue, passes: bool) {
        self.error_passes.set(passes);
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

    /// The snapshot: API.md's fields (`gesture` as given: the hold's phase), plus `press` (what a
    /// press of the toggle does: `'start'`, `'stop'` or `''`), `label` (the key of the toggle's
    /// text), `review`, `progress`, `lock` and `hint` (`core::view`). `hold`: the toggle is a
    /// hold control (the element's `mode="hold"`); `hint`: the gesture's.
    pub fn snapshot(&self, rec: &Recorder, gesture: GesturePhase, hint: bool, hold: bool) -> JsValue {
        let state = rec.state();
        let recording = self.recording(rec);
        let uploaded = !self.result.borrow().is_null();
        make(
            state.as_str(),
            state.capturing(),
            state.busy(),
            !recording.is_null(),
            rec.duration(),
            if state == RecorderState::Recording { self.level.get() } else { 0.0 },
            self.upload_progress.get(),
            rec.input_status().as_str(),
            rec.network_status().as_str(),
            &self.error.borrow(),
            &recording,
            &self.result.borrow(),
            self.supported,
            gesture.as_str(),
            Press::of(state).as_str(),
            label(state, rec.network_status(), gesture, hold),
            review(state, !recording.is_null(), uploaded, self.auto_upload),
            progress(state),
            Lock::of(gesture, self.auto_upload).as_str(),
            hint,
        )
    }
}
