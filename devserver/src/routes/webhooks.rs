//! `/webhooks` and `/webhooks/{id}`: webhooks created, listed, read, updated and deleted by a
//! backend (API key and secret required), in the documented error shape: 2001/2002/2003 for a
//! bad body, 5005 for a URL already registered, 6003 for an unknown id.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::replies::{envelope, vocafuse_error};
use crate::routes::backend::require_key;
use crate::state::request_log::{RequestId, Slot};
use crate::state::webhooks::{target, Refusal, WebhookSpec, EVENT_NAMES};
use crate::state::App;

fn invalid(field: &str, value: &Value, reason: &str) -> Response {
    vocafuse_error(ErrorCode::InvalidFieldValue, Some(json!({"field": field, "value": value, "reason": reason})))
}

/// `{"url", "events", "secret"?}`, checked: the spec, or the documented refusal.
fn spec(app: &App, body: &[u8]) -> Result<WebhookSpec, Response> {
    let map = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(vocafuse_error(ErrorCode::InvalidRequestFormat, Some(json!({"reason": "the body must be a JSON object"})))),
        Err(e) => return Err(vocafuse_error(ErrorCode::InvalidRequestFormat, Some(json!({"reason": format!("not JSON: {e}")})))),
    };
    let field = |name: &str| map.get(name).filter(|v| !v.is_null());
    let missing = |name: &str| vocafuse_error(ErrorCode::MissingRequiredField, Some(json!({"field": name})));
    let url = match field("url") {
        None => return Err(missing("url")),
        Some(Value::String(u)) => target(u, &app.access).map(|_| u.clone()).map_err(|why| invalid("url", &json!(u), &why))?,
        Some(other) => return Err(invalid("url", other, "must be a string")),
    };
    let events = match field("events") {
        None => return Err(missing("events")),
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(|e| e.as_str().is_some_and(|e| EVENT_NAMES.contains(&e))) => {
            let mut events: Vec<String> = items.iter().filter_map(|e| e.as_str().map(str::to_string)).collect();
            events.dedup();
            events
        }
        Some(other) => return Err(invalid("events", other, &format!("must be a non-empty array of: {}", EVENT_NAMES.join(", ")))),
    };
    let secret = match field("secret") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 256 => Some(s.clone()),
        Some(other) => return Err(invalid("secret", other, "must be a string of 1 to 256 characters")),
    };
    Ok(WebhookSpec { url, events, secret })
}

fn refused(r: Refusal) -> Response {
    match r {
        Refusal::UrlTaken(url) => vocafuse_error(ErrorCode::WebhookAlreadyExists, Some(json!({"url": url}))),
        Refusal::Unknown(id) => vocafuse_error(ErrorCode::WebhookNotFound, Some(json!({"webhook_id": id}))),
        Refusal::Io(e) => {
            eprintln!("vocafuse-devserver: cannot write the webhooks: {e}");
            vocafuse_error(ErrorCode::InternalServerError, None)
        }
    }
}

/// `GET /webhooks` → `{"object": "list", "data": [Webhook…]}`
pub async fn list(State(app): State<Arc<App>>, Extension(rid): Extension<RequestId>, Extension(slot): Extension<Arc<Slot>>, headers: HeaderMap) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    envelope(StatusCode::OK, "list", app.webhooks.list(), &rid.0)
}

/// `POST /webhooks` → 201 `{"object": "webhook", "data": Webhook}` (with its secret).
pub async fn create(State(app): State<Arc<App>>, Extension(rid): Extension<RequestId>, Extension(slot): Extension<Arc<Slot>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    let spec = match spec(&app, &body) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    match app.webhooks.create(spec).await {
        Ok(hook) => envelope(StatusCode::CREATED, "webhook", hook, &rid.0),
        Err(r) => refused(r),
    }
}

/// `GET /webhooks/{id}`
pub async fn get_one(State(app): State<Arc<App>>, Extension(rid): Extension<RequestId>, Extension(slot): Extension<Arc<Slot>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    match app.webhooks.get(&id) {
        Some(hook) => envelope(StatusCode::OK, "webhook", hook, &rid.0),
        None => refused(Refusal::Unknown(id)),
    }
}

/// `PUT /webhooks/{id}` `{"url", "events", "secret"?}` (no secret: the old one stays).
pub async fn update(State(app): State<Arc<App>>, Extension(rid): Extension<RequestId>, Extension(slot): Extension<Arc<Slot>>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    if app.webhooks.get(&id).is_none() {
        return refused(Refusal::Unknown(id));
    }
    let spec = match spec(&app, &body) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    match app.webhooks.update(&id, spec).await {
        Ok(hook) => envelope(StatusCode::OK, "webhook", hook, &rid.0),
        Err(r) => refused(r),
    }
}

/// `DELETE /webhooks/{id}` → 204.
pub async fn delete(State(app): State<Arc<App>>, Extension(slot): Extension<Arc<Slot>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    match app.webhooks.delete(&id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refused(r),
    }
}
