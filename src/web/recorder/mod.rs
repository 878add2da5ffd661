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
//! `Live`; dropping it releases them all. What the take produced (a `Take`), the kept note and
//! the upload's result are held by the phase they belong to (`Held`, stepped with the lifecycle in
//! one `Phased`): they arrive with the answer that enters it and go when the lifecycle leaves
//! it. Each async step (opening, keeping, uploading) is a `Task`; dropping it makes its late
//! answer stale and aborts its requests.
//!
//! By job: this file holds the recorder's types, its calls and the runner (`dispatch`,
//! `carry_out`, `settle`, tasks); `live` the take being recorded; `take` the finished take
//! (kept, stored, uploaded).

mod live;
mod take;

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
use super::media::{media_recorder, recording_plan, AudioGraph, AudioOptions, LevelMeter, Microphone, TrackSettings, WavCapture};
use super::sdk::SdkContext;
use super::upload::{upload_resumable, Journal, UploadObserver};
use crate::core::clock::RecordClock;
use crate::core::durable::{kept_duration, StoredMeta, StoredState, UploadJournal};
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::{AudioFormat, FormatPreference, RecordingPlan};
use crate::core::level::{Heard, SilenceWatch};
use crate::core::lifecycle::{Call, Effect, Event, Holds, InputStatus, Lifecycle, Outcome, Phase, RecorderState};
use crate::core::limits::{duration_notice, size_notice, track_ended_notice, ChunkVerdict, RecorderLimits, SizeGuard};
use crate::core::network::{NetworkNotice, NetworkStatus};
use crate::core::resample;
use crate::core::silence::SilenceStop;
use crate::core::upload::{UploadResult, UploadSpec};
use crate::core::wav;
use crate::core::waveform::Waveform;

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
    /// Silence this long after speech ends the take (`stopOnSilence`; 0: off).
    pub stop_on_silence_ms: f64,
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
    pub settings: Option<TrackSettings>,
    /// Peaks 0..1 of 100 equal slices of the take; empty when the browser gave no level meter.
    pub waveform: Vec<f64>,
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
    stop_on_silence: SilenceStop,
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
    /// The encoder's last data.
    tail: Option<Uint8Array>,
    /// What `MediaRecorder` says it recorded, read before it is released.
    mime_type: String,
    created_at_ms: f64,
    settings: Option<TrackSettings>,
    /// The level meter's measurements, for `recording.waveform`.
    waveform: Waveform,
}

impl Take {
    /// A WAV take: its header is written when it is kept.
    fn wav(&self) -> bool {
        self.plan.format == AudioFormat::Wav
    }
}

/// What the recorder holds, by the phase of its lifecycle (`Phase::holds`): the take while it is
/// recorded, the kept note once stopped, and the upload's result beside it once uploaded.
enum Held {
    /// Idle, requesting, failed with nothing kept, destroyed (and finishing once `keep` took the take).
    Nothing,
    /// Recording, paused, stopping, finishing.
    Take(Take),
    /// Stopped, uploading, waiting, failed with the note kept.
    Kept(Recording),
    /// Uploaded.
    Uploaded(Recording, UploadResult),
}

impl Held {
    /// What `phase` holds of this: the rest goes with the phase that held it.
    fn follow(self, phase: Phase) -> Held {
        match (phase.holds(), self) {
            (Holds::Take, held @ Held::Take(_)) | (Holds::Kept, held @ Held::Kept(_)) | (Holds::Uploaded, held @ Held::Uploaded(..)) => held,
            _ => Held::Nothing,
        }
    }

    fn take_mut(&mut self) -> Option<&mut Take> {
        match self {
            Held::Take(take) => Some(take),
            _ => None,
        }
    }

    /// The kept note, uploaded or not.
    fn recording(&self) -> Option<&Recording> {
        match self {
            Held::Kept(recording) | Held::Uploaded(recording, _) => Some(recording),
            _ => None,
        }
    }

    fn result(&self) -> Option<&UploadResult> {
        match self {
            Held::Uploaded(_, result) => Some(result),
            _ => None,
        }
    }
}

/// The lifecycle and what its phase holds, changed together (`step`).
struct Phased {
    life: Lifecycle,
    held: Held,
}

impl Phased {
    /// Applies `event`, with the value its answer brings (`arriving`), and lets go of what the
    /// new phase does not hold.
    fn step(&mut self, event: Event, arriving: Option<Held>) -> Result<Vec<Effect>, SdkError> {
        let effects = self.life.step(event)?;
        let held = std::mem::replace(&mut self.held, Held::Nothing);
        self.held = arriving.unwrap_or(held).follow(self.life.phase());
        Ok(effects)
    }
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
    phased: RefCell<Phased>,
    queue: RefCell<VecDeque<Effect>>,
    /// Effects are being carried out further up the stack: new ones queue behind them.
    draining: Cell<bool>,
    live: RefCell<Option<Live>>,
    /// The copy in IndexedDB of the recording being made or kept (with `persist`).
    stored: RefCell<Option<Rc<Stored>>>,
    task: RefCell<Option<Task>>,
    /// Web Audio for the take being opened (created inside `start()`); the take's `Live` owns
    /// it once the microphone is open.
    graph: RefCell<Option<AudioGraph>>,
    waiting: RefCell<Waiting>,
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
            phased: RefCell::new(Phased { life: Lifecycle::new(options.auto_upload).with_device(options.device_id.clone()), held: Held::Nothing }),
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            live: RefCell::new(None),
            stored: RefCell::new(None),
            task: RefCell::new(None),
            graph: RefCell::new(None),
            waiting: RefCell::new(Waiting::default()),
            options,
            ctx,
            observer,
            me: me.clone(),
        })
    }

    // ---- reading ----

    pub fn state(&self) -> RecorderState {
        self.phased.borrow().life.state()
    }

    /// `inputStatus`: whether the microphone delivers anything.
    pub fn input_status(&self) -> InputStatus {
        self.phased.borrow().life.input()
    }

    /// `networkStatus`: how the upload in flight reaches the network.
    pub fn network_status(&self) -> NetworkStatus {
        self.phased.borrow().life.network()
    }

    /// Recorded seconds: live while recording, else those of the kept recording.
    pub fn duration(&self) -> f64 {
        match &self.phased.borrow().held {
            Held::Take(take) => take.clock.elapsed_ms(now_ms()) / 1000.0,
            held => held.recording().map_or(0.0, |r| r.duration),
        }
    }

    pub fn recording(&self) -> Option<Recording> {
        self.phased.borrow().held.recording().cloned()
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
        self.dispatch_with(event, None)
    }

    /// The same, for an answer that brings what the phase it enters holds.
    fn dispatch_with(&self, event: Event, arriving: Option<Held>) -> Result<(), SdkError> {
        let effects = self.phased.borrow_mut().step(event, arriving)?;
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
            Effect::OpenMicrophone(device) => self.open(device),
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
            // The take and the kept note went with the phase that held them.
            Effect::Discard => {
                let stored = self.stored.borrow_mut().take();
                if let Some(stored) = stored {
                    stored.discard();
                }
            }
            Effect::Forget => {
                let stored = self.stored.borrow_mut().take();
                drop(stored);
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
                let result = self.phased.borrow().held.result().cloned();
                if let Some(result) = result {
                    self.observer.completed(&result);
                }
            }
            Effect::Cancelled => self.observer.cancelled(),
        }
    }

    /// Every waiting call of kind `call` settles with `outcome`, read as that call's value: the
    /// recording or the result is the one the phase holds.
    fn settle(&self, call: Call, outcome: Outcome) {
        // `None` cannot happen (the core's tests check that every such settle lands in a phase
        // holding its value); dropped, the calls would reject as when the recorder goes.
        fn send_all<T: Clone>(waiting: Vec<oneshot::Sender<Result<T, SdkError>>>, value: Option<Result<T, SdkError>>) {
            let Some(value) = value else { return };
            for tx in waiting {
                let _ = tx.send(value.clone());
            }
        }
        let (recording, result) = {
            let phased = self.phased.borrow();
            (phased.held.recording().cloned(), phased.held.result().cloned())
        };
        match (call, outcome) {
            (Call::Start, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().start), Some(Err(e))),
            (Call::Start, _) => send_all(std::mem::take(&mut self.waiting.borrow_mut().start), Some(Ok(()))),
            (Call::Stop, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), Some(Err(e))),
            (Call::Stop, Outcome::Result) => send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), result.map(|r| Ok(Stopped::Uploaded(r)))),
            (Call::Stop, _) => send_all(std::mem::take(&mut self.waiting.borrow_mut().stop), recording.map(|r| Ok(Stopped::Recording(r)))),
            (Call::Upload, Outcome::Failed(e)) => send_all(std::mem::take(&mut self.waiting.borrow_mut().upload), Some(Err(e))),
            (Call::Upload, _) => send_all(std::mem::take(&mut self.waiting.borrow_mut().upload), result.map(Ok)),
        }
    }

    /// Runs `f` on the take being recorded, if the phase holds one.
    fn with_take<T>(&self, f: impl FnOnce(&mut Take) -> T) -> Option<T> {
        self.phased.borrow_mut().held.take_mut().map(f)
    }

    /// Whether time counts now (`Phase::records`).
    fn records(&self) -> bool {
        self.phased.borrow().life.phase().records()
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
        self.answer_with(weak, event, None);
    }

    /// The same, bringing what the phase it enters holds.
    fn answer_with(&self, weak: &Weak<()>, event: Event, arriving: Option<Held>) {
        if weak.strong_count() == 0 {
            return;
        }
        let task = self.task.borrow_mut().take();
        // Its job is done: nothing to abort.
        if let Some(mut task) = task {
            task.abort = None;
        }
        let _ = self.dispatch_with(event, arriving);
    }
}
