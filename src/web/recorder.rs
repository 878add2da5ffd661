//! The voice recorder in the browser: the hands of `core::lifecycle`.
//!
//! Every state change happens in [`Recorder::dispatch`], which asks the lifecycle's pure
//! `transition` what to do and carries out the effects in order (`carry_out`). The browser's
//! answers (the microphone opened, a chunk arrived, the encoder flushed, the upload ended) come
//! back as events through the same function. No `RefCell` borrow is held while JS runs: an app
//! callback or a synchronous DOM event may call back into the recorder, whose effects then
//! queue behind the ones being carried out.
//!
//! The live resources of a take (microphone, encoder, level meter, timers, listeners) sit in a
//! `Live`; dropping it releases them all. What the take produced sits in a `Take` until it is
//! kept. Each async step (opening, keeping, uploading) is a `Task`; dropping it makes its late
//! answer stale and aborts its requests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AudioContext, AudioContextState, Blob, BlobEvent, BlobPropertyBag, MediaRecorder, RecordingState};

use super::abort::controller;
use super::durable::{patch_webm, Stored};
use super::js::error_from_js;
use super::media::{media_recorder, recording_plan, AudioGraph, AudioOptions, LevelMeter, Microphone, WavCapture};
use super::sdk::SdkContext;
use super::upload::{upload_resumable, Journal, UploadObserver};
use crate::core::clock::RecordClock;
use crate::core::durable::{kept_duration, StoredMeta, StoredState, UploadJournal};
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::{AudioFormat, FormatPreference, RecordingPlan};
use crate::core::level::{Heard, SilenceWatch};
use crate::core::lifecycle::{Call, Effect, Event, InputStatus, Lifecycle, Outcome, Phase, RecorderState};
use crate::core::limits::{duration_notice, size_notice, track_ended_notice, ChunkVerdict, RecorderLimits, SizeGuard};
use crate::core::resample;
use crate::core::upload::{UploadResult, UploadSpec};
use crate::core::wav;

/// `MediaRecorder` timeslice: the granularity of the size guard (and of persistence).
const TIMESLICE_MS: i32 = 250;
const TICK_MS: u32 = 100;
/// If a `MediaRecorder` never fires `stop`, finish with what arrived.
const STOP_GRACE_MS: u32 = 3_000;

/// A recorder's options, checked.
#[derive(Clone, Debug)]
pub struct RecorderOptions {
    pub limits: RecorderLimits,
    pub format: FormatPreference,
    pub bits_per_second: u32,
    pub device_id: Option<String>,
    pub auto_upload: bool,
    /// What `getUserMedia` is asked for (`audio`).
    pub audio: AudioOptions,
    /// Silence this long is `NO_AUDIO_INPUT` (`silenceTimeout`; 0: not watched).
    pub silence_timeout_ms: f64,
}

/// What a recorder tells the app (the facade turns each into its callback).
pub trait RecorderObserver {
    fn state_changed(&self, state: RecorderState);
    fn recorded(&self, seconds: f64);
    /// Whether the app listens to the level (a meter costs an `AudioContext`).
    fn wants_level(&self) -> bool;
    fn level(&self, level: f64);
    fn upload_progress(&self, percent: f64);
    fn completed(&self, result: &UploadResult);
    fn failed(&self, error: &SdkError);
    fn cancelled(&self);
}

/// A finished recording, kept until it is uploaded or discarded.
#[derive(Clone, Debug)]
pub struct Recording {
    pub blob: Blob,
    pub mime_type: String,
    pub format: AudioFormat,
    pub duration: f64,
    pub size: u64,
    /// ms since the epoch, when recording started (names the uploaded file).
    pub created_at_ms: f64,
    /// What the browser applied to the microphone (`track.getSettings()`).
    pub settings: Option<js_sys::Object>,
}

/// What `stop()` ends with: the recording, or (with `autoUpload`) its upload's result.
#[derive(Clone, Debug)]
pub enum Stopped {
    Recording(Recording),
    Uploaded(UploadResult),
}

/// What turns the microphone into bytes.
enum Encoder {
    Media(MediaRecorder),
    /// 16 kHz WAV data, encoded on the audio thread. On stop the capture is taken to fetch the
    /// encoder's last data into the take's `tail`.
    Wav(Option<WavCapture>),
}

/// The microphone and everything running on it. Dropping it stops every track, closes every
/// `AudioContext`, cancels the timers and removes the listeners.
struct Live {
    mic: Microphone,
    encoder: Encoder,
    level: Option<LevelMeter>,
    silence: SilenceWatch,
    auto_stop: Option<Timeout>,
    stop_grace: Option<Timeout>,
    _ticker: Interval,
    _listeners: Vec<EventListener>,
    /// Closed last, after the nodes in it are gone.
    _graph: Option<AudioGraph>,
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Encoder::Media(media) = &self.encoder {
            if media.state() != RecordingState::Inactive {
                let _ = media.stop();
            }
        }
        self.mic.stop();
    }
}

/// What one take has produced so far.
struct Take {
    plan: RecordingPlan,
    chunks: Array,
    guard: SizeGuard,
    clock: RecordClock,
    /// A WAV take (its header is written when it is kept), and the encoder's last data.
    wav: bool,
    tail: Option<Uint8Array>,
    /// What `MediaRecorder` says it recorded, read before it is released.
    mime_type: String,
    created_at_ms: f64,
    settings: Option<js_sys::Object>,
}

/// An async step under way. Dropping it makes its answer stale and aborts its requests.
struct Task {
    /// What the task's `Weak` handles upgrade to while it is current.
    _alive: Rc<()>,
    abort: Option<AbortController>,
}

impl Drop for Task {
    fn drop(&mut self) {
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}

/// The calls waiting for the lifecycle.
#[derive(Default)]
struct Waiting {
    start: Vec<oneshot::Sender<Result<(), SdkError>>>,
    stop: Vec<oneshot::Sender<Result<Stopped, SdkError>>>,
    upload: Vec<oneshot::Sender<Result<UploadResult, SdkError>>>,
}

pub struct Recorder {
    life: RefCell<Lifecycle>,
    queue: RefCell<VecDeque<Effect>>,
    /// Effects are being carried out further up the stack: new ones queue behind them.
    draining: Cell<bool>,
    live: RefCell<Option<Live>>,
    take: RefCell<Option<Take>>,
    kept: RefCell<Option<Recording>>,
    result: RefCell<Option<UploadResult>>,
    /// The copy in IndexedDB of the recording being made or kept (with `persist`).
    stored: RefCell<Option<Rc<Stored>>>,
    task: RefCell<Option<Task>>,
    /// Web Audio for the take being opened (created inside `start()`); the take's `Live` owns
    /// it once the microphone is open.
    graph: RefCell<Option<AudioGraph>>,
    waiting: RefCell<Waiting>,
    /// The microphone the next take opens (`deviceId`, then `setDevice()`).
    device: RefCell<Option<String>>,
    options: RecorderOptions,
    ctx: Rc<SdkContext>,
    observer: Box<dyn RecorderObserver>,
    me: Weak<Recorder>,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// A call's answer: settled by the lifecycle, or refused at once.
async fn answer<T>(call: Result<oneshot::Receiver<Result<T, SdkError>>, SdkError>, gone: fn() -> SdkError) -> Result<T, SdkError> {
    call?.await.unwrap_or_else(|_| Err(gone()))
}

fn recording_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the recording was cancelled")
}

impl Recorder {
    pub fn new(ctx: Rc<SdkContext>, options: RecorderOptions, observer: Box<dyn RecorderObserver>) -> Rc<Recorder> {
        Rc::new_cyclic(|me| Recorder {
            life: RefCell::new(Lifecycle::new(options.auto_upload)),
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            live: RefCell::new(None),
            take: RefCell::new(None),
            kept: RefCell::new(None),
            result: RefCell::new(None),
            stored: RefCell::new(None),
            task: RefCell::new(None),
            graph: RefCell::new(None),
            waiting: RefCell::new(Waiting::default()),
            device: RefCell::new(options.device_id.clone()),
            options,
            ctx,
            observer,
            me: me.clone(),
        })
    }

    // ---- reading ----

    pub fn state(&self) -> RecorderState {
        self.life.borrow().state()
    }

    /// `inputStatus`: whether the microphone delivers anything.
    pub fn input_status(&self) -> InputStatus {
        self.life.borrow().input()
    }

    /// Recorded seconds: live while recording, else those of the kept recording.
    pub fn duration(&self) -> f64 {
        if let Some(take) = self.take.borrow().as_ref() {
            return take.clock.elapsed_ms(now_ms()) / 1000.0;
        }
        self.kept.borrow().as_ref().map_or(0.0, |r| r.duration)
    }

    pub fn recording(&self) -> Option<Recording> {
        self.kept.borrow().clone()
    }

    // ---- the app's calls ----

    /// Asks for the microphone (the state is `requesting` when this returns) and records.
    pub fn start(&self) -> impl Future<Output = Result<(), SdkError>> {
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().start.push(tx);
        answer(self.call(Event::Start).map(|()| rx), || SdkError::new(ErrorCode::Aborted, "start() was cancelled"))
    }

    /// Stops recording: the recording, or with `autoUpload` the upload's result.
    pub fn stop(&self) -> impl Future<Output = Result<Stopped, SdkError>> {
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().stop.push(tx);
        answer(self.call(Event::Stop).map(|()| rx), recording_cancelled)
    }

    /// Uploads the kept recording.
    pub fn upload(&self) -> impl Future<Output = Result<UploadResult, SdkError>> {
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().upload.push(tx);
        answer(self.call(Event::Upload).map(|()| rx), super::abort::aborted)
    }

    pub fn pause(&self) -> Result<(), SdkError> {
        self.call(Event::Pause)
    }

    pub fn resume(&self) -> Result<(), SdkError> {
        self.call(Event::Resume)
    }

    /// Stops without keeping anything; during an upload, aborts it and keeps the recording.
    pub fn cancel(&self) -> Result<(), SdkError> {
        self.call(Event::Cancel)
    }

    /// The microphone for the next take (`None`: the browser's default); refused while recording.
    pub fn set_device(&self, device_id: Option<String>) -> Result<(), SdkError> {
        self.call(Event::SetDevice(device_id))
    }

    /// Releases everything; the recorder is unusable afterwards.
    pub fn destroy(&self) {
        let _ = self.dispatch(Event::Destroy);
    }

    /// An app's call: refused calls reach `onError` and change nothing.
    fn call(&self, event: Event) -> Result<(), SdkError> {
        self.dispatch(event).inspect_err(|e| self.observer.failed(e))
    }

    // ---- the one place the lifecycle moves ----

    /// Applies `event` and carries out what the lifecycle decides.
    fn dispatch(&self, event: Event) -> Result<(), SdkError> {
        let effects = self.life.borrow_mut().step(event)?;
        self.queue.borrow_mut().extend(effects);
        if self.draining.replace(true) {
            return Ok(());
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(effect) = next else { break };
            self.carry_out(effect);
        }
        self.draining.set(false);
        Ok(())
    }

    fn carry_out(&self, effect: Effect) {
        match effect {
            Effect::DropKept => self.drop_kept(),
            Effect::OpenMicrophone => self.open(),
            Effect::StartEncoder => self.start_encoder(),
            Effect::Persist => self.persist(),
            Effect::ScheduleAutoStop => self.schedule_auto_stop(),
            Effect::CancelAutoStop => {
                let timer = self.live.borrow_mut().as_mut().and_then(|l| l.auto_stop.take());
                drop(timer);
            }
            Effect::PauseEncoder => self.pause_encoder(true),
            Effect::ResumeEncoder => self.pause_encoder(false),
            Effect::StopEncoder => self.stop_encoder(),
            Effect::StopTracks => {
                let tracks = self.live.borrow().as_ref().map(|l| l.mic.tracks()).unwrap_or_default();
                tracks.iter().for_each(web_sys::MediaStreamTrack::stop);
            }
            Effect::Release => {
                let (live, task, graph) = (self.live.borrow_mut().take(), self.task.borrow_mut().take(), self.graph.borrow_mut().take());
                drop((live, task, graph));
            }
            Effect::Keep => self.keep(),
            Effect::Discard => {
                let (take, kept, stored) = (self.take.borrow_mut().take(), self.kept.borrow_mut().take(), self.stored.borrow_mut().take());
                if let Some(stored) = stored {
                    stored.discard();
                }
                drop((take, kept));
            }
            Effect::Forget => {
                let (take, kept, stored) = (self.take.borrow_mut().take(), self.kept.borrow_mut().take(), self.stored.borrow_mut().take());
                drop((take, kept, stored));
            }
            Effect::Upload => self.begin_upload(),
            Effect::AbortUpload => {
                let task = self.task.borrow_mut().take();
                drop(task);
            }
            Effect::Notify(state) => self.observer.state_changed(state),
            Effect::Report(err) => self.observer.failed(&err),
            Effect::Settle(call, outcome) => self.settle(call, outcome),
            Effect::Complete => {
                let result = self.result.borrow().clone();
                if let Some(result) = result {
                    self.observer.completed(&result);
                }
            }
            Effect::Cancelled => self.observer.cancelled(),
            // The lifecycle keeps it; a change to muted or silent comes with its notice.
            Effect::Input(_) => {}
            Effect::UseDevice(id) => *self.device.borrow_mut() = id,
        }
    }

    /// Every waiting call of kind `call` settles with `outcome`, read as that call's value.
    fn settle(&self, call: Call, outcome: Outcome) {
        fn send_all<T: Clone>(waiting: Vec<oneshot::Sender<Result<T, SdkError>>>, value: Result<T, SdkError>) {
            for tx in waiting {
                let _ = tx.send(value.clone());
            }
        }
        let uploaded = |call: &str| self.result.borrow().clone().ok_or_else(|| SdkError::invalid_state(call, "stopped"));
        match (call, outcome) {
            (Call::Start, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().start), Err(e)),
            (Call::Start, _) => send_all(std::mem::take(&mut self.waiting.borrow_mut().start), Ok(())),
            (Call::Stop, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), Err(e)),
            (Call::Stop, Outcome::Result) => {
                let value = uploaded("stop").map(Stopped::Uploaded);
                send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), value);
            }
            (Call::Stop, _) => {
                let value = self.recording().map(Stopped::Recording).ok_or_else(recording_cancelled);
                send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), value);
            }
            (Call::Upload, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().upload), Err(e)),
            (Call::Upload, _) => {
                let value = uploaded("upload");
                send_all(std::mem::take(&mut self.waiting.borrow_mut().upload), value);
            }
        }
    }

    /// A new `Task`; its answer is delivered only while it is the recorder's current one (the
    /// recorder's slot holds the only strong reference, so a replaced or released task's `Weak`
    /// no longer upgrades).
    fn begin_task(&self, abort: Option<AbortController>) -> Weak<()> {
        let alive = Rc::new(());
        let weak = Rc::downgrade(&alive);
        let old = self.task.borrow_mut().replace(Task { _alive: alive, abort });
        drop(old);
        weak
    }

    /// The answer of the task `weak` names, if it is still the current one.
    fn answer_of(&self, weak: &Weak<()>, event: Event) {
        if weak.strong_count() == 0 {
            return;
        }
        let task = self.task.borrow_mut().take();
        // Its job is done: nothing to abort.
        if let Some(mut task) = task {
            task.abort = None;
        }
        let _ = self.dispatch(event);
    }

    // ---- effects: a take ----

    fn drop_kept(&self) {
        let (kept, result, stored) = (self.kept.borrow_mut().take(), self.result.borrow_mut().take(), self.stored.borrow_mut().take());
        // A recording replaced before any upload of it began was a retake: it goes. One whose
        // upload failed stays pending (`sdk.pendingRecordings()`).
        if let Some(old) = stored {
            if old.state() == StoredState::Recorded {
                old.discard();
            }
        }
        drop((kept, result));
    }

    /// Opens the microphone and the encoder; answers `Opened` or `OpenFailed`. Web Audio, where
    /// it is needed (the WAV path, the level meter), is created and resumed here, before any
    /// await, so that Safari counts the click that called `start()`.
    fn open(&self) {
        let task = self.begin_task(None);
        let plan = match recording_plan(self.options.format) {
            Ok(plan) => plan,
            Err(e) => return self.answer_of(&task, Event::OpenFailed(e)),
        };
        let wants_meter = self.observer.wants_level() || self.options.silence_timeout_ms > 0.0;
        let graph = if plan.format == AudioFormat::Wav || wants_meter {
            match AudioGraph::new() {
                Ok(graph) => Some(graph),
                // Without Web Audio a WebM recording still works, unmetered.
                Err(_) if plan.format != AudioFormat::Wav => None,
                Err(e) => return self.answer_of(&task, Event::OpenFailed(e)),
            }
        } else {
            None
        };
        let context = graph.as_ref().map(|g| g.context().clone());
        let old = self.graph.replace(graph);
        drop(old);
        let me = self.me.clone();
        let device = self.device.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            let opened = open_live(me.clone(), &task, plan, device.as_deref(), context, wants_meter).await;
            let Some(r) = me.upgrade() else { return };
            // cancel() or destroy() while the browser asked: the answer is stale and dropped.
            if task.strong_count() == 0 {
                return;
            }
            match opened {
                Ok((mut live, take)) => {
                    let made_in_start = r.graph.borrow_mut().take();
                    if live._graph.is_none() {
                        live._graph = made_in_start;
                    }
                    *r.live.borrow_mut() = Some(live);
                    *r.take.borrow_mut() = Some(take);
                    r.answer_of(&task, Event::Opened);
                }
                Err(e) => r.answer_of(&task, Event::OpenFailed(e)),
            }
        });
    }

    /// The encoder was started when the microphone opened (a failure there is `OpenFailed`):
    /// from now on the clock runs and progress is reported.
    fn start_encoder(&self) {
        if let Some(take) = self.take.borrow_mut().as_mut() {
            take.clock = RecordClock::start(now_ms());
        }
        let muted = self.live.borrow().as_ref().is_some_and(|l| l.mic.tracks().iter().any(web_sys::MediaStreamTrack::muted));
        if muted {
            let _ = self.dispatch(Event::Muted { seconds: 0.0 });
        }
    }

    fn pause_encoder(&self, pause: bool) {
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.silence.pause();
        }
        let media = match self.live.borrow().as_ref().map(|l| &l.encoder) {
            Some(Encoder::Media(media)) => Some(media.clone()),
            _ => None,
        };
        if let Some(media) = media {
            let _ = if pause { media.pause() } else { media.resume() };
        }
        if let Some(take) = self.take.borrow_mut().as_mut() {
            if pause {
                take.clock.pause(now_ms());
            } else {
                take.clock.resume(now_ms());
            }
        }
    }

    fn schedule_auto_stop(&self) {
        let max_ms = self.options.limits.max_duration_secs * 1000.0;
        let Some(remaining) = self.take.borrow().as_ref().map(|t| t.clock.remaining_ms(now_ms(), max_ms).ceil() as u32) else { return };
        let me = self.me.clone();
        let timer = Timeout::new(remaining, move || {
            if let Some(r) = me.upgrade() {
                let actual = r.duration();
                let _ = r.dispatch(Event::Limit(duration_notice(r.options.limits.max_duration_secs, actual)));
            }
        });
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.auto_stop = Some(timer);
        }
    }

    /// The encoder flushes; `Flushed` follows (from `MediaRecorder`'s `stop` event, at once for
    /// WAV, or from the grace timer).
    fn stop_encoder(&self) {
        if let Some(take) = self.take.borrow_mut().as_mut() {
            take.clock.pause(now_ms());
        }
        let me = self.me.clone();
        let grace = Timeout::new(STOP_GRACE_MS, move || {
            if let Some(r) = me.upgrade() {
                let _ = r.dispatch(Event::Flushed);
            }
        });
        let (media, capture) = {
            let mut live = self.live.borrow_mut();
            let Some(live) = live.as_mut() else { return };
            live.stop_grace = Some(grace);
            match &mut live.encoder {
                Encoder::Media(media) => (Some(media.clone()), None),
                Encoder::Wav(capture) => (None, capture.take()),
            }
        };
        match media {
            Some(media) if media.state() != RecordingState::Inactive => {
                if let Some(take) = self.take.borrow_mut().as_mut() {
                    take.mime_type = media.mime_type();
                }
                let _ = media.stop();
            }
            // The WAV encoder on the audio thread holds the resampler's last few ms: fetch
            // them into the take's tail, then it has flushed.
            _ => match capture {
                Some(capture) => {
                    let task = self.begin_task(None);
                    let me = self.me.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let last = capture.finish().await;
                        let Some(r) = me.upgrade() else { return };
                        if task.strong_count() == 0 {
                            return; // cancelled, or the grace timer gave up on it
                        }
                        if let Some(take) = r.take.borrow_mut().as_mut() {
                            take.tail = last;
                        }
                        r.answer_of(&task, Event::Flushed);
                    });
                }
                None => {
                    let _ = self.dispatch(Event::Flushed);
                }
            },
        }
    }

    fn persist(&self) {
        let (meta, created_at) = {
            let take = self.take.borrow();
            let Some(take) = take.as_ref() else { return };
            let meta = StoredMeta {
                format: take.plan.format.as_str().to_string(),
                mime_type: take.plan.mime_type.to_string(),
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
            (meta, take.created_at_ms)
        };
        let me = self.me.clone();
        let on_failure = Box::new(move |e: SdkError| {
            if let Some(r) = me.upgrade() {
                r.storage_failed(e);
            }
        });
        let stored = Stored::begin(&self.ctx, created_at, meta, on_failure);
        *self.stored.borrow_mut() = stored;
    }

    /// Storing failed (no IndexedDB, quota, private mode): recording goes on in memory, and the
    /// app hears of it once per SDK.
    fn storage_failed(&self, err: SdkError) {
        if !self.ctx.storage_notice_sent.replace(true) {
            let notice = SdkError::new(ErrorCode::StorageUnavailable, format!("{}; the recording is kept in memory only", err.message));
            self.observer.failed(&SdkError { details: err.details, ..notice });
        }
    }

    // ---- the browser's events while recording ----

    /// Every 100 ms while recording: progress, the level, and the silence watch.
    fn tick(&self) {
        if self.life.borrow().phase() != Phase::Recording {
            return;
        }
        let seconds = self.duration();
        self.observer.recorded(seconds);
        // Out of the `Live` while the analyser is read, back in after.
        let meter = self.live.borrow_mut().as_mut().and_then(|l| l.level.take());
        let Some(mut meter) = meter else { return };
        let level = meter.level();
        let heard = self.live.borrow_mut().as_mut().and_then(|live| {
            live.level = Some(meter);
            live.silence.observe(seconds * 1000.0, level)
        });
        if self.observer.wants_level() {
            self.observer.level(level);
        }
        match heard {
            Some(Heard::Silence { seconds }) => drop(self.dispatch(Event::Silent { seconds })),
            Some(Heard::Sound) => drop(self.dispatch(Event::Sound)),
            None => {}
        }
    }

    fn on_chunk(&self, blob: Blob) {
        let size = blob.size() as u64;
        if size > 0 {
            self.keep_chunk(size, &blob);
        }
    }

    /// A block of WAV data from the capture: keep it (within the size limit).
    fn on_pcm(&self, block: &Uint8Array) {
        // Paused time is not recorded: blocks are dropped while the clock stands still.
        if self.life.borrow().phase() != Phase::Recording || block.length() == 0 {
            return;
        }
        self.keep_chunk(u64::from(block.length()), block);
    }

    /// Offers a chunk to the size guard and keeps it (in memory, and in the stored copy) if it
    /// fits; the guard's first trip stops recording.
    fn keep_chunk(&self, size: u64, chunk: &JsValue) {
        let tripped = {
            let mut take = self.take.borrow_mut();
            let Some(take) = take.as_mut() else { return };
            let already = take.guard.tripped();
            let verdict = take.guard.offer(size);
            if verdict != ChunkVerdict::DropAndStop {
                take.chunks.push(chunk);
                if let Some(stored) = self.stored.borrow().as_ref() {
                    stored.buffer(chunk, take.clock.elapsed_ms(now_ms()) / 1000.0, take.guard.kept());
                }
            }
            let header = if take.wav { wav::HEADER_LEN as u64 } else { 0 };
            (!already && verdict != ChunkVerdict::Keep).then_some(take.guard.kept() + header)
        };
        if let Some(kept) = tripped {
            let _ = self.dispatch(Event::Limit(size_notice(self.options.limits.max_file_size, kept)));
        }
    }

    // ---- effects: keeping and uploading ----

    /// Puts the take together (a WAV gets its header, a WebM its Duration, so it can be
    /// seeked); answers `Kept` or `KeepFailed`.
    fn keep(&self) {
        let Some(mut take) = self.take.borrow_mut().take() else {
            let _ = self.dispatch(Event::KeepFailed(SdkError::new(ErrorCode::RecordingFailed, "no audio was captured")));
            return;
        };
        let duration = kept_duration(take.clock.elapsed_ms(now_ms()) / 1000.0);
        let stored = self.stored.borrow().clone();
        finish_wav(&mut take, stored.as_deref());
        if let Some(stored) = &stored {
            stored.flush(duration, take.guard.kept());
        }
        let assembled = assemble(&take, duration);
        let task = self.begin_task(None);
        let me = self.me.clone();
        let max_size = self.options.limits.max_file_size;
        wasm_bindgen_futures::spawn_local(async move {
            let result = match assembled {
                Ok(mut recording) => {
                    let mut patched = false;
                    if recording.format == AudioFormat::Webm {
                        if let Some(blob) = patch_webm(&recording.blob, &recording.mime_type, recording.duration, max_size).await {
                            recording.size = blob.size() as u64;
                            recording.blob = blob;
                            patched = true;
                        }
                    }
                    Ok((recording, patched))
                }
                Err(e) => Err(e),
            };
            let Some(r) = me.upgrade() else { return };
            match result {
                Ok((recording, patched)) => {
                    if task.strong_count() == 0 {
                        return; // cancelled or destroyed meanwhile: nothing is kept
                    }
                    if let Some(stored) = r.stored.borrow().as_ref() {
                        stored.finished(&recording.mime_type, recording.duration, recording.size, patched);
                    }
                    *r.kept.borrow_mut() = Some(recording);
                    r.answer_of(&task, Event::Kept);
                }
                Err(e) => r.answer_of(&task, Event::KeepFailed(e)),
            }
        });
    }

    fn begin_upload(&self) {
        let Some(recording) = self.recording() else {
            let _ = self.dispatch(Event::UploadFailed(SdkError::invalid_state("upload", "idle")));
            return;
        };
        let abort = match controller() {
            Ok(c) => c,
            Err(e) => {
                let _ = self.dispatch(Event::UploadFailed(e));
                return;
            }
        };
        let signal = abort.signal();
        let task = self.begin_task(Some(abort));
        let spec = UploadSpec {
            format: recording.format,
            size: recording.size,
            duration_secs: recording.duration,
            bits_per_second: u64::from(self.options.bits_per_second),
            created_at_ms: recording.created_at_ms,
        };
        let stored = self.stored.borrow().clone();
        let journal = match &stored {
            Some(s) => s.upload_journal(),
            None => Rc::new(Journal::new(UploadJournal::default(), None)),
        };
        let (me, ctx) = (self.me.clone(), self.ctx.clone());
        let observer = Rc::new(UploadEvents { recorder: self.me.clone(), task: task.clone() });
        wasm_bindgen_futures::spawn_local(async move {
            let result = upload_resumable(&ctx, &recording.blob, &recording.mime_type, &spec, &signal, observer, &journal).await;
            let Some(r) = me.upgrade() else { return };
            match result {
                Ok(result) => {
                    if let Some(stored) = &stored {
                        stored.confirmed();
                    }
                    if task.strong_count() == 0 {
                        return;
                    }
                    // Confirmed: the stored copy is done with.
                    let mine = r.stored.borrow().as_ref().zip(stored.as_ref()).is_some_and(|(a, b)| Rc::ptr_eq(a, b));
                    if mine {
                        let done = r.stored.borrow_mut().take();
                        drop(done);
                    }
                    *r.result.borrow_mut() = Some(result);
                    r.answer_of(&task, Event::Uploaded);
                }
                Err(e) => r.answer_of(&task, Event::UploadFailed(e)),
            }
        });
    }
}

/// Hands upload progress to `onUploadProgress`, and waiting for the network to the lifecycle.
struct UploadEvents {
    recorder: Weak<Recorder>,
    task: Weak<()>,
}

impl UploadObserver for UploadEvents {
    fn progress(&self, percent: f64) {
        if let (Some(r), true) = (self.recorder.upgrade(), self.task.strong_count() > 0) {
            r.observer.upload_progress(percent);
        }
    }
    fn waiting(&self, waiting: bool) {
        if let (Some(r), true) = (self.recorder.upgrade(), self.task.strong_count() > 0) {
            let _ = r.dispatch(if waiting { Event::Offline } else { Event::Online });
        }
    }
}

/// Opens the microphone and the encoder for `plan`, with the listeners that report back.
async fn open_live(
    me: Weak<Recorder>,
    task: &Weak<()>,
    plan: RecordingPlan,
    device_id: Option<&str>,
    graph: Option<AudioContext>,
    wants_meter: bool,
) -> Result<(Live, Take), SdkError> {
    let Some(r) = me.upgrade() else { return Err(recording_cancelled()) };
    let (audio, bits, silence_ms, assets_url, max) =
        (r.options.audio, r.options.bits_per_second, r.options.silence_timeout_ms, r.ctx.config.assets_url.clone(), r.options.limits.max_file_size);
    drop(r);
    let mic = Microphone::open(device_id, &audio).await?;
    if task.upgrade().is_none() {
        // cancel() or destroy() while the browser asked: let go of the answer at once.
        return Err(SdkError::new(ErrorCode::Aborted, "start() was cancelled"));
    }
    // Without a click behind start() (an app calling it by itself, a test), some browsers keep
    // that context suspended; WebKit lets one made while the microphone is open start.
    let mut fresh = None;
    let graph = match graph {
        Some(context) if context.state() != AudioContextState::Running => {
            let made = AudioGraph::new()?;
            let context = made.context().clone();
            fresh = Some(made);
            Some(context)
        }
        other => other,
    };
    let wav = plan.format == AudioFormat::Wav;
    let encoder = match &graph {
        Some(graph) if wav => {
            let weak = me.clone();
            let on_block = Closure::<dyn FnMut(Uint8Array)>::new(move |block: Uint8Array| {
                if let Some(r) = weak.upgrade() {
                    r.on_pcm(&block);
                }
            });
            Encoder::Wav(Some(WavCapture::open(graph, mic.stream(), assets_url.as_deref(), on_block).await?))
        }
        _ => Encoder::Media(media_recorder(mic.stream(), plan, bits)?),
    };
    let mut listeners = Vec::new();
    if let Encoder::Media(media) = &encoder {
        let weak = me.clone();
        listeners.push(EventListener::new(media, "dataavailable", move |e| {
            if let (Some(r), Some(data)) = (weak.upgrade(), e.dyn_ref::<BlobEvent>().and_then(BlobEvent::data)) {
                r.on_chunk(data);
            }
        }));
        let weak = me.clone();
        listeners.push(EventListener::new(media, "stop", move |_| {
            if let Some(r) = weak.upgrade() {
                let _ = r.dispatch(Event::Flushed);
            }
        }));
        let weak = me.clone();
        listeners.push(EventListener::new(media, "error", move |e| {
            if let Some(r) = weak.upgrade() {
                let err = error_from_js(e.as_ref(), ErrorCode::RecordingFailed);
                let _ = r.dispatch(Event::EncoderFailed(SdkError::new(ErrorCode::RecordingFailed, err.message)));
            }
        }));
    }
    for track in mic.tracks() {
        let listen = |name: &'static str, event: fn(&Recorder) -> Event| {
            let weak = me.clone();
            EventListener::new(&track, name, move |_| {
                if let Some(r) = weak.upgrade() {
                    let _ = r.dispatch(event(&r));
                }
            })
        };
        // Unplugged, revoked, taken by the OS: recording stops and keeps what it has.
        listeners.push(listen("ended", |r| Event::TrackEnded(track_ended_notice(r.duration()))));
        listeners.push(listen("mute", |r| Event::Muted { seconds: r.duration() }));
        listeners.push(listen("unmute", |_| Event::Unmuted));
    }
    if let Some(window) = web_sys::window() {
        let weak = me.clone();
        listeners.push(EventListener::new(&window, "pagehide", move |_| {
            if let Some(r) = weak.upgrade() {
                let _ = r.dispatch(Event::PageHidden);
            }
        }));
    }
    let level = match &graph {
        Some(graph) if wants_meter => LevelMeter::new(graph, mic.stream()).ok(),
        _ => None,
    };
    if let Encoder::Media(media) = &encoder {
        media.start_with_time_slice(TIMESLICE_MS).map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
    }
    let weak = me.clone();
    let ticker = Interval::new(TICK_MS, move || {
        if let Some(r) = weak.upgrade() {
            r.tick();
        }
    });
    // The WAV data is measured without its 44-byte header, which is written at the end.
    let guard_limit = if wav { max.saturating_sub(wav::HEADER_LEN as u64) } else { max };
    let take = Take {
        plan,
        chunks: Array::new(),
        guard: SizeGuard::new(guard_limit),
        clock: RecordClock::start(now_ms()),
        wav,
        tail: None,
        mime_type: String::new(),
        created_at_ms: js_sys::Date::now(),
        settings: mic.settings(),
    };
    let live = Live {
        mic,
        encoder,
        level,
        silence: SilenceWatch::new(silence_ms),
        auto_stop: None,
        stop_grace: None,
        _ticker: ticker,
        _listeners: listeners,
        _graph: fresh,
    };
    Ok((live, take))
}

/// Ends a WAV take: the encoder's last data (if it fits), then the header, sized for exactly
/// the data kept, in front (the stored copy gets the tail; its header is made when it is rebuilt).
fn finish_wav(take: &mut Take, stored: Option<&Stored>) {
    if !take.wav {
        return;
    }
    if let Some(tail) = take.tail.take().filter(|t| t.length() > 0) {
        if take.guard.offer(u64::from(tail.length())) != ChunkVerdict::DropAndStop {
            take.chunks.push(&tail);
            if let Some(stored) = stored {
                stored.buffer(&tail, take.clock.elapsed_ms(now_ms()) / 1000.0, take.guard.kept());
            }
        }
    }
    let header = wav::header(resample::OUTPUT_RATE, take.guard.kept().min(u64::from(u32::MAX)) as u32);
    take.chunks.unshift(&Uint8Array::from(&header[..]));
}

/// The take's chunks as the recording's `Blob`.
fn assemble(take: &Take, duration: f64) -> Result<Recording, SdkError> {
    let mime_type = if take.mime_type.is_empty() { take.plan.mime_type.to_string() } else { take.mime_type.clone() };
    let format = AudioFormat::from_mime(&mime_type)
        .ok_or_else(|| SdkError::new(ErrorCode::RecordingFailed, format!("the browser recorded {mime_type}, which the service does not accept")))?;
    let bag = BlobPropertyBag::new();
    bag.set_type(&mime_type);
    let blob = Blob::new_with_blob_sequence_and_options(&take.chunks, &bag).map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
    let size = blob.size() as u64;
    if size == 0 {
        return Err(SdkError::new(ErrorCode::RecordingFailed, "no audio was captured"));
    }
    Ok(Recording { blob, mime_type, format, duration, size, created_at_ms: take.created_at_ms, settings: take.settings.clone() })
}
