//! `GET /voicenotes`, `/voicenotes/{id}`, `…/audio` (with `Range`) and `…/transcription`: what
//! the API says about stored voice notes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::json;
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::origins::Origin;
use crate::base::replies::{envelope, error_reply, vocafuse_error};
use crate::routes::auth::authorize_if_sent;
use crate::routes::backend::{self, is_backend_call, transcription_reply};
use crate::routes::ids::voicenote_id;
use crate::state::request_log::{RequestId, Slot};
use crate::state::store::{NoteRecord, STATUS_UPLOADED};
use crate::state::App;

/// `GET /voicenotes`: every voice note, newest first (a backend call with a key: `backend::list`).
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    if is_backend_call(&headers) {
        return backend::list(State(app), Extension(rid), Extension(slot), headers, query).await;
    }
    if let Err(resp) = authorize_if_sent(&app, &headers, &slot) {
        return resp;
    }
    let notes: Vec<_> = app.store.list().await.iter().map(|r| r.view(&app.api_base)).collect();
    envelope(StatusCode::OK, "list", notes, &rid.0)
}

/// The record for `{id}`, or the 2003 / 6001 answer.
async fn find(app: &App, id: Result<String, Response>, slot: &Slot) -> Result<NoteRecord, Response> {
    let id = id?;
    slot.note(|n| n.voicenote_id = Some(id.clone()));
    app.store.get(&id).await.ok_or_else(|| vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": id}))))
}

/// `GET /voicenotes/{id}`
pub async fn get_one(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if is_backend_call(&headers) {
        return backend::get_one(State(app), Extension(rid), Extension(slot), uri, id, headers).await;
    }
    if let Err(resp) = authorize_if_sent(&app, &headers, &slot) {
        return resp;
    }
    match find(&app, voicenote_id(id, &uri), &slot).await {
        Ok(rec) => envelope(StatusCode::OK, "voicenote", rec.view(&app.api_base), &rid.0),
        Err(resp) => resp,
    }
}

/// `GET /voicenotes/{id}/transcription`: the text once transcribed, 6002 before, 3003 if it failed.
pub async fn transcription(
    State(app): State<Arc<App>>,
    Extension(rid): Extension<RequestId>,
    Extension(slot): Extension<Arc<Slot>>,
    uri: Uri,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if is_backend_call(&headers) {
        return backend::transcription(State(app), Extension(rid), Extension(slot), uri, id, headers).await;
    }
    if let Err(resp) = authorize_if_sent(&app, &headers, &slot) {
        return resp;
    }
    match find(&app, voicenote_id(id, &uri), &slot).await {
        Ok(rec) => transcription_reply(&rec, &rid.0),
        Err(resp) => resp,
    }
}

/// `GET /voicenotes/{id}/audio`: the stored bytes, with `Range` support for `<audio>` seeking.
pub async fn audio(State(app): State<Arc<App>>, Extension(slot): Extension<Arc<Slot>>, uri: Uri, id: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Response {
    if let Err(resp) = authorize_if_sent(&app, &headers, &slot) {
        return resp;
    }
    let rec = match find(&app, voicenote_id(id, &uri), &slot).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let id = rec.id.clone();
    if rec.status != STATUS_UPLOADED {
        return vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": id, "status": rec.status})));
    }
    let bytes = match tokio::fs::read(app.store.audio_path(&rec)).await {
        Ok(b) => b,
        Err(_) => return vocafuse_error(ErrorCode::RecordingNotFound, Some(json!({"voicenote_id": id}))),
    };
    let total = bytes.len() as u64;
    let content_type = HeaderValue::from_str(&rec.served_content_type()).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let etag = rec.sha256.as_deref().map(|s| format!("\"{s}\"")).unwrap_or_default();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|r| parse_range(r, total));
    let (status, body, content_range) = match range {
        None | Some(Range::Ignored) => (StatusCode::OK, bytes, None),
        Some(Range::Bytes(start, end)) => (StatusCode::PARTIAL_CONTENT, bytes[start as usize..=end as usize].to_vec(), Some(format!("bytes {start}-{end}/{total}"))),
        Some(Range::Unsatisfiable) => {
            let details = json!({"reason": format!("the range is outside the {total} bytes of the voice note")});
            let mut resp = error_reply(Origin::Api, uri.path(), StatusCode::RANGE_NOT_SATISFIABLE, Some(details));
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return resp;
        }
    };
    let mut resp = (status, Body::from(body)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(cr) = content_range.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    resp
}

#[derive(Debug, PartialEq)]
enum Range {
    /// Inclusive.
    Bytes(u64, u64),
    Unsatisfiable,
    /// Multiple ranges or a syntax we don't serve: send the whole file.
    Ignored,
}

fn parse_range(header: &str, total: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Ignored;
    };
    if spec.contains(',') {
        return Range::Ignored;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Ignored;
    };
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => match suffix.parse::<u64>() {
            Ok(0) => return Range::Unsatisfiable,
            Ok(n) => (total.saturating_sub(n), total.saturating_sub(1)),
            Err(_) => return Range::Ignored,
        },
        (s, "") => match s.parse::<u64>() {
            Ok(s) => (s, total.saturating_sub(1)),
            Err(_) => return Range::Ignored,
        },
        (s, e) => match (s.parse::<u64>(), e.parse::<u64>()) {
            (Ok(s), Ok(e)) if s <= e => (s, e.min(total.saturating_sub(1))),
            _ => return Range::Ignored,
        },
    };
    if total == 0 || start >= total {
        Range::Unsatisfiable
    } else {
        Range::Bytes(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Range::Bytes(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), Range::Bytes(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Range::Bytes(90, 99));
        assert_eq!(parse_range("bytes=50-500", 100), Range::Bytes(50, 99));
        assert_eq!(parse_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Range::Ignored);
        assert_eq!(parse_range("items=0-1", 100), Range::Ignored);
    }
}
