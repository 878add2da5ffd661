//! `/__dev/…`: what tests and the demo use to script faults, read the request log, change
//! lifetimes and check stored bytes. Never logged, never faulted.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::replies::{bad_control_request, json_reply, vocafuse_error};
use crate::routes::ids::voicenote_id;
use crate::state::faults::{FaultRoute, FaultSpec};
use crate::state::outage::StorageMode;
use crate::state::transcriber::TranscriptionFault;
use crate::state::App;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| bad_control_request(e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptRequest {
    route: FaultRoute,
    responses: Vec<FaultSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptionScript {
    #[allow(dead_code)] // "transcription", already matched
    route: String,
    responses: Vec<TranscriptionFault>,
}

/// `POST /__dev/faults` `{"route", "responses": [Fault…]}` → `{"route", "queued"}`. Route
/// `transcription` takes `{"kind": "fail", "reason"?} | {"kind": "pass"}` for the next notes.
pub async fn script_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    if serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v["route"] == "transcription") {
        return match parse::<TranscriptionScript>(&body) {
            Ok(req) => json_reply(StatusCode::OK, &json!({"route": "transcription", "queued": app.transcriber.script(req.responses)})),
            Err(resp) => resp,
        };
    }
    let req: ScriptRequest = match parse(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let mut faults = Vec::with_capacity(req.responses.len());
    for (i, spec) in req.responses.into_iter().enumerate() {
        match spec.resolve() {
            Ok(f) => faults.push(f),
            Err(e) => return bad_control_request(format!("responses[{i}]: {e}")),
        }
    }
    let queued = app.faults.script(req.route, faults);
    json_reply(StatusCode::OK, &json!({"route": req.route, "queued": queued}))
}

/// `GET /__dev/faults` → `{"scripts": {"token": [...], ...}, "chaos": {"enabled", "rate"}}`
pub async fn show_faults(State(app): State<Arc<App>>) -> Response {
    let mut snapshot = serde_json::to_value(app.faults.snapshot()).expect("serializes");
    snapshot["scripts"]["transcription"] = json!(app.transcriber.scripted());
    json_reply(StatusCode::OK, &snapshot)
}

/// `DELETE /__dev/faults`
pub async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    app.faults.clear_scripts();
    app.transcriber.clear();
    json_reply(StatusCode::OK, &json!({"cleared": true}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChaosRequest {
    enabled: bool,
    rate: Option<f64>,
    /// For a repeatable sequence.
    seed: Option<u64>,
}

/// `POST /__dev/chaos` `{"enabled", "rate"?, "seed"?}` → `{"enabled", "rate"}`
pub async fn chaos(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let req: ChaosRequest = match parse(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if let Some(r) = req.rate {
        if !(0.0..=1.0).contains(&r) {
            return bad_control_request("rate must be between 0 and 1");
        }
    }
    json_reply(StatusCode::OK, &app.faults.set_chaos(req.enabled, req.rate, req.seed))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageRequest {
    mode: StorageMode,
}

/// `POST /__dev/storage` `{"mode": "up" | "down" | "no_cors"}` → `{"mode"}`: storage refusing
/// connections, or answering without CORS headers for pages, until it is `up` again.
pub async fn storage(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let req: StorageRequest = match parse(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    app.storage_mode.set(req.mode).await;
    json_reply(StatusCode::OK, &json!({"mode": req.mode}))
}

/// `GET /__dev/storage` → `{"mode"}`
pub async fn storage_mode(State(app): State<Arc<App>>) -> Response {
    json_reply(StatusCode::OK, &json!({"mode": app.storage_mode.get()}))
}

/// `GET /__dev/log` → `[LogLine…]`, oldest first.
pub async fn log(State(app): State<Arc<App>>) -> Response {
    json_reply(StatusCode::OK, &app.log.lines())
}

/// `DELETE /__dev/log`
pub async fn clear_log(State(app): State<Arc<App>>) -> Response {
    app.log.clear();
    json_reply(StatusCode::OK, &json!({"cleared": true}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigRequest {
    token_ttl: Option<f64>,
    url_ttl: Option<f64>,
}

/// `POST /__dev/config` `{"token_ttl"?, "url_ttl"?}` (seconds) → the lifetimes now in force.
pub async fn set_config(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let req: ConfigRequest = match parse(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    for (name, v) in [("token_ttl", req.token_ttl), ("url_ttl", req.url_ttl)] {
        if matches!(v, Some(s) if !(s.is_finite() && s > 0.0)) {
            return bad_control_request(format!("{name} must be a positive number of seconds"));
        }
    }
    json_reply(StatusCode::OK, &app.settings.set(req.token_ttl, req.url_ttl))
}

/// `GET /__dev/webhooks/deliveries` → every delivery attempt, oldest first.
pub async fn deliveries(State(app): State<Arc<App>>) -> Response {
    json_reply(StatusCode::OK, &app.deliveries.attempts())
}

/// `DELETE /__dev/webhooks/deliveries`
pub async fn clear_deliveries(State(app): State<Arc<App>>) -> Response {
    app.deliveries.clear();
    json_reply(StatusCode::OK, &json!({"cleared": true}))
}

/// `GET /__dev/config` → `{"token_ttl", "url_ttl"}`
pub async fn get_config(State(app): State<Arc<App>>) -> Response {
    json_reply(StatusCode::OK, &app.settings.get())
}

/// `GET /__dev/voicenotes/{id}` → the stored record, with `sha256`.
pub async fn voicenote(State(app): State<Arc<App>>, uri: Uri, id: Result<Path<String>, PathRejection>) -> Response {
    let id = match voicenote_id(id, &uri) {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    match app.store.get(&id).await {
        Some(rec) => json_reply(StatusCode::OK, &rec),
        None => vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": id}))),
    }
}

/// `POST /__dev/reset`: faults, chaos, the storage switch, the log and the lifetimes; stored
/// voice notes stay.
pub async fn reset(State(app): State<Arc<App>>) -> Response {
    app.faults.reset();
    app.storage_mode.set(StorageMode::Up).await;
    app.transcriber.clear();
    app.deliveries.clear();
    app.log.clear();
    app.settings.reset();
    json_reply(StatusCode::OK, &json!({"reset": true}))
}

/// `GET /__dev/info` → the origins, the data directory and the settings.
pub async fn info(State(app): State<Arc<App>>) -> Response {
    json_reply(
        StatusCode::OK,
        &json!({
            "api": app.api_base,
            "storage": app.storage_base,
            "token_endpoint": format!("{}/api/token", app.api_base),
            "data_dir": app.store.dir(),
            "part_size": app.part_size,
            "storage_mode": app.storage_mode.get(),
            "config": app.settings.get(),
        }),
    )
}
