//! Ids in paths, read as they are stored.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::Uri;
use axum::response::Response;
use serde_json::json;
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::replies::vocafuse_error;

/// The `{id}` of a `…/voicenotes/{id}…` or `…/recordings/{id}…` path as ids are stored (lowercase, hyphenated), or the
/// 2003 answer: not UTF-8 once percent-decoded, or not a UUID in its hyphenated form.
pub fn voicenote_id(path: Result<Path<String>, PathRejection>, uri: &Uri) -> Result<String, Response> {
    let invalid = |value: &str| vocafuse_error(ErrorCode::InvalidFieldValue, Some(json!({"field": "voicenote_id", "value": value, "reason": "must be a valid UUID"})));
    let id = match path {
        Ok(Path(id)) => id,
        Err(_) => {
            let raw = ["/voicenotes/", "/recordings/"].iter().find_map(|p| uri.path().split_once(p)).and_then(|(_, rest)| rest.split('/').next()).unwrap_or_default();
            return Err(invalid(raw));
        }
    };
    match uuid::Uuid::try_parse(&id) {
        Ok(uuid) if id.len() == 36 => Ok(uuid.hyphenated().to_string()),
        _ => Err(invalid(&id)),
    }
}
