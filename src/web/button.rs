//! `addVoiceNote`: a button as a record toggle that reflects the recorder's state. The button
//! holds the recorder; the recorder knows nothing of buttons (the facade forwards its state).

use std::rc::Rc;

use gloo_events::EventListener;
use web_sys::HtmlElement;

use super::recorder::Recorder;
use crate::core::lifecycle::RecorderState;
use crate::core::view::Press;

/// The click listener; dropping it (or `detach`) removes it.
pub struct Toggle {
    button: HtmlElement,
    _click: EventListener,
}

impl Toggle {
    pub fn attach(button: HtmlElement, recorder: Rc<Recorder>) -> Toggle {
        let click = EventListener::new(&button, "click", move |_| {
            // Errors reach onError; the outcomes need no handler here.
            match Press::of(recorder.state()) {
                Press::Stop => {
                    let stop = recorder.stop();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = stop.await;
                    });
                }
                Press::Start => {
                    let start = recorder.start();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = start.await;
                    });
                }
                Press::Nothing => {}
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
        let _ = button.set_attribute("aria-pressed", if state.capturing() { "true" } else { "false" });
        let _ = button.toggle_attribute_with_force("disabled", state.busy());
    }

    /// Removes the listener and the attributes it set.
    pub fn detach(self) {
        for attr in ["data-state", "aria-pressed", "disabled"] {
            let _ = self.button.remove_attribute(attr);
        }
    }
}
