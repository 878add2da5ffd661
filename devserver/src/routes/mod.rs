//! The routes of the two origins, and the routers that put them behind the layers.

pub mod auth;
pub mod backend;
pub mod bucket;
pub mod control;
pub mod ids;
pub mod token;
pub mod upload;
pub mod voicenotes;
pub mod webhooks;

use std::sync::Arc;

use axum::response::Html;
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::services::ServeDir;

use crate::base::origins::Origin;
use crate::config::Config;
use crate::middleware::with_layers;
use crate::state::deliveries::{self, Event};
use crate::state::store::{NoteRecord, TRANSCRIPT_COMPLETED};
use crate::state::transcriber;
use crate::state::App;

/// The API origin: the token endpoint, the API, `/__dev/`, and the static files.
pub fn api_router(app: &Arc<App>, config: &Config) -> Router {
    let mut router = Router::new()
        .route("/api/token", post(token::token))
        .route("/upload", post(upload::upload))
        .route("/voicenotes", get(voicenotes::list))
        .route("/voicenotes/{id}", get(voicenotes::get_one).delete(backend::delete))
        .route("/voicenotes/{id}/audio", get(voicenotes::audio))
        .route("/voicenotes/{id}/transcription", get(voicenotes::transcription))
        .route("/token", post(backend::token))
        .route("/recordings", get(backend::list))
        .route("/recordings/{id}", get(backend::get_one).delete(backend::delete))
        .route("/recordings/{id}/transcription", get(backend::transcription))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/{id}", get(webhooks::get_one).put(webhooks::update).delete(webhooks::delete))
        .route("/__dev/webhooks/deliveries", get(control::deliveries).delete(control::clear_deliveries))
        .route("/__dev/faults", post(control::script_faults).get(control::show_faults).delete(control::clear_faults))
        .route("/__dev/chaos", post(control::chaos))
        .route("/__dev/storage", post(control::storage).get(control::storage_mode))
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

/// What follows a voice note's last byte: `voicenote.created`, its transcription, and
/// `voicenote.transcribed` / `voicenote.failed` (`recording.completed` / `recording.failed`).
pub async fn after_upload(app: &Arc<App>, id: &str) {
    let announce = |app: Arc<App>, rec: NoteRecord| {
        let event = if rec.transcription.as_ref().is_some_and(|t| t.status == TRANSCRIPT_COMPLETED) { Event::Transcribed } else { Event::Failed };
        deliveries::emit(&app, event, backend::backend_view(&app, &rec));
    };
    if transcriber::start(app, id, announce).await {
        if let Some(rec) = app.store.get(id).await {
            deliveries::emit(app, Event::Created, backend::backend_view(app, &rec));
        }
    }
}

/// The storage origin: presigned `PUT`s.
pub fn storage_router(app: &Arc<App>) -> Router {
    with_layers(Router::new().route("/storage/{*key}", put(bucket::put)).with_state(app.clone()), app, Origin::Storage)
}

const INDEX: &str = "<!doctype html><meta charset=utf-8><title>vocafuse-devserver</title>
<h1>vocafuse-devserver</h1>
<p>A local VocaFuse API. Start it with <code>--www DIR</code> to serve a page here and
<code>--pkg DIR</code> to serve the SDK at <code>/pkg/</code>.</p>
<ul><li><code>POST /api/token</code><li><code>POST /upload</code><li><code>GET /voicenotes</code>
<li><code>GET /__dev/log</code>, <code>POST /__dev/faults</code>, <code>POST /__dev/chaos</code>, <code>POST /__dev/storage</code>, <code>GET /__dev/info</code></ul>";
