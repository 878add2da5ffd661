//! Request bodies a handler will not use.

use axum::body::Body;
use http_body_util::BodyExt;

/// Reads and discards a request body (bounded), so an early answer reaches the client as an
/// answer rather than a reset connection.
pub async fn drain(body: Body) {
    let mut body = body;
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > 64 << 20 {
            break;
        }
    }
}
