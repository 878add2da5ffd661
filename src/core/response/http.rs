//! HTTP answers: the VocaFuse and Faseeh JSON dialects, the loose shapes gateways and frameworks
//! use, Retry-After, and whatever else a proxy puts in a body (markup, plain text, junk after
//! the JSON).
//!
//! A documented numeric code wins over the HTTP status; everything else is classified by status.
//! When a body carries both dialects, a documented VocaFuse code wins over a Faseeh one.

use crate::core::errors::{code_for_status, server_code, Dialect, ErrorCode, SdkError};
use crate::core::json::{Map, Value};
use crate::core::text::{compose, parse_decimal, parse_http_date};

use super::fields::{clamp_wait, details_from_message, details_retry_after, json_int, parse_json_prefix, take_details, take_string, trim_body};
use super::markup::{looks_like_html, markup_text};

/// Never panics, whatever the inputs. `headers` are (name, value) pairs, names case-insensitive.
/// `now_ms` = current time in ms since the Unix epoch (used for Retry-After given as an HTTP date).
pub fn error_from_response(status: u16, body: &str, headers: &[(String, String)], now_ms: f64) -> SdkError {
    let trimmed = trim_body(body);
    let parsed = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        parse_json_prefix(trimmed).map(read_json_body)
    } else if trimmed.starts_with('<') {
        Some(BodyError { text: markup_text(trimmed), ..BodyError::default() })
    } else {
        None
    };
    let BodyError { code, server_code, text, mut details } = parsed.unwrap_or_default();
    let code = code.unwrap_or_else(|| code_for_status(status));

    let prefix = if status == 0 { "Response".to_string() } else { format!("HTTP {status}") };
    let message = match text.as_deref() {
        Some(text) => compose(&prefix, text),
        None => None,
    }
    .or_else(|| looks_like_html(trimmed).then(|| format!("{prefix} with an HTML page")))
    .or_else(|| compose(&prefix, trimmed))
    .unwrap_or_else(|| format!("{prefix} with an empty body"));

    if details.is_none() {
        details = details_from_message(code, text.as_deref());
    }
    let header_wait = headers
        .iter()
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("retry-after"))
        .filter_map(|(_, value)| parse_retry_after(value, now_ms))
        .fold(None, |acc, wait| max_wait(acc, Some(wait)));
    let retry_after = max_wait(header_wait, details.as_ref().and_then(details_retry_after));

    SdkError { code, message, details, status: (status != 0).then_some(status), server_code, retry_after, user_message: None }
}

/// Retry-After header value: delta-seconds ("120") or an HTTP date (IMF-fixdate, RFC 850, asctime). Returns seconds from now, >= 0; None when unparseable.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_decimal(value).and_then(clamp_wait);
    }
    let date_secs = parse_http_date(value)? as f64;
    if !now_ms.is_finite() {
        return None;
    }
    clamp_wait((date_secs - now_ms / 1000.0).max(0.0))
}

/// What a body said, before the HTTP status is considered.
#[derive(Default)]
struct BodyError {
    code: Option<ErrorCode>,
    server_code: Option<i64>,
    text: Option<String>,
    details: Option<Value>,
}

fn read_json_body(root: Value) -> BodyError {
    let Value::Object(mut top) = root else { return BodyError::default() };
    let mut error_string = None;
    let mut vocafuse = match top.remove("error") {
        Some(Value::Object(map)) => Some(map),
        Some(Value::String(s)) => {
            error_string = Some(s);
            None
        }
        _ => None,
    };
    let vf_number = vocafuse.as_ref().and_then(|e| e.get("code")).and_then(json_int);
    let fs_number = top.get("errorCode").and_then(json_int);
    let vf_known = vf_number.and_then(|n| server_code(Dialect::VocaFuse, n));
    let fs_known = fs_number.and_then(|n| server_code(Dialect::Faseeh, n));
    // Documented codes first (VocaFuse before Faseeh); an unknown number is still reported.
    let (number, known, faseeh_first) = match (vf_known, fs_known) {
        (Some(k), _) => (vf_number, Some(k), false),
        (None, Some(k)) => (fs_number, Some(k), true),
        (None, None) => (vf_number.or(fs_number), None, vf_number.is_none() && fs_number.is_some()),
    };

    let vf_text = vocafuse.as_mut().and_then(|e| take_string(e, "message"));
    let fs_text = take_string(&mut top, "errorMessage");
    let dialect_text = if faseeh_first { fs_text.or(vf_text) } else { vf_text.or(fs_text) };
    let text = dialect_text.or_else(|| loose_text(&mut top, error_string));
    let details = vocafuse.as_mut().and_then(take_details).or_else(|| take_details(&mut top));
    BodyError { code: known.map(|k| k.code), server_code: number, text, details }
}

/// Messages of other common JSON error shapes (OAuth, FastAPI, RFC 7807, API gateways).
fn loose_text(top: &mut Map, error_string: Option<String>) -> Option<String> {
    let description = take_string(top, "error_description");
    let oauth = match (error_string, description) {
        (Some(e), Some(d)) => Some(format!("{e}: {d}")),
        (e, d) => d.or(e),
    };
    oauth
        .or_else(|| take_string(top, "message"))
        .or_else(|| take_string(top, "Message"))
        .or_else(|| match top.get_mut("detail") {
            Some(Value::String(s)) => Some(std::mem::take(s)),
            // FastAPI validation errors: [{"loc": […], "msg": "…", "type": "…"}]
            Some(Value::Array(items)) => items.first_mut().and_then(Value::as_object_mut).and_then(|o| take_string(o, "msg")),
            Some(Value::Object(o)) => take_string(o, "message"),
            _ => None,
        })
        .or_else(|| take_string(top, "title"))
        .or_else(|| take_string(top, "msg"))
        .or_else(|| match top.get_mut("errors") {
            Some(Value::Array(items)) => items.first_mut().and_then(Value::as_object_mut).and_then(|o| take_string(o, "message")),
            _ => None,
        })
}

fn max_wait(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
