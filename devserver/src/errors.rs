//! Every error answer in its documented shape: `{"error": {"code", "message", "details"}}` on the
//! API origin, `{"success": false, "message"}` from the token endpoint, S3 XML from storage.
//!
//! The VocaFuse error page has codes for the API's own refusals only. For what the HTTP layer
//! refuses (no such route, a wrong method, a timeout, a head or body too large, a refused
//! `Host`) the dev server uses its own codes, 9000 + the status (`9404`, `9408`, …), so they
//! can never be taken for a VocaFuse code; clients map them by status. 500 and 503 use the
//! documented 5001 and 5002.
//!
//! `documented` is the layer that rewrites the plain-text and empty answers axum and tower-http
//! produce (a rejected extractor, 404, 405, a body that could not be read) into these shapes,
//! keeping their headers. Answers a fault script asked for are left exactly as scripted.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::ErrorCode;

use crate::replies::{json_reply, s3_error, vocafuse_error};
use crate::request_log::Slot;
use crate::Origin;

/// A response a fault script (or chaos) asked for: sent as it is.
#[derive(Clone, Copy, Debug)]
pub struct Scripted;

/// The statuses the HTTP layer answers with: message, and the S3 error code storage uses.
const HTTP_ERRORS: &[(u16, &str, &str)] = &[
    (400, "Bad request", "BadRequest"),
    (403, "Forbidden", "AccessDenied"),
    (404, "Not found", "NoSuchKey"),
    (405, "Method not allowed", "MethodNotAllowed"),
    (408, "Request timeout", "RequestTimeout"),
    (411, "Length required", "MissingContentLength"),
    (413, "Request body too large", "EntityTooLarge"),
    (414, "URI too long", "InvalidURI"),
    (415, "Unsupported media type", "InvalidArgument"),
    (416, "Range not satisfiable", "InvalidRange"),
    (422, "Unprocessable request", "InvalidArgument"),
    (431, "Request header fields too large", "RequestHeaderSectionTooLarge"),
    (500, "Internal server error", "InternalError"),
    (503, "Service temporarily unavailable", "SlowDown"),
];

/// The dev server's code for an HTTP-level refusal with `status`.
pub fn http_code(status: StatusCode) -> i64 {
    9000 + i64::from(status.as_u16())
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    HTTP_ERRORS
        .iter()
        .find(|(s, _, _)| *s == status.as_u16())
        .map(|&(_, message, s3)| (message, s3))
        .unwrap_or_else(|| (status.canonical_reason().unwrap_or("Error"), if status.is_server_error() { "InternalError" } else { "InvalidRequest" }))
}

/// An HTTP-level error answer in the shape of `origin` and `path`.
pub fn error_reply(origin: Origin, path: &str, status: StatusCode, details: Option<Value>) -> Response {
    let (message, s3_code) = describe(status);
    let reason = details.as_ref().and_then(|d| d.get("reason")).and_then(Value::as_str).map(str::to_string);
    match origin {
        Origin::Storage => {
            let extra: Vec<(&str, String)> = reason.map(|r| ("Reason", r)).into_iter().collect();
            s3_error(status, s3_code, message, &extra)
        }
        Origin::Api if path == "/api/token" => {
            let message = match reason {
                Some(r) => format!("{message}: {r}"),
                None => message.to_string(),
            };
            json_reply(status, &json!({"success": false, "message": message}))
        }
        Origin::Api if status == StatusCode::INTERNAL_SERVER_ERROR => vocafuse_error(ErrorCode::InternalServerError, details),
        Origin::Api if status == StatusCode::SERVICE_UNAVAILABLE => vocafuse_error(ErrorCode::ServiceUnavailable, details),
        Origin::Api => {
            let mut error = json!({"code": http_code(status), "message": message});
            if let Some(d) = details {
                error["details"] = d;
            }
            json_reply(status, &json!({ "error": error }))
        }
    }
}

/// Rewrites plain-text and empty error answers into the documented shape; a request whose body
/// stopped arriving (see `request_log::Counting`) is answered 408 whatever the handler made of it.
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(resp: Response) -> String {
        String::from_utf8(to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn each_origin_answers_in_its_own_shape() {
        let r = error_reply(Origin::Api, "/upload", StatusCode::NOT_FOUND, Some(json!({"reason": "x"})));
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let v: Value = serde_json::from_str(&body(r).await).unwrap();
        assert_eq!(v, json!({"error": {"code": 9404, "message": "Not found", "details": {"reason": "x"}}}));

        let v: Value = serde_json::from_str(&body(error_reply(Origin::Api, "/api/token", StatusCode::PAYLOAD_TOO_LARGE, None)).await).unwrap();
        assert_eq!(v, json!({"success": false, "message": "Request body too large"}));

        let v: Value = serde_json::from_str(&body(error_reply(Origin::Api, "/x", StatusCode::SERVICE_UNAVAILABLE, None)).await).unwrap();
        assert_eq!(v["error"]["code"], 5002);

        let r = error_reply(Origin::Storage, "/storage/a", StatusCode::METHOD_NOT_ALLOWED, Some(json!({"reason": "a<b"})));
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/xml");
        let xml = body(r).await;
        assert!(xml.contains("<Code>MethodNotAllowed</Code>") && xml.contains("<Reason>a&lt;b</Reason>"), "{xml}");

        // A status without a row still gets a code and a message.
        let v: Value = serde_json::from_str(&body(error_reply(Origin::Api, "/", StatusCode::IM_A_TEAPOT, None)).await).unwrap();
        assert_eq!(v, json!({"error": {"code": 9418, "message": "I'm a teapot"}}));
    }
}
