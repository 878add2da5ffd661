//! `POST /upload`: checks an upload request, records the voice note, and answers with the
//! presigned URLs for its bytes (one, or one per part).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};
use vocafuse_wasm::core::errors::ErrorCode;
use vocafuse_wasm::core::format::AudioFormat;
use vocafuse_wasm::core::limits::{MAX_DURATION_SECS, MAX_FILE_SIZE};
use vocafuse_wasm::core::protocol::{PartInfo, UploadGrant, UploadInfo, UPLOAD_MULTIPART, UPLOAD_SCOPE, UPLOAD_SINGLE};
use vocafuse_wasm::core::upload::{plan_parts, wants_multipart};

use crate::base::body::drain;
use crate::base::clock::now_ms;
use crate::base::origins::Origin;
use crate::base::replies::{envelope, error_reply, unsupported_format_details, vocafuse_error};
use crate::routes::auth::{authorize, require_scope};
use crate::state::outage::StorageMode;
use crate::state::request_log::{RequestId, Slot};
use crate::state::store::NewNote;
use crate::state::App;

/// An upload request's JSON is a few hundred bytes; a body past this is refused (2004), after
/// the token is checked.
pub const UPLOAD_BODY_LIMIT: usize = 2_000_000;

/// A refused upload request: the code and its details.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub details: Option<Value>,
}

/// A valid upload request.
#[derive(Debug, PartialEq)]
pub struct Checked {
    pub file_name: String,
    pub file_size: u64,
    pub audio_format: String,
    pub duration_seconds: f64,
    pub sdk_metadata: Option<Value>,
}

fn invalid(field: &str, value: &Value, reason: &str) -> Refusal {
    Refusal { code: ErrorCode::InvalidFieldValue, details: Some(json!({"field": field, "value": value, "reason": reason})) }
}

/// "30MB", "25.000001MB": the seed's unit, exact enough to show the excess.
fn megabytes(bytes: u64) -> String {
    format!("{}MB", bytes as f64 / 1_000_000.0)
}

/// Validates a `POST /upload` body in the order: JSON (2001), presence (2002), types and ranges
/// (2003), size (2004), format (2005), duration (2006).
pub fn check_upload(body: &[u8]) -> Result<Checked, Refusal> {
    let malformed = |why: String| Refusal { code: ErrorCode::InvalidRequestFormat, details: Some(json!({"reason": why})) };
    let value: Value = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(malformed("the body must be a JSON object".into()));
    };
    let present = |k: &str| obj.get(k).filter(|v| !v.is_null());
    let mut required = Map::new();
    for field in ["file_name", "file_size", "audio_format", "duration_seconds"] {
        match present(field) {
            Some(v) => {
                required.insert(field.to_string(), v.clone());
            }
            None => return Err(Refusal { code: ErrorCode::MissingRequiredField, details: Some(json!({ "field": field })) }),
        }
    }

    let name_v = &required["file_name"];
    let file_name = match name_v.as_str().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => return Err(invalid("file_name", name_v, "must be a non-empty string")),
    };
    let size_v = &required["file_size"];
    let file_size = match size_v {
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(0), _) => return Err(invalid("file_size", size_v, "must be greater than 0")),
            (Some(s), _) => s,
            (None, Some(f)) if f > 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => f as u64,
            (None, Some(f)) if f <= 0.0 => return Err(invalid("file_size", size_v, "must be greater than 0")),
            _ => return Err(invalid("file_size", size_v, "must be a positive integer (bytes)")),
        },
        _ => return Err(invalid("file_size", size_v, "must be a positive integer (bytes)")),
    };
    let format_v = &required["audio_format"];
    let Some(format_raw) = format_v.as_str() else {
        return Err(invalid("audio_format", format_v, "must be a string"));
    };
    let duration_v = &required["duration_seconds"];
    let duration_seconds = match duration_v.as_f64() {
        Some(d) if d > 0.0 && d.is_finite() => d,
        Some(_) => return Err(invalid("duration_seconds", duration_v, "must be greater than 0")),
        None => return Err(invalid("duration_seconds", duration_v, "must be a number (seconds)")),
    };
    if let Some(v) = present("use_multipart") {
        if !v.is_boolean() {
            return Err(invalid("use_multipart", v, "must be a boolean"));
        }
    }
    let sdk_metadata = match present("sdk_metadata") {
        Some(v) if !v.is_object() => return Err(invalid("sdk_metadata", v, "must be an object")),
        other => other.cloned(),
    };

    if file_size > MAX_FILE_SIZE {
        return Err(Refusal { code: ErrorCode::FileSizeExceeded, details: Some(json!({"max_size": megabytes(MAX_FILE_SIZE), "actual_size": megabytes(file_size)})) });
    }
    let audio_format = format_raw.trim().to_ascii_lowercase();
    if AudioFormat::from_name(&audio_format).is_none() {
        return Err(Refusal { code: ErrorCode::UnsupportedAudioFormat, details: Some(unsupported_format_details(format_raw)) });
    }
    if duration_seconds > MAX_DURATION_SECS {
        return Err(Refusal { code: ErrorCode::RecordingTooLong, details: Some(json!({"max_duration": MAX_DURATION_SECS as u64, "actual_duration": duration_v})) });
    }
    Ok(Checked { file_name, file_size, audio_format, duration_seconds, sdk_metadata })
}

/// Reads an upload request's body: the 2004 answer past `UPLOAD_BODY_LIMIT`, a 400 when it
/// cannot be read (a 408 once `middleware::documented` sees the body timed out).
async fn upload_body(body: Body, headers: &HeaderMap) -> Result<Vec<u8>, Response> {
    let mut body = body;
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| error_reply(Origin::Api, "/upload", StatusCode::BAD_REQUEST, Some(json!({"reason": format!("the request body could not be read: {e}")}))))?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        if out.len() + data.len() > UPLOAD_BODY_LIMIT {
            drain(body).await;
            let mut details = json!({"reason": "the upload request's body is too large", "max_size": megabytes(UPLOAD_BODY_LIMIT as u64)});
            if let Some(n) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) {
                details["actual_size"] = json!(megabytes(n));
            }
            return Err(vocafuse_error(ErrorCode::FileSizeExceeded, Some(details)));
        }
        out.extend_from_slice(data);
    }
    Ok(out)
}

/// `POST /upload`: a voice note record and presigned URLs for its bytes. The token (and its
/// scope) first, then the body.
pub async fn upload(State(app): State<Arc<App>>, Extension(rid): Extension<RequestId>, Extension(slot): Extension<Arc<Slot>>, headers: HeaderMap, body: Body) -> Response {
    let claims = match authorize(&app, &headers, &slot).and_then(|c| require_scope(&c, UPLOAD_SCOPE).map(|()| c)) {
        Ok(c) => c,
        Err(resp) => {
            drain(body).await;
            return resp;
        }
    };
    let body = match upload_body(body, &headers).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let checked = match check_upload(&body) {
        Ok(c) => c,
        Err(r) => return vocafuse_error(r.code, r.details),
    };
    let id = uuid::Uuid::new_v4().to_string();
    // The page will not reach storage with the URLs it gets: the log says from which origin.
    let refused =
        (app.storage_mode.get() != StorageMode::Up).then(|| headers.get(header::ORIGIN).map_or_else(|| "(no Origin header)".to_string(), |o| String::from_utf8_lossy(o.as_bytes()).into_owned()));
    slot.note(|n| {
        n.voicenote_id = Some(id.clone());
        n.storage_refuses_origin = refused;
    });
    let s3_key = format!("voicenotes/{}/{id}.{}", claims.tenant_id, checked.audio_format);
    let path = format!("/storage/{s3_key}");
    let url_ttl = app.settings.get().url_ttl;
    let expires_ms = (now_ms() + url_ttl * 1000.0).round() as u64;
    let multipart = wants_multipart(checked.file_size);

    let (presigned_url, upload_info, upload) = if multipart {
        let upload_id = format!("upl_{}", uuid::Uuid::new_v4().simple());
        let ranges = plan_parts(checked.file_size, app.part_size);
        let parts = ranges
            .iter()
            .enumerate()
            .map(|(i, &(start, end))| {
                let n = i as u32 + 1;
                PartInfo {
                    part_number: n,
                    presigned_url: app.signer.url(&app.storage_base, &path, Some((n, &upload_id)), expires_ms),
                    start_byte: start,
                    end_byte: end,
                    content_length: end - start + 1,
                }
            })
            .collect();
        (None, Some(UploadInfo { upload_id: upload_id.clone(), parts }), Some((upload_id, ranges)))
    } else {
        (Some(app.signer.url(&app.storage_base, &path, None, expires_ms)), None, None)
    };

    let client_processed = checked.sdk_metadata.is_some();
    let record = NewNote {
        id: id.clone(),
        file_name: &checked.file_name,
        file_size: checked.file_size,
        audio_format: &checked.audio_format,
        duration_seconds: checked.duration_seconds,
        s3_key: s3_key.clone(),
        tenant_id: &claims.tenant_id,
        user_id: Some(&claims.sub),
        upload,
        sdk_metadata: checked.sdk_metadata,
    }
    .record();
    if let Err(e) = app.store.create(record).await {
        eprintln!("vocafuse-devserver: cannot write voice note {id}: {e}");
        return vocafuse_error(ErrorCode::InternalServerError, None);
    }
    let grant = UploadGrant {
        voicenote_id: id,
        upload_type: if multipart { UPLOAD_MULTIPART } else { UPLOAD_SINGLE }.into(),
        presigned_url,
        s3_key,
        expires_in: url_ttl.ceil() as u64,
        processing_strategy: if client_processed { "client_metadata" } else { "server_analysis" }.into(),
        client_processed,
        message: if multipart { "Upload each part to its presigned URL; the parts are assembled when all have arrived" } else { "Upload the file to the presigned URL" }.into(),
        upload_info,
    };
    envelope(StatusCode::CREATED, "upload", grant, &rid.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: Value) -> (i64, Option<Value>) {
        let r = check_upload(body.to_string().as_bytes()).unwrap_err();
        (crate::base::replies::server_code(vocafuse_wasm::core::errors::Dialect::VocaFuse, r.code).number, r.details)
    }

    fn good() -> Value {
        json!({"file_name": "a.webm", "file_size": 1000, "audio_format": "webm", "duration_seconds": 2.5, "use_multipart": false,
            "sdk_metadata": {"duration_seconds": 2.5, "sample_rate": 48000, "channels": 1, "bit_rate": 32000, "codec": "webm", "file_size_bytes": 1000}})
    }

    fn with(field: &str, v: Value) -> Value {
        let mut g = good();
        g[field] = v;
        g
    }

    #[test]
    fn valid_requests_pass() {
        let c = check_upload(good().to_string().as_bytes()).unwrap();
        assert_eq!((c.file_size, c.audio_format.as_str(), c.duration_seconds), (1000, "webm", 2.5));
        let c = check_upload(with("audio_format", json!("OGG")).to_string().as_bytes()).unwrap();
        assert_eq!(c.audio_format, "ogg");
        assert!(check_upload(with("file_size", json!(25_000_000)).to_string().as_bytes()).is_ok());
        assert!(check_upload(with("duration_seconds", json!(60)).to_string().as_bytes()).is_ok());
        assert!(check_upload(json!({"file_name": "a", "file_size": 1, "audio_format": "wav", "duration_seconds": 1}).to_string().as_bytes()).is_ok());
    }

    #[test]
    fn each_code_with_its_details() {
        assert_eq!(check_upload(b"{nope").unwrap_err().code, ErrorCode::InvalidRequestFormat);
        assert_eq!(check_upload(b"[1]").unwrap_err().code, ErrorCode::InvalidRequestFormat);
        for field in ["file_name", "file_size", "audio_format", "duration_seconds"] {
            let mut g = good();
            g.as_object_mut().unwrap().remove(field);
            assert_eq!(refusal(g), (2002, Some(json!({"field": field}))));
            assert_eq!(refusal(with(field, Value::Null)), (2002, Some(json!({"field": field}))));
        }
        assert_eq!(refusal(with("file_size", json!(-5))).1.unwrap()["field"], "file_size");
        assert_eq!(refusal(with("file_size", json!(0))), (2003, Some(json!({"field": "file_size", "value": 0, "reason": "must be greater than 0"}))));
        assert_eq!(refusal(with("file_size", json!("100"))).0, 2003);
        assert_eq!(refusal(with("file_size", json!(10.5))).0, 2003);
        assert_eq!(refusal(with("duration_seconds", json!(0))).0, 2003);
        assert_eq!(refusal(with("duration_seconds", json!("3"))).1.unwrap()["value"], "3");
        assert_eq!(refusal(with("file_name", json!(""))).0, 2003);
        assert_eq!(refusal(with("audio_format", json!(5))).0, 2003);
        assert_eq!(refusal(with("use_multipart", json!("yes"))).0, 2003);
        assert_eq!(refusal(with("file_size", json!(30_000_000))), (2004, Some(json!({"max_size": "25MB", "actual_size": "30MB"}))));
        assert_eq!(refusal(with("file_size", json!(25_000_001))).1.unwrap()["actual_size"], "25.000001MB");
        assert_eq!(refusal(with("audio_format", json!("mp3"))), (2005, Some(json!({"format": "mp3", "supported_formats": ["webm", "wav", "ogg"]}))));
        assert_eq!(refusal(with("audio_format", json!("mp4"))).0, 2005);
        assert_eq!(refusal(with("duration_seconds", json!(75))), (2006, Some(json!({"max_duration": 60, "actual_duration": 75}))));
        assert_eq!(refusal(with("duration_seconds", json!(60.01))).0, 2006);
    }
}
