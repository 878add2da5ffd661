//! The voice recorder: microphone, `MediaRecorder`, limits, timers and callbacks.
//!
//! All live resources of one recording sit in a `Session`; dropping it stops the tracks, closes
//! the `AudioContext`, cancels the timers and removes the listeners, so every way out of
//! recording releases everything by construction. App callbacks are never called while the
//! recorder's state is borrowed, so they may call back into the recorder.

use crate::core::text::Num;
use crate::core::json::object;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobEvent, BlobPropertyBag, MediaRecorder, RecordingState};

use super::js::{call, error_from_js, error_to_js, set, Fields};
use super::media::{media_recorder, recording_plan, LevelMeter, Microphone, WavCapture};
use super::sdk::SdkContext;
use super::durable::{patch_webm, Stored};
use super::upload::{upload_resumable, Journal, UploadObserver};
use crate::core::durable::{kept_duration, StoredMeta, StoredState, UploadJournal};
use crate::core::upload::UploadSpec;
use wasm_bindgen_futures::JsFuture;
use crate::core::clock::RecordClock;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::{AudioFormat, FormatPreference, RecordingPlan};
use crate::core::wav;
use crate::core::resample;
use crate::core::limits::{bits_per_second, ChunkVerdict, RecorderLimits, SizeGuard};
use crate::core::state::{next, Event, RecorderState};

/// `MediaRecorder` timeslice: the granularity of the size guard (and of persistence later).
const TIMESLICE_MS: i32 = 250;
const TICK_MS: u32 = 100;
/// If a `MediaRecorder` never fires `stop`, finish with what arrived.
const STOP_GRACE_MS: u32 = 3_000;

pub struct RecorderOptions {
    pub limits: RecorderLimits,
    pub format: FormatPreference,
    pub bits_per_second: u32,
    pub device_id: Option<String>,
    pub auto_upload: bool,
}

#[derive(Default)]
pub struct Callbacks {
    pub on_state_change: Option<Function>,
    pub on_record_progress: Option<Function>,
    pub on_level: Option<Function>,
    pub on_upload_progress: Option<Function>,
    pub on_complete: Option<Function>,
    pub on_error: Option<Function>,
    pub on_cancel: Option<Function>,
}

/// Reads `RecorderOptions` as API.md gives them.
pub fn parse_options(value: &JsValue) -> Result<(RecorderOptions, Callbacks), SdkError> {
    let f = Fields::new(value, "options")?;
    let options = RecorderOptions {
        limits: RecorderLimits::new(f.number("maxDuration")?, f.number("maxFileSize")?)?,
        format: FormatPreference::parse(f.string("format")?.as_deref())?,
        bits_per_second: bits_per_second(f.number("audioBitsPerSecond")?)?,
        device_id: f.string("deviceId")?.filter(|d| !d.is_empty()),
        auto_upload: f.boolean("autoUpload")?.unwrap_or(true),
    };
    let callbacks = Callbacks {
        on_state_change: f.function("onStateChange")?,
        on_record_progress: f.function("onRecordProgress")?,
        on_level: f.function("onLevel")?,
        on_upload_progress: f.function("onUploadProgress")?,
        on_complete: f.function("onComplete")?,
        on_error: f.function("onError")?,
        on_cancel: f.function("onCancel")?,
    };
    Ok((options, callbacks))
}

/// A finished recording, kept until it is uploaded or discarded.
#[derive(Clone)]
pub struct Recording {
    pub blob: Blob,
    pub mime_type: String,
    pub format: AudioFormat,
    pub duration: f64,
    pub size: u64,
    /// ms since the epoch, when recording started (names the uploaded file).
    pub created_at_ms: f64,
}

impl Recording {
    /// The `VoicenoteResult` object.
    pub fn to_js(&self) -> JsValue {
        let o = Object::new();
        set(&o, "blob", &self.blob);
        set(&o, "mimeType", &self.mime_type.as_str().into());
        set(&o, "duration", &self.duration.into());
        set(&o, "size", &(self.size as f64).into());
        set(&o, "format", &self.format.as_str().into());
        o.into()
    }
}

type StopWaiter = oneshot::Sender<Result<(), SdkError>>;

/// Everything one recording holds while the microphone is open.
struct Session {
    id: u64,
    mic: Microphone,
    encoder: Encoder,
    plan: RecordingPlan,
    chunks: Array,
    guard: SizeGuard,
    clock: RecordClock,
    level: Option<LevelMeter>,
    auto_stop: Option<Timeout>,
    stop_grace: Option<Timeout>,
    _ticker: Interval,
    _listeners: Vec<EventListener>,
    stopping: bool,
    /// `finish` has begun (the `stop` event and the grace timer may both call it).
    finishing: bool,
    /// Why recording ended, once it has; a limit or a lost device uploads by itself.
    cause: Option<StopCause>,
    waiters: Vec<StopWaiter>,
    created_at_ms: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StopCause {
    Asked,
    Limit,
    Device,
    PageHide,
}

/// What turns the microphone into bytes.
enum Encoder {
    Media(MediaRecorder),
    /// 16 kHz WAV data, encoded on the audio thread. On stop the capture is taken to fetch the
    /// encoder's last data into `tail`.
    Wav { capture: Option<WavCapture>, tail: Option<js_sys::Uint8Array> },
}

impl Session {
    fn end_media(&mut self) {
        match &mut self.encoder {
            Encoder::Media(media) if media.state() != RecordingState::Inactive => {
                let _ = media.stop();
            }
            Encoder::Wav { capture, .. } => drop(capture.take()),
            _ => {}
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.end_media();
        self.mic.stop();
        for w in self.waiters.drain(..) {
            let _ = w.send(Err(recording_cancelled()));
        }
    }
}

struct Inner {
    state: RecorderState,
    destroyed: bool,
    /// Bumped by every start, cancel and destroy: a stale `getUserMedia` answer is discarded.
    generation: u64,
    session: Option<Session>,
    recording: Option<Recording>,
    /// Aborts the upload in flight.
    upload_abort: Option<web_sys::AbortController>,
    /// The upload in flight, or the last one that succeeded: `stop()` after a limit returns it.
    upload: Option<Promise>,
    /// The copy in IndexedDB of the recording being made or kept (with `persist`).
    stored: Option<Rc<Stored>>,
}

pub struct Recorder {
    inner: RefCell<Inner>,
    pub options: RecorderOptions,
    pub callbacks: Callbacks,
    pub ctx: Rc<SdkContext>,
    /// Called on every state change before the app's callback (`addVoiceNote`'s button).
    state_hook: RefCell<Option<Box<dyn Fn(RecorderState)>>>,
    /// The `addVoiceNote` button bound to this recorder, until `detach()`.
    pub button: RefCell<Option<super::button::Toggle>>,
    me: Weak<Recorder>,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

impl Recorder {
    pub fn new(ctx: Rc<SdkContext>, options: RecorderOptions, callbacks: Callbacks) -> Rc<Recorder> {
        Rc::new_cyclic(|me| Recorder {
            inner: RefCell::new(Inner {
                state: RecorderState::Idle,
                destroyed: false,
                generation: 0,
                session: None,
                recording: None,
                upload_abort: None,
                upload: None,
                stored: None,
            }),
            options,
            callbacks,
            ctx,
            state_hook: RefCell::new(None),
            button: RefCell::new(None),
            me: me.clone(),
        })
    }

    // ---- reading ----

    pub fn state(&self) -> RecorderState {
        self.inner.borrow().state
    }

    /// Recorded seconds: live while recording, else those of the kept recording.
    pub fn duration(&self) -> f64 {
        let inner = self.inner.borrow();
        match (&inner.session, &inner.recording) {
            (Some(s), _) => s.clock.elapsed_ms(now_ms()) / 1000.0,
            (None, Some(r)) => r.duration,
            _ => 0.0,
        }
    }

    pub fn recording(&self) -> Option<Recording> {
        self.inner.borrow().recording.clone()
    }

    // ---- the state machine and callbacks ----

    /// The one place the state changes.
    fn transition(&self, event: Event) -> Result<(), SdkError> {
        let changed = {
            let mut inner = self.inner.borrow_mut();
            if inner.destroyed {
                return Err(SdkError::new(ErrorCode::InvalidState, format!("{}() after destroy()", event.action())));
            }
            let to = next(inner.state, event)?;
            let changed = to != inner.state;
            inner.state = to;
            changed.then_some(to)
        };
        if let Some(to) = changed {
            if let Some(hook) = self.state_hook.borrow().as_ref() {
                hook(to);
            }
            call(&self.callbacks.on_state_change, &to.as_str().into());
        }
        Ok(())
    }

    /// Delivers an error to `onError` and returns it as the JS value to reject with.
    pub fn report(&self, err: &SdkError) -> JsValue {
        let js = error_to_js(err, &self.ctx.messages);
        call(&self.callbacks.on_error, &js);
        js
    }

    /// A failure that ends whatever is under way: release, go to `error`, report.
    fn fail(&self, err: SdkError) -> JsValue {
        let session = self.inner.borrow_mut().session.take();
        drop(session);
        let _ = self.transition(Event::Fail);
        self.report(&err)
    }

    fn check_alive(&self, action: &str) -> Result<(), SdkError> {
        if self.inner.borrow().destroyed {
            return Err(SdkError::new(ErrorCode::InvalidState, format!("{action}() after destroy()")));
        }
        Ok(())
    }

    // ---- start ----

    /// The synchronous half of `start()`: the state is `requesting` when this returns, so a
    /// `cancel()` right after `start()` sees it. Returns the generation to hand to `open`.
    pub fn request_start(&self) -> Result<u64, JsValue> {
        self.transition(Event::Start).map_err(|e| self.report(&e))?;
        let mut inner = self.inner.borrow_mut();
        inner.generation += 1;
        inner.recording = None;
        inner.upload = None;
        // A recording replaced before any upload of it began was a retake: it goes. One whose
        // upload failed stays pending (`sdk.pendingRecordings()`).
        if let Some(old) = inner.stored.take() {
            if old.state() == StoredState::Recorded {
                old.discard();
            }
        }
        Ok(inner.generation)
    }

    /// The asynchronous half of `start()`: opens the microphone and starts the encoder.
    pub async fn open(&self, generation: u64) -> Result<(), JsValue> {
        let plan = recording_plan(self.options.format).map_err(|e| self.fail(e))?;
        let opened = Microphone::open(self.options.device_id.as_deref()).await;
        // cancel() or destroy() while the browser asked: the answer is stale.
        let stale = {
            let inner = self.inner.borrow();
            inner.generation != generation || inner.state != RecorderState::Requesting
        };
        if stale {
            drop(opened);
            return Err(error_to_js(&start_cancelled(), &self.ctx.messages));
        }
        let mic = opened.map_err(|e| self.fail(e))?;
        let encoder = if plan.format == AudioFormat::Wav {
            let me = self.me.clone();
            let on_block = Closure::<dyn FnMut(js_sys::Uint8Array)>::new(move |block: js_sys::Uint8Array| {
                if let Some(r) = me.upgrade() {
                    r.on_pcm(generation, &block);
                }
            });
            let capture = WavCapture::open(mic.stream(), self.ctx.config.assets_url.as_deref(), on_block).await;
            if self.inner.borrow().generation != generation {
                drop((capture, mic));
                return Err(error_to_js(&start_cancelled(), &self.ctx.messages));
            }
            let capture = capture.map_err(|e| self.fail(e))?;
            Encoder::Wav { capture: Some(capture), tail: None }
        } else {
            Encoder::Media(media_recorder(mic.stream(), plan, self.options.bits_per_second).map_err(|e| self.fail(e))?)
        };
        let session = self.open_session(generation, mic, encoder, plan).map_err(|e| self.fail(e))?;
        self.inner.borrow_mut().session = Some(session);
        self.transition(Event::Started).map_err(|e| self.report(&e))?;
        Ok(())
    }

    fn open_session(&self, id: u64, mic: Microphone, encoder: Encoder, plan: RecordingPlan) -> Result<Session, SdkError> {
        let media = match &encoder {
            Encoder::Media(media) => Some(media),
            Encoder::Wav { .. } => None,
        };
        let listeners = self.listen(id, &mic, media);
        let level = if self.callbacks.on_level.is_some() { LevelMeter::new(mic.stream()).ok() } else { None };
        if let Some(media) = media {
            media.start_with_time_slice(TIMESLICE_MS).map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
        }
        // The WAV data is measured without its 44-byte header, which is written at the end.
        let guard_limit = match &encoder {
            Encoder::Media(_) => self.options.limits.max_file_size,
            Encoder::Wav { .. } => self.options.limits.max_file_size.saturating_sub(wav::HEADER_LEN as u64),
        };
        let now = now_ms();
        let me = self.me.clone();
        let ticker = Interval::new(TICK_MS, move || {
            if let Some(r) = me.upgrade() {
                r.tick(id);
            }
        });
        let mut session = Session {
            id,
            mic,
            encoder,
            plan,
            chunks: Array::new(),
            guard: SizeGuard::new(guard_limit),
            clock: RecordClock::start(now),
            level,
            auto_stop: None,
            stop_grace: None,
            _ticker: ticker,
            _listeners: listeners,
            stopping: false,
            finishing: false,
            cause: None,
            waiters: Vec::new(),
            created_at_ms: js_sys::Date::now(),
        };
        self.schedule_auto_stop(&mut session, now);
        let meta = StoredMeta {
            format: plan.format.as_str().to_string(),
            mime_type: plan.mime_type.to_string(),
            duration: 0.0,
            size: 0,
            state: StoredState::Recording,
            max_duration: self.options.limits.max_duration_secs,
            max_file_size: self.options.limits.max_file_size,
            bits_per_second: u64::from(self.options.bits_per_second),
            patched: false,
            upload: None,
            confirmed_at: None,
        };
        let me = self.me.clone();
        let on_failure = Box::new(move |e: SdkError| {
            if let Some(r) = me.upgrade() {
                r.storage_failed(e);
            }
        });
        self.inner.borrow_mut().stored = Stored::begin(&self.ctx, session.created_at_ms, meta, on_failure);
        Ok(session)
    }

    /// Storing failed (no IndexedDB, quota, private mode): recording goes on in memory, and the
    /// app hears of it once per SDK.
    fn storage_failed(&self, err: SdkError) {
        if !self.ctx.storage_notice_sent.replace(true) {
            let notice = SdkError { code: ErrorCode::StorageUnavailable, message: format!("{}; the recording is kept in memory only", err.message), ..err };
            self.report(&notice);
        }
    }

    /// Listeners on the recorder, the tracks and the page, each calling back through a weak
    /// reference so a forgotten recorder is not kept alive by its own listeners.
    fn listen(&self, id: u64, mic: &Microphone, media: Option<&MediaRecorder>) -> Vec<EventListener> {
        let mut listeners = Vec::new();
        if let Some(media) = media {
            self.listen_media(id, media, &mut listeners);
        }
        self.listen_page(id, mic, &mut listeners);
        listeners
    }

    fn listen_media(&self, id: u64, media: &MediaRecorder, listeners: &mut Vec<EventListener>) {
        let weak = || self.me.clone();
        let me = weak();
        listeners.push(EventListener::new(media, "dataavailable", move |e| {
            if let (Some(r), Some(e)) = (me.upgrade(), e.dyn_ref::<BlobEvent>()) {
                r.on_chunk(id, e.data());
            }
        }));
        let me = weak();
        listeners.push(EventListener::new(media, "stop", move |_| {
            if let Some(r) = me.upgrade() {
                wasm_bindgen_futures::spawn_local(async move { r.finish(id).await });
            }
        }));
        let me = weak();
        listeners.push(EventListener::new(media, "error", move |e| {
            if let Some(r) = me.upgrade() {
                let err = error_from_js(e.as_ref(), ErrorCode::RecordingFailed);
                let err = SdkError { code: ErrorCode::RecordingFailed, ..err };
                wasm_bindgen_futures::spawn_local(async move { r.fail_session(id, err) });
            }
        }));
    }

    fn listen_page(&self, id: u64, mic: &Microphone, listeners: &mut Vec<EventListener>) {
        let weak = || self.me.clone();
        for track in mic.tracks() {
            let me = weak();
            listeners.push(EventListener::new(&track, "ended", move |_| {
                if let Some(r) = me.upgrade() {
                    let notice = SdkError::new(ErrorCode::MicrophoneUnavailable, "the microphone stopped delivering audio");
                    r.request_stop(id, StopCause::Device, Some(notice));
                }
            }));
        }
        if let Some(window) = web_sys::window() {
            let me = weak();
            listeners.push(EventListener::new(&window, "pagehide", move |_| {
                if let Some(r) = me.upgrade() {
                    r.request_stop(id, StopCause::PageHide, None);
                    // The page may never run again: let go of the microphone now.
                    if let Some(s) = r.inner.borrow().session.as_ref() {
                        s.mic.stop();
                    }
                }
            }));
        }
    }

    fn schedule_auto_stop(&self, session: &mut Session, now: f64) {
        let max_ms = self.options.limits.max_duration_secs * 1000.0;
        let remaining = session.clock.remaining_ms(now, max_ms).ceil() as u32;
        let (me, id) = (self.me.clone(), session.id);
        session.auto_stop = Some(Timeout::new(remaining, move || {
            if let Some(r) = me.upgrade() {
                r.duration_reached(id);
            }
        }));
    }

    fn duration_reached(&self, id: u64) {
        let actual = {
            let inner = self.inner.borrow();
            match &inner.session {
                Some(s) if s.id == id && !s.stopping => s.clock.elapsed_ms(now_ms()) / 1000.0,
                _ => return,
            }
        };
        let max = self.options.limits.max_duration_secs;
        let notice = SdkError::new(ErrorCode::DurationExceeded, format!("recording stopped at the {} s limit", Num(max)))
            .with_details(object([("max_duration", max.into()), ("actual_duration", actual.into())]));
        self.request_stop(id, StopCause::Limit, Some(notice));
    }

    fn tick(&self, id: u64) {
        let (seconds, level) = {
            let mut inner = self.inner.borrow_mut();
            if inner.state != RecorderState::Recording {
                return;
            }
            match inner.session.as_mut() {
                Some(s) if s.id == id && !s.stopping => {
                    (s.clock.elapsed_ms(now_ms()) / 1000.0, s.level.as_mut().map(LevelMeter::level))
                }
                _ => return,
            }
        };
        call(&self.callbacks.on_record_progress, &seconds.into());
        if let Some(level) = level {
            call(&self.callbacks.on_level, &level.into());
        }
    }

    fn on_chunk(&self, id: u64, data: Option<Blob>) {
        let Some(blob) = data else { return };
        let size = blob.size() as u64;
        if size == 0 {
            return;
        }
        let verdict = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            let Some(s) = inner.session.as_mut().filter(|s| s.id == id) else { return };
            keep_chunk(s, inner.stored.as_deref(), size, &blob)
        };
        self.after_chunk(id, verdict);
    }

    /// A block of WAV data from the capture: keep it (within the size limit).
    fn on_pcm(&self, id: u64, block: &js_sys::Uint8Array) {
        let verdict = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            // Paused time is not recorded: blocks are dropped while the clock stands still.
            let Some(s) = inner.session.as_mut().filter(|s| s.id == id && !s.stopping && s.clock.is_running()) else { return };
            if !matches!(s.encoder, Encoder::Wav { .. }) || block.length() == 0 {
                return;
            }
            keep_chunk(s, inner.stored.as_deref(), u64::from(block.length()), block)
        };
        self.after_chunk(id, verdict);
    }

    /// Stops and tells the app the first time the size guard trips.
    fn after_chunk(&self, id: u64, (verdict, kept): (ChunkVerdict, u64)) {
        if verdict != ChunkVerdict::Keep {
            let max = self.options.limits.max_file_size;
            let notice = SdkError::new(ErrorCode::FileSizeExceeded, format!("recording stopped before passing {max} bytes"))
                .with_details(object([("max_size", max.into()), ("actual_size", kept.into())]));
            self.request_stop(id, StopCause::Limit, Some(notice));
        }
    }

    /// Ends recording, keeping what was recorded; `finish` completes it when the encoder has
    /// flushed. `notice` (a limit, a lost microphone) goes to `onError`.
    fn request_stop(&self, id: u64, cause: StopCause, notice: Option<SdkError>) {
        let first = {
            let mut inner = self.inner.borrow_mut();
            let Some(s) = inner.session.as_mut().filter(|s| s.id == id) else { return };
            if s.stopping {
                false
            } else {
                s.stopping = true;
                s.cause = Some(cause);
                s.clock.pause(now_ms());
                s.auto_stop = None;
                // The WAV encoder on the audio thread holds the resampler's last few ms: fetch
                // them into `tail`, then finish.
                let wav_capture = match &mut s.encoder {
                    Encoder::Wav { capture, .. } => Some(capture.take()),
                    Encoder::Media(_) => None,
                };
                s.end_media();
                if let Some(capture) = wav_capture {
                    let me = self.me.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let last = match capture {
                            Some(capture) => capture.finish().await,
                            None => None,
                        };
                        let Some(r) = me.upgrade() else { return };
                        if let Some(Session { encoder: Encoder::Wav { tail, .. }, .. }) = r.inner.borrow_mut().session.as_mut().filter(|s| s.id == id) {
                            *tail = last;
                        }
                        r.finish(id).await;
                    });
                }
                let me = self.me.clone();
                s.stop_grace = Some(Timeout::new(STOP_GRACE_MS, move || {
                    if let Some(r) = me.upgrade() {
                        wasm_bindgen_futures::spawn_local(async move { r.finish(id).await });
                    }
                }));
                true
            }
        };
        if let (true, Some(notice)) = (first, notice) {
            self.report(&notice);
        }
    }

    /// The encoder has flushed: keep the recording (a WebM gets its Duration written, so it
    /// can be seeked), release the session, go to `stopped`. Runs once per session.
    async fn finish(&self, id: u64) {
        let kept = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            match inner.session.as_mut() {
                Some(s) if s.id == id && !s.finishing => {
                    s.finishing = true;
                    s.stop_grace = None;
                    let duration = s.clock.elapsed_ms(now_ms()) / 1000.0;
                    finish_wav(s, inner.stored.as_deref());
                    if let Some(stored) = &inner.stored {
                        stored.flush(duration, s.guard.kept());
                    }
                    Some((self.keep(s), duration))
                }
                _ => None,
            }
        };
        let Some((result, duration)) = kept else { return };
        let result = match result {
            Ok(mut recording) => {
                recording.duration = kept_duration(duration);
                let duration = recording.duration;
                let mut patched = false;
                if recording.format == AudioFormat::Webm {
                    if let Some(blob) = patch_webm(&recording.blob, &recording.mime_type, duration, self.options.limits.max_file_size).await {
                        recording.size = blob.size() as u64;
                        recording.blob = blob;
                        patched = true;
                    }
                }
                Ok((recording, patched))
            }
            Err(e) => Err(e),
        };
        // cancel() or destroy() while the header was read: nothing is kept.
        let Some(mut session) = ({
            let mut inner = self.inner.borrow_mut();
            match &inner.session {
                Some(s) if s.id == id => inner.session.take(),
                _ => None,
            }
        }) else {
            return;
        };
        let waiters = std::mem::take(&mut session.waiters);
        let cause = session.cause;
        drop(session);
        let outcome = match result {
            Ok((recording, patched)) => {
                if let Some(stored) = &self.inner.borrow().stored {
                    stored.finished(&recording.mime_type, recording.duration, recording.size, patched);
                }
                self.inner.borrow_mut().recording = Some(recording);
                let _ = self.transition(Event::Stop);
                if self.options.auto_upload && matches!(cause, Some(StopCause::Limit | StopCause::Device)) {
                    let _ = self.begin_upload(); // settles through the callbacks
                }
                Ok(())
            }
            Err(err) => {
                let _ = self.transition(Event::Fail);
                self.report(&err);
                Err(err)
            }
        };
        for w in waiters {
            let _ = w.send(outcome.clone());
        }
    }

    fn keep(&self, session: &Session) -> Result<Recording, SdkError> {
        let reported = match &session.encoder {
            Encoder::Media(media) => media.mime_type(),
            Encoder::Wav { .. } => String::new(),
        };
        let mime_type = if reported.is_empty() { session.plan.mime_type.to_string() } else { reported };
        let format = AudioFormat::from_mime(&mime_type).ok_or_else(|| {
            SdkError::new(ErrorCode::RecordingFailed, format!("the browser recorded {mime_type}, which the service does not accept"))
        })?;
        let bag = BlobPropertyBag::new();
        bag.set_type(&mime_type);
        let blob = Blob::new_with_blob_sequence_and_options(&session.chunks, &bag)
            .map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
        let size = blob.size() as u64;
        if size == 0 {
            return Err(SdkError::new(ErrorCode::RecordingFailed, "no audio was captured"));
        }
        Ok(Recording { blob, mime_type, format, duration: 0.0, size, created_at_ms: session.created_at_ms })
    }

    fn fail_session(&self, id: u64, err: SdkError) {
        let owns = self.inner.borrow().session.as_ref().is_some_and(|s| s.id == id);
        if owns {
            let waiters = {
                let mut inner = self.inner.borrow_mut();
                inner.session.as_mut().map(|s| std::mem::take(&mut s.waiters)).unwrap_or_default()
            };
            self.fail(err.clone());
            for w in waiters {
                let _ = w.send(Err(err.clone()));
            }
        }
    }

    // ---- stop, pause, resume, cancel, destroy ----

    /// Stops recording and resolves with the kept recording.
    pub async fn stop_recording(&self) -> Result<Recording, JsValue> {
        self.check_alive("stop").map_err(|e| self.report(&e))?;
        let waiter = {
            let mut inner = self.inner.borrow_mut();
            let state = inner.state;
            let kept = inner.recording.is_some();
            match (state, inner.session.as_mut()) {
                (RecorderState::Recording | RecorderState::Paused, Some(s)) => {
                    let (tx, rx) = oneshot::channel();
                    s.waiters.push(tx);
                    Ok(Some((s.id, rx)))
                }
                // Stopped by itself (a limit): stop() proceeds with what was kept.
                (RecorderState::Stopped, _) if kept => Ok(None),
                _ => Err(SdkError::invalid_state("stop", state.as_str())),
            }
        };
        let waiter = waiter.map_err(|e| self.report(&e))?;
        if let Some((id, rx)) = waiter {
            self.request_stop(id, StopCause::Asked, None);
            match rx.await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => return Err(error_to_js(&err, &self.ctx.messages)),
                Err(_) => {
                    let err = recording_cancelled();
                    return Err(error_to_js(&err, &self.ctx.messages));
                }
            }
        }
        self.recording().ok_or_else(|| self.report(&SdkError::invalid_state("stop", self.state().as_str())))
    }

    fn stopping_guard(&self, action: &str) -> Result<(), SdkError> {
        let inner = self.inner.borrow();
        if inner.session.as_ref().is_some_and(|s| s.stopping) {
            return Err(SdkError::new(ErrorCode::InvalidState, format!("{action}() while the recording is stopping")));
        }
        Ok(())
    }

    pub fn pause(&self) -> Result<(), JsValue> {
        self.stopping_guard("pause").map_err(|e| self.report(&e))?;
        next(self.state(), Event::Pause).map_err(|e| self.report(&e))?;
        if let Some(s) = self.inner.borrow_mut().session.as_mut() {
            if let Encoder::Media(media) = &s.encoder {
                let _ = media.pause();
            }
            s.clock.pause(now_ms());
            s.auto_stop = None;
        }
        self.transition(Event::Pause).map_err(|e| self.report(&e))
    }

    pub fn resume(&self) -> Result<(), JsValue> {
        self.stopping_guard("resume").map_err(|e| self.report(&e))?;
        next(self.state(), Event::Resume).map_err(|e| self.report(&e))?;
        if let Some(s) = self.inner.borrow_mut().session.as_mut() {
            if let Encoder::Media(media) = &s.encoder {
                let _ = media.resume();
            }
            let now = now_ms();
            s.clock.resume(now);
            self.schedule_auto_stop(s, now);
        }
        self.transition(Event::Resume).map_err(|e| self.report(&e))
    }

    /// Stops without keeping anything; during an upload, aborts it and keeps the recording.
    pub fn cancel(&self) -> Result<(), JsValue> {
        self.check_alive("cancel").map_err(|e| self.report(&e))?;
        let state = self.state();
        next(state, Event::Cancel).map_err(|e| self.report(&e))?;
        let session = {
            let mut inner = self.inner.borrow_mut();
            inner.generation += 1;
            if !matches!(state, RecorderState::Uploading | RecorderState::Waiting) {
                inner.recording = None;
                if let Some(stored) = inner.stored.take() {
                    stored.discard();
                }
            }
            if let Some(abort) = inner.upload_abort.take() {
                abort.abort();
            }
            inner.upload = None;
            inner.session.take()
        };
        drop(session);
        self.transition(Event::Cancel).map_err(|e| self.report(&e))?;
        call(&self.callbacks.on_cancel, &JsValue::UNDEFINED);
        Ok(())
    }

    /// Releases everything; the recorder is unusable afterwards.
    pub fn destroy(&self) {
        let session = {
            let mut inner = self.inner.borrow_mut();
            inner.destroyed = true;
            inner.generation += 1;
            inner.recording = None;
            // The stored copy stays: it is pending now (`sdk.pendingRecordings()`).
            inner.stored = None;
            inner.state = RecorderState::Idle;
            if let Some(abort) = inner.upload_abort.take() {
                abort.abort();
            }
            inner.upload = None;
            inner.session.take()
        };
        drop(session);
    }

    /// Whether `upload()` may run now: a kept recording, in `stopped` or `error`.
    pub fn kept_for_upload(&self) -> Result<Recording, SdkError> {
        self.check_alive("upload")?;
        let inner = self.inner.borrow();
        match (&inner.recording, inner.state) {
            (Some(r), RecorderState::Stopped | RecorderState::Error) => Ok(r.clone()),
            _ => Err(SdkError::invalid_state("upload", inner.state.as_str())),
        }
    }

    pub fn set_state_hook(&self, hook: Option<Box<dyn Fn(RecorderState)>>) {
        *self.state_hook.borrow_mut() = hook;
    }

    /// `start()` as JS sees it: `requesting` before the promise is returned.
    pub fn start_promise(&self) -> Promise {
        let Some(me) = self.me.upgrade() else { return Promise::reject(&JsValue::UNDEFINED) };
        match self.request_start() {
            Ok(generation) => wasm_bindgen_futures::future_to_promise(async move {
                me.open(generation).await?;
                Ok(JsValue::UNDEFINED)
            }),
            Err(e) => Promise::reject(&e),
        }
    }

    pub fn stop_promise(&self) -> Promise {
        let Some(me) = self.me.upgrade() else { return Promise::reject(&JsValue::UNDEFINED) };
        wasm_bindgen_futures::future_to_promise(async move { me.stop().await })
    }

    // ---- upload ----

    /// `stop()`: the upload result with `autoUpload`, else the recording.
    pub async fn stop(&self) -> Result<JsValue, JsValue> {
        if let Some(upload) = self.current_upload() {
            return JsFuture::from(upload).await;
        }
        let recording = self.stop_recording().await?;
        if !self.options.auto_upload {
            return Ok(recording.to_js());
        }
        let upload = self.current_upload().unwrap_or_else(|| self.begin_upload());
        JsFuture::from(upload).await
    }

    /// The upload under way (or the last one that succeeded), if any.
    fn current_upload(&self) -> Option<Promise> {
        let inner = self.inner.borrow();
        match inner.state {
            RecorderState::Uploading | RecorderState::Waiting | RecorderState::Uploaded => inner.upload.clone(),
            _ => None,
        }
    }

    /// Starts uploading the kept recording; the promise settles with the upload.
    pub fn begin_upload(&self) -> Promise {
        let Some(me) = self.me.upgrade() else {
            return Promise::reject(&JsValue::from_str("the recorder is gone"));
        };
        let promise = wasm_bindgen_futures::future_to_promise(async move { me.upload().await });
        // Errors also reach onError: an upload nobody awaits must not log as unhandled.
        super::js::quiet(&promise);
        self.inner.borrow_mut().upload = Some(promise.clone());
        promise
    }

    async fn upload(&self) -> Result<JsValue, JsValue> {
        let recording = self.kept_for_upload().map_err(|e| self.report(&e))?;
        self.transition(Event::Upload).map_err(|e| self.report(&e))?;
        let controller = web_sys::AbortController::new().map_err(|e| self.fail(error_from_js(&e, ErrorCode::NotSupported)))?;
        self.inner.borrow_mut().upload_abort = Some(controller.clone());
        let spec = UploadSpec {
            format: recording.format,
            size: recording.size,
            duration_secs: recording.duration,
            bits_per_second: u64::from(self.options.bits_per_second),
            created_at_ms: recording.created_at_ms,
        };
        let observer = Rc::new(UploadCallbacks { on_progress: self.callbacks.on_upload_progress.clone(), recorder: self.me.clone() });
        let stored = self.inner.borrow().stored.clone();
        let journal = match &stored {
            Some(s) => s.upload_journal(),
            None => Rc::new(Journal::new(UploadJournal::default(), None)),
        };
        let result = upload_resumable(&self.ctx, &recording.blob, &recording.mime_type, &spec, &controller.signal(), observer, &journal).await;
        if result.is_ok() {
            if let Some(stored) = &stored {
                stored.confirmed();
            }
        }
        let mut inner = self.inner.borrow_mut();
        inner.upload_abort = None;
        match result {
            Ok(js) => {
                if inner.stored.as_ref().zip(stored.as_ref()).is_some_and(|(a, b)| Rc::ptr_eq(a, b)) {
                    inner.stored = None;
                }
                let waiting = inner.state == RecorderState::Waiting;
                drop(inner);
                if waiting {
                    let _ = self.transition(Event::Online);
                }
                let _ = self.transition(Event::Uploaded);
                call(&self.callbacks.on_complete, &js);
                Ok(js)
            }
            Err(e) => {
                inner.upload = None;
                let cancelled = e.code == ErrorCode::Aborted || !matches!(inner.state, RecorderState::Uploading | RecorderState::Waiting);
                drop(inner);
                if !cancelled {
                    let _ = self.transition(Event::Fail);
                }
                Err(self.report(&e))
            }
        }
    }
}

/// Hands upload progress to `onUploadProgress`, and waiting for the network to the state.
struct UploadCallbacks {
    on_progress: Option<Function>,
    recorder: Weak<Recorder>,
}

impl UploadObserver for UploadCallbacks {
    fn progress(&self, percent: f64) {
        call(&self.on_progress, &percent.into());
    }
    fn waiting(&self, waiting: bool) {
        if let Some(r) = self.recorder.upgrade() {
            let _ = r.transition(if waiting { Event::Offline } else { Event::Online });
        }
    }
}

/// Offers a chunk to the size guard and keeps it (in memory, and in the stored copy) if it
/// fits. Returns the guard's verdict (only its first trip, later ones read as `Keep`) and the
/// kept size.
fn keep_chunk(s: &mut Session, stored: Option<&Stored>, size: u64, chunk: &JsValue) -> (ChunkVerdict, u64) {
    let already_stopping = s.guard.tripped();
    let verdict = s.guard.offer(size);
    if verdict != ChunkVerdict::DropAndStop {
        s.chunks.push(chunk);
        if let Some(stored) = stored {
            stored.buffer(chunk, s.clock.elapsed_ms(now_ms()) / 1000.0, s.guard.kept());
        }
    }
    let header = if matches!(s.encoder, Encoder::Wav { .. }) { wav::HEADER_LEN as u64 } else { 0 };
    (if already_stopping { ChunkVerdict::Keep } else { verdict }, s.guard.kept() + header)
}

/// Ends a WAV recording: the encoder's last data (if it fits), then the header, sized for exactly
/// the data kept, in front (the stored copy gets the tail; its header is made when it is rebuilt).
fn finish_wav(s: &mut Session, stored: Option<&Stored>) {
    let Encoder::Wav { tail, .. } = &mut s.encoder else { return };
    if let Some(tail) = tail.take().filter(|t| t.length() > 0) {
        keep_chunk(s, stored, u64::from(tail.length()), &tail);
    }
    let header = wav::header(resample::OUTPUT_RATE, s.guard.kept().min(u64::from(u32::MAX)) as u32);
    s.chunks.unshift(&js_sys::Uint8Array::from(&header[..]));
}

fn start_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "start() was cancelled")
}

fn recording_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the recording was cancelled")
}
