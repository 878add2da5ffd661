//! Between JS values and the SDK's Rust types: option and config objects in, result objects and
//! `VocaFuseError`s out. `error_to_js` is the one place an `SdkError` becomes a `VocaFuseError`.

use js_sys::{Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::core::config::{self, SdkConfig};
use crate::core::errors::{Messages, SdkError};
use crate::core::format::FormatPreference;
use crate::core::json::Value;
use crate::core::limits::{bits_per_second, RecorderLimits};
use crate::core::upload::UploadResult;
use crate::web::media::{AudioOptions, MicrophoneInfo, TrackSettings};
use crate::web::recorder::{RecorderOptions, Recording};

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = VocaFuseError)]
    type JsVocaFuseError;
    #[wasm_bindgen(constructor, js_class = "VocaFuseError")]
    fn new(init: &JsValue) -> JsVocaFuseError;
    #[wasm_bindgen(js_name = callSafely)]
    fn call_safely(f: &Function, arg: &JsValue);
}

/// `obj[key] = value`, for the objects the facade builds (a plain object cannot refuse it).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn json_to_js(value: &Value) -> JsValue {
    JSON::parse(&value.to_json()).unwrap_or(JsValue::UNDEFINED)
}

/// The `VocaFuseError` an app sees.
pub fn error_to_js(err: &SdkError, messages: &Messages) -> JsValue {
    let o = Object::new();
    set(&o, "code", &err.code.name().into());
    set(&o, "message", &err.message.as_str().into());
    set(&o, "userMessage", &messages.for_error(err).into());
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

/// `addVoiceNote`'s target: a selector or an element.
pub fn element(target: &JsValue) -> Result<HtmlElement, SdkError> {
    if let Some(selector) = target.as_string() {
        let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| SdkError::invalid_config("no document"))?;
        let found = document.query_selector(&selector).map_err(|_| SdkError::invalid_config(format!("'{selector}' is not a valid selector")))?;
        return found.and_then(|e| e.dyn_into::<HtmlElement>().ok()).ok_or_else(|| SdkError::invalid_config(format!("no element matches '{selector}'")));
    }
    target.clone().dyn_into::<HtmlElement>().map_err(|_| SdkError::invalid_config("target must be a selector or an HTMLElement"))
}

/// Calls an app callback; a throwing callback is reported, never allowed to break the SDK.
pub fn call(f: &Option<Function>, arg: &JsValue) {
    if let Some(f) = f {
        call_safely(f, arg);
    }
}

/// The `VoicenoteResult` object.
pub fn recording_to_js(r: &Recording) -> JsValue {
    let o = Object::new();
    set(&o, "blob", &r.blob);
    set(&o, "mimeType", &r.mime_type.as_str().into());
    set(&o, "duration", &r.duration.into());
    set(&o, "size", &(r.size as f64).into());
    set(&o, "format", &r.format.as_str().into());
    set(&o, "waveform", &waveform_to_js(&r.waveform));
    if let Some(settings) = &r.settings {
        set(&o, "settings", &settings_to_js(settings));
    }
    o.into()
}

/// A waveform as the plain `number[]` API.md gives.
pub fn waveform_to_js(peaks: &[f64]) -> JsValue {
    peaks.iter().map(|p| JsValue::from(*p)).collect::<js_sys::Array>().into()
}

/// `recording.settings`: the keys the browser reported, as `getSettings()` names them.
fn settings_to_js(s: &TrackSettings) -> JsValue {
    let o = Object::new();
    let text = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            set(&o, k, &v.as_str().into());
        }
    };
    let number = |k: &str, v: Option<f64>| {
        if let Some(v) = v {
            set(&o, k, &v.into());
        }
    };
    let flag = |k: &str, v: Option<bool>| {
        if let Some(v) = v {
            set(&o, k, &v.into());
        }
    };
    text("deviceId", &s.device_id);
    text("groupId", &s.group_id);
    number("sampleRate", s.sample_rate);
    number("sampleSize", s.sample_size);
    number("channelCount", s.channel_count.map(f64::from));
    flag("echoCancellation", s.echo_cancellation);
    flag("noiseSuppression", s.noise_suppression);
    flag("autoGainControl", s.auto_gain_control);
    flag("voiceIsolation", s.voice_isolation);
    number("latency", s.latency);
    o.into()
}

/// `{ deviceId, label, isDefault }`s.
pub fn microphones_to_js(list: &[MicrophoneInfo]) -> JsValue {
    let out = js_sys::Array::new();
    for m in list {
        let o = Object::new();
        set(&o, "deviceId", &m.device_id.as_str().into());
        set(&o, "label", &m.label.as_str().into());
        set(&o, "isDefault", &m.is_default.into());
        out.push(&o);
    }
    out.into()
}

/// The `UploadResult` object.
pub fn result_to_js(r: &UploadResult) -> JsValue {
    let o = Object::new();
    set(&o, "voicenote_id", &r.voicenote_id.as_str().into());
    set(&o, "upload_type", &(if r.multipart { "multipart" } else { "single" }).into());
    set(&o, "file_size", &(r.file_size as f64).into());
    set(&o, "duration_seconds", &r.duration_seconds.into());
    set(&o, "audio_format", &r.audio_format.as_str().into());
    if let Some(k) = &r.s3_key {
        set(&o, "s3_key", &k.as_str().into());
    }
    if let Some(p) = &r.processing_strategy {
        set(&o, "processing_strategy", &p.as_str().into());
    }
    set(&o, "client_processed", &r.client_processed.into());
    o.into()
}

/// Reads fields of an options object, checking their types (`INVALID_CONFIG` when wrong).
pub struct Fields {
    obj: JsValue,
    what: &'static str,
}

impl Fields {
    /// `undefined` and `null` read as an empty object; anything else that is not an object is
    /// `INVALID_CONFIG`.
    pub fn new(obj: &JsValue, what: &'static str) -> Result<Self, SdkError> {
        if !obj.is_undefined() && !obj.is_null() && !obj.is_object() {
            return Err(SdkError::invalid_config(format!("{what} must be an object")));
        }
        Ok(Fields { obj: obj.clone(), what })
    }

    fn raw(&self, key: &str) -> Option<JsValue> {
        if !self.obj.is_object() {
            return None;
        }
        Reflect::get(&self.obj, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
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
    /// A nested options object (`undefined` and `null` read as empty).
    pub fn object(&self, key: &str, what: &'static str) -> Result<Fields, SdkError> {
        let value = self.raw(key).unwrap_or(JsValue::UNDEFINED);
        if !value.is_undefined() && !value.is_object() {
            return Err(self.wrong(key, "an object"));
        }
        Ok(Fields { obj: value, what })
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
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(k), Some(v)) => out.push((k, v)),
                _ => return Err(self.wrong(key, "an object of strings")),
            }
        }
        Ok(out)
    }
}

/// `new VocaFuseSDK(config)`'s config, as API.md gives it.
pub fn sdk_config(value: &JsValue) -> Result<(SdkConfig, Messages), SdkError> {
    if value.is_undefined() || value.is_null() {
        return Err(SdkError::invalid_config("new VocaFuseSDK(config) needs a config with tokenEndpoint"));
    }
    let f = Fields::new(value, "config")?;
    let config = SdkConfig {
        token_endpoint: config::token_endpoint(f.string("tokenEndpoint")?.as_deref())?,
        api_base_url: config::api_base_url(f.string("apiBaseUrl")?.as_deref())?,
        timeout_ms: config::timeout_ms(f.number("timeout")?)?,
        retries: config::retries(f.number("retries")?)?,
        token_request_headers: f.string_map("tokenRequestHeaders")?,
        persist: f.boolean("persist")?.unwrap_or(true),
        resume_on_init: f.boolean("resumeOnInit")?.unwrap_or(false),
        offline_wait_ms: config::offline_wait_ms(f.number("offlineWaitMs")?)?,
        assets_url: config::assets_url(f.string("assetsUrl")?.as_deref())?,
    };
    Ok((config, Messages(f.string_map("messages")?)))
}

/// The app's callbacks of `RecorderOptions`.
#[derive(Default)]
pub struct Callbacks {
    pub on_state_change: Option<Function>,
    pub on_record_progress: Option<Function>,
    pub on_level: Option<Function>,
    pub on_upload_progress: Option<Function>,
    pub on_complete: Option<Function>,
    pub on_error: Option<Function>,
    pub on_cancel: Option<Function>,
}

/// `RecorderOptions` as API.md gives them.
pub fn recorder_options(value: &JsValue) -> Result<(RecorderOptions, Callbacks), SdkError> {
    let f = Fields::new(value, "options")?;
    let options = RecorderOptions {
        limits: RecorderLimits::new(f.number("maxDuration")?, f.number("maxFileSize")?)?,
        format: FormatPreference::parse(f.string("format")?.as_deref())?,
        bits_per_second: bits_per_second(f.number("audioBitsPerSecond")?)?,
        device_id: f.string("deviceId")?.filter(|d| !d.is_empty()),
        auto_upload: f.boolean("autoUpload")?.unwrap_or(crate::core::options::AUTO_UPLOAD),
        audio: audio_options(&f.object("audio", "options.audio")?)?,
        silence_timeout_ms: config::silence_timeout_ms(f.number("silenceTimeout")?)?,
        stop_on_silence_ms: config::stop_on_silence_ms(f.number("stopOnSilence")?)?,
    };
    let callbacks = Callbacks {
        on_state_change: f.function("onStateChange")?,
        on_record_progress: f.function("onRecordProgress")?,
        on_level: f.function("onLevel")?,
        on_upload_progress: f.function("onUploadProgress")?,
        on_complete: f.function("onComplete")?,
        on_error: f.function("onError")?,
        on_cancel: f.function("onCancel")?,
    };
    Ok((options, callbacks))
}

/// `RecorderOptions.audio`: the browser's processing, on unless the app says otherwise.
fn audio_options(f: &Fields) -> Result<AudioOptions, SdkError> {
    let on = AudioOptions::default();
    Ok(AudioOptions {
        echo_cancellation: f.boolean("echoCancellation")?.unwrap_or(on.echo_cancellation),
        noise_suppression: f.boolean("noiseSuppression")?.unwrap_or(on.noise_suppression),
        auto_gain_control: f.boolean("autoGainControl")?.unwrap_or(on.auto_gain_control),
        channel_count: config::channel_count(f.number("channelCount")?)?,
    })
}

/// Request headers given as a `Headers` object, any iterable of pairs, or a plain record.
pub fn headers(headers: &JsValue) -> Vec<(String, String)> {
    let pair = |entry: JsValue| -> Option<(String, String)> {
        let a: js_sys::Array = entry.dyn_into().ok()?;
        Some((a.get(0).as_string()?, a.get(1).as_string()?))
    };
    if headers.is_undefined() || headers.is_null() || !headers.is_object() {
        return Vec::new();
    }
    if let Ok(Some(iter)) = js_sys::try_iter(headers) {
        return iter.filter_map(|e| e.ok()).filter_map(pair).collect();
    }
    Object::entries(headers.unchecked_ref()).iter().filter_map(pair).collect()
}
