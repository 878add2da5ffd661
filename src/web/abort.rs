//! `AbortController`s: children that abort with their parent, and waits that end when a signal
//! aborts.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use web_sys::{AbortController, AbortSignal};

use crate::core::errors::{ErrorCode, SdkError};

pub fn aborted() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the upload was cancelled")
}

pub fn controller() -> Result<AbortController, SdkError> {
    AbortController::new().map_err(|_| SdkError::new(ErrorCode::NotSupported, "AbortController is missing"))
}

/// An `AbortController` that also aborts when `parent` does. Dropping it detaches it.
pub struct Child {
    pub controller: AbortController,
    _link: EventListener,
}

impl Child {
    pub fn of(parent: &AbortSignal) -> Result<Child, SdkError> {
        let controller = controller()?;
        if parent.aborted() {
            controller.abort();
        }
        let c = controller.clone();
        let link = EventListener::once(parent, "abort", move |_| c.abort());
        Ok(Child { controller, _link: link })
    }
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
}

/// Waits `ms` (or until `window` fires `wake_on`, when given), or fails with `ABORTED` as soon
/// as `signal` aborts.
pub async fn sleep(ms: f64, wake_on: Option<&'static str>, signal: &AbortSignal) -> Result<(), SdkError> {
    if signal.aborted() {
        return Err(aborted());
    }
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let send = |value: bool| {
        let tx = tx.clone();
        move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(value);
            }
        }
    };
    let _timer = Timeout::new(ms.clamp(0.0, 86_400_000.0) as u32, send(true));
    let _wake = wake_on.zip(web_sys::window()).map(|(event, w)| {
        let wake = send(true);
        EventListener::once(&w, event, move |_| wake())
    });
    let abort = send(false);
    let _abort = EventListener::once(signal, "abort", move |_| abort());
    match rx.await {
        Ok(true) => Ok(()),
        _ => Err(aborted()),
    }
}
