//! `Gesture`: hold to talk for one control (API.md, "Voice-note gestures"). It reads the control's
//! DOM events and the recorder's state, and answers with what the entry should do; the rules are
//! `core::gesture`'s, this file only reads JS shapes.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::core::gesture::{self, Direction, Input, Key, PointerKind};
use crate::core::lifecycle::RecorderState;
use crate::core::network::NetworkStatus;
use crate::core::options::AUTO_UPLOAD;
use crate::core::view::{label, Lock};

/// One control's gesture (`new Gesture()`), made by the entries' hold wiring (js/hold.js).
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Gesture {
    inner: gesture::Gesture,
}

fn field(event: &JsValue, name: &str) -> JsValue {
    Reflect::get(event, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn number(event: &JsValue, name: &str) -> f64 {
    field(event, name).as_f64().unwrap_or(0.0)
}

// A JS string straight from the name: no String for the bindings to copy out.
fn name(s: &str) -> JsValue {
    JsValue::from_str(s)
}

// A state the SDK does not know (none should come) counts as idle.
fn state(name: &str) -> RecorderState {
    RecorderState::parse(name).unwrap_or(RecorderState::Idle)
}

/// The gesture's input in a `pointerdown`/`move`/`up`/`cancel` or `keydown`/`keyup` event.
fn input(event: &JsValue) -> Option<Input> {
    let id = || number(event, "pointerId") as i32;
    let key = || field(event, "key").as_string().as_deref().and_then(Key::parse);
    match field(event, "type").as_string()?.as_str() {
        "pointerdown" => {
            let kind = PointerKind::parse(&field(event, "pointerType").as_string().unwrap_or_default());
            Input::pointer_down(id(), kind, number(event, "button") as i16, number(event, "clientX"), number(event, "clientY"))
        }
        "pointermove" => Some(Input::PointerMove { id: id(), x: number(event, "clientX"), y: number(event, "clientY") }),
        "pointerup" => Some(Input::PointerUp { id: id() }),
        "pointercancel" => Some(Input::PointerCancel { id: id() }),
        "keydown" => Some(Input::KeyDown { key: key()?, repeat: field(event, "repeat").is_truthy() }),
        "keyup" => Some(Input::KeyUp { key: key()? }),
        "click" => Input::click(number(event, "detail") as i32),
        // Not DOM events: a tap on the lock control, and a change of the recorder's state.
        "lock" => Some(Input::LockTap),
        "recorder" => Some(Input::Recorder),
        _ => None,
    }
}

#[wasm_bindgen]
impl Gesture {
    /// An idle gesture.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Gesture {
        Gesture::default()
    }

    /// Reads one of the control's pointer, key or click events (its `timeStamp` is the clock), or
    /// `{ type: 'lock' }` (a tap on the lock control) or `{ type: 'recorder' }` (the recorder's
    /// state changed), with the recorder in `recorderState`, laid out right to left when `rtl`.
    /// Returns what to do, `'start' | 'stop' | 'cancel' | 'lock' | 'hint' | 'none'`, or
    /// `undefined` for an event that is not the gesture's (another key, a right click, an Escape
    /// that cancelled nothing): the page keeps its default for those.
    pub fn handle(&mut self, event: &JsValue, recorder_state: &str, rtl: bool) -> JsValue {
        let Some(input) = input(event) else { return JsValue::UNDEFINED };
        if matches!(input, Input::PointerDown { .. } | Input::KeyDown { .. }) {
            self.inner.set_direction(if rtl { Direction::Rtl } else { Direction::Ltr });
        }
        let action = self.inner.step(input, number(event, "timeStamp"), state(recorder_state));
        if input.claims(action) {
            name(action.as_str())
        } else {
            JsValue::UNDEFINED
        }
    }

    /// `'idle' | 'holding' | 'locked' | 'cancelling'`.
    #[wasm_bindgen(getter)]
    pub fn phase(&self) -> JsValue {
        name(self.inner.phase().as_str())
    }

    /// "Hold to record" shows: a press was too short to record, and no take has started since.
    #[wasm_bindgen(getter)]
    pub fn hint(&self) -> bool {
        self.inner.hint()
    }

    /// The toggle's label while the control has no recorder yet (its first press waits for the
    /// SDK's first token): what a recorder's snapshot would say for an idle recorder in this
    /// phase, `hold` for the element's `mode="hold"`.
    #[wasm_bindgen(js_name = idleLabel)]
    pub fn idle_label(&self, hold: bool) -> JsValue {
        name(label(RecorderState::Idle, NetworkStatus::Ok, self.inner.phase(), hold))
    }

    /// The lock control in this phase (the snapshot's `lock`), for a recorder with `autoUpload`
    /// (`undefined`: RecorderOptions' default), while there is no recorder to ask.
    pub fn lock(&self, auto_upload: Option<bool>) -> JsValue {
        name(Lock::of(self.inner.phase(), auto_upload.unwrap_or(AUTO_UPLOAD)).as_str())
    }
}
