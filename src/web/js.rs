//! The JS side of errors and values: `SdkError` <-> `VocaFuseError`, option reading, callbacks.

use js_sys::{Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::errors::{ErrorCode, Messages, SdkError};

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = VocaFuseError)]
    type JsVocaFuseError;
    #[wasm_bindgen(constructor, js_class = "VocaFuseError")]
    fn new(init: &JsValue) -> JsVocaFuseError;
    #[wasm_bindgen(js_name = isVocaFuseError)]
    fn is_vocafuse_error(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = callSafely)]
    fn call_safely(f: &Function, arg: &JsValue);
    /// Marks a promise's rejection as handled.
    pub fn quiet(promise: &js_sys::Promise);
}

pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

pub fn json_to_js(value: &crate::core::json::Value) -> JsValue {
    JSON::parse(&value.to_json()).unwrap_or(JsValue::UNDEFINED)
}

/// Builds the `VocaFuseError` an app sees.
pub fn error_to_js(err: &SdkError, messages: &Messages) -> JsValue {
    let o = Object::new();
    set(&o, "code", &err.code.name().into());
    set(&o, "message", &err.message.as_str().into());
    set(&o, "userMessage", &messages.user_message(err.code).into());
    if let Some(d) = &err.details {
        set(&o, "details", &json_to_js(d));
    }
    set(&o, "timestamp", &js_sys::Date::now().into());
    set(&o, "retryable", &err.retryable().into());
    if let Some(s) = err.status {
        set(&o, "status", &f64::from(s).into());
    }
    if let Some(c) = err.server_code {
        set(&o, "serverCode", &(c as f64).into());
    }
    if let Some(r) = err.retry_after {
        set(&o, "retryAfter", &r.into());
    }
    JsVocaFuseError::new(&o).into()
}

/// The `name` and `message` of a thrown JS value (an `Error`, a `DOMException`, anything).
pub fn exception_parts(value: &JsValue) -> (String, String) {
    let get = |k: &str| Reflect::get(value, &JsValue::from_str(k)).ok().and_then(|v| v.as_string());
    let name = if value.is_object() { get("name").unwrap_or_default() } else { String::new() };
    let message = if value.is_object() { get("message") } else { value.as_string() }
        .unwrap_or_else(|| format!("{value:?}"));
    (name, message)
}

/// A thrown JS value as an `SdkError`: a `VocaFuseError` keeps its code, anything else gets
/// `fallback` with the exception's name and message.
pub fn error_from_js(value: &JsValue, fallback: ErrorCode) -> SdkError {
    if is_vocafuse_error(value) {
        let code = Reflect::get(value, &"code".into())
            .ok()
            .and_then(|c| c.as_string())
            .and_then(|c| ErrorCode::from_name(&c))
            .unwrap_or(fallback);
        let (_, message) = exception_parts(value);
        return SdkError::new(code, message);
    }
    let (name, message) = exception_parts(value);
    let text = if name.is_empty() { message } else { format!("{name}: {message}") };
    SdkError::new(fallback, text)
}

/// Calls an app callback; a throwing callback is reported, never allowed to break the SDK.
pub fn call(f: &Option<Function>, arg: &JsValue) {
    if let Some(f) = f {
        call_safely(f, arg);
    }
}

/// Reads fields of an options object, checking their types (`INVALID_CONFIG` when wrong).
pub struct Fields<'a> {
    obj: &'a JsValue,
    what: &'static str,
}

impl<'a> Fields<'a> {
    /// `undefined` and `null` read as an empty object; anything else that is not an object is
    /// `INVALID_CONFIG`.
    pub fn new(obj: &'a JsValue, what: &'static str) -> Result<Self, SdkError> {
        if !obj.is_undefined() && !obj.is_null() && !obj.is_object() {
            return Err(SdkError::invalid_config(format!("{what} must be an object")));
        }
        Ok(Fields { obj, what })
    }

    fn raw(&self, key: &str) -> Option<JsValue> {
        if !self.obj.is_object() {
            return None;
        }
        Reflect::get(self.obj, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str) -> SdkError {
        SdkError::invalid_config(format!("{}.{key} must be {expected}", self.what))
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, SdkError> {
        self.raw(key).map(|v| v.as_string().ok_or_else(|| self.wrong(key, "a string"))).transpose()
    }
    pub fn number(&self, key: &str) -> Result<Option<f64>, SdkError> {
        self.raw(key).map(|v| v.as_f64().ok_or_else(|| self.wrong(key, "a number"))).transpose()
    }
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, SdkError> {
        self.raw(key).map(|v| v.as_bool().ok_or_else(|| self.wrong(key, "true or false"))).transpose()
    }
    pub fn function(&self, key: &str) -> Result<Option<Function>, SdkError> {
        self.raw(key).map(|v| v.dyn_into::<Function>().map_err(|_| self.wrong(key, "a function"))).transpose()
    }
    /// An object whose values are all strings, as (key, value) pairs in the object's order.
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, SdkError> {
        let Some(v) = self.raw(key) else { return Ok(Vec::new()) };
        let obj = v.dyn_into::<Object>().map_err(|_| self.wrong(key, "an object of strings"))?;
        let mut out = Vec::new();
        for entry in Object::entries(&obj).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (k, v) = (pair.get(0).as_string(), pair.get(1).as_string());
            match (k, v) {
                (Some(k), Some(v)) => {
                    out.push((k, v));
                }
                _ => return Err(self.wrong(key, "an object of strings")),
            }
        }
        Ok(out)
    }
}
