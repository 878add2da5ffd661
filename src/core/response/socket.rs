//! WebSocket messages: `{"type": "error", …}` becomes an `SdkError`; its code comes from a number
//! when it has a documented one, else from the words of its text.

use crate::core::errors::{server_code, Dialect, ErrorCode, SdkError};
use crate::core::json::Value;
use crate::core::text::{clip, compose, find};

use super::fields::{details_from_message, details_retry_after, json_int, parse_json_prefix, take_details, take_string, trim_body};

/// A WebSocket message `{"type":"error","message":"…"}` becomes an error (code: classify the message sensibly — auth-ish text such as "x-api-key or Authorization header is required…" -> AUTHENTICATION_FAILED, "Invalid message type…" -> VALIDATION_ERROR, otherwise UNKNOWN_ERROR); any other message, including non-JSON, gives None. Never panics.
pub fn error_from_socket_message(data: &str) -> Option<SdkError> {
    let trimmed = trim_body(data);
    if !trimmed.starts_with('{') {
        return None;
    }
    let Value::Object(mut obj) = parse_json_prefix(trimmed)? else { return None };
    if !obj.get("type").and_then(Value::as_str).is_some_and(|t| t.trim().eq_ignore_ascii_case("error")) {
        return None;
    }
    let mut nested = match obj.remove("error") {
        Some(Value::Object(map)) => Some(map),
        Some(Value::String(s)) => {
            if obj.get("errorMessage").is_none() {
                obj.insert("errorMessage", Value::String(s));
            }
            None
        }
        _ => None,
    };
    let text =
        take_string(&mut obj, "message").or_else(|| take_string(&mut obj, "errorMessage")).or_else(|| nested.as_mut().and_then(|e| take_string(e, "message")));
    let number = obj
        .get("errorCode")
        .and_then(json_int)
        .or_else(|| obj.get("code").and_then(json_int))
        .or_else(|| nested.as_ref().and_then(|e| e.get("code")).and_then(json_int));
    let known = number.and_then(|n| server_code(Dialect::Faseeh, n).or_else(|| server_code(Dialect::VocaFuse, n)));
    let code = known.map(|k| k.code).unwrap_or_else(|| classify_socket_text(text.as_deref().unwrap_or("")));

    let message = text.as_deref().and_then(|t| compose("", t)).unwrap_or_else(|| "The server sent an error message without a description".to_string());
    let details = take_details(&mut obj).or_else(|| nested.as_mut().and_then(take_details)).or_else(|| details_from_message(code, text.as_deref()));
    let retry_after = details.as_ref().and_then(details_retry_after);
    Some(SdkError { code, message, details, status: None, server_code: number, retry_after, user_message: None })
}

/// Words in a socket error's text and what they mean, checked in order (auth before validation:
/// "x-api-key … is required" is about auth).
const SOCKET_TEXT_RULES: &[(&str, ErrorCode)] = &[
    ("api-key", ErrorCode::AuthenticationFailed),
    ("api key", ErrorCode::AuthenticationFailed),
    ("apikey", ErrorCode::AuthenticationFailed),
    ("authorization", ErrorCode::AuthenticationFailed),
    ("unauthori", ErrorCode::AuthenticationFailed),
    ("authenticat", ErrorCode::AuthenticationFailed),
    ("jwt", ErrorCode::AuthenticationFailed),
    ("invalid token", ErrorCode::AuthenticationFailed),
    ("token expired", ErrorCode::AuthenticationFailed),
    ("expired token", ErrorCode::AuthenticationFailed),
    ("balance", ErrorCode::InsufficientBalance),
    ("concurren", ErrorCode::ConcurrencyLimitExceeded),
    ("rate limit", ErrorCode::RateLimitExceeded),
    ("too many requests", ErrorCode::RateLimitExceeded),
    ("not enabled for your account", ErrorCode::ModelAccessDenied),
    ("not found", ErrorCode::NotFound),
    ("internal", ErrorCode::InternalServerError),
    ("invalid", ErrorCode::ValidationError),
    ("required", ErrorCode::ValidationError),
    ("must ", ErrorCode::ValidationError),
    ("expected", ErrorCode::ValidationError),
    ("validation", ErrorCode::ValidationError),
];

fn classify_socket_text(text: &str) -> ErrorCode {
    let lower = clip(text, 1024).to_ascii_lowercase();
    SOCKET_TEXT_RULES.iter().find(|(needle, _)| find(&lower, needle).is_some()).map(|(_, code)| *code).unwrap_or(ErrorCode::UnknownError)
}
