//! The outermost layer: a request id on every answer, a log entry for every request but
//! `/__dev/`'s, the body's byte count, and the body timeout.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use crate::base::origins::Origin;
use crate::state::request_log::{new_request_id, route_name, RequestId, RequestLog, Slot};
use crate::state::App;

/// Closes the entry as aborted if the request's future is dropped before it answers.
struct Open<'a> {
    log: &'a RequestLog,
    id: u64,
    started: Instant,
    done: bool,
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.log.finish(self.id, 0, true, self.started);
        }
    }
}

/// Gives the request its id and log entry, and counts and times its body.
pub async fn record(State((app, origin)): State<(Arc<App>, Origin)>, req: Request, next: Next) -> Response {
    let request_id = new_request_id();
    let path = req.uri().path().to_string();
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(RequestId(request_id.clone()));
    let slot = Arc::new(Slot::default());
    parts.extensions.insert(slot.clone());
    let body = Body::new(Counting { inner: body, slot: slot.clone(), timeout: app.timeouts.body, waiting: None });
    let mut resp = if path.starts_with("/__dev/") {
        next.run(Request::from_parts(parts, body)).await
    } else {
        let route = route_name(origin, &parts.method, &path);
        let id = app.log.begin(route, parts.method.to_string(), path, slot);
        let mut open = Open { log: &app.log, id, started: Instant::now(), done: false };
        let resp = next.run(Request::from_parts(parts, body)).await;
        open.done = true;
        app.log.finish(id, resp.status().as_u16(), false, open.started);
        resp
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().entry("x-request-id").or_insert(v);
    }
    resp
}

/// A request body that counts the bytes read from it into the log, and fails once the server
/// has waited `timeout` for the next piece (a slow-loris body). The clock runs only while a
/// reader waits, so a handler that reads late (a fault's delay) is not blamed on the client.
struct Counting {
    inner: Body,
    slot: Arc<Slot>,
    timeout: Duration,
    waiting: Option<Pin<Box<Sleep>>>,
}

impl http_body::Body for Counting {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if polled.is_ready() {
            self.waiting = None;
        }
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.slot.count(data.len() as u64);
                }
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let sleep = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if sleep.as_mut().poll(cx).is_ready() {
                    self.slot.set_body_timed_out(timeout);
                    let err = std::io::Error::new(std::io::ErrorKind::TimedOut, format!("no request body bytes for {} s", timeout.as_secs_f64()));
                    return Poll::Ready(Some(Err(axum::Error::new(err))));
                }
            }
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
