//! Uploading: the token cache, the presign request, and single or multipart `PUT`s with
//! progress, retries, backoff, stall detection and cancellation.
//!
//! JSON calls use `fetch` (gloo-net); storage `PUT`s use `XMLHttpRequest`, the only browser API
//! that reports upload progress. The recording stays a `Blob`: parts are `Blob.slice`s, so no
//! audio byte is copied into wasm memory.

use crate::core::text::Num;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_net::http::{Request, RequestBuilder};
use gloo_timers::callback::{Interval, Timeout};
use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, Blob, RequestCredentials, XmlHttpRequest};

use super::js::set;
use super::sdk::SdkContext;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::protocol::{PartInfo, TokenRequest, TokenResponse, UploadGrant};
use crate::core::response::error_from_response;
use crate::core::retry::RetryPolicy;
use crate::core::upload::{preflight, token_needs_refresh, upload_request, Progress, UploadSpec};
use crate::core::durable::{probe_delay_ms, UploadJournal};

/// Parts in flight at once for a multipart upload.
const PART_CONCURRENCY: usize = 3;
/// New presigns after storage refused expired URLs.
const MAX_PRESIGNS: u32 = 3;

fn now() -> f64 {
    js_sys::Date::now()
}

fn aborted() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the upload was cancelled")
}

// ---- cancellation and time ----

/// An `AbortController` that also aborts when `parent` does. Dropping it detaches it.
struct Child {
    controller: AbortController,
    _link: Option<EventListener>,
}

impl Child {
    fn of(parent: &AbortSignal) -> Result<Child, SdkError> {
        let controller = AbortController::new().map_err(|_| SdkError::new(ErrorCode::NotSupported, "AbortController is missing"))?;
        if parent.aborted() {
            controller.abort();
        }
        let c = controller.clone();
        let link = EventListener::once(parent, "abort", move |_| c.abort());
        Ok(Child { controller, _link: Some(link) })
    }
    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
}

/// Waits `ms` (or until `window` fires `wake_on`, when given), or fails with `ABORTED` as soon
/// as `signal` aborts.
async fn sleep(ms: f64, wake_on: Option<&'static str>, signal: &AbortSignal) -> Result<(), SdkError> {
    if signal.aborted() {
        return Err(aborted());
    }
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let send = |value: bool| {
        let tx = tx.clone();
        move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(value);
            }
        }
    };
    let _timer = Timeout::new(ms.clamp(0.0, 86_400_000.0) as u32, send(true));
    let _wake = wake_on.zip(web_sys::window()).map(|(event, w)| {
        let wake = send(true);
        EventListener::once(&w, event, move |_| wake())
    });
    let abort = send(false);
    let _abort = EventListener::once(signal, "abort", move |_| abort());
    match rx.await {
        Ok(true) => Ok(()),
        _ => Err(aborted()),
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries are spent, sleeping by the
/// policy (and never less than the server's `Retry-After`) in between.
async fn with_retries<T, F, Fut>(policy: RetryPolicy, signal: &AbortSignal, mut attempt: F) -> Result<T, SdkError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SdkError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Ok(v) => return Ok(v),
            Err(e) if signal.aborted() || e.code == ErrorCode::Aborted => return Err(aborted()),
            // The browser knows it is offline: retrying now is pointless, the upload waits.
            Err(e) if e.code == ErrorCode::NetworkError && !super::durable::online() => return Err(e),
            Err(e) => {
                tries += 1;
                match policy.delay_ms(tries, &e, js_sys::Math::random()) {
                    Some(ms) => sleep(ms, None, signal).await?,
                    None => return Err(e),
                }
            }
        }
    }
}

// ---- JSON requests (fetch) ----

struct Answer {
    status: u16,
    body: String,
}

/// Sends a request with a timeout; a non-2xx answer becomes the mapped `SdkError`.
async fn send(builder: RequestBuilder, body: Option<String>, signal: &AbortSignal, timeout_ms: f64) -> Result<Answer, SdkError> {
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

// ---- the token cache ----

struct Token {
    value: String,
    issued_ms: f64,
    expires_ms: f64,
}

/// The JWT from the app's backend: cached, refreshed ahead of expiry, one refresh at a time.
#[derive(Default)]
pub struct TokenCache {
    token: RefCell<Option<Token>>,
    /// Callers waiting on the refresh in flight, if one is.
    waiting: RefCell<Option<Vec<oneshot::Sender<Result<String, SdkError>>>>>,
    /// Bumped by `forget`, so a refresh that was in flight is not cached afterwards.
    epoch: Cell<u64>,
}

impl TokenCache {
    pub fn forget(&self) {
        self.token.borrow_mut().take();
        self.epoch.set(self.epoch.get() + 1);
    }

    /// A valid token; `stale` is one the API just refused, which must not be handed out again.
    pub async fn get(&self, ctx: &SdkContext, stale: Option<&str>) -> Result<String, SdkError> {
        if let Some(t) = self.token.borrow().as_ref() {
            let refused = stale == Some(t.value.as_str());
            if !refused && !token_needs_refresh(now(), t.issued_ms, t.expires_ms) {
                return Ok(t.value.clone());
            }
        }
        let in_flight = {
            let mut waiting = self.waiting.borrow_mut();
            match waiting.as_mut() {
                Some(list) => {
                    let (tx, rx) = oneshot::channel();
                    list.push(tx);
                    Some(rx)
                }
                None => {
                    *waiting = Some(Vec::new());
                    None
                }
            }
        };
        if let Some(rx) = in_flight {
            return rx.await.unwrap_or_else(|_| Err(SdkError::new(ErrorCode::AuthenticationFailed, "the token refresh was dropped")));
        }
        let epoch = self.epoch.get();
        let result = fetch_token(ctx).await;
        if let Ok(token) = &result {
            if self.epoch.get() == epoch {
                *self.token.borrow_mut() = Some(Token { value: token.value.clone(), issued_ms: token.issued_ms, expires_ms: token.expires_ms });
            }
        }
        let result = result.map(|t| t.value);
        for tx in self.waiting.borrow_mut().take().unwrap_or_default() {
            let _ = tx.send(result.clone());
        }
        result
    }
}

async fn fetch_token(ctx: &SdkContext) -> Result<Token, SdkError> {
    let body = TokenRequest::default().to_json();
    let mut builder = Request::post(&ctx.config.token_endpoint).credentials(RequestCredentials::Include);
    for (k, v) in &ctx.config.token_request_headers {
        builder = builder.header(k, v);
    }
    let never = AbortController::new().map_err(|_| SdkError::new(ErrorCode::NotSupported, "AbortController is missing"))?;
    let issued_ms = now();
    let answer = send(builder, Some(body), &never.signal(), ctx.config.timeout_ms).await.map_err(|e| {
        if e.code == ErrorCode::NetworkError {
            return e;
        }
        SdkError { code: ErrorCode::AuthenticationFailed, message: format!("the token endpoint refused: {}", e.message), ..e }
    })?;
    let parsed = TokenResponse::from_json(&answer.body).ok_or_else(|| {
        SdkError::new(ErrorCode::AuthenticationFailed, format!("the token endpoint answered {} without a token (not a JSON object)", answer.status))
    })?;
    let value = parsed
        .token()
        .ok_or_else(|| SdkError::new(ErrorCode::AuthenticationFailed, "the token endpoint answered without a token"))?
        .to_string();
    let lifetime_ms = if parsed.data.expires_in > 0 { parsed.data.expires_in as f64 * 1000.0 } else { 3_600_000.0 };
    Ok(Token { value, issued_ms, expires_ms: issued_ms + lifetime_ms })
}

/// `init()`: the first token. Any failure of the token endpoint is `AUTHENTICATION_FAILED`.
pub async fn fetch_first_token(ctx: &SdkContext) -> Result<(), SdkError> {
    ctx.tokens.get(ctx, None).await.map(|_| ()).map_err(|e| SdkError {
        code: ErrorCode::AuthenticationFailed,
        message: format!("could not get a token from {}: {}", ctx.config.token_endpoint, e.message),
        ..e
    })
}

pub fn forget_token(ctx: &SdkContext) {
    ctx.tokens.forget();
}

// ---- presign ----

fn is_auth_refusal(e: &SdkError) -> bool {
    matches!(e.code, ErrorCode::InvalidToken | ErrorCode::TokenExpired | ErrorCode::AuthenticationFailed) && e.status == Some(401)
}

/// `POST /upload`, refreshing the token once if the API refuses it.
async fn presign(ctx: &SdkContext, spec: &UploadSpec, signal: &AbortSignal) -> Result<UploadGrant, SdkError> {
    let body = upload_request(spec).to_json();
    let url = format!("{}/upload", ctx.config.api_base_url);
    let policy = RetryPolicy::new(ctx.config.retries);
    let attempt = |token: String| {
        let (body, url) = (body.clone(), url.clone());
        async move {
            let builder = Request::post(&url).header("Authorization", &format!("Bearer {token}"));
            send(builder, Some(body), signal, ctx.config.timeout_ms).await
        }
    };
    let mut token = ctx.tokens.get(ctx, None).await?;
    let mut refreshed = false;
    let answer = loop {
        let t = token.clone();
        // A refused token is not retried as it is: it is refreshed once, below.
        let once = || async { attempt(t.clone()).await.map_err(|e| if is_auth_refusal(&e) { SdkError { code: ErrorCode::InvalidToken, ..e } } else { e }) };
        match with_retries(policy, signal, once).await {
            Ok(a) => break a,
            Err(e) if is_auth_refusal(&e) && !refreshed => {
                refreshed = true;
                token = ctx.tokens.get(ctx, Some(&token)).await?;
            }
            Err(e) if is_auth_refusal(&e) => {
                return Err(SdkError {
                    code: ErrorCode::AuthenticationFailed,
                    message: format!("the API refused a fresh token: {}", e.message),
                    ..e
                })
            }
            Err(e) => return Err(e),
        }
    };
    UploadGrant::from_envelope(&answer.body)
        .ok_or_else(|| SdkError::new(ErrorCode::UnknownError, "unexpected answer to POST /upload: not JSON with a data object"))
}

// ---- storage PUTs (XMLHttpRequest) ----

/// `PUT`s `body` to a presigned URL. Fails with `NETWORK_ERROR` if no byte moves for
/// `stall_ms`, `ABORTED` when `signal` aborts.
async fn put(url: &str, body: &Blob, content_type: &str, signal: &AbortSignal, stall_ms: f64, on_sent: Rc<dyn Fn(u64)>) -> Result<(), SdkError> {
    if signal.aborted() {
        return Err(aborted());
    }
    let xhr = XmlHttpRequest::new().map_err(|_| SdkError::new(ErrorCode::NotSupported, "XMLHttpRequest is missing"))?;
    let failed = |e: JsValue| SdkError::new(ErrorCode::NetworkError, format!("could not send: {e:?}"));
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
    raw.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A 403 from storage: the presigned URL expired (PROTOCOL.md); the remedy is a new presign.
fn url_expired(e: &SdkError) -> bool {
    e.status == Some(403)
}

// ---- one upload ----

/// What an upload reports back as it goes.
pub trait UploadObserver {
    fn progress(&self, percent: f64);
    /// The upload waits for the network (`true`), or has reached it again (`false`).
    fn waiting(&self, _waiting: bool) {}
}

/// Tells the observer about waiting only when it changes.
struct Watch {
    observer: Rc<dyn UploadObserver>,
    waiting: Cell<bool>,
}

impl Watch {
    fn progress(&self, percent: f64) {
        self.observer.progress(percent);
    }
    /// A server answered: the network is back.
    fn reached(&self) {
        if self.waiting.replace(false) {
            self.observer.waiting(false);
        }
    }
    /// A storage `PUT` ended: any HTTP answer means the network is there.
    fn answered<T>(&self, result: Result<T, SdkError>) -> Result<T, SdkError> {
        if result.as_ref().map_or_else(|e| e.status.is_some(), |_| true) {
            self.reached();
        }
        result
    }
    fn lost(&self) {
        if !self.waiting.replace(true) {
            self.observer.waiting(true);
        }
    }
}

/// How far an upload got, kept across attempts (and, for stored recordings, across page loads:
/// `save` writes every change to IndexedDB).
pub struct Journal {
    state: RefCell<UploadJournal>,
    save: Option<Box<dyn Fn(&UploadJournal)>>,
}

impl Journal {
    pub fn new(initial: UploadJournal, save: Option<Box<dyn Fn(&UploadJournal)>>) -> Journal {
        Journal { state: RefCell::new(initial), save }
    }
    pub fn update(&self, change: impl FnOnce(&mut UploadJournal)) {
        change(&mut self.state.borrow_mut());
        if let Some(save) = &self.save {
            save(&self.state.borrow());
        }
    }
    pub fn snapshot(&self) -> UploadJournal {
        self.state.borrow().clone()
    }
    fn usable(&self) -> Option<UploadGrant> {
        self.state.borrow().usable(now()).cloned()
    }
    fn is_done(&self, part_number: u32) -> bool {
        self.state.borrow().is_done(part_number)
    }
}

/// Uploads `blob` as described by `spec`. The `UploadResult` object on success.
pub async fn upload_blob(
    ctx: &SdkContext,
    blob: &Blob,
    mime_type: &str,
    spec: &UploadSpec,
    signal: &AbortSignal,
    observer: Rc<dyn UploadObserver>,
) -> Result<JsValue, SdkError> {
    upload_resumable(ctx, blob, mime_type, spec, signal, observer, &Rc::new(Journal::new(UploadJournal::default(), None))).await
}

/// Uploads what `journal` says is not sent yet. When the network is gone the upload waits (the
/// observer hears of it) and resumes, for at most `offlineWaitMs`; any other failure ends it.
pub async fn upload_resumable(
    ctx: &SdkContext,
    blob: &Blob,
    mime_type: &str,
    spec: &UploadSpec,
    signal: &AbortSignal,
    observer: Rc<dyn UploadObserver>,
    journal: &Rc<Journal>,
) -> Result<JsValue, SdkError> {
    preflight(spec)?;
    let watch = Rc::new(Watch { observer, waiting: Cell::new(false) });
    let deadline = now() + ctx.config.offline_wait_ms;
    let mut waits = 0;
    loop {
        match attempt(ctx, blob, mime_type, spec, signal, &watch, journal).await {
            Err(e) if e.code == ErrorCode::NetworkError && !signal.aborted() => {
                let Some(delay) = probe_delay_ms(waits, now(), deadline) else { return Err(e) };
                waits += 1;
                watch.lost();
                // Back when the browser says it is online, or at the next probe.
                sleep(delay, Some("online"), signal).await?;
            }
            other => return other,
        }
    }
}

async fn attempt(ctx: &SdkContext, blob: &Blob, mime_type: &str, spec: &UploadSpec, signal: &AbortSignal, watch: &Rc<Watch>, journal: &Rc<Journal>) -> Result<JsValue, SdkError> {
    let mut presigns = 0;
    loop {
        let grant = match journal.usable() {
            Some(grant) => grant,
            None => {
                presigns += 1;
                let grant = presign(ctx, spec, signal).await?;
                watch.reached();
                journal.update(|j| j.granted(grant.clone(), now()));
                grant
            }
        };
        let sent = match grant.upload_info.as_ref().filter(|_| grant.is_multipart()) {
            Some(info) => send_parts(ctx, blob, mime_type, &info.parts, signal, watch.clone(), journal).await,
            None if journal.is_done(1) => Ok(()),
            None => send_single(ctx, blob, mime_type, &grant, signal, watch.clone()).await.map(|()| journal.update(|j| j.part_done(1))),
        };
        match sent {
            Ok(()) => {
                // The transfers' own progress stops at 99: 100 means the server confirmed.
                watch.progress(100.0);
                return Ok(result_object(&grant, spec));
            }
            Err(e) if url_expired(&e) && presigns < MAX_PRESIGNS => journal.update(UploadJournal::expire),
            Err(e) => return Err(e),
        }
    }
}

async fn send_single(ctx: &SdkContext, blob: &Blob, mime: &str, grant: &UploadGrant, signal: &AbortSignal, watch: Rc<Watch>) -> Result<(), SdkError> {
    let url = grant
        .presigned_url
        .clone()
        .ok_or_else(|| SdkError::new(ErrorCode::UnknownError, "the upload answer has no presigned_url"))?;
    let progress = RefCell::new(Progress::new(blob.size() as u64, 1));
    let w = watch.clone();
    let report: Rc<dyn Fn(u64)> = Rc::new(move |bytes| {
        if let Some(p) = progress.borrow_mut().update(0, bytes) {
            w.progress(p);
        }
    });
    with_retries(RetryPolicy::new(ctx.config.retries), signal, || async { watch.answered(put(&url, blob, mime, signal, ctx.config.timeout_ms, report.clone()).await) }).await
}

/// Sends every part the journal does not have, `PART_CONCURRENCY` at a time, each with its own
/// retries, noting each in the journal as storage accepts it. The first part that fails for
/// good stops the others.
async fn send_parts(ctx: &SdkContext, blob: &Blob, mime: &str, parts: &[PartInfo], signal: &AbortSignal, watch: Rc<Watch>, journal: &Rc<Journal>) -> Result<(), SdkError> {
    let total = blob.size() as u64;
    if parts.is_empty() || parts.iter().any(|p| p.end_byte >= total || p.start_byte > p.end_byte) {
        return Err(SdkError::new(ErrorCode::UnknownError, "the upload answer's parts do not fit the recording"));
    }
    let stop = Child::of(signal)?;
    let mut progress = Progress::new(total, parts.len());
    let mut queue = VecDeque::new();
    for (index, part) in parts.iter().enumerate() {
        if journal.is_done(part.part_number) {
            progress.update(index, part.end_byte - part.start_byte + 1);
        } else {
            queue.push_back((index, part.clone()));
        }
    }
    let shared = Rc::new(PartJob {
        queue: RefCell::new(queue),
        progress: RefCell::new(progress),
        journal: journal.clone(),
        blob: blob.clone(),
        mime: mime.to_string(),
        signal: stop.signal(),
        policy: RetryPolicy::new(ctx.config.retries),
        stall_ms: ctx.config.timeout_ms,
        watch,
        failure: RefCell::new(None),
    });
    let workers = PART_CONCURRENCY.min(shared.queue.borrow().len());
    let mut done = Vec::new();
    for _ in 0..workers {
        let (tx, rx) = oneshot::channel::<()>();
        let (job, controller) = (shared.clone(), stop.controller.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = job.clone().work().await {
                job.failure.borrow_mut().get_or_insert(e);
                controller.abort();
            }
            let _ = tx.send(());
        });
        done.push(rx);
    }
    for rx in done {
        let _ = rx.await;
    }
    if signal.aborted() {
        return Err(aborted());
    }
    let failure = shared.failure.borrow_mut().take();
    failure.map_or(Ok(()), Err)
}

struct PartJob {
    queue: RefCell<VecDeque<(usize, PartInfo)>>,
    progress: RefCell<Progress>,
    /// Each part storage accepts is written down at once.
    journal: Rc<Journal>,
    blob: Blob,
    mime: String,
    signal: AbortSignal,
    policy: RetryPolicy,
    stall_ms: f64,
    watch: Rc<Watch>,
    failure: RefCell<Option<SdkError>>,
}

impl PartJob {
    async fn work(self: Rc<Self>) -> Result<(), SdkError> {
        loop {
            let Some((index, part)) = self.queue.borrow_mut().pop_front() else { return Ok(()) };
            let slice = self
                .blob
                .slice_with_f64_and_f64(part.start_byte as f64, part.end_byte as f64 + 1.0)
                .map_err(|_| SdkError::new(ErrorCode::RecordingFailed, "could not slice the recording"))?;
            let job = self.clone();
            let report: Rc<dyn Fn(u64)> = Rc::new(move |bytes| {
                if let Some(p) = job.progress.borrow_mut().update(index, bytes) {
                    job.watch.progress(p);
                }
            });
            with_retries(self.policy, &self.signal, || async {
                self.watch.answered(put(&part.presigned_url, &slice, &self.mime, &self.signal, self.stall_ms, report.clone()).await)
            })
            .await?;
            self.journal.update(|j| j.part_done(part.part_number));
        }
    }
}

pub fn result_object(grant: &UploadGrant, spec: &UploadSpec) -> JsValue {
    let o = Object::new();
    set(&o, "voicenote_id", &grant.voicenote_id.as_str().into());
    set(&o, "upload_type", &(if grant.is_multipart() { "multipart" } else { "single" }).into());
    set(&o, "file_size", &(spec.size as f64).into());
    set(&o, "duration_seconds", &upload_request(spec).duration_seconds.into());
    set(&o, "audio_format", &spec.format.as_str().into());
    if !grant.s3_key.is_empty() {
        set(&o, "s3_key", &grant.s3_key.as_str().into());
    }
    if !grant.processing_strategy.is_empty() {
        set(&o, "processing_strategy", &grant.processing_strategy.as_str().into());
    }
    set(&o, "client_processed", &grant.client_processed.into());
    o.into()
}
