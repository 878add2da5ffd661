//! `addVoiceNote`: a button as a record toggle that reflects the recorder's state. The button
//! holds the recorder; the recorder knows nothing of buttons (the facade forwards its state).

use std::rc::Rc;

use gloo_events::EventListener;
use web_sys::HtmlElement;

use super::recorder::Recorder;
use crate::core::lifecycle::RecorderState;

/// The click listener; dropping it (or `detach`) removes it.
pub struct Toggle {
    button: HtmlElement,
    _click: EventListener,
}

impl Toggle {
    pub fn attach(button: HtmlElement, recorder: Rc<Recorder>) -> Toggle {
        let click = EventListener::new(&button, "click", move |_| {
            // Errors reach onError; the outcomes need no handler here.
            match recorder.state() {
                RecorderState::Recording | RecorderState::Paused => {
                    let stop = recorder.stop();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = stop.await;
                    });
                }
                RecorderState::Idle | RecorderState::Stopped | RecorderState::Uploaded | RecorderState::Error => {
                    let start = recorder.start();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = start.await;
                    });
                }
                _ => {}
            }
        });
        let toggle = Toggle { button, _click: click };
        toggle.reflect(RecorderState::Idle);
        toggle
    }

    /// Shows `state` on the button: `data-state`, `aria-pressed`, disabled while busy.
    pub fn reflect(&self, state: RecorderState) {
        let button = &self.button;
        let _ = button.set_attribute("data-state", state.as_str());
        let pressed = matches!(state, RecorderState::Recording | RecorderState::Paused);
        let _ = button.set_attribute("aria-pressed", if pressed { "true" } else { "false" });
        let busy = matches!(state, RecorderState::Uploading | RecorderState::Waiting | RecorderState::Requesting);
        let _ = button.toggle_attribute_with_force("disabled", busy);
    }

    /// Removes the listener and the attributes it set.
    pub fn detach(self) {
        for attr in ["data-state", "aria-pressed", "disabled"] {
            let _ = self.button.remove_attribute(attr);
        }
    }
}
