//! HTTP: JSON requests with `fetch` (gloo-net), and storage `PUT`s with `XMLHttpRequest`, the
//! only browser API that reports upload progress. A non-2xx answer becomes the mapped `SdkError`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_net::http::RequestBuilder;
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, Blob, XmlHttpRequest};

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

/// Sends a request with a timeout; a non-2xx answer becomes the mapped `SdkError`.
pub async fn send(builder: RequestBuilder, body: Option<String>, signal: &AbortSignal, timeout_ms: f64) -> Result<Answer, SdkError> {
    let child = Child::of(signal)?;
    let timed_out = Rc::new(Cell::new(false));
    let (flag, controller) = (timed_out.clone(), child.controller.clone());
    let _timer = Timeout::new(timeout_ms as u32, move || {
        flag.set(true);
        controller.abort();
    });
    // The browser says the network is gone: a request in flight will not be answered.
    let _offline = web_sys::window().map(|w| {
        let controller = child.controller.clone();
        EventListener::once(&w, "offline", move |_| controller.abort())
    });
    let builder = builder.abort_signal(Some(&child.signal()));
    let request = match body {
        Some(b) => builder.header("Content-Type", "application/json").body(b),
        None => builder.build(),
    }
    .map_err(|e| SdkError::new(ErrorCode::InvalidConfig, format!("could not build the request: {e}")))?;
    let no_answer = |e: gloo_net::Error| {
        if timed_out.get() {
            SdkError::new(ErrorCode::NetworkError, format!("no answer within {} ms", Num(timeout_ms)))
        } else if signal.aborted() {
            aborted()
        } else {
            SdkError::new(ErrorCode::NetworkError, format!("no response: {e}"))
        }
    };
    let response = request.send().await.map_err(no_answer)?;
    let status = response.status();
    let text = response.text().await.map_err(no_answer)?;
    if (200..300).contains(&status) {
        return Ok(Answer { status, body: text });
    }
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    Err(error_from_response(status, &text, &headers, now()))
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
