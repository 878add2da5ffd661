//! What every recorder of one `VocaFuseSDK` shares: its configuration and messages.

use std::cell::Cell;

use wasm_bindgen::JsValue;

use super::js::Fields;
use super::upload::TokenCache;
use crate::core::config;
use crate::core::errors::{Messages, SdkError};

pub struct SdkConfig {
    pub token_endpoint: String,
    pub api_base_url: String,
    pub timeout_ms: f64,
    pub retries: u32,
    pub token_request_headers: Vec<(String, String)>,
    /// Keep recordings in IndexedDB until the service confirms them.
    pub persist: bool,
    pub resume_on_init: bool,
    pub offline_wait_ms: f64,
    /// Where the WAV path's worklet and wasm are loaded from (`None`: next to the entry).
    pub assets_url: Option<String>,
}

pub struct SdkContext {
    pub config: SdkConfig,
    pub messages: Messages,
    pub tokens: TokenCache,
    /// The app has been told that recordings cannot be stored (it is told once).
    pub storage_notice_sent: Cell<bool>,
    /// `navigator.storage.persist()` has been asked.
    pub persistence_asked: Cell<bool>,
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
            persist: f.boolean("persist")?.unwrap_or(true),
            resume_on_init: f.boolean("resumeOnInit")?.unwrap_or(false),
            offline_wait_ms: config::offline_wait_ms(f.number("offlineWaitMs")?)?,
            assets_url: config::assets_url(f.string("assetsUrl")?.as_deref())?,
        };
        Ok(SdkContext {
            config,
            messages: Messages(f.string_map("messages")?),
            tokens: TokenCache::default(),
            storage_notice_sent: Cell::new(false),
            persistence_asked: Cell::new(false),
        })
    }
}
