//! HTTP: JSON `POST`s with `fetch`, and storage `PUT`s with `XMLHttpRequest`, the only browser
//! API that reports upload progress. A non-2xx answer becomes the mapped `SdkError`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, Headers, RequestCredentials, RequestInit, RequestMode, Response, XmlHttpRequest};

use super::abort::{aborted, Child};
use super::js::exception_parts;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::response::error_from_response;
use crate::core::text::Num;

fn now() -> f64 {
    js_sys::Date::now()
}

pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// A JSON `POST` to the API or the token endpoint, built by consuming it, sent by [`send`].
/// `fetch` through web-sys, not gloo-net: its request builder, error types and their glue were
/// 2.0 KB gzipped of the main path (BENCHMARKS.md, "Bundle size").
#[derive(Debug)]
pub struct Post {
    url: String,
    headers: Vec<(String, String)>,
    credentials: bool,
}

impl Post {
    pub fn new(url: &str) -> Self {
        Post { url: url.to_owned(), headers: Vec::new(), credentials: false }
    }

    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Cookies go with it, even to another origin (the app's token endpoint may need its session).
    #[must_use]
    pub fn with_credentials(mut self) -> Self {
        self.credentials = true;
        self
    }

    /// The browser's `Request`: a bad URL or header throws here, before anything is sent.
    fn request(&self, body: Option<&str>, signal: &AbortSignal) -> Result<web_sys::Request, JsValue> {
        let headers = Headers::new()?;
        for (name, value) in &self.headers {
            headers.set(name, value)?;
        }
        let init = RequestInit::new();
        init.set_method("POST");
        if let Some(body) = body {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        if self.credentials {
            init.set_credentials(RequestCredentials::Include);
        }
        init.set_signal(Some(signal));
        web_sys::Request::new_with_str_and_init(&self.url, &init)
    }
}

/// The (name, value) pairs of a response's headers.
fn header_pairs(headers: &Headers) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(headers) else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let pair: js_sys::Array = entry.ok()?.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// A request already on its way: started by the package's JS before the wasm was ready (the
/// first token of `VocaFuseSDK.load`), handed over with the controller that aborts it. What it
/// asks for is generated from this crate at build time; how its answer is read is decided here.
#[derive(Debug)]
pub struct Started {
    pub response: js_sys::Promise,
    pub controller: web_sys::AbortController,
}

/// Sends a request with a timeout; a non-2xx answer becomes the mapped `SdkError`.
pub async fn send(post: Post, body: Option<String>, signal: &AbortSignal, timeout_ms: f64) -> Result<Answer, SdkError> {
    let child = Child::of(signal)?;
    let request = post.request(body.as_deref(), &child.signal()).map_err(|e| {
        let (name, message) = exception_parts(&e);
        SdkError::new(ErrorCode::InvalidConfig, format!("could not build the request: {name}: {message}"))
    })?;
    let window = web_sys::window().ok_or_else(|| SdkError::new(ErrorCode::NotSupported, "fetch needs a window"))?;
    let started = Started { response: window.fetch_with_request(&request), controller: child.controller.clone() };
    receive(started, signal, timeout_ms).await
}

/// The answer of a request in flight, within `timeout_ms` from now; a non-2xx answer becomes the
/// mapped `SdkError`. `signal` aborting (or the browser going offline) aborts the request.
pub async fn receive(started: Started, signal: &AbortSignal, timeout_ms: f64) -> Result<Answer, SdkError> {
    let Started { response, controller } = started;
    let timed_out = Rc::new(Cell::new(false));
    let (flag, c) = (timed_out.clone(), controller.clone());
    let _timer = Timeout::new(timeout_ms as u32, move || {
        flag.set(true);
        c.abort();
    });
    let c = controller.clone();
    let _cancel = EventListener::once(signal, "abort", move |_| c.abort());
    if signal.aborted() {
        controller.abort();
    }
    // The browser says the network is gone: a request in flight will not be answered.
    let _offline = web_sys::window().map(|window| {
        let c = controller.clone();
        EventListener::once(&window, "offline", move |_| c.abort())
    });
    let no_answer = |e: JsValue| {
        if timed_out.get() {
            SdkError::new(ErrorCode::NetworkError, format!("no answer within {} ms", Num(timeout_ms)))
        } else if signal.aborted() {
            aborted()
        } else {
            let (name, message) = exception_parts(&e);
            SdkError::new(ErrorCode::NetworkError, format!("no response: {name}: {message}"))
        }
    };
    let response: Response = JsFuture::from(response).await.map_err(no_answer)?.unchecked_into();
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(no_answer)?).await.map_err(no_answer)?.as_string().unwrap_or_default();
    if (200..300).contains(&status) {
        return Ok(Answer { status, body: text });
    }
    Err(error_from_response(status, &text, &header_pairs(&response.headers()), now()))
}

/// Whether `origin` answers a `GET` of its root within `timeout_ms`, as a CORS request
/// (`cors`: an answer this page may read) or a `no-cors` one (any answer, opaque). What the
/// answers mean is `core::network::classify`'s call.
pub async fn probe(origin: &str, cors: bool, signal: &AbortSignal, timeout_ms: f64) -> bool {
    let Ok(child) = Child::of(signal) else { return false };
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(if cors { RequestMode::Cors } else { RequestMode::NoCors });
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(&child.signal()));
    let (Some(window), Ok(request)) = (web_sys::window(), web_sys::Request::new_with_str_and_init(&format!("{origin}/"), &init)) else { return false };
    let c = child.controller.clone();
    let _timer = Timeout::new(timeout_ms as u32, move || c.abort());
    JsFuture::from(window.fetch_with_request(&request)).await.is_ok()
}

/// `location.origin`, for messages about CORS rules.
pub fn page_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `PUT`s `body` to a presigned URL. Fails with `NETWORK_ERROR` if no byte moves for
/// `stall_ms`, `ABORTED` when `signal` aborts.
pub async fn put(url: &str, body: &Blob, content_type: &str, signal: &AbortSignal, stall_ms: f64, on_sent: Rc<dyn Fn(u64)>) -> Result<(), SdkError> {
    if signal.aborted() {
        return Err(aborted());
    }
    let xhr = XmlHttpRequest::new().map_err(|_| SdkError::new(ErrorCode::NotSupported, "XMLHttpRequest is missing"))?;
    let failed = |e: JsValue| {
        let (name, message) = exception_parts(&e);
        SdkError::new(ErrorCode::NetworkError, format!("could not send: {name}: {message}"))
    };
    xhr.open("PUT", url).map_err(failed)?;
    xhr.set_request_header("Content-Type", content_type).map_err(failed)?;

    #[derive(Clone, Copy)]
    enum End {
        Loaded,
        Failed,
        Aborted,
        Stalled,
    }
    let (tx, rx) = oneshot::channel::<End>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = move |end: End| {
        let tx = tx.clone();
        move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(end);
            }
        }
    };
    let last_progress = Rc::new(Cell::new(now()));
    let upload = xhr.upload().map_err(failed)?;
    let progress = {
        let (last, on_sent) = (last_progress.clone(), on_sent.clone());
        EventListener::new(&upload, "progress", move |e| {
            last.set(now());
            if let Some(p) = e.dyn_ref::<web_sys::ProgressEvent>() {
                on_sent(p.loaded() as u64);
            }
        })
    };
    let f = finish(End::Loaded);
    let _load = EventListener::once(&xhr, "load", move |_| f());
    let f = finish(End::Failed);
    let _error = EventListener::once(&xhr, "error", move |_| f());
    let f = finish(End::Aborted);
    let _abort = EventListener::once(&xhr, "abort", move |_| f());
    let x = xhr.clone();
    let _cancel = EventListener::once(signal, "abort", move |_| {
        let _ = x.abort();
    });
    // The browser says the network is gone: this PUT will not be answered.
    let _offline = web_sys::window().map(|w| {
        let (x, f) = (xhr.clone(), finish(End::Failed));
        EventListener::once(&w, "offline", move |_| {
            f();
            let _ = x.abort();
        })
    });
    let stall_finish = Rc::new(RefCell::new(Some(finish(End::Stalled))));
    let (x, last) = (xhr.clone(), last_progress.clone());
    let _stall = Interval::new(250, move || {
        if now() - last.get() > stall_ms {
            if let Some(f) = stall_finish.borrow_mut().take() {
                f();
                let _ = x.abort();
            }
        }
    });
    xhr.send_with_opt_blob(Some(body)).map_err(failed)?;
    let end = rx.await.unwrap_or(End::Failed);
    drop(progress);
    match end {
        End::Loaded => {
            let status = xhr.status().unwrap_or(0);
            if (200..300).contains(&status) {
                on_sent(body.size() as u64);
                return Ok(());
            }
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            let headers = parse_raw_headers(&xhr.get_all_response_headers().unwrap_or_default());
            Err(error_from_response(status, &text, &headers, now()))
        }
        End::Failed => Err(SdkError::new(ErrorCode::NetworkError, "the connection failed while sending")),
        End::Stalled => Err(SdkError::new(ErrorCode::NetworkError, format!("no progress for {} ms", Num(stall_ms)))),
        End::Aborted => Err(aborted()),
    }
}

fn parse_raw_headers(raw: &str) -> Vec<(String, String)> {
    raw.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect()
}
