//! Web Locks: one tab at a time per stored recording.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::durable::lock_name;

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = holdLock)]
    fn hold_lock(name: &str) -> Promise;
    #[wasm_bindgen(js_name = busyLocks)]
    fn busy_locks() -> Promise;
}

/// A held Web Lock, released on drop (a no-op where the browser has no Web Locks).
pub struct Lock(Option<Function>);

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Waits until no other recorder or tab holds the recording `id`.
pub async fn lock(id: &str) -> Lock {
    match JsFuture::from(hold_lock(&lock_name(id))).await {
        Ok(release) => Lock(release.dyn_into::<Function>().ok()),
        Err(_) => Lock(None),
    }
}

/// The names of the locks held or asked for, in any tab of this origin.
pub async fn busy() -> Vec<String> {
    JsFuture::from(busy_locks()).await.map(|v| v.unchecked_into::<Array>().iter().filter_map(|n| n.as_string()).collect()).unwrap_or_default()
}
