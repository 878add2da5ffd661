//! The storage origin: `PUT /storage/{s3_key}` with a presigned query, answering like S3
//! (XML errors). It checks the signature, then the expiry, then that the body has exactly the
//! declared byte count (the file's, or the part's), and stores the bytes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::base::body::drain;
use crate::base::clock::{now_ms, rfc3339};
use crate::base::replies::s3_error;
use crate::state::presign::{Denied, Presigned};
use crate::state::request_log::Slot;
use crate::state::App;

/// Bodies are read up to this much past the declared size before giving up on them.
const SLACK: u64 = 1 << 20;

/// `PUT /storage/{s3_key}`: a single upload's bytes, or one part of a multipart upload.
pub async fn put(State(app): State<Arc<App>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = Presigned::parse(req.uri().query());
    let slot = req.extensions().get::<Arc<Slot>>().cloned().unwrap_or_default();
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = req.into_body();
    slot.note(|n| n.part_number = query.part_number);

    if let Err(denied) = app.signer.verify(&path, &query, now_ms()) {
        let resp = match denied {
            Denied::Unsigned => s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Query-string authentication requires the X-Dev-Expires and X-Dev-Signature parameters", &[]),
            Denied::BadSignature => s3_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", &[]),
            Denied::Expired { expires_ms } => s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired", &[("Expires", rfc3339(expires_ms as f64)), ("ServerTime", rfc3339(now_ms()))]),
        };
        return refuse(body, resp).await;
    }

    // The key's last segment is `<id>.<ext>`.
    let key = path.trim_start_matches("/storage/");
    let id = key.rsplit('/').next().and_then(|f| f.split('.').next()).unwrap_or_default().to_string();
    let rec = match app.store.get(&id).await {
        Some(r) if r.s3_key == key => r,
        _ => return refuse(body, s3_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.", &[("Key", key.to_string())])).await,
    };
    slot.note(|n| n.voicenote_id = Some(id.clone()));
    let expected = match (query.part_number, &rec.upload_id) {
        (None, None) => rec.file_size,
        (Some(n), Some(upload_id)) if query.upload_id.as_deref() == Some(upload_id.as_str()) => match rec.parts.iter().find(|p| p.part_number == n) {
            Some(p) => p.content_length,
            None => return refuse(body, s3_error(StatusCode::BAD_REQUEST, "InvalidPart", "No such part in this upload.", &[("PartNumber", n.to_string())])).await,
        },
        _ => return refuse(body, s3_error(StatusCode::NOT_FOUND, "NoSuchUpload", "The specified multipart upload does not exist.", &[])).await,
    };

    let (bytes, received) = match read_body(body, expected).await {
        Ok(r) => r,
        // The client went away mid-body; the request's future is about to be dropped anyway.
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    if received != expected {
        let (code, message) =
            if received < expected { ("IncompleteBody", "You did not provide the number of bytes the upload declared.") } else { ("InvalidRequest", "The body is larger than the upload declared.") };
        return s3_error(StatusCode::BAD_REQUEST, code, message, &[("ExpectedBytes", expected.to_string()), ("ReceivedBytes", received.to_string())]);
    }

    let stored = match query.part_number {
        Some(n) => app.store.put_part(&id, n, &bytes, content_type).await,
        None => app.store.put_single(&id, &bytes, content_type).await,
    };
    match stored {
        Ok(sha) => {
            crate::routes::after_upload(&app, &id).await;
            let mut resp = StatusCode::OK.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", &sha[..32])) {
                resp.headers_mut().insert(header::ETAG, v);
            }
            resp
        }
        Err(e) => {
            eprintln!("vocafuse-devserver: cannot store {key}: {e}");
            s3_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "We encountered an internal error. Please try again.", &[])
        }
    }
}

/// Reads the body before refusing, so the client sees the answer rather than a reset.
async fn refuse(body: Body, resp: Response) -> Response {
    drain(body).await;
    resp
}

/// Reads the body, keeping at most `expected` bytes; returns them and the full count (reading
/// stops `SLACK` bytes past `expected`).
async fn read_body(mut body: Body, expected: u64) -> Result<(Vec<u8>, u64), axum::Error> {
    let mut kept = Vec::with_capacity(expected.min(32 << 20) as usize);
    let mut received = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame?;
        if let Some(data) = frame.data_ref() {
            received += data.len() as u64;
            let room = expected.saturating_sub(kept.len() as u64) as usize;
            kept.extend_from_slice(&data[..data.len().min(room)]);
            if received > expected + SLACK {
                break;
            }
        }
    }
    Ok((kept, received))
}
