//! The request log behind `GET /__dev/log` (`middleware::record` fills it).
//!
//! An entry is added when a request arrives (`in_flight: true`) and closed when its response is
//! ready, or when the connection goes away first (`status: 0`, `aborted: true`): a dropped
//! connection, a stall the client gave up on, a client that cancelled.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Method;
use serde::Serialize;

use crate::base::clock::now_ms;
use crate::base::origins::Origin;

/// What handlers and the fault layer tell the log about one request.
#[derive(Debug, Default)]
pub struct Slot {
    bytes: AtomicU64,
    info: Mutex<Notes>,
    /// Set when the body stopped arriving: the body timeout that passed.
    body_timeout: Mutex<Option<Duration>>,
}

/// What handlers and the fault layer noted about one request.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Notes {
    /// The injected fault's kind, or null.
    pub fault: Option<String>,
    /// The preset it came from, `"chaos"` for chaos faults.
    pub fault_preset: Option<String>,
    /// How the bearer token went: `id`, `access`, `missing`, `invalid`, `expired`.
    pub auth: Option<String>,
    /// The voice note the request was about.
    pub voicenote_id: Option<String>,
    /// The part a storage `PUT` carried.
    pub part_number: Option<u32>,
    /// A presign answered while the storage origin refuses this page's origin (`no_cors`) or
    /// every connection (`down`): the page's origin, which the upload's `PUT`s will fail from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_refuses_origin: Option<String>,
}

impl Slot {
    /// Adds to what the log says about this request.
    pub fn note(&self, f: impl FnOnce(&mut Notes)) {
        f(&mut self.info.lock().unwrap());
    }

    /// `n` more bytes of the request body were read.
    pub fn count(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// The body stopped arriving: no bytes for `waited`.
    pub fn set_body_timed_out(&self, waited: Duration) {
        *self.body_timeout.lock().unwrap() = Some(waited);
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

#[derive(Debug)]
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
    /// In order of arrival, from 1.
    pub id: u64,
    /// `token`, `upload`, `voicenotes`, `storage`, `preflight` or `static`.
    pub route: &'static str,
    /// The request's method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// 0 while in flight and when no response was sent.
    pub status: u16,
    /// When the request arrived, in Unix milliseconds.
    pub at_ms: f64,
    /// When it was answered or given up on.
    pub end_ms: Option<f64>,
    /// Request body bytes read.
    pub bytes_received: u64,
    /// Not answered yet.
    pub in_flight: bool,
    /// The connection went away before an answer.
    pub aborted: bool,
    /// What handlers and the fault layer noted.
    #[serde(flatten)]
    pub notes: Notes,
}

/// Every request since the start or the last clear, except `/__dev/`'s.
#[derive(Debug)]
pub struct RequestLog {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
    quiet: bool,
}

impl RequestLog {
    /// An empty log; `quiet`: no request lines on stderr.
    pub(crate) fn new(quiet: bool) -> Self {
        RequestLog { entries: Mutex::new(Vec::new()), next_id: AtomicU64::new(1), quiet }
    }

    /// Adds an entry for a request that just arrived; returns its id.
    pub(crate) fn begin(&self, route: &'static str, method: String, path: String, slot: Arc<Slot>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Entry { id, route, method, path, at_ms: now_ms(), end_ms: None, status: 0, aborted: false, slot };
        self.entries.lock().unwrap().push(entry);
        id
    }

    /// Closes the entry `id` with its outcome (`aborted`: the connection went away first).
    pub(crate) fn finish(&self, id: u64, status: u16, aborted: bool, started: Instant) {
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

    /// The entries, oldest first.
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

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.entries.lock().unwrap().clear();
    }
}

/// Which route a request counts as in the log (and for faults).
pub fn route_name(origin: Origin, method: &Method, path: &str) -> &'static str {
    if method == Method::OPTIONS {
        return "preflight";
    }
    match origin {
        Origin::Storage if path.starts_with("/storage/") => "storage",
        // Not an upload: a browser probing whether the origin answers at all.
        Origin::Storage => "other",
        Origin::Api if path == "/api/token" => "token",
        Origin::Api if path == "/upload" => "upload",
        Origin::Api if path == "/voicenotes" || path.starts_with("/voicenotes/") => "voicenotes",
        Origin::Api if path == "/token" || path == "/recordings" || path.starts_with("/recordings/") || path == "/webhooks" || path.starts_with("/webhooks/") => "backend",
        Origin::Api => "static",
    }
}
