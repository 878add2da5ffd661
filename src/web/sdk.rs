//! What every recorder of one `VocaFuseSDK` shares: its configuration and messages.

use wasm_bindgen::JsValue;

use super::js::{Fields, Messages};
use super::upload::TokenCache;
use crate::core::config;
use crate::core::errors::SdkError;

pub struct SdkConfig {
    pub token_endpoint: String,
    pub api_base_url: String,
    pub timeout_ms: f64,
    pub retries: u32,
    pub token_request_headers: Vec<(String, String)>,
}

pub struct SdkContext {
    pub config: SdkConfig,
    pub messages: Messages,
    pub tokens: TokenCache,
}

impl SdkContext {
    pub fn from_js(value: &JsValue) -> Result<SdkContext, SdkError> {
        if value.is_undefined() || value.is_null() {
            return Err(SdkError::invalid_config("new VocaFuseSDK(config) needs a config with tokenEndpoint"));
        }
        let f = Fields::new(value, "config")?;
        let config = SdkConfig {
            token_endpoint: config::token_endpoint(f.string("tokenEndpoint")?.as_deref())?,
            api_base_url: config::api_base_url(f.string("apiBaseUrl")?.as_deref())?,
            timeout_ms: config::timeout_ms(f.number("timeout")?)?,
            retries: config::retries(f.number("retries")?)?,
            token_request_headers: f.string_map("tokenRequestHeaders")?.into_iter().collect(),
        };
        Ok(SdkContext { config, messages: Messages(f.string_map("messages")?), tokens: TokenCache::default() })
    }
}
