//! The request log behind `GET /__dev/log`, and the middleware that fills it.
//!
//! An entry is added when a request arrives (`in_flight: true`) and closed when its response is
//! ready, or when the connection goes away first (`status: 0`, `aborted: true`): a dropped
//! connection, a stall the client gave up on, a client that cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use serde::Serialize;
use tokio::time::Sleep;

use crate::clock::now_ms;
use crate::{App, Origin};

/// What handlers and the fault layer tell the log about one request.
#[derive(Default)]
pub struct Slot {
    bytes: AtomicU64,
    info: Mutex<Notes>,
    /// Set when the body stopped arriving: the body timeout that passed.
    body_timeout: Mutex<Option<Duration>>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Notes {
    /// The injected fault's kind, or null.
    pub fault: Option<String>,
    /// The preset it came from, `"chaos"` for chaos faults.
    pub fault_preset: Option<String>,
    /// How the bearer token went: `id`, `access`, `missing`, `invalid`, `expired`.
    pub auth: Option<String>,
    pub voicenote_id: Option<String>,
    pub part_number: Option<u32>,
}

impl Slot {
    pub fn note(&self, f: impl FnOnce(&mut Notes)) {
        f(&mut self.info.lock().unwrap());
    }

    /// The body timeout, if the request's body stopped arriving for that long.
    pub fn body_timed_out(&self) -> Option<Duration> {
        *self.body_timeout.lock().unwrap()
    }
}

/// The request id of the current request (also its `X-Request-Id` and envelope `request_id`).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub fn new_request_id() -> String {
    format!("req_{}", &uuid::Uuid::new_v4().simple().to_string()[..24])
}

struct Entry {
    id: u64,
    route: &'static str,
    method: String,
    path: String,
    at_ms: f64,
    end_ms: Option<f64>,
    status: u16,
    aborted: bool,
    slot: Arc<Slot>,
}

/// One line of `GET /__dev/log`.
#[derive(Clone, Debug, Serialize)]
pub struct LogLine {
    pub id: u64,
    pub route: &'static str,
    pub method: String,
    pub path: String,
    /// 0 while in flight and when no response was sent.
    pub status: u16,
    pub at_ms: f64,
    pub end_ms: Option<f64>,
    pub bytes_received: u64,
    pub in_flight: bool,
    pub aborted: bool,
    #[serde(flatten)]
    pub notes: Notes,
}

pub struct RequestLog {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
    quiet: bool,
}

impl RequestLog {
    pub fn new(quiet: bool) -> Self {
        RequestLog { entries: Mutex::new(Vec::new()), next_id: AtomicU64::new(1), quiet }
    }

    fn begin(&self, route: &'static str, method: String, path: String, slot: Arc<Slot>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Entry { id, route, method, path, at_ms: now_ms(), end_ms: None, status: 0, aborted: false, slot };
        self.entries.lock().unwrap().push(entry);
        id
    }

    fn finish(&self, id: u64, status: u16, aborted: bool, started: Instant) {
        let mut entries = self.entries.lock().unwrap();
        // The log may have been cleared meanwhile.
        let Some(e) = entries.iter_mut().rev().find(|e| e.id == id) else {
            return;
        };
        e.status = status;
        e.aborted = aborted;
        e.end_ms = Some(now_ms());
        if !self.quiet {
            let notes = e.slot.info.lock().unwrap().clone();
            let fault = notes.fault.map(|f| format!(" fault={f}")).unwrap_or_default();
            let outcome = if aborted { "dropped".to_string() } else { status.to_string() };
            eprintln!("{} {} {} {}ms{}", e.method, e.path, outcome, started.elapsed().as_millis(), fault);
        }
    }

    pub fn lines(&self) -> Vec<LogLine> {
        self.entries
            .lock()
            .unwrap()
            .iter()
            .map(|e| LogLine {
                id: e.id,
                route: e.route,
                method: e.method.clone(),
                path: e.path.clone(),
                status: e.status,
                at_ms: e.at_ms,
                end_ms: e.end_ms,
                bytes_received: e.slot.bytes.load(Ordering::Relaxed),
                in_flight: e.end_ms.is_none(),
                aborted: e.aborted,
                notes: e.slot.info.lock().unwrap().clone(),
            })
            .collect()
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap().clear();
    }
}

/// Which route a request counts as in the log (and for faults).
pub fn route_name(origin: Origin, method: &Method, path: &str) -> &'static str {
    if method == Method::OPTIONS {
        return "preflight";
    }
    match origin {
        Origin::Storage => "storage",
        Origin::Api if path == "/api/token" => "token",
        Origin::Api if path == "/upload" => "upload",
        Origin::Api if path == "/voicenotes" || path.starts_with("/voicenotes/") => "voicenotes",
        Origin::Api => "static",
    }
}

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

/// The outermost layer: request id, log entry (not for `/__dev/`), byte counting, and the body
/// timeout.
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
                    self.slot.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                }
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let sleep = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if sleep.as_mut().poll(cx).is_ready() {
                    *self.slot.body_timeout.lock().unwrap() = Some(timeout);
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
