//! The layer that puts every error answer in its documented shape (`base::replies`): it rewrites
//! the plain-text and empty answers axum and tower-http produce (a rejected extractor, 404, 405,
//! a body that could not be read), keeping their headers. Answers a fault script asked for are
//! left exactly as scripted.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use crate::base::origins::Origin;
use crate::base::replies::{error_reply, Scripted};
use crate::state::request_log::Slot;

/// Rewrites plain-text and empty error answers into the documented shape; a request whose body
/// stopped arriving (see `middleware::record`) is answered 408 whatever the handler made of it.
pub async fn documented(State(origin): State<Origin>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let slot = req.extensions().get::<Arc<Slot>>().cloned();
    let resp = next.run(req).await;
    if resp.extensions().get::<Scripted>().is_some() {
        return resp;
    }
    if let Some(waited) = slot.and_then(|s| s.body_timed_out()) {
        if resp.status().is_client_error() || resp.status().is_server_error() {
            let reason = format!("no request body bytes arrived for {} s", waited.as_secs_f64());
            return keep_headers(resp, error_reply(origin, &path, StatusCode::REQUEST_TIMEOUT, Some(json!({ "reason": reason }))));
        }
    }
    let status = resp.status();
    let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let shaped = content_type.starts_with("application/json") || content_type.starts_with("application/xml");
    if !(status.is_client_error() || status.is_server_error()) || shaped {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = to_bytes(body, 64 << 10).await.unwrap_or_default();
    let reason = String::from_utf8_lossy(&text).trim().to_string();
    let details = (!reason.is_empty()).then(|| json!({ "reason": reason }));
    keep_headers(Response::from_parts(parts, axum::body::Body::empty()), error_reply(origin, &path, status, details))
}

/// `new`, with the headers `old` had (`Allow`, `Content-Range`, …) except its body's.
fn keep_headers(old: Response, mut new: Response) -> Response {
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && !new.headers().contains_key(name) {
            new.headers_mut().append(name, value.clone());
        }
    }
    new
}
