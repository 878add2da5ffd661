//! The voice recorder: microphone, `MediaRecorder`, limits, timers and callbacks.
//!
//! All live resources of one recording sit in a `Session`; dropping it stops the tracks, closes
//! the `AudioContext`, cancels the timers and removes the listeners, so every way out of
//! recording releases everything by construction. App callbacks are never called while the
//! recorder's state is borrowed, so they may call back into the recorder.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Array, Function, Object};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobEvent, BlobPropertyBag, MediaRecorder, RecordingState};

use super::js::{call, error_from_js, error_to_js, set, Fields};
use super::media::{media_recorder, recording_plan, LevelMeter, Microphone};
use super::sdk::SdkContext;
use crate::core::clock::RecordClock;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::{AudioFormat, FormatPreference, RecordingPlan};
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
    media: MediaRecorder,
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
    waiters: Vec<StopWaiter>,
}

impl Session {
    fn end_media(&self) {
        if self.media.state() != RecordingState::Inactive {
            let _ = self.media.stop();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.end_media();
        self.mic.stop();
        for w in self.waiters.drain(..) {
            let _ = w.send(Err(SdkError::new(ErrorCode::Aborted, "the recording was cancelled")));
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
}

pub struct Recorder {
    inner: RefCell<Inner>,
    pub options: RecorderOptions,
    pub callbacks: Callbacks,
    pub ctx: Rc<SdkContext>,
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
            }),
            options,
            callbacks,
            ctx,
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

    pub async fn start(&self) -> Result<(), JsValue> {
        self.transition(Event::Start).map_err(|e| self.report(&e))?;
        let generation = {
            let mut inner = self.inner.borrow_mut();
            inner.generation += 1;
            inner.recording = None;
            inner.generation
        };
        let plan = recording_plan(self.options.format).map_err(|e| self.fail(e))?;
        let opened = Microphone::open(self.options.device_id.as_deref()).await;
        // cancel() or destroy() while the browser asked: the answer is stale.
        let stale = {
            let inner = self.inner.borrow();
            inner.generation != generation || inner.state != RecorderState::Requesting
        };
        if stale {
            drop(opened);
            return Err(error_to_js(&SdkError::new(ErrorCode::Aborted, "start() was cancelled"), &self.ctx.messages));
        }
        let mic = opened.map_err(|e| self.fail(e))?;
        let media = media_recorder(mic.stream(), plan, self.options.bits_per_second).map_err(|e| self.fail(e))?;
        let session = self.open_session(generation, mic, media, plan).map_err(|e| self.fail(e))?;
        self.inner.borrow_mut().session = Some(session);
        self.transition(Event::Started).map_err(|e| self.report(&e))?;
        Ok(())
    }

    fn open_session(&self, id: u64, mic: Microphone, media: MediaRecorder, plan: RecordingPlan) -> Result<Session, SdkError> {
        let listeners = self.listen(id, &mic, &media);
        let level = if self.callbacks.on_level.is_some() { LevelMeter::new(mic.stream()).ok() } else { None };
        media
            .start_with_time_slice(TIMESLICE_MS)
            .map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
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
            media,
            plan,
            chunks: Array::new(),
            guard: SizeGuard::new(self.options.limits.max_file_size),
            clock: RecordClock::start(now),
            level,
            auto_stop: None,
            stop_grace: None,
            _ticker: ticker,
            _listeners: listeners,
            stopping: false,
            waiters: Vec::new(),
        };
        self.schedule_auto_stop(&mut session, now);
        Ok(session)
    }

    /// Listeners on the recorder, the tracks and the page, each calling back through a weak
    /// reference so a forgotten recorder is not kept alive by its own listeners.
    fn listen(&self, id: u64, mic: &Microphone, media: &MediaRecorder) -> Vec<EventListener> {
        let weak = || self.me.clone();
        let mut listeners = Vec::new();
        let me = weak();
        listeners.push(EventListener::new(media, "dataavailable", move |e| {
            if let (Some(r), Some(e)) = (me.upgrade(), e.dyn_ref::<BlobEvent>()) {
                r.on_chunk(id, e.data());
            }
        }));
        let me = weak();
        listeners.push(EventListener::new(media, "stop", move |_| {
            if let Some(r) = me.upgrade() {
                wasm_bindgen_futures::spawn_local(async move { r.finish(id) });
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
        for track in mic.tracks() {
            let me = weak();
            listeners.push(EventListener::new(&track, "ended", move |_| {
                if let Some(r) = me.upgrade() {
                    let notice = SdkError::new(ErrorCode::MicrophoneUnavailable, "the microphone stopped delivering audio");
                    r.request_stop(id, Some(notice));
                }
            }));
        }
        if let Some(window) = web_sys::window() {
            let me = weak();
            listeners.push(EventListener::new(&window, "pagehide", move |_| {
                if let Some(r) = me.upgrade() {
                    r.request_stop(id, None);
                    // The page may never run again: let go of the microphone now.
                    if let Some(s) = r.inner.borrow().session.as_ref() {
                        s.mic.stop();
                    }
                }
            }));
        }
        listeners
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
        let notice = SdkError::new(ErrorCode::DurationExceeded, format!("recording stopped at the {max} s limit"))
            .with_details(json!({ "max_duration": max, "actual_duration": actual }));
        self.request_stop(id, Some(notice));
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
        let (verdict, kept) = {
            let mut inner = self.inner.borrow_mut();
            let Some(s) = inner.session.as_mut().filter(|s| s.id == id) else { return };
            let already_stopping = s.guard.tripped();
            let verdict = s.guard.offer(size);
            if verdict != ChunkVerdict::DropAndStop {
                s.chunks.push(&blob);
            }
            // Only the first trip of the guard stops and tells the app.
            (if already_stopping { ChunkVerdict::Keep } else { verdict }, s.guard.kept())
        };
        if verdict != ChunkVerdict::Keep {
            let max = self.options.limits.max_file_size;
            let notice = SdkError::new(ErrorCode::FileSizeExceeded, format!("recording stopped before passing {max} bytes"))
                .with_details(json!({ "max_size": max, "actual_size": kept }));
            self.request_stop(id, Some(notice));
        }
    }

    /// Ends recording, keeping what was recorded; `finish` completes it when the encoder has
    /// flushed. `notice` (a limit, a lost microphone) goes to `onError`.
    fn request_stop(&self, id: u64, notice: Option<SdkError>) {
        let first = {
            let mut inner = self.inner.borrow_mut();
            let Some(s) = inner.session.as_mut().filter(|s| s.id == id) else { return };
            if s.stopping {
                false
            } else {
                s.stopping = true;
                s.clock.pause(now_ms());
                s.auto_stop = None;
                s.end_media();
                let me = self.me.clone();
                s.stop_grace = Some(Timeout::new(STOP_GRACE_MS, move || {
                    if let Some(r) = me.upgrade() {
                        r.finish(id);
                    }
                }));
                true
            }
        };
        if let (true, Some(notice)) = (first, notice) {
            self.report(&notice);
        }
    }

    /// The encoder has flushed: keep the recording, release the session, go to `stopped`.
    fn finish(&self, id: u64) {
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
        let result = self.keep(&session);
        let duration = session.clock.elapsed_ms(now_ms()) / 1000.0;
        drop(session);
        let outcome = match result {
            Ok(mut recording) => {
                recording.duration = duration;
                self.inner.borrow_mut().recording = Some(recording);
                let _ = self.transition(Event::Stop);
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
        let reported = session.media.mime_type();
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
        Ok(Recording { blob, mime_type, format, duration: 0.0, size })
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
            self.request_stop(id, None);
            match rx.await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => return Err(error_to_js(&err, &self.ctx.messages)),
                Err(_) => {
                    let err = SdkError::new(ErrorCode::Aborted, "the recording was cancelled");
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
            let _ = s.media.pause();
            s.clock.pause(now_ms());
            s.auto_stop = None;
        }
        self.transition(Event::Pause).map_err(|e| self.report(&e))
    }

    pub fn resume(&self) -> Result<(), JsValue> {
        self.stopping_guard("resume").map_err(|e| self.report(&e))?;
        next(self.state(), Event::Resume).map_err(|e| self.report(&e))?;
        if let Some(s) = self.inner.borrow_mut().session.as_mut() {
            let _ = s.media.resume();
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
            }
            inner.session.take()
        };
        drop(session);
        self.transition(Event::Cancel).map_err(|e| self.report(&e))?;
        if let Some(f) = &self.callbacks.on_cancel {
            call(&Some(f.clone()), &JsValue::UNDEFINED);
        }
        Ok(())
    }

    /// Releases everything; the recorder is unusable afterwards.
    pub fn destroy(&self) {
        let session = {
            let mut inner = self.inner.borrow_mut();
            inner.destroyed = true;
            inner.generation += 1;
            inner.recording = None;
            inner.state = RecorderState::Idle;
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
}
