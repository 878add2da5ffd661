//! What every recorder of one `VocaFuseSDK` shares: its configuration, messages and token.

use std::cell::Cell;

use super::token::TokenCache;
use crate::core::config::SdkConfig;
use crate::core::errors::Messages;

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
    pub fn new(config: SdkConfig, messages: Messages) -> SdkContext {
        SdkContext { config, messages, tokens: TokenCache::default(), storage_notice_sent: Cell::new(false), persistence_asked: Cell::new(false) }
    }
}
