//! The fields of an error object, read the same way in HTTP bodies and socket messages: strings,
//! integer codes, `details` and the waits in them, and the numbers Faseeh writes into its text.

use crate::core::errors::ErrorCode;
use crate::core::json::{Map, Value};
use crate::core::text::{clip, find, parse_decimal, tail};

/// Longest wait we report, in seconds (one day); longer waits are clamped to it.
pub const MAX_RETRY_AFTER_SECS: f64 = 86_400.0;

/// Server `details` larger than this (roughly, in JSON bytes) are dropped: they would be copied to JS.
const MAX_DETAILS_BYTES: usize = 64 * 1024;

/// JS numbers are exact up to 2^53 - 1; `serverCode` must survive the trip.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// How much of a message is searched for Faseeh's numbers.
const MESSAGE_SCAN_BYTES: usize = 2 * 1024;

pub(super) fn trim_body(body: &str) -> &str {
    body.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// The first JSON value in `text`; trailing bytes (a proxy's appended junk) are ignored.
pub(super) fn parse_json_prefix(text: &str) -> Option<Value> {
    // Deep nesting is an error, not a stack overflow.
    Value::parse_prefix(text)
}

pub(super) fn take_string(map: &mut Map, key: &str) -> Option<String> {
    match map.get_mut(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(std::mem::take(s)),
        _ => None,
    }
}

/// `details` when it is an object of reasonable size.
pub(super) fn take_details(map: &mut Map) -> Option<Value> {
    match map.remove("details") {
        Some(v @ Value::Object(_)) => {
            let mut budget = MAX_DETAILS_BYTES;
            fits_in(&v, &mut budget).then_some(v)
        }
        _ => None,
    }
}

/// Roughly, does `v` serialise to at most `budget` bytes; stops walking as soon as it doesn't.
fn fits_in(v: &Value, budget: &mut usize) -> bool {
    let cost = match v {
        Value::String(s) => s.len() + 2,
        _ => 8,
    };
    if cost > *budget {
        return false;
    }
    *budget -= cost;
    match v {
        Value::Array(items) => items.iter().all(|item| fits_in(item, budget)),
        Value::Object(map) => map.iter().all(|(k, item)| {
            if k.len() + 3 > *budget {
                return false;
            }
            *budget -= k.len() + 3;
            fits_in(item, budget)
        }),
        _ => true,
    }
}

/// An integer code from a number (2004, 2004.0) or a numeric string ("2004").
pub(super) fn json_int(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => integral(*n),
        Value::String(s) if s.len() <= 32 => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| parse_decimal(s).and_then(integral))
        }
        _ => None,
    }?;
    (n.unsigned_abs() <= MAX_SAFE_INTEGER as u64).then_some(n)
}

fn integral(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64).then_some(f as i64)
}

pub(super) fn clamp_wait(secs: f64) -> Option<f64> {
    (secs >= 0.0 && !secs.is_nan()).then(|| secs.min(MAX_RETRY_AFTER_SECS))
}

/// `details.retry_after` (or `retryAfter`) in seconds, as a number or a numeric string.
pub(super) fn details_retry_after(details: &Value) -> Option<f64> {
    let v = details.get("retry_after").or_else(|| details.get("retryAfter"))?;
    match v {
        Value::Number(n) => clamp_wait(*n),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 32 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return None;
            }
            parse_decimal(s).and_then(clamp_wait)
        }
        _ => None,
    }
}

/// Faseeh puts the numbers in its message: "Required: $0.50, Available: $0.25",
/// "Maximum 5 concurrent requests allowed. Current: 6".
pub(super) fn details_from_message(code: ErrorCode, text: Option<&str>) -> Option<Value> {
    let text = text?;
    let text = clip(text, MESSAGE_SCAN_BYTES);
    let mut map = Map::new();
    match code {
        ErrorCode::InsufficientBalance => {
            for (label, key) in [("Required:", "required"), ("Available:", "available")] {
                if let Some(amount) = word_after(text, label) {
                    map.insert(key, Value::from(amount));
                }
            }
        }
        ErrorCode::ConcurrencyLimitExceeded => {
            for (label, key) in [("Maximum", "maximum"), ("Current:", "current")] {
                if let Some(n) = word_after(text, label).and_then(|w| w.parse::<u64>().ok()) {
                    map.insert(key, Value::from(n));
                }
            }
        }
        _ => return None,
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// The word right after `label`, without a trailing `,` `.` `;`.
fn word_after<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let rest = tail(text, find(text, label)? + label.len()).trim_start();
    let word = rest.split(|c: char| c.is_whitespace() || c == ',' || c == ';').next()?;
    let word = word.trim_end_matches('.');
    (!word.is_empty()).then_some(word)
}
