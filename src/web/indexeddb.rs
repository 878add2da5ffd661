//! IndexedDB, through `js/platform.js` (which wraps it in promises): the `recordings` rows and
//! their `chunks`. The schema is documented in `core::durable` and the README.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js::error_from_js;
use crate::core::durable::StoredMeta;
use crate::core::errors::{ErrorCode, SdkError};

#[wasm_bindgen(module = "/js/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = putRecording)]
    pub fn put_recording(id: &str, created_at: f64, meta: &str) -> Promise;
    #[wasm_bindgen(js_name = putChunk)]
    pub fn put_chunk(id: &str, seq: u32, data: &JsValue, created_at: f64, meta: &str) -> Promise;
    #[wasm_bindgen(js_name = getRecording)]
    pub fn get_recording(id: &str) -> Promise;
    #[wasm_bindgen(js_name = listRecordings)]
    pub fn list_recordings() -> Promise;
    #[wasm_bindgen(js_name = getChunks)]
    pub fn get_chunks(id: &str) -> Promise;
    #[wasm_bindgen(js_name = confirm)]
    pub fn confirm_rows(id: &str, created_at: f64, meta: &str) -> Promise;
    #[wasm_bindgen(js_name = remove)]
    pub fn remove_rows(id: &str) -> Promise;
    #[wasm_bindgen(js_name = persistStorage)]
    pub fn persist_storage() -> Promise;
    #[wasm_bindgen(js_name = newId)]
    pub fn new_id() -> String;
}

/// Waits for a storage operation; any failure is `STORAGE_UNAVAILABLE`.
pub async fn settle(promise: Promise) -> Result<JsValue, SdkError> {
    JsFuture::from(promise).await.map_err(|e| {
        let e = error_from_js(&e, ErrorCode::StorageUnavailable);
        SdkError { code: ErrorCode::StorageUnavailable, message: format!("the voice note storage failed: {}", e.message), ..e }
    })
}

/// The stored chunks of recording `id`, in order, as `Blob`s.
pub async fn chunks(id: &str) -> Result<Array, SdkError> {
    Ok(settle(get_chunks(id)).await?.unchecked_into())
}

/// Every row, oldest first.
pub async fn rows() -> Result<Vec<Row>, SdkError> {
    let rows: Array = settle(list_recordings()).await?.unchecked_into();
    Ok(rows.iter().filter_map(|r| row_from_js(&r)).collect())
}

/// One row of `recordings`.
#[derive(Clone)]
pub struct Row {
    pub id: String,
    pub created_at: f64,
    pub meta: StoredMeta,
}

fn row_from_js(value: &JsValue) -> Option<Row> {
    let get = |k: &str| Reflect::get(value, &JsValue::from_str(k)).ok();
    Some(Row { id: get("id")?.as_string()?, created_at: get("createdAt")?.as_f64().unwrap_or(0.0), meta: StoredMeta::from_json(&get("meta")?.as_string()?)? })
}

pub async fn read(id: &str) -> Result<Option<Row>, SdkError> {
    Ok(row_from_js(&settle(get_recording(id)).await?))
}
