//! The shapes of answers: VocaFuse error bodies (numbers and statuses read from the SDK's code
//! table), Faseeh error bodies, S3-style XML errors from storage, JSON helpers, and the
//! HTTP-level errors in the shape of their origin.
//!
//! The VocaFuse error page has codes for the API's own refusals only. For what the HTTP layer
//! refuses (no such route, a wrong method, a timeout, a head or body too large, a refused
//! `Host`) the dev server uses its own codes, 9000 + the status (`9404`, `9408`, …), so they
//! can never be taken for a VocaFuse code; clients map them by status. 500 and 503 use the
//! documented 5001 and 5002.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::{Dialect, ErrorCode, ServerCode, SERVER_CODES};
use vocafuse_wasm::core::format::AudioFormat;

use crate::base::origins::Origin;

/// The documented row for a code in one dialect.
pub fn server_code(dialect: Dialect, code: ErrorCode) -> &'static ServerCode {
    SERVER_CODES.iter().find(|s| s.dialect == dialect && s.code == code).unwrap_or_else(|| panic!("{} has no {dialect:?} server code", code.name()))
}

/// The message the VocaFuse error page gives for each code the dev server sends.
pub fn vocafuse_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidToken => "Invalid or malformed token",
        ErrorCode::TokenExpired => "Token has expired",
        ErrorCode::InvalidRequestFormat => "Request body is malformed",
        ErrorCode::MissingRequiredField => "Required field missing",
        ErrorCode::InvalidFieldValue => "Invalid field value",
        ErrorCode::FileSizeExceeded => "File size exceeds maximum limit",
        ErrorCode::UnsupportedAudioFormat => "Audio format not supported",
        ErrorCode::RecordingTooLong => "Recording exceeds maximum duration",
        ErrorCode::RateLimitExceeded => "Rate limit exceeded",
        ErrorCode::InternalServerError => "Internal server error",
        ErrorCode::ServiceUnavailable => "Service temporarily unavailable",
        ErrorCode::RecordingNotFound => "Voice note not found",
        ErrorCode::TranscriptionNotFound => "Transcription not found",
        ErrorCode::TranscriptionFailed => "Failed to transcribe audio",
        ErrorCode::WebhookAlreadyExists => "Webhook already exists for this URL",
        ErrorCode::WebhookNotFound => "Webhook not found",
        other => other.info().user_message,
    }
}

/// `{"error": {"code", "message", "details"?}}` and the status the documentation gives.
pub fn vocafuse_error_parts(code: ErrorCode, details: Option<Value>) -> (StatusCode, String) {
    let row = server_code(Dialect::VocaFuse, code);
    let mut error = json!({"code": row.number, "message": vocafuse_message(code)});
    if let Some(d) = details {
        error["details"] = d;
    }
    (StatusCode::from_u16(row.status).unwrap(), json!({ "error": error }).to_string())
}

pub fn vocafuse_error(code: ErrorCode, details: Option<Value>) -> Response {
    let (status, body) = vocafuse_error_parts(code, details);
    let mut resp = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    }
    resp
}

/// `{"errorCode": …, "errorMessage": …}` and its documented status.
pub fn faseeh_error_parts(code: ErrorCode, message: &str) -> (StatusCode, String) {
    let row = server_code(Dialect::Faseeh, code);
    (StatusCode::from_u16(row.status).unwrap(), json!({"errorCode": row.number, "errorMessage": message}).to_string())
}

/// What S3 answers to a presigned request it refuses.
pub fn s3_error(status: StatusCode, code: &str, message: &str, extra: &[(&str, String)]) -> Response {
    let mut xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>", escape(code), escape(message));
    for (k, v) in extra {
        xml.push_str(&format!("<{k}>{}</{k}>", escape(v)));
    }
    xml.push_str("</Error>");
    (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn json_reply<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], serde_json::to_string(value).unwrap()).into_response()
}

/// A 400 from a control endpoint: `{"error": "<what was wrong>"}`.
pub fn bad_control_request(message: impl Into<String>) -> Response {
    json_reply(StatusCode::BAD_REQUEST, &json!({ "error": message.into() }))
}

/// `{"object", "data", "request_id"}`.
pub fn envelope<T: Serialize>(status: StatusCode, object: &str, data: T, request_id: &str) -> Response {
    json_reply(status, &vocafuse_wasm::core::protocol::Envelope { object: object.to_string(), data, request_id: request_id.to_string() })
}

/// The 2005 answer's `details`: the format as sent, and the formats the SDK's core accepts (in
/// the error page's order, which is `AudioFormat::ALL`'s).
pub fn unsupported_format_details(format: &str) -> Value {
    json!({"format": format, "supported_formats": AudioFormat::ALL.map(AudioFormat::as_str)})
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    #[test]
    fn numbers_and_statuses_come_from_the_table() {
        let (status, body) = vocafuse_error_parts(ErrorCode::RecordingTooLong, Some(json!({"max_duration": 60})));
        assert_eq!(status, 400);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v, json!({"error": {"code": 2006, "message": "Recording exceeds maximum duration", "details": {"max_duration": 60}}}));
        assert_eq!(vocafuse_error_parts(ErrorCode::TokenExpired, None).0, 401);
        assert_eq!(vocafuse_error_parts(ErrorCode::RateLimitExceeded, None).0, 429);
        assert_eq!(vocafuse_error_parts(ErrorCode::InternalServerError, None).1, r#"{"error":{"code":5001,"message":"Internal server error"}}"#);
        let (status, body) = faseeh_error_parts(ErrorCode::ConcurrencyLimitExceeded, "busy");
        assert_eq!((status.as_u16(), body.as_str()), (429, r#"{"errorCode":42901,"errorMessage":"busy"}"#));
    }

    #[test]
    fn every_vocafuse_code_has_a_reply() {
        for row in SERVER_CODES.iter().filter(|r| r.dialect == Dialect::VocaFuse) {
            let (status, body) = vocafuse_error_parts(row.code, None);
            assert_eq!(status.as_u16(), row.status);
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["error"]["code"], row.number);
            assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        }
    }

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

    #[test]
    fn supported_formats_are_the_accepted_ones() {
        let details = unsupported_format_details("mp3");
        let mut a: Vec<&str> = details["supported_formats"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let mut b = AudioFormat::ALL.map(AudioFormat::as_str).to_vec();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
}
