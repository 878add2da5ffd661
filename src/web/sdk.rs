//! What every recorder of one `VocaFuseSDK` shares: its configuration, messages and token.

use std::cell::Cell;
use std::fmt;

use super::http::Started;
use super::token::TokenCache;
use crate::core::config::SdkConfig;
use crate::core::errors::Messages;

/// One SDK's shared state; recorders and uploads hold it in an `Rc`.
pub struct SdkContext {
    pub(crate) config: SdkConfig,
    pub(crate) messages: Messages,
    pub(crate) tokens: TokenCache,
    /// The app has been told that recordings cannot be stored (it is told once).
    pub(crate) storage_notice_sent: Cell<bool>,
    /// `navigator.storage.persist()` has been asked.
    pub(crate) persistence_asked: Cell<bool>,
}

// By hand: the token cache stays out of debug output.
impl fmt::Debug for SdkContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkContext").field("config", &self.config).finish_non_exhaustive()
    }
}

impl SdkContext {
    /// A context for `config`, with no token yet.
    pub fn new(config: SdkConfig, messages: Messages) -> SdkContext {
        SdkContext { config, messages, tokens: TokenCache::default(), storage_notice_sent: Cell::new(false), persistence_asked: Cell::new(false) }
    }

    /// `init()`: the first token (`AUTHENTICATION_FAILED` when the token endpoint fails), read
    /// from `early` when the package's JS already sent the request.
    pub async fn first_token(&self, early: Option<Started>) -> Result<(), crate::core::errors::SdkError> {
        self.tokens.first(&self.config, early).await
    }

    /// `reset()`: forgets the cached token.
    pub fn forget_token(&self) {
        self.tokens.forget();
    }
}
