//! The whole of `core::response` against the seed documents' bodies and what proxies send.

use super::{error_from_response, error_from_socket_message, parse_retry_after, MAX_RETRY_AFTER_SECS};
use crate::core::errors::{Dialect, ErrorCode, SdkError, CODES, SERVER_CODES, STATUS_CODES};
use crate::core::json::Value;
use crate::core::text::MAX_MESSAGE_CHARS;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// serde_json's `json!`, as our `Value`.
macro_rules! json {
    ($($t:tt)+) => { ours(serde_json::json!($($t)+)) };
}
fn ours(v: serde_json::Value) -> Value {
    Value::parse(&v.to_string()).unwrap()
}

const NOW_MS: f64 = 1_700_000_000_000.0; // Tue, 14 Nov 2023 22:13:20 GMT

fn err(status: u16, body: &str) -> SdkError {
    error_from_response(status, body, &[], NOW_MS)
}

fn with_headers(status: u16, body: &str, headers: &[(&str, &str)]) -> SdkError {
    let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    error_from_response(status, body, &headers, NOW_MS)
}

/// The example body of every code in the seed documents, verbatim.
const SEED_BODIES: &[(i64, &str)] = &[
    (1001, r#"{"error": {"code": 1001, "message": "Invalid or malformed token"}}"#),
    (1002, r#"{"error": {"code": 1002, "message": "Token has expired"}}"#),
    (2001, r#"{"error": {"code": 2001, "message": "Request body is malformed"}}"#),
    (2002, r#"{"error": {"code": 2002, "message": "Required field missing", "details": {"field": "identity"}}}"#),
    (
        2003,
        r#"{"error": {"code": 2003, "message": "Invalid field value", "details": {"field": "expires_in", "value": "invalid", "reason": "must be an integer between 60 and 86400"}}}"#,
    ),
    (2004, r#"{"error": {"code": 2004, "message": "File size exceeds maximum limit", "details": {"max_size": "25MB", "actual_size": "30MB"}}}"#),
    (2005, r#"{"error": {"code": 2005, "message": "Audio format not supported", "details": {"format": "mp3", "supported_formats": ["webm", "wav", "ogg"]}}}"#),
    (2006, r#"{"error": {"code": 2006, "message": "Recording exceeds maximum duration", "details": {"max_duration": 60, "actual_duration": 75}}}"#),
    (3003, r#"{"error": {"code": 3003, "message": "Failed to transcribe audio", "details": {"reason": "Audio quality too low"}}}"#),
    (3004, r#"{"error": {"code": 3004, "message": "Failed to process audio file"}}"#),
    (4003, r#"{"error": {"code": 4003, "message": "Rate limit exceeded", "details": {"limit": 100, "window": "1 minute", "retry_after": 45}}}"#),
    (5001, r#"{"error": {"code": 5001, "message": "Internal server error"}}"#),
    (5002, r#"{"error": {"code": 5002, "message": "Service temporarily unavailable"}}"#),
    (5005, r#"{"error": {"code": 5005, "message": "Webhook already exists for this URL", "details": {"url": "https://example.com/webhook"}}}"#),
    (6001, r#"{"error": {"code": 6001, "message": "Voice note not found", "details": {"voicenote_id": "rec_invalid123"}}}"#),
    (6002, r#"{"error": {"code": 6002, "message": "Transcription not found", "details": {"voicenote_id": "rec_123"}}}"#),
    (6003, r#"{"error": {"code": 6003, "message": "Webhook not found", "details": {"webhook_id": "webhook_123"}}}"#),
    (40001, r#"{"errorCode": 40001, "errorMessage": "Text must have at least 3 words and 10 characters"}"#),
    (40101, r#"{"errorCode": 40101, "errorMessage": "Invalid API key"}"#),
    (40201, r#"{"errorCode": 40201, "errorMessage": "Insufficient wallet balance. Required: $0.50, Available: $0.25"}"#),
    (40301, r#"{"errorCode": 40301, "errorMessage": "This model is not enabled for your account. Please contact support@faseeh.ai to get access."}"#),
    (40401, r#"{"errorCode": 40401, "errorMessage": "Model not found: faseeh-v2-preview"}"#),
    (
        42901,
        r#"{"errorCode": 42901, "errorMessage": "Concurrency limit exceeded. Maximum 5 concurrent requests allowed. Current: 6. Please upgrade your plan https://app.faseeh.ai/en/subscription or contact support@faseeh.ai for more information."}"#,
    ),
    (50001, r#"{"errorCode": 50001, "errorMessage": "Internal server error"}"#),
];

const RETRYABLE: &[&str] =
    &["NETWORK_ERROR", "RATE_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TOKEN_EXPIRED"];

#[test]
fn every_server_code_maps_from_its_seed_body() {
    assert_eq!(SEED_BODIES.len(), SERVER_CODES.len());
    for row in SERVER_CODES {
        let body = SEED_BODIES.iter().find(|(n, _)| *n == row.number).map(|(_, b)| *b);
        let body = body.unwrap_or_else(|| panic!("no seed body for {}", row.number));
        let seed: serde_json::Value = serde_json::from_str(body).unwrap();
        let (seed_message, seed_details) = match row.dialect {
            Dialect::VocaFuse => (seed["error"]["message"].as_str().unwrap(), seed["error"].get("details").cloned().map(ours)),
            Dialect::Faseeh => (seed["errorMessage"].as_str().unwrap(), None),
        };

        let e = err(row.status, body);
        assert_eq!(e.code.name(), row.code.name(), "{}", row.number);
        assert_eq!(e.server_code, Some(row.number));
        assert_eq!(e.status, Some(row.status));
        let expected_message: String = format!("HTTP {}: {}", row.status, seed_message).chars().take(MAX_MESSAGE_CHARS - 1).collect();
        assert!(e.message.starts_with(expected_message.trim_end()), "{}: {}", row.number, e.message);
        assert_eq!(e.retryable(), RETRYABLE.contains(&row.code.name()), "{}", row.number);
        match row.number {
            40201 => assert_eq!(e.details, Some(json!({"required": "$0.50", "available": "$0.25"}))),
            42901 => assert_eq!(e.details, Some(json!({"maximum": 5, "current": 6}))),
            _ => assert_eq!(e.details, seed_details, "{}", row.number),
        }
        let expected_wait = if row.number == 4003 { Some(45.0) } else { None };
        assert_eq!(e.retry_after, expected_wait, "{}", row.number);

        // The code wins over the status.
        for other in [200, 418, 500, 503] {
            assert_eq!(err(other, body).code, row.code, "{} at {other}", row.number);
        }
    }
}

#[test]
fn documented_details_survive_exactly() {
    let e = err(400, SEED_BODIES.iter().find(|(n, _)| *n == 2004).unwrap().1);
    assert_eq!(e.details, Some(json!({"max_size": "25MB", "actual_size": "30MB"})));
    let e = err(400, SEED_BODIES.iter().find(|(n, _)| *n == 2005).unwrap().1);
    assert_eq!(e.details, Some(json!({"format": "mp3", "supported_formats": ["webm", "wav", "ogg"]})));
    let e = err(400, SEED_BODIES.iter().find(|(n, _)| *n == 2006).unwrap().1);
    assert_eq!(e.details, Some(json!({"max_duration": 60, "actual_duration": 75})));
    assert_eq!(e.message, "HTTP 400: Recording exceeds maximum duration");
}

#[test]
fn unknown_bodies_fall_back_to_the_status() {
    let bodies = [
        "",
        "<html><body>oops</body></html>",
        "upstream timed out",
        r#"{"foo": 1}"#,
        r#"{"error": {"code": 9999, "message": "new code"}}"#,
        r#"{"errorCode": 99901}"#,
        "[1,2]",
    ];
    let unlisted = [0u16, 1, 100, 200, 201, 204, 301, 302, 304, 405, 409, 410, 418, 422, 451, 501, 505, 599, 600, 999, 65535];
    let cases = STATUS_CODES.iter().copied().chain(unlisted.iter().map(|&s| (s, ErrorCode::UnknownError)));
    for (status, expected) in cases {
        for body in bodies {
            let e = err(status, body);
            assert_eq!(e.code, expected, "status {status} body {body:?}");
            assert_eq!(e.status, (status != 0).then_some(status));
            assert!(!e.message.is_empty());
            if status != 0 {
                assert!(e.message.starts_with(&format!("HTTP {status}")), "{}", e.message);
            }
        }
        assert_eq!(err(status, bodies[4]).server_code, Some(9999));
        assert_eq!(err(status, bodies[5]).server_code, Some(99901));
        assert_eq!(err(status, bodies[0]).server_code, None);
    }
    assert_eq!(err(0, "").message, "Response with an empty body");
}

struct Case {
    name: &'static str,
    status: u16,
    body: String,
    code: &'static str,
    server_code: Option<i64>,
    contains: Option<&'static str>,
}

fn case(name: &'static str, status: u16, body: impl Into<String>, code: &'static str) -> Case {
    Case { name, status, body: body.into(), code, server_code: None, contains: None }
}

impl Case {
    fn server(mut self, n: i64) -> Self {
        self.server_code = Some(n);
        self
    }
    fn says(mut self, s: &'static str) -> Self {
        self.contains = Some(s);
        self
    }
}

#[test]
fn malformed_bodies() {
    let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
    let cloudflare = "<!DOCTYPE html>\n<!--[if lt IE 7]> <html class=\"no-js ie6 oldie\" lang=\"en-US\"> <![endif]-->\n<html lang=\"en-US\">\n<head>\n<title>api.vocafuse.com | 503:\n   Service   temporarily unavailable &amp; more</title>\n<meta charset=\"UTF-8\" />\n</head><body><div>cloudflare</div></body></html>";
    let cases = vec![
        case("nginx 502 page", 502, nginx, "SERVICE_UNAVAILABLE").says("HTTP 502: 502 Bad Gateway"),
        case("cloudflare 503 page", 503, cloudflare, "SERVICE_UNAVAILABLE")
            .says("HTTP 503: api.vocafuse.com | 503: Service temporarily unavailable & more"),
        case("html without title uses h1", 504, "<html><body><h1>Gateway <b>Timeout</b></h1></body></html>", "SERVICE_UNAVAILABLE")
            .says("Gateway Timeout"),
        case("html without any text", 500, "<!doctype html><html><body></body></html>", "INTERNAL_SERVER_ERROR")
            .says("HTTP 500 with an HTML page"),
        case("uppercase TITLE with attributes", 404, "<HTML><TITLE lang=en>Not &#70;ound&#x21;</TITLE></HTML>", "NOT_FOUND")
            .says("HTTP 404: Not Found!"),
        case("s3 xml", 403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><RequestId>X</RequestId></Error>", "FORBIDDEN")
            .says("HTTP 403: AccessDenied: Request has expired"),
        case("xml without known tags", 400, "<foo>bar</foo>", "VALIDATION_ERROR").says("<foo>bar</foo>"),
        case("empty", 503, "", "SERVICE_UNAVAILABLE").says("HTTP 503 with an empty body"),
        case("whitespace only", 429, " \r\n\t ", "RATE_LIMIT_EXCEEDED").says("HTTP 429 with an empty body"),
        case("control characters only", 400, "\u{0}\u{1}\u{7f}", "VALIDATION_ERROR").says("HTTP 400 with an empty body"),
        case("null", 400, "null", "VALIDATION_ERROR").says("HTTP 400: null"),
        case("empty array", 401, "[]", "AUTHENTICATION_FAILED").says("HTTP 401: []"),
        case("array of a dialect body", 400, r#"[{"error": {"code": 2004}}]"#, "VALIDATION_ERROR"),
        case("number", 500, "42", "INTERNAL_SERVER_ERROR").says("HTTP 500: 42"),
        case("json string", 404, "\"str\"", "NOT_FOUND").says("\"str\""),
        case("truncated json", 400, r#"{"error": {"code": 20"#, "VALIDATION_ERROR").says(r#"{"error": {"code": 20"#),
        case("error is a string", 403, r#"{"error": "Bad"}"#, "FORBIDDEN").says("HTTP 403: Bad"),
        case("error is null", 502, r#"{"error": null}"#, "SERVICE_UNAVAILABLE"),
        case("error is a number", 500, r#"{"error": 2004}"#, "INTERNAL_SERVER_ERROR"),
        case("code as numeric string", 500, r#"{"error": {"code": "2004", "message": "too big"}}"#, "FILE_SIZE_EXCEEDED").server(2004).says("too big"),
        case("code as float", 500, r#"{"error": {"code": 2004.0}}"#, "FILE_SIZE_EXCEEDED").server(2004),
        case("code as fractional float", 400, r#"{"error": {"code": 2004.5}}"#, "VALIDATION_ERROR"),
        case("code negative", 404, r#"{"error": {"code": -2004, "message": "neg"}}"#, "NOT_FOUND").server(-2004),
        case("code overflowing u64", 429, r#"{"error": {"code": 99999999999999999999}}"#, "RATE_LIMIT_EXCEEDED"),
        case("code as bool", 400, r#"{"error": {"code": true, "message": "yes"}}"#, "VALIDATION_ERROR").says("yes"),
        case("message as number", 400, r#"{"error": {"code": 2002, "message": 12}}"#, "MISSING_REQUIRED_FIELD").server(2002),
        case("message empty string", 400, r#"{"error": {"code": 2002, "message": "  "}}"#, "MISSING_REQUIRED_FIELD").server(2002).says("HTTP 400: {"),
        case("details as array", 400, r#"{"error": {"code": 2003, "message": "bad", "details": [1, 2]}}"#, "INVALID_FIELD_VALUE").server(2003),
        case("deeply nested arrays", 400, "[".repeat(10_000), "VALIDATION_ERROR").says("HTTP 400: [[["),
        case("deeply nested objects", 500, r#"{"a":"#.repeat(10_000), "INTERNAL_SERVER_ERROR"),
        case("bom before json", 400, "\u{feff}{\"error\": {\"code\": 2001, \"message\": \"m\"}}", "INVALID_REQUEST_FORMAT").server(2001),
        case("trailing garbage after json", 400, r#"{"error": {"code": 2006, "message": "long"}} <!-- proxy -->"#, "RECORDING_TOO_LONG").server(2006).says("HTTP 400: long"),
        case("invalid unicode escape", 400, r#"{"error": {"code": 2004, "message": "\ud800 \uZZZZ"}}"#, "VALIDATION_ERROR"),
        // JSON.parse takes a lone surrogate too: the code is read, the surrogate shown as U+FFFD.
        case("lone surrogate escape", 400, r#"{"error": {"code": 2004, "message": "\ud800"}}"#, "FILE_SIZE_EXCEEDED").server(2004).says("HTTP 400: \u{fffd}"),
        case("nul bytes and escapes", 500, "in\u{0}ternal\u{1b}[31m error\n\nhere", "INTERNAL_SERVER_ERROR").says("HTTP 500: internal[31m error here"),
        case("bidi override removed", 400, "a\u{202e}b\u{200b}c", "VALIDATION_ERROR").says("HTTP 400: abc"),
        case("replacement characters", 502, "bad \u{fffd}\u{fffd} bytes", "SERVICE_UNAVAILABLE").says("bad \u{fffd}\u{fffd} bytes"),
        case("plain text", 429, "Too Many Requests", "RATE_LIMIT_EXCEEDED").says("HTTP 429: Too Many Requests"),
        case("faseeh code as string", 401, r#"{"errorCode": "40001", "errorMessage": "bad"}"#, "VALIDATION_ERROR").server(40001),
        case("faseeh code null", 401, r#"{"errorCode": null, "errorMessage": "who?"}"#, "AUTHENTICATION_FAILED").says("HTTP 401: who?"),
        case("faseeh code in the wrong dialect", 500, r#"{"error": {"code": 40001}}"#, "INTERNAL_SERVER_ERROR").server(40001),
        case("vocafuse code in the wrong dialect", 500, r#"{"errorCode": 2004}"#, "INTERNAL_SERVER_ERROR").server(2004),
        case("both dialects: vocafuse wins", 400, r#"{"errorCode": 40101, "errorMessage": "fs", "error": {"code": 2005, "message": "vf"}}"#, "UNSUPPORTED_AUDIO_FORMAT").server(2005).says("HTTP 400: vf"),
        case("both dialects: only faseeh known", 400, r#"{"errorCode": 40101, "errorMessage": "fs", "error": {"code": 7, "message": "vf"}}"#, "AUTHENTICATION_FAILED").server(40101).says("HTTP 400: fs"),
        case("fastapi detail string", 404, r#"{"detail": "Not Found"}"#, "NOT_FOUND").says("HTTP 404: Not Found"),
        case("fastapi detail list", 422, r#"{"detail": [{"loc": ["body", "x"], "msg": "field required", "type": "missing"}]}"#, "UNKNOWN_ERROR").says("HTTP 422: field required"),
        case("message with padding", 400, r#"{"message": "\n  padded \t message  \n"}"#, "VALIDATION_ERROR").says("HTTP 400: padded message"),
        case("plain message", 403, r#"{"message": "Forbidden"}"#, "FORBIDDEN").says("HTTP 403: Forbidden"),
        case("oauth error", 401, r#"{"error": "invalid_grant", "error_description": "Token revoked"}"#, "AUTHENTICATION_FAILED").says("HTTP 401: invalid_grant: Token revoked"),
        case("problem json", 413, r#"{"type": "about:blank", "title": "Payload Too Large"}"#, "FILE_SIZE_EXCEEDED").says("Payload Too Large"),
        case("success status with a dialect body keeps the code", 200, SEED_BODIES[0].1, "INVALID_TOKEN").server(1001),
        case("success status without a code", 204, "", "UNKNOWN_ERROR").says("HTTP 204 with an empty body"),
        case("redirect html", 302, "<html><head><title>Moved</title></head></html>", "UNKNOWN_ERROR").says("HTTP 302: Moved"),
    ];
    assert!(cases.len() >= 30);
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case {}", c.name);
        let e = err(c.status, &c.body);
        assert_eq!(e.code.name(), c.code, "{}: {}", c.name, e.message);
        assert_eq!(e.server_code, c.server_code, "{}", c.name);
        if let Some(s) = c.contains {
            assert!(e.message.contains(s), "{}: {:?} lacks {:?}", c.name, e.message, s);
        }
        assert!(!e.message.is_empty() && e.message.chars().count() <= MAX_MESSAGE_CHARS, "{}", c.name);
        assert!(!e.message.chars().any(char::is_control), "{}", c.name);
    }
    // Details only when they are an object.
    assert_eq!(err(400, &cases.iter().find(|c| c.name == "details as array").unwrap().body).details, None);
}

#[test]
fn huge_bodies_are_fast_and_bounded() {
    let ten_mb = 10 * 1024 * 1024;
    let started = Instant::now();
    let plain = "a".repeat(ten_mb);
    let e = err(502, &plain);
    assert_eq!(e.code, ErrorCode::ServiceUnavailable);
    assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS);
    assert!(e.message.starts_with("HTTP 502: aaa") && e.message.ends_with("aa…"));

    let json_string = format!("\"{}\"", "b".repeat(ten_mb));
    assert_eq!(err(400, &json_string).code, ErrorCode::ValidationError);

    let json_message = format!(r#"{{"error": {{"code": 4003, "message": "{}"}}}}"#, "c".repeat(ten_mb));
    let e = err(500, &json_message);
    assert_eq!(e.code, ErrorCode::RateLimitExceeded);
    assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS);

    // Giant details would be copied to JS: dropped, the code is kept.
    let json_details = format!(r#"{{"error": {{"code": 2004, "message": "m", "details": {{"blob": "{}"}}}}}}"#, "d".repeat(ten_mb));
    let e = err(400, &json_details);
    assert_eq!((e.code, e.details), (ErrorCode::FileSizeExceeded, None));

    let html = format!("<html><head><title>Big</title></head><body>{}</body></html>", "e".repeat(ten_mb));
    assert_eq!(err(503, &html).message, "HTTP 503: Big");
    let whitespace = " ".repeat(ten_mb);
    assert_eq!(err(503, &whitespace).message, "HTTP 503 with an empty body");
    // Linear work is well under this even unoptimised; quadratic work would take hours.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

#[test]
fn message_is_cut_on_a_char_boundary() {
    let body = format!(r#"{{"message": "{}"}}"#, "é🎙".repeat(400));
    let e = err(400, &body);
    assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS);
    assert!(e.message.ends_with('…'));
    assert!(e.message.starts_with("HTTP 400: é🎙é🎙"));
    // Exactly at the limit: no ellipsis.
    let exact = "x".repeat(MAX_MESSAGE_CHARS - "HTTP 400: ".len());
    assert_eq!(err(400, &exact).message, format!("HTTP 400: {exact}"));
    let over = format!("{exact}y");
    assert!(err(400, &over).message.ends_with("x…"));
}

#[test]
fn faseeh_message_details_are_parsed_when_present() {
    let e = err(402, r#"{"errorCode": 40201, "errorMessage": "Insufficient wallet balance."}"#);
    assert_eq!((e.code, e.details), (ErrorCode::InsufficientBalance, None));
    let e = err(402, r#"{"errorCode": 40201, "errorMessage": "Required: $12.00."}"#);
    assert_eq!(e.details, Some(json!({"required": "$12.00"})));
    let e = err(429, r#"{"errorCode": 42901, "errorMessage": "Maximum 2 concurrent requests allowed. Current: 3"}"#);
    assert_eq!(e.details, Some(json!({"maximum": 2, "current": 3})));
    let e = err(429, r#"{"errorCode": 42901, "errorMessage": "Maximum many. Current: lots"}"#);
    assert_eq!(e.details, None);
    // A details object from the server is never replaced.
    let e = err(402, r#"{"errorCode": 40201, "errorMessage": "Required: $1, Available: $0", "details": {"x": 1}}"#);
    assert_eq!(e.details, Some(json!({"x": 1})));
}

#[test]
fn retry_after_delta_seconds() {
    assert_eq!(parse_retry_after("120", NOW_MS), Some(120.0));
    assert_eq!(parse_retry_after("  7 \t", NOW_MS), Some(7.0));
    assert_eq!(parse_retry_after("0", NOW_MS), Some(0.0));
    assert_eq!(parse_retry_after("1.5", NOW_MS), Some(1.5));
    assert_eq!(parse_retry_after("999999999", NOW_MS), Some(MAX_RETRY_AFTER_SECS));
    assert_eq!(parse_retry_after(&"9".repeat(64), NOW_MS), Some(MAX_RETRY_AFTER_SECS));
    for bad in ["", " ", "-5", "-0.5", "abc", "1.2.3", ".", "NaN", "inf", "1e3x", "12 s", "+5", "0x10", "١٢"] {
        assert_eq!(parse_retry_after(bad, NOW_MS), None, "{bad:?}");
    }
}

#[test]
fn retry_after_http_dates() {
    // NOW_MS is Tue, 14 Nov 2023 22:13:20 GMT.
    assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", NOW_MS), Some(60.0));
    assert_eq!(parse_retry_after(" Tue, 14 Nov 2023 22:13:50 GMT ", NOW_MS), Some(30.0));
    assert_eq!(parse_retry_after("Tuesday, 14-Nov-23 22:15:20 GMT", NOW_MS), Some(120.0));
    assert_eq!(parse_retry_after("Tue Nov 14 22:13:25 2023", NOW_MS), Some(5.0));
    assert_eq!(parse_retry_after("Wed Nov  1 00:00:00 2023", NOW_MS), Some(0.0));
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOW_MS), Some(0.0));
    assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", NOW_MS), Some(MAX_RETRY_AFTER_SECS));
    assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", NOW_MS + 500.0), Some(59.5));
    for bad in ["Tue, 14 Nov 2023 22:14:20", "Tue, 31 Feb 2023 22:14:20 GMT", "Tue, 14 Nov 2023 25:14:20 GMT", "tomorrow", "Tue, 14 Nov 2023 22:14:20 GMTé"] {
        assert_eq!(parse_retry_after(bad, NOW_MS), None, "{bad:?}");
    }
    assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", f64::NAN), None);
}

#[test]
fn retry_after_from_headers_and_details() {
    for name in ["Retry-After", "retry-after", "RETRY-AFTER", "rEtRy-AfTeR", " retry-after "] {
        assert_eq!(with_headers(429, "", &[(name, "30")]).retry_after, Some(30.0), "{name}");
    }
    assert_eq!(with_headers(429, "", &[("X-Retry-After", "30")]).retry_after, None);
    assert_eq!(with_headers(503, "", &[("Retry-After", "Tue, 14 Nov 2023 22:15:20 GMT")]).retry_after, Some(120.0));
    assert_eq!(with_headers(503, "", &[("Retry-After", "soon")]).retry_after, None);
    assert_eq!(with_headers(503, "", &[("Retry-After", "-3")]).retry_after, None);

    let body = |wait: &str| format!(r#"{{"error": {{"code": 4003, "message": "slow", "details": {{"retry_after": {wait}}}}}}}"#);
    assert_eq!(err(429, &body("45")).retry_after, Some(45.0));
    assert_eq!(err(429, &body("\"12\"")).retry_after, Some(12.0));
    assert_eq!(err(429, &body("2.5")).retry_after, Some(2.5));
    assert_eq!(err(429, &body("-1")).retry_after, None);
    assert_eq!(err(429, &body("\"later\"")).retry_after, None);
    assert_eq!(err(429, &body("null")).retry_after, None);
    assert_eq!(err(429, &body("1e9")).retry_after, Some(MAX_RETRY_AFTER_SECS));
    // Header and details both present: the larger wins, in either order.
    assert_eq!(with_headers(429, &body("45"), &[("retry-after", "10")]).retry_after, Some(45.0));
    assert_eq!(with_headers(429, &body("5"), &[("retry-after", "10")]).retry_after, Some(10.0));
    assert_eq!(with_headers(429, &body("-5"), &[("retry-after", "10")]).retry_after, Some(10.0));
    assert_eq!(with_headers(429, &body("5"), &[("retry-after", "junk")]).retry_after, Some(5.0));
    // Other headers are ignored; several Retry-After headers: the larger.
    let e = with_headers(429, "", &[("Content-Type", "text/plain"), ("Retry-After", "3"), ("retry-after", "8")]);
    assert_eq!(e.retry_after, Some(8.0));
}

#[test]
fn socket_messages() {
    let auth =
        r#"{"type": "error", "message": "x-api-key or Authorization header is required. Provide it in query string, headers, or initConnection message."}"#;
    let e = error_from_socket_message(auth).expect("an error");
    assert_eq!(e.code, ErrorCode::AuthenticationFailed);
    assert!(e.message.starts_with("x-api-key or Authorization header is required."));
    assert_eq!((e.status, e.server_code), (None, None));

    let e = error_from_socket_message(r#"{"type":"error","message":"Invalid message type. Expected \"voice-request\""}"#).unwrap();
    assert_eq!(e.code, ErrorCode::ValidationError);
    assert_eq!(e.message, r#"Invalid message type. Expected "voice-request""#);

    let e = error_from_socket_message(r#"{"type":"error","message":"Something odd"}"#).unwrap();
    assert_eq!(e.code, ErrorCode::UnknownError);
    let e = error_from_socket_message(r#"{"type":"error","message":"Insufficient wallet balance. Required: $0.50, Available: $0.25"}"#).unwrap();
    assert_eq!((e.code, e.details), (ErrorCode::InsufficientBalance, Some(json!({"required": "$0.50", "available": "$0.25"}))));
    let e = error_from_socket_message(r#"{"type":"error","errorCode":42901,"message":"Busy"}"#).unwrap();
    assert_eq!((e.code, e.server_code), (ErrorCode::ConcurrencyLimitExceeded, Some(42901)));

    let e = error_from_socket_message(r#"{"type":"error"}"#).unwrap();
    assert_eq!(e.code, ErrorCode::UnknownError);
    assert!(!e.message.is_empty());
    let e = error_from_socket_message(r#"{"type":"error","message":42}"#).unwrap();
    assert!(!e.message.is_empty());

    for not_error in [
        r#"{"type":"audio","data":"AAAA"}"#,
        r#"{"type":"done"}"#,
        r#"{"message":"no type"}"#,
        r#"{"type":null}"#,
        "not json",
        "",
        "[]",
        "null",
        r#""error""#,
        r#"{"type":"error""#,
        "\u{0}",
    ] {
        assert_eq!(error_from_socket_message(not_error), None, "{not_error:?}");
    }
}

#[cfg(not(target_arch = "wasm32"))] // used by the proptests, which are native-only
fn check_invariants(status: u16, body: &str, e: &SdkError) {
    assert!(!e.message.is_empty());
    assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1, "{}", e.message);
    assert!(!e.message.chars().any(char::is_control));
    assert!(CODES.iter().any(|c| c.code == e.code && c.name == e.code.name()));
    assert_eq!(e.status, (status != 0).then_some(status));
    if let Some(w) = e.retry_after {
        assert!((0.0..=MAX_RETRY_AFTER_SECS).contains(&w), "{w} for {body:?}");
    }
    if let Some(d) = &e.details {
        assert!(d.is_object());
    }
}

#[cfg(not(target_arch = "wasm32"))]
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\"",
    "\"error\"",
    "\"errorCode\"",
    "\"code\"",
    "\"message\"",
    "\"errorMessage\"",
    "\"details\"",
    "\"retry_after\"",
    "\"detail\"",
    "\"type\"",
    "2004",
    "4003",
    "40201",
    "42901",
    "-1",
    "1e400",
    "99999999999999999999",
    "\"2004\"",
    "2004.0",
    "null",
    "true",
    "\"x\"",
    "\"Required: $1, Available: $0\"",
    "\"Maximum 5 concurrent requests allowed. Current: 6\"",
    "<title>",
    "</title>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "\u{0}",
    "\u{feff}",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "é",
    "🎙",
];

#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048), status in proptest::num::u16::ANY) {
        let body = String::from_utf8_lossy(&bytes);
        let e = error_from_response(status, &body, &[], NOW_MS);
        check_invariants(status, &body, &e);
        if let Some(s) = error_from_socket_message(&body) {
            proptest::prop_assert!(!s.message.is_empty());
        }
    }

    #[test]
    fn json_ish_bodies_never_panic(
        parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..48),
        status in proptest::sample::select(vec![0u16, 200, 400, 401, 402, 404, 418, 429, 500, 503]),
        header in proptest::option::of(".{0,40}"),
    ) {
        let body = parts.concat();
        let headers: Vec<(String, String)> = header.into_iter().map(|h| ("Retry-After".to_string(), h)).collect();
        let e = error_from_response(status, &body, &headers, NOW_MS);
        check_invariants(status, &body, &e);
        let socket = format!(r#"{{"type":"error",{}"#, body.trim_start_matches('{'));
        if let Some(s) = error_from_socket_message(&socket) {
            proptest::prop_assert!(!s.message.is_empty());
        }
    }

    #[test]
    fn retry_after_dates_round_trip(secs in 0u64..253_402_300_799, now_s in 1_000_000_000u64..4_000_000_000) {
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
        let expected = (secs as f64 - now_s as f64).clamp(0.0, MAX_RETRY_AFTER_SECS);
        proptest::prop_assert_eq!(parse_retry_after(&date, now_s as f64 * 1000.0), Some(expected));
    }

    #[test]
    fn retry_after_never_panics(value in ".{0,80}", now in proptest::num::f64::ANY) {
        if let Some(w) = parse_retry_after(&value, now) {
            proptest::prop_assert!((0.0..=MAX_RETRY_AFTER_SECS).contains(&w));
        }
    }
}
