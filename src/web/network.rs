//! Network status: `navigator.onLine`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = isOnline)]
    fn is_online() -> bool;
}

/// `navigator.onLine`, true where the browser does not say.
pub fn online() -> bool {
    is_online()
}
