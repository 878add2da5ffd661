//! vocafuse-devserver: a local stand-in for the VocaFuse API (PROTOCOL.md), so the SDK, its
//! browser tests and the demo run with no account and no network.
//!
//! Two origins on loopback: the API origin (static files, the app backend's token endpoint, the
//! API, and the `/__dev/` control endpoints) and the storage origin (presigned `PUT`s). Both
//! answer CORS, with credentials, to pages on loopback origins and the ones `--allow-origin`
//! adds, on every response including errors and injected faults (`access`).

// Helpers hand back finished answers as their error: a big `Err` is the point, not a cost.
#![allow(clippy::result_large_err)]

pub mod access;
pub mod api;
pub mod bucket;
pub mod clock;
pub mod config;
pub mod control;
pub mod errors;
pub mod faults;
pub mod head;
pub mod keys;
pub mod presign;
pub mod replies;
pub mod request_log;
pub mod serve;
pub mod store;
pub mod tokens;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::Html;
use axum::routing::{get, post, put};
use axum::{middleware, Router};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::{Command, Config, Lifetimes, Timeouts};

/// Which listener a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Api,
    Storage,
}

/// Everything the routes share.
pub struct App {
    pub settings: config::Settings,
    pub tokens: tokens::Tokens,
    pub signer: presign::Signer,
    pub store: store::Store,
    pub faults: faults::Faults,
    pub log: request_log::RequestLog,
    /// `http://127.0.0.1:8787`
    pub api_base: String,
    /// `http://127.0.0.1:8788`
    pub storage_base: String,
    pub part_size: u64,
    pub access: Arc<access::Access>,
    pub timeouts: Timeouts,
    /// Open connections, both origins together.
    pub gate: Arc<serve::Gate>,
}

/// A running server.
pub struct Server {
    pub api_addr: SocketAddr,
    pub storage_addr: SocketAddr,
    pub app: Arc<App>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    pub fn api_url(&self) -> &str {
        &self.app.api_base
    }
    pub fn storage_url(&self) -> &str {
        &self.app.storage_base
    }
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
    let store = store::Store::open(&config.data_dir).await?;
    let secret = keys::Secret::load_or_create(&config.data_dir).await?;
    let access = Arc::new(access::Access::new(&config.allow_origins, &config.allowed_hosts));
    for warning in access.warnings() {
        eprintln!("vocafuse-devserver: {warning}");
    }
    let app = Arc::new(App {
        settings: config::Settings::new(config.lifetimes),
        tokens: tokens::Tokens::new(&secret.derive("tokens"), config.scopes.clone()),
        signer: presign::Signer::new(secret.derive("presign")),
        store,
        faults: faults::Faults::default(),
        log: request_log::RequestLog::new(config.quiet),
        api_base: format!("http://{api_addr}"),
        storage_base: format!("http://{storage_addr}"),
        part_size: config.part_size.max(vocafuse_wasm::core::limits::MULTIPART_THRESHOLD),
        access,
        timeouts: config.timeouts,
        gate: serve::Gate::new(config.max_connections),
    });
    let (shutdown, stop) = watch::channel(false);
    let tasks = vec![
        tokio::spawn(serve::serve(api_listener, api_router(&app, &config), app.gate.clone(), app.timeouts, stop.clone())),
        tokio::spawn(serve::serve(storage_listener, storage_router(&app), app.gate.clone(), app.timeouts, stop)),
    ];
    Ok(Server { api_addr, storage_addr, app, shutdown, tasks })
}

/// From the inside out: faults; the guard (refused heads, hosts, `/__dev/` origins), outside the
/// faults so a refusal never uses one up; errors in the documented shape; CORS (so every
/// answer carries it); no-store; the log and request id.
fn with_layers(router: Router, app: &Arc<App>, origin: Origin) -> Router {
    router
        .layer(middleware::from_fn_with_state((app.clone(), origin), faults::inject))
        .layer(middleware::from_fn_with_state((app.clone(), origin), access::guard))
        .layer(middleware::from_fn_with_state(origin, errors::documented))
        .layer(access::cors(&app.access))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(middleware::from_fn_with_state((app.clone(), origin), request_log::record))
}

fn api_router(app: &Arc<App>, config: &Config) -> Router {
    let mut router = Router::new()
        .route("/api/token", post(api::token))
        .route("/upload", post(api::upload))
        .route("/voicenotes", get(api::list))
        .route("/voicenotes/{id}", get(api::get_one))
        .route("/voicenotes/{id}/audio", get(api::audio))
        .route("/voicenotes/{id}/transcription", get(api::transcription))
        .route("/__dev/faults", post(control::script_faults).get(control::show_faults).delete(control::clear_faults))
        .route("/__dev/chaos", post(control::chaos))
        .route("/__dev/log", get(control::log).delete(control::clear_log))
        .route("/__dev/config", post(control::set_config).get(control::get_config))
        .route("/__dev/voicenotes/{id}", get(control::voicenote))
        .route("/__dev/reset", post(control::reset))
        .route("/__dev/info", get(control::info));
    if let Some(pkg) = &config.pkg {
        router = router.nest_service("/pkg", ServeDir::new(pkg));
    }
    router = match &config.www {
        Some(www) => router.fallback_service(ServeDir::new(www)),
        None => router.route("/", get(|| async { Html(INDEX) })),
    };
    with_layers(router.with_state(app.clone()), app, Origin::Api)
}

fn storage_router(app: &Arc<App>) -> Router {
    with_layers(Router::new().route("/storage/{*key}", put(bucket::put)).with_state(app.clone()), app, Origin::Storage)
}

const INDEX: &str = "<!doctype html><meta charset=utf-8><title>vocafuse-devserver</title>
<h1>vocafuse-devserver</h1>
<p>A local VocaFuse API. Start it with <code>--www DIR</code> to serve a page here and
<code>--pkg DIR</code> to serve the SDK at <code>/pkg/</code>.</p>
<ul><li><code>POST /api/token</code><li><code>POST /upload</code><li><code>GET /voicenotes</code>
<li><code>GET /__dev/log</code>, <code>POST /__dev/faults</code>, <code>POST /__dev/chaos</code>, <code>GET /__dev/info</code></ul>";
