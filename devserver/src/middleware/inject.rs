//! The layer that plays the fault table's faults (`state::faults`), inside CORS:
//!
//! - `respond`: reads the request body, waits `delay_ms`, answers with the fault's status,
//!   body and headers.
//! - `drop`: closes the connection without answering (the request body is not read).
//! - `stall`: reads the request body and never answers, until the client gives up.
//! - `drop_mid_body`: reads `after_bytes` of the request body (default half its length), then
//!   closes the connection.
//! - `pass`: waits `delay_ms`, then behaves normally.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use crate::base::body::drain;
use crate::base::connection::Connection;
use crate::base::origins::Origin;
use crate::state::faults::{FaultKind, FaultRoute};
use crate::state::presign::Presigned;
use crate::state::request_log::Slot;
use crate::state::App;

/// The layer inside CORS that plays faults.
pub async fn inject(State((app, origin)): State<(Arc<App>, Origin)>, req: Request, next: Next) -> Response {
    let Some(route) = FaultRoute::of(origin, req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let part_number = match route {
        FaultRoute::Storage => Presigned::parse(req.uri().query()).part_number,
        _ => None,
    };
    let resource = match route {
        FaultRoute::Storage => format!("storage:{}?{}", req.uri().path(), part_number.unwrap_or(0)),
        other => format!("{other:?}"),
    };
    let Some(fault) = app.faults.next(route, &resource) else {
        return next.run(req).await;
    };
    if let Some(slot) = req.extensions().get::<Arc<Slot>>() {
        // A faulted storage PUT never reaches the bucket, which records these otherwise.
        let voicenote_id = (route == FaultRoute::Storage).then(|| req.uri().path().rsplit('/').next().and_then(|f| f.split('.').next()).map(str::to_string)).flatten();
        slot.note(|n| {
            n.fault = Some(fault.kind.name().to_string());
            n.fault_preset = fault.preset.clone();
            if route == FaultRoute::Storage {
                n.voicenote_id = voicenote_id;
                n.part_number = part_number;
            }
        });
    }
    let connection = req.extensions().get::<Connection>().cloned();
    let content_length = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if fault.delay_ms > 0 && fault.kind != FaultKind::DropMidBody {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    match fault.kind {
        FaultKind::Pass => next.run(req).await,
        FaultKind::Respond => {
            drain(req.into_body()).await;
            fault.response()
        }
        FaultKind::Stall => {
            drain(req.into_body()).await;
            std::future::pending().await
        }
        FaultKind::Drop => close(connection).await,
        FaultKind::DropMidBody => {
            let limit = fault.after_bytes.unwrap_or_else(|| content_length.map_or(1, |n| (n / 2).max(1)));
            let mut body = req.into_body();
            let mut seen = 0u64;
            while seen < limit {
                match body.frame().await {
                    Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len() as u64),
                    _ => break,
                }
            }
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            close(connection).await
        }
    }
}

/// Kills the connection; the request's future is dropped with it, so this never returns.
async fn close(connection: Option<Connection>) -> Response {
    if let Some(c) = connection {
        c.kill();
    }
    std::future::pending().await
}
