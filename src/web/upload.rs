//! Uploading a recording: the presign request, and single or multipart `PUT`s with progress,
//! retries, backoff, stall detection and cancellation. The recording stays a `Blob`: parts are
//! `Blob.slice`s, so no audio byte is copied into wasm memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use futures_channel::oneshot;
use web_sys::{AbortSignal, Blob};

use super::abort::{aborted, sleep, Child};
use super::http::{page_origin, probe, put, send, Post};
use super::network::online;
use super::sdk::SdkContext;
use crate::core::durable::{probe_delay_ms, UploadJournal};
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::network::{classify, origin_of, NetworkNotice, Probes};
use crate::core::protocol::{PartInfo, UploadGrant};
use crate::core::retry::RetryPolicy;
use crate::core::upload::{preflight, upload_request, Progress, UploadResult, UploadSpec};

/// Parts in flight at once for a multipart upload.
const PART_CONCURRENCY: usize = 3;
/// New presigns after storage refused expired URLs.
const MAX_PRESIGNS: u32 = 3;
/// The longest a probe of an unreachable origin waits for an answer.
const PROBE_TIMEOUT_MS: f64 = 5_000.0;

fn now() -> f64 {
    js_sys::Date::now()
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
            Err(e) if e.code == ErrorCode::NetworkError && !online() => return Err(e),
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

// ---- presign ----

fn is_auth_refusal(e: &SdkError) -> bool {
    matches!(e.code, ErrorCode::InvalidToken | ErrorCode::TokenExpired | ErrorCode::AuthenticationFailed) && e.status == Some(401)
}

/// `POST /upload`, refreshing the token once if the API refuses it.
async fn presign(ctx: &SdkContext, spec: &UploadSpec, signal: &AbortSignal, watch: &Watch) -> Result<UploadGrant, SdkError> {
    let body = upload_request(spec).to_json();
    let url = format!("{}/upload", ctx.config.api_base_url);
    let policy = RetryPolicy::new(ctx.config.retries);
    let attempt = |token: String| {
        let (body, url) = (body.clone(), url.clone());
        async move {
            let builder = Post::new(&url).header("Authorization", &format!("Bearer {token}"));
            watch.answered(&url, send(builder, Some(body), signal, ctx.config.timeout_ms).await)
        }
    };
    // The token endpoint counts as a request of the upload: retried alike, and named when
    // unreachable.
    let endpoint = &ctx.config.token_endpoint;
    let fetch_token = |stale: Option<String>| {
        with_retries(policy, signal, move || {
            let stale = stale.clone();
            async move { watch.answered(endpoint, ctx.tokens.get(&ctx.config, stale.as_deref()).await) }
        })
    };
    let mut token = fetch_token(None).await?;
    let mut refreshed = false;
    let answer = loop {
        let t = token.clone();
        // A refused token is not retried as it is: it is refreshed once, below.
        let once = || async { attempt(t.clone()).await.map_err(|e| if is_auth_refusal(&e) { SdkError { code: ErrorCode::InvalidToken, ..e } } else { e }) };
        match with_retries(policy, signal, once).await {
            Ok(a) => break a,
            Err(e) if is_auth_refusal(&e) && !refreshed => {
                refreshed = true;
                token = fetch_token(Some(token)).await?;
            }
            Err(e) if is_auth_refusal(&e) => {
                return Err(SdkError { code: ErrorCode::AuthenticationFailed, message: format!("the API refused a fresh token: {}", e.message), ..e })
            }
            Err(e) => return Err(e),
        }
    };
    UploadGrant::from_envelope(&answer.body)
        .ok_or_else(|| SdkError::new(ErrorCode::UnknownError, "unexpected answer to POST /upload: not JSON with a data object"))
}

/// A 403 from storage: the presigned URL expired (PROTOCOL.md); the remedy is a new presign.
fn url_expired(e: &SdkError) -> bool {
    e.status == Some(403)
}

// ---- one upload ----

/// What an upload reports back as it goes.
pub trait UploadObserver {
    /// The percentage sent so far; it never goes down, and stops at 99 until confirmed.
    fn progress(&self, percent: f64);
    /// The upload lost the network (`true`), or a server answered (`false`); said on every
    /// request, so the observer keeps what changed.
    fn waiting(&self, _waiting: bool) {}
    /// The retries were spent on network errors while the browser says it is online.
    fn unreachable(&self, _notice: NetworkNotice) {}
}

/// Tells the observer what the requests meet. Whether that changes anything (waiting, a
/// notice) is the lifecycle's call, which keeps the state; this keeps only which origin the
/// requests have failed to reach, and how often in a row.
struct Watch {
    observer: Rc<dyn UploadObserver>,
    failing: RefCell<Option<(String, u32)>>,
}

impl Watch {
    fn new(observer: Rc<dyn UploadObserver>) -> Watch {
        Watch { observer, failing: RefCell::new(None) }
    }
    fn progress(&self, percent: f64) {
        self.observer.progress(percent);
    }
    /// A request to `url` ended: any HTTP answer means the network is there; a network error
    /// counts against its origin.
    fn answered<T>(&self, url: &str, result: Result<T, SdkError>) -> Result<T, SdkError> {
        self.ended(url, result.as_ref().err());
        result
    }
    // Apart from `answered`, which is generic: one copy of this in the wasm.
    fn ended(&self, url: &str, error: Option<&SdkError>) {
        match error {
            Some(e) if e.status.is_none() && e.code == ErrorCode::NetworkError => {
                let origin = origin_of(&absolute(url));
                let mut failing = self.failing.borrow_mut();
                match failing.as_mut() {
                    Some((o, n)) if *o == origin => *n += 1,
                    _ => *failing = Some((origin, 1)),
                }
            }
            Some(e) if e.status.is_none() => {}
            _ => {
                self.failing.replace(None);
                self.observer.waiting(false);
            }
        }
    }
    fn lost(&self) {
        self.observer.waiting(true);
    }
    /// The browser says it is online, yet the requests failed: probes the origin they failed
    /// to reach and tells the observer what the core makes of it.
    async fn diagnose(&self, ctx: &SdkContext, signal: &AbortSignal) {
        let Some((origin, attempts)) = self.failing.borrow().clone() else { return };
        let within = ctx.config.timeout_ms.min(PROBE_TIMEOUT_MS);
        let cors_answered = probe(&origin, true, signal, within).await;
        let opaque_answered = !cors_answered && probe(&origin, false, signal, within).await;
        if signal.aborted() {
            return;
        }
        let reason = classify(Probes { online: online(), cors_answered, opaque_answered });
        self.observer.unreachable(NetworkNotice { reason, origin, attempts, page: page_origin() });
    }
}

/// `url` resolved against the page (a relative `apiBaseUrl` or token endpoint is the page's
/// origin's).
fn absolute(url: &str) -> String {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    web_sys::Url::new_with_base(url, &base).map_or_else(|_| url.to_string(), |u| u.href())
}

/// Writes a journal's every change somewhere (IndexedDB, for stored recordings).
pub type SaveJournal = Box<dyn Fn(&UploadJournal)>;

/// How far an upload got, kept across attempts (and, for stored recordings, across page loads:
/// `save` writes every change to IndexedDB).
pub struct Journal {
    state: RefCell<UploadJournal>,
    save: Option<SaveJournal>,
}

// By hand: `save` is a closure.
impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal").field("state", &self.state).field("saved", &self.save.is_some()).finish()
    }
}

impl Journal {
    /// A journal that starts from `initial` and hands every change to `save`, if given.
    pub fn new(initial: UploadJournal, save: Option<SaveJournal>) -> Journal {
        Journal { state: RefCell::new(initial), save }
    }
    /// Changes the journal and saves the result.
    pub fn update(&self, change: impl FnOnce(&mut UploadJournal)) {
        change(&mut self.state.borrow_mut());
        if let Some(save) = &self.save {
            save(&self.state.borrow());
        }
    }
    /// A copy of where the upload is.
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
) -> Result<UploadResult, SdkError> {
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
) -> Result<UploadResult, SdkError> {
    preflight(spec)?;
    let watch = Rc::new(Watch::new(observer));
    let deadline = now() + ctx.config.offline_wait_ms;
    let mut waits = 0;
    loop {
        match attempt(ctx, blob, mime_type, spec, signal, &watch, journal).await {
            Err(e) if e.code == ErrorCode::NetworkError && !signal.aborted() => {
                let Some(delay) = probe_delay_ms(waits, now(), deadline) else { return Err(e) };
                waits += 1;
                watch.lost();
                if online() {
                    watch.diagnose(ctx, signal).await;
                }
                // Back when the browser says it is online, or at the next probe.
                sleep(delay, Some("online"), signal).await?;
            }
            other => return other,
        }
    }
}

async fn attempt(
    ctx: &SdkContext,
    blob: &Blob,
    mime_type: &str,
    spec: &UploadSpec,
    signal: &AbortSignal,
    watch: &Rc<Watch>,
    journal: &Rc<Journal>,
) -> Result<UploadResult, SdkError> {
    let mut presigns = 0;
    loop {
        let grant = match journal.usable() {
            Some(grant) => grant,
            None => {
                presigns += 1;
                let grant = presign(ctx, spec, signal, watch).await?;
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
                return Ok(UploadResult::new(&grant, spec));
            }
            Err(e) if url_expired(&e) && presigns < MAX_PRESIGNS => journal.update(UploadJournal::expire),
            Err(e) => return Err(e),
        }
    }
}

async fn send_single(ctx: &SdkContext, blob: &Blob, mime: &str, grant: &UploadGrant, signal: &AbortSignal, watch: Rc<Watch>) -> Result<(), SdkError> {
    let url = grant.presigned_url.clone().ok_or_else(|| SdkError::new(ErrorCode::UnknownError, "the upload answer has no presigned_url"))?;
    let progress = RefCell::new(Progress::new(blob.size() as u64, 1));
    let w = watch.clone();
    let report: Rc<dyn Fn(u64)> = Rc::new(move |bytes| {
        if let Some(p) = progress.borrow_mut().update(0, bytes) {
            w.progress(p);
        }
    });
    with_retries(RetryPolicy::new(ctx.config.retries), signal, || async {
        watch.answered(&url, put(&url, blob, mime, signal, ctx.config.timeout_ms, report.clone()).await)
    })
    .await
}

/// Sends every part the journal does not have, `PART_CONCURRENCY` at a time, each with its own
/// retries, noting each in the journal as storage accepts it. The first part that fails for
/// good stops the others.
async fn send_parts(
    ctx: &SdkContext,
    blob: &Blob,
    mime: &str,
    parts: &[PartInfo],
    signal: &AbortSignal,
    watch: Rc<Watch>,
    journal: &Rc<Journal>,
) -> Result<(), SdkError> {
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
                self.watch.answered(&part.presigned_url, put(&part.presigned_url, &slice, &self.mime, &self.signal, self.stall_ms, report.clone()).await)
            })
            .await?;
            self.journal.update(|j| j.part_done(part.part_number));
        }
    }
}
