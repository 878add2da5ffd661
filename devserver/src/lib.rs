//! vocafuse-devserver: a local stand-in for the VocaFuse API (PROTOCOL.md), so the SDK, its
//! browser tests and the demo run with no account and no network.
//!
//! Two origins on loopback: the API origin (static files, the app backend's token endpoint, the
//! API, and the `/__dev/` control endpoints) and the storage origin (presigned `PUT`s). Both
//! answer CORS, with credentials, to pages on loopback origins and the ones `--allow-origin`
//! adds, on every response including errors and injected faults (`middleware::access`).
//!
//! The modules are layers, each using only the ones before it: `base` (the leaves), `config`
//! (the command line), `state` (what the server holds), `middleware` (the layers around every
//! route), `routes`, and `serve` (the accept loop). This file starts the two origins.

// Helpers hand back finished answers as their error: a big `Err` is the point, not a cost.
#![allow(clippy::result_large_err)]

mod base;
pub mod config;
mod middleware;
mod routes;
mod serve;
mod state;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::base::keys::Secret;
use crate::base::origins::Access;
use crate::routes::{api_router, storage_router};
use crate::state::{deliveries::Deliveries, faults::Faults, outage::StorageSwitch, presign::Signer, settings::Settings, store::Store, transcriber::Transcriber, webhooks::Webhooks};

pub use crate::base::connection::{Gate, Timeouts};
pub use crate::config::{Command, Config, Lifetimes};
pub use crate::state::credentials::Credentials;
pub use crate::state::request_log::{LogLine, Notes, RequestLog};
pub use crate::state::tokens::{AuthError, Claims, Tokens};
pub use crate::state::App;

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// Where the API origin listens.
    pub api_addr: SocketAddr,
    /// Where the storage origin listens.
    pub storage_addr: SocketAddr,
    /// What the server holds (its open connections, for tests).
    pub app: Arc<App>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// The API origin, `http://127.0.0.1:8787`.
    pub fn api_url(&self) -> &str {
        &self.app.api_base
    }
    /// The storage origin, `http://127.0.0.1:8788`.
    pub fn storage_url(&self) -> &str {
        &self.app.storage_base
    }
    /// The app backend's token endpoint.
    pub fn token_endpoint(&self) -> String {
        format!("{}/api/token", self.app.api_base)
    }
    /// The one line printed on start.
    pub fn announcement(&self) -> String {
        serde_json::json!({"api": self.api_url(), "storage": self.storage_url(), "token_endpoint": self.token_endpoint()}).to_string()
    }
    /// Stops accepting, lets open requests finish (up to a few seconds), and returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds both listeners, opens the data directory and starts serving.
pub async fn start(config: Config) -> io::Result<Server> {
    let api_listener = TcpListener::bind((config.host, config.port)).await?;
    let storage_listener = TcpListener::bind((config.host, config.storage_port)).await?;
    let (api_addr, storage_addr) = (api_listener.local_addr()?, storage_listener.local_addr()?);
    let store = Store::open(&config.data_dir).await?;
    let secret = Secret::load_or_create(&config.data_dir).await?;
    let credentials = Credentials::load_or_create(&config.data_dir, config.api_key.as_deref(), config.api_secret.as_deref()).await?;
    let access = Arc::new(Access::new(&config.allow_origins, &config.allowed_hosts));
    for warning in access.warnings() {
        eprintln!("vocafuse-devserver: {warning}");
    }
    let app = Arc::new(App {
        settings: Settings::new(config.lifetimes),
        tokens: Tokens::new(&secret.derive("tokens"), config.scopes.clone()),
        signer: Signer::new(secret.derive("presign")),
        store,
        faults: Faults::default(),
        storage_mode: Arc::new(StorageSwitch::default()),
        log: RequestLog::new(config.quiet),
        api_base: format!("http://{api_addr}"),
        storage_base: format!("http://{storage_addr}"),
        part_size: config.part_size.max(vocafuse_wasm::core::limits::MULTIPART_THRESHOLD),
        access,
        credentials,
        webhooks: Webhooks::open(&config.data_dir).await?,
        deliveries: Deliveries::new(config.webhook_backoff),
        transcriber: Transcriber::new(config.transcribe_cmd.clone(), config.transcribe_delay),
        timeouts: config.timeouts,
        gate: Gate::new(config.max_connections),
    });
    // Notes whose transcription a previous run left unfinished are transcribed again.
    for rec in app.store.list().await {
        routes::after_upload(&app, &rec.id).await;
    }
    let (shutdown, stop) = watch::channel(false);
    let tasks = vec![
        tokio::spawn(serve::serve(api_listener, api_router(&app, &config), app.gate.clone(), app.timeouts, stop.clone())),
        tokio::spawn(serve::serve_switched(storage_listener, Some(app.storage_mode.clone()), storage_router(&app), app.gate.clone(), app.timeouts, stop)),
    ];
    Ok(Server { api_addr, storage_addr, app, shutdown, tasks })
}
