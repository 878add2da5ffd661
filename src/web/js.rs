//! JS values the browser layer meets: thrown exceptions (as `SdkError`s), promises nobody awaits.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::core::errors::{ErrorCode, SdkError};

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    /// A `VocaFuseError`'s `code` (`""` if it is not a string); `None` for any other value.
    #[wasm_bindgen(js_name = codeOf)]
    fn code_of(value: &JsValue) -> Option<String>;
    /// Marks a promise's rejection as handled.
    pub fn quiet(promise: &js_sys::Promise);
}

#[wasm_bindgen]
extern "C" {
    /// JS's own `String(value)`: a thrown value's text without `JsValue`'s `Debug` (whose glue,
    /// `debugString`, is then left out of the package).
    #[wasm_bindgen(js_name = String)]
    pub fn js_string(value: &JsValue) -> String;
}

/// The `name` and `message` of a thrown JS value (an `Error`, a `DOMException`, anything).
pub fn exception_parts(value: &JsValue) -> (String, String) {
    let get = |k: &str| Reflect::get(value, &JsValue::from_str(k)).ok().and_then(|v| v.as_string());
    let name = if value.is_object() { get("name").unwrap_or_default() } else { String::new() };
    let message = if value.is_object() { get("message") } else { value.as_string() }.unwrap_or_else(|| js_string(value));
    (name, message)
}

/// A thrown JS value as an `SdkError`: a `VocaFuseError` keeps its code, anything else gets
/// `fallback` with the exception's name and message.
pub fn error_from_js(value: &JsValue, fallback: ErrorCode) -> SdkError {
    if let Some(code) = code_of(value) {
        let code = ErrorCode::from_name(&code).unwrap_or(fallback);
        let (_, message) = exception_parts(value);
        return SdkError::new(code, message);
    }
    let (name, message) = exception_parts(value);
    let text = if name.is_empty() { message } else { format!("{name}: {message}") };
    SdkError::new(fallback, text)
}
