//! What the server holds while it runs: tokens, presigned URLs, stored voice notes, the fault
//! table, the request log and the lifetimes, gathered in `App` for the layers and routes.

pub mod credentials;
pub mod deliveries;
pub mod faults;
pub mod listing;
pub mod outage;
pub mod presign;
pub mod request_log;
pub mod settings;
pub mod store;
pub mod tokens;
pub mod transcriber;
pub mod webhooks;

use std::sync::Arc;

use crate::base::connection::{Gate, Timeouts};
use crate::base::origins::Access;

/// Everything the routes share.
pub struct App {
    pub(crate) settings: settings::Settings,
    /// Issues and checks tokens.
    pub tokens: tokens::Tokens,
    pub(crate) signer: presign::Signer,
    pub(crate) store: store::Store,
    pub(crate) faults: faults::Faults,
    /// Storage up, down or without CORS (`POST /__dev/storage`).
    pub(crate) storage_mode: Arc<outage::StorageSwitch>,
    /// What `GET /__dev/log` reads.
    pub log: request_log::RequestLog,
    /// `http://127.0.0.1:8787`
    pub(crate) api_base: String,
    /// `http://127.0.0.1:8788`
    pub(crate) storage_base: String,
    pub(crate) part_size: u64,
    pub(crate) access: Arc<Access>,
    /// Turns stored voice notes into text.
    pub(crate) transcriber: transcriber::Transcriber,
    /// Registered webhooks.
    pub(crate) webhooks: webhooks::Webhooks,
    /// Webhook delivery attempts.
    pub(crate) deliveries: deliveries::Deliveries,
    /// The backend API's key and secret.
    pub credentials: credentials::Credentials,
    pub(crate) timeouts: Timeouts,
    /// Open connections, both origins together.
    pub gate: Arc<Gate>,
}

impl std::fmt::Debug for App {
    // The origins say which server this is; the tables behind them are read through /__dev/.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("api_base", &self.api_base).field("storage_base", &self.storage_base).field("gate", &self.gate).finish_non_exhaustive()
    }
}
