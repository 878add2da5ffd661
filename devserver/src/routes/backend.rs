//! The backend API the official server SDKs call, with `X-VocaFuse-API-Key` and
//! `X-VocaFuse-API-Secret` on every request: `POST /token` (a token for one of the app's
//! users), and voice notes listed, read, deleted and transcribed under both spellings,
//! `/voicenotes` (the Node SDK) and `/recordings` (the Python SDK 0.1.1).
//!
//! `/voicenotes` also serves the demo without a key (`routes::voicenotes`); a request that
//! carries either key header is a backend call and is answered here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::ErrorCode;
use vocafuse_wasm::core::protocol::TokenResponse;

use crate::base::replies::{envelope, json_reply, vocafuse_error};
use crate::routes::ids::voicenote_id;
use crate::state::credentials::{KEY_HEADER, SECRET_HEADER};
use crate::state::deliveries::{self, Event};
use crate::state::listing::ListQuery;
use crate::state::request_log::{RequestId, Slot};
use crate::state::store::{NoteRecord, STATUS_UPLOADED, TRANSCRIPT_COMPLETED, TRANSCRIPT_FAILED, TRANSCRIPT_PROCESSING};
use crate::state::tokens::TENANT_ID;
use crate::state::App;

/// Shortest and longest `expires_in` `/token` takes, as the error page's 2003 example says.
pub const TOKEN_TTL_RANGE: std::ops::RangeInclusive<u64> = 60..=86_400;

/// Whether a request means to be a backend call (it carries a key header).
pub fn is_backend_call(headers: &HeaderMap) -> bool {
    headers.contains_key(KEY_HEADER) || headers.contains_key(SECRET_HEADER)
}

/// Checks the API key and secret; 401 1001 `{reason}` otherwise. Noted in the log as `api_key`.
pub fn require_key(app: &App, headers: &HeaderMap, slot: &Slot) -> Result<(), Response> {
    match app.credentials.check(headers) {
        Ok(()) => {
            slot.note(|n| n.auth = Some("api_key".into()));
            Ok(())
        }
        Err(e) => {
            slot.note(|n| n.auth = Some("invalid_key".into()));
            let mut resp = vocafuse_error(ErrorCode::InvalidToken, Some(json!({"reason": e.reason()})));
            // The answer is about API credentials, not a bearer token.
            resp.headers_mut().remove(header::WWW_AUTHENTICATE);
            Err(resp)
        }
    }
}

fn invalid(field: &str, value: Value, reason: &str) -> Response {
    vocafuse_error(ErrorCode::InvalidFieldValue, Some(json!({"field": field, "value": value, "reason": reason})))
}

/// `POST /token`: `{"user_id", "expires_in"?, "scopes"?}` → the token envelope the browser SDK
/// reads, for a token whose `sub` is `user_id` (the voice notes it uploads carry it).
pub async fn token(State(app): State<Arc<App>>, Extension(slot): Extension<Arc<Slot>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    let request = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return vocafuse_error(ErrorCode::InvalidRequestFormat, Some(json!({"reason": "the body must be a JSON object"}))),
        Err(e) => return vocafuse_error(ErrorCode::InvalidRequestFormat, Some(json!({"reason": format!("not JSON: {e}")}))),
    };
    let user_id = match request.get("user_id") {
        None | Some(Value::Null) => return vocafuse_error(ErrorCode::MissingRequiredField, Some(json!({"field": "user_id"}))),
        Some(Value::String(u)) if !u.trim().is_empty() && u.len() <= 256 => u.clone(),
        Some(other) => return invalid("user_id", other.clone(), "must be a non-empty string of at most 256 characters"),
    };
    let ttl = match request.get("expires_in") {
        None | Some(Value::Null) => app.settings.get().token_ttl,
        Some(v) => match v.as_u64().filter(|s| TOKEN_TTL_RANGE.contains(s)) {
            Some(s) => s as f64,
            None => return invalid("expires_in", v.clone(), "must be an integer between 60 and 86400"),
        },
    };
    let scopes = match request.get("scopes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
        Some(other) => return invalid("scopes", other.clone(), "must be an array of strings"),
    };
    match app.tokens.issue_for(&user_id, scopes.clone(), ttl) {
        Ok(data) => json_reply(StatusCode::OK, &TokenResponse { success: true, message: "Token generated successfully".into(), data }),
        Err(refused) => invalid("scopes", json!(scopes), &format!("not granted by this server: {} (it grants: {}; see --scopes)", refused.asked.join(", "), refused.grantable.join(", "))),
    }
}

/// A voice note as the backend API shows it: the demo's fields, the status a backend filters on
/// (`pending` until the bytes are in, then the transcription's), its user and its metadata.
pub fn backend_view(app: &App, rec: &NoteRecord) -> Value {
    let mut v = serde_json::to_value(rec.view(&app.api_base)).expect("serializes");
    v["status"] = json!(backend_status(rec));
    v["upload_status"] = json!(rec.status);
    v["user_id"] = json!(rec.user_id);
    v["tenant_id"] = json!(rec.tenant_id);
    v["duration"] = json!(rec.duration_seconds);
    v["updated_at"] = json!(rec.transcription.as_ref().and_then(|t| t.completed_at.clone()).or_else(|| rec.uploaded_at.clone()).unwrap_or_else(|| rec.created_at.clone()));
    v["metadata"] = rec.sdk_metadata.clone().unwrap_or(Value::Null);
    v["transcription"] = rec.transcription.as_ref().map_or(Value::Null, |t| json!({"status": t.status, "text": t.text, "error": t.error}));
    v
}

/// `pending` (bytes not in yet), then `processing`, `completed` or `failed`.
pub fn backend_status(rec: &NoteRecord) -> &str {
    if rec.status != STATUS_UPLOADED {
        return "pending";
    }
    rec.transcription.as_ref().map_or(TRANSCRIPT_PROCESSING, |t| t.status.as_str())
}

/// `GET /voicenotes` (with a key) and `GET /recordings`: this tenant's notes, newest first,
/// filtered and paged.
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    let Ok(Query(pairs)) = query else {
        return vocafuse_error(ErrorCode::InvalidRequestFormat, Some(json!({"reason": "the query string is not valid URL encoding"})));
    };
    let q = match ListQuery::parse(&pairs) {
        Ok(q) => q,
        Err(bad) => return invalid(bad.field, json!(bad.value), &bad.reason),
    };
    let kept: Vec<Value> =
        app.store.list().await.iter().filter(|r| r.tenant_id == TENANT_ID && q.keeps(backend_status(r), r.created_at_ms, r.user_id.as_deref())).map(|r| backend_view(&app, r)).collect();
    let (page, pagination) = q.page_of(kept);
    json_reply(StatusCode::OK, &json!({"object": "list", "data": page, "pagination": pagination, "request_id": rid.0}))
}

/// The note `{id}` names, if it is this tenant's; else 2003 / 6001.
async fn find(app: &App, uri: &Uri, id: Result<Path<String>, PathRejection>, slot: &Slot) -> Result<NoteRecord, Response> {
    let id = voicenote_id(id, uri)?;
    slot.note(|n| n.voicenote_id = Some(id.clone()));
    app.store.get(&id).await.filter(|r| r.tenant_id == TENANT_ID).ok_or_else(|| vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": id}))))
}

/// `GET /voicenotes/{id}` (with a key) and `GET /recordings/{id}`.
pub async fn get_one(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    match find(&app, &uri, id, &slot).await {
        Ok(rec) => envelope(StatusCode::OK, "voicenote", backend_view(&app, &rec), &rid.0),
        Err(resp) => resp,
    }
}

/// `DELETE /voicenotes/{id}` and `DELETE /recordings/{id}`: 204, the record and its bytes gone.
pub async fn delete(State(app): State<Arc<App>>, Extension(slot): Extension<Arc<Slot>>, uri: Uri, id: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    let rec = match find(&app, &uri, id, &slot).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    match app.store.delete(&rec.id).await {
        Ok(Some(gone)) => {
            deliveries::emit(&app, Event::Deleted, backend_view(&app, &gone));
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": rec.id}))),
        Err(e) => {
            eprintln!("vocafuse-devserver: cannot delete voice note {}: {e}", rec.id);
            vocafuse_error(ErrorCode::InternalServerError, None)
        }
    }
}

/// `GET …/{id}/transcription` with a key.
pub async fn transcription(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if let Err(resp) = require_key(&app, &headers, &slot) {
        return resp;
    }
    match find(&app, &uri, id, &slot).await {
        Ok(rec) => transcription_reply(&rec, &rid.0),
        Err(resp) => resp,
    }
}

/// The transcription once completed; 6002 while not ready, 3003 when it failed.
pub fn transcription_reply(rec: &NoteRecord, request_id: &str) -> Response {
    match &rec.transcription {
        Some(t) if t.status == TRANSCRIPT_COMPLETED => {
            let text = t.text.clone().unwrap_or_default();
            let data = json!({
                "id": format!("tr_{}", rec.id.replace('-', "")), "voicenote_id": rec.id, "text": text, "confidence": 1.0,
                "language": "en", "words": [], "source": t.source, "created_at": t.completed_at,
            });
            envelope(StatusCode::OK, "transcription", data, request_id)
        }
        Some(t) if t.status == TRANSCRIPT_FAILED => vocafuse_error(ErrorCode::TranscriptionFailed, Some(json!({"voicenote_id": rec.id, "reason": t.error}))),
        _ => vocafuse_error(ErrorCode::TranscriptionNotFound, Some(json!({"voicenote_id": rec.id}))),
    }
}
