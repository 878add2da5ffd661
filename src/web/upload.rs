//! Uploading (stub until the upload path lands).

use wasm_bindgen::JsValue;

use super::js::error_to_js;
use super::recorder::Recorder;
use super::sdk::SdkContext;
use crate::core::errors::{ErrorCode, SdkError};

pub async fn fetch_first_token(_ctx: &SdkContext) -> Result<(), SdkError> {
    Err(SdkError::new(ErrorCode::AuthenticationFailed, "uploading is not built yet"))
}

pub fn forget_token(_ctx: &SdkContext) {}

pub async fn upload_kept(rec: &Recorder) -> Result<JsValue, JsValue> {
    rec.kept_for_upload().map_err(|e| rec.report(&e))?;
    let err = SdkError::new(ErrorCode::NotSupported, "uploading is not built yet; use autoUpload: false (the recording is kept)");
    Err(error_to_js(&err, &rec.ctx.messages))
}
