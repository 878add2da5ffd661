//! The answers every route shares: VocaFuse error bodies (numbers and statuses read from the
//! SDK's code table), Faseeh error bodies, S3-style XML errors from storage, and JSON helpers.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::{Dialect, ErrorCode, ServerCode, SERVER_CODES};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
