//! The recorder's whole lifecycle as data: one `Phase` enum and one pure function,
//! [`transition`], that takes the phase and an [`Event`] (a method call, a browser event, a
//! timer, an upload outcome) and returns the next phase and the [`Effect`]s the browser layer
//! carries out, in order. Every state change of a recorder happens here and nowhere else.

use super::errors::{ErrorCode, SdkError};
use super::level::no_audio_notice;
use super::network::{NetworkNotice, NetworkStatus};

/// The states an app sees (`recorder.state`, `onStateChange`), as API.md names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecorderState {
    /// No take; `start()` may be called.
    Idle,
    /// Waiting for the microphone.
    Requesting,
    /// Recording.
    Recording,
    /// Paused; paused time is not recorded.
    Paused,
    /// A recording is kept and not uploaded.
    Stopped,
    /// The recording is uploading.
    Uploading,
    /// The upload waits for the network.
    Waiting,
    /// The service confirmed the upload.
    Uploaded,
    /// Something failed; `onError` said what.
    Error,
}

impl RecorderState {
    /// Every state, in API.md's order.
    pub const ALL: [RecorderState; 9] = [
        RecorderState::Idle,
        RecorderState::Requesting,
        RecorderState::Recording,
        RecorderState::Paused,
        RecorderState::Stopped,
        RecorderState::Uploading,
        RecorderState::Waiting,
        RecorderState::Uploaded,
        RecorderState::Error,
    ];

    /// The state API.md names `name` (what the JS entries hand back, e.g. to the gesture).
    pub fn parse(name: &str) -> Option<RecorderState> {
        RecorderState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The name API.md gives the state.
    pub fn as_str(self) -> &'static str {
        match self {
            RecorderState::Idle => "idle",
            RecorderState::Requesting => "requesting",
            RecorderState::Recording => "recording",
            RecorderState::Paused => "paused",
            RecorderState::Stopped => "stopped",
            RecorderState::Uploading => "uploading",
            RecorderState::Waiting => "waiting",
            RecorderState::Uploaded => "uploaded",
            RecorderState::Error => "error",
        }
    }
}

/// Whether the microphone delivers anything (`recorder.inputStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputStatus {
    /// Sound arrives.
    Ok,
    /// The track is muted (another app took the microphone, a hardware switch).
    Muted,
    /// The input has been silent for the silence timeout.
    Silent,
}

impl InputStatus {
    /// The name API.md gives the status.
    pub fn as_str(self) -> &'static str {
        match self {
            InputStatus::Ok => "ok",
            InputStatus::Muted => "muted",
            InputStatus::Silent => "silent",
        }
    }
}

/// What the app sees of a recorder: its state, its input's status and its upload's network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The recorder's state.
    pub state: RecorderState,
    /// Its input's status.
    pub input: InputStatus,
    /// `networkStatus`: `Ok` outside `uploading` and `waiting`.
    pub network: NetworkStatus,
}

/// Where a recorder is. `Stopping` and `Finishing` are not shown to the app (it keeps seeing
/// `recording` or `paused` until the recording is kept); `Destroyed` shows as `idle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No take.
    Idle,
    /// The browser is asked for the microphone.
    Requesting,
    /// Recording.
    Recording,
    /// Paused.
    Paused,
    /// Recording ended; the encoder is flushing. `upload`: the kept recording uploads by itself.
    Stopping {
        /// The kept recording uploads by itself.
        upload: bool,
    },
    /// The encoder has flushed and the microphone is released; the recording is put together.
    Finishing {
        /// The kept recording uploads by itself.
        upload: bool,
    },
    /// A recording is kept.
    Stopped,
    /// The kept recording is uploading.
    Uploading,
    /// The upload waits for the network.
    Waiting,
    /// The service confirmed the upload.
    Uploaded,
    /// `kept`: a recording is kept (a failed upload), so `upload()` may try again.
    Error {
        /// Whether a recording is kept.
        kept: bool,
    },
    /// `destroy()` was called; nothing more happens.
    Destroyed,
}

impl Phase {
    /// The state the app sees on entering this phase; `None`: it keeps seeing the one before.
    pub fn shown(self) -> Option<RecorderState> {
        Some(match self {
            Phase::Idle | Phase::Destroyed => RecorderState::Idle,
            Phase::Requesting => RecorderState::Requesting,
            Phase::Recording => RecorderState::Recording,
            Phase::Paused => RecorderState::Paused,
            Phase::Stopping { .. } | Phase::Finishing { .. } => return None,
            Phase::Stopped => RecorderState::Stopped,
            Phase::Uploading => RecorderState::Uploading,
            Phase::Waiting => RecorderState::Waiting,
            Phase::Uploaded => RecorderState::Uploaded,
            Phase::Error { .. } => RecorderState::Error,
        })
    }

    /// Whether time counts in this phase: paused time is not recorded (no progress, no audio).
    pub fn records(self) -> bool {
        self == Phase::Recording
    }

    /// What a recorder holds in this phase (the browser layer keeps the values; they go with
    /// the phase that held them).
    pub fn holds(self) -> Holds {
        match self {
            Phase::Recording | Phase::Paused | Phase::Stopping { .. } | Phase::Finishing { .. } => Holds::Take,
            Phase::Stopped | Phase::Uploading | Phase::Waiting | Phase::Error { kept: true } => Holds::Kept,
            Phase::Uploaded => Holds::Uploaded,
            Phase::Idle | Phase::Requesting | Phase::Error { kept: false } | Phase::Destroyed => Holds::Nothing,
        }
    }
}

/// What a phase holds. A value arrives with the event that enters the first phase holding it
/// (`Opened`: the take, `Kept`: the note, `Uploaded`: the result beside the note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Nothing: no take, or one that failed with nothing kept.
    Nothing,
    /// The take being recorded (in `Finishing` until it is being kept).
    Take,
    /// The kept note.
    Kept,
    /// The kept note and its upload's result.
    Uploaded,
}

/// The calls that wait for the lifecycle (their promises settle through `Effect::Settle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `start()`.
    Start,
    /// `stop()`.
    Stop,
    /// `upload()`.
    Upload,
}

/// What happens to a recorder.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    // The app's calls.
    /// `start()`.
    Start,
    /// `stop()`.
    Stop,
    /// `pause()`.
    Pause,
    /// `resume()`.
    Resume,
    /// `cancel()`.
    Cancel,
    /// `upload()`.
    Upload,
    /// `destroy()`.
    Destroy,
    /// `setDevice()`: the microphone for the next take (`None`: the browser's default).
    SetDevice(Option<String>),
    // The browser.
    /// The microphone is open and the encoder can run.
    Opened,
    /// Opening the microphone or the encoder failed.
    OpenFailed(SdkError),
    /// A limit was reached (`DURATION_EXCEEDED` or `FILE_SIZE_EXCEEDED`, a notice).
    Limit(SdkError),
    /// The microphone's track ended (`MICROPHONE_UNAVAILABLE`, a notice).
    TrackEnded(SdkError),
    /// The page is being hidden or unloaded.
    PageHidden,
    /// The track was muted (`seconds` recorded so far).
    Muted {
        /// Seconds recorded so far.
        seconds: f64,
    },
    /// The track was unmuted.
    Unmuted,
    /// The input stayed silent for the silence timeout (`seconds` of silence).
    Silent {
        /// Seconds of silence.
        seconds: f64,
    },
    /// Sound after a reported silence.
    Sound,
    /// `stopOnSilence`: speech was heard, then that much silence.
    SpeechEnded,
    /// The encoder failed while recording.
    EncoderFailed(SdkError),
    /// The encoder has delivered its last data (or the grace timer stopped waiting for it).
    Flushed,
    /// The recording is put together and kept.
    Kept,
    /// Putting the recording together failed.
    KeepFailed(SdkError),
    // The upload.
    /// The upload lost the network.
    Offline,
    /// The network is back.
    Online,
    /// The upload's retries were spent on network errors while the browser says it is online
    /// (`NETWORK_ERROR`, a notice); the upload keeps waiting and probing.
    Unreachable(NetworkNotice),
    /// The service confirmed the upload.
    Uploaded,
    /// The upload failed for good.
    UploadFailed(SdkError),
}

impl Event {
    /// The public method behind an app's call, for `INVALID_STATE` messages.
    fn action(&self) -> Option<&'static str> {
        Some(match self {
            Event::Start => "start",
            Event::Stop => "stop",
            Event::Pause => "pause",
            Event::Resume => "resume",
            Event::Cancel => "cancel",
            Event::Upload => "upload",
            Event::Destroy => "destroy",
            Event::SetDevice(_) => "setDevice",
            _ => return None,
        })
    }
}

/// How a waiting call settles.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `start()` resolved.
    Started,
    /// With the kept recording.
    Recording,
    /// With the upload's result.
    Result,
    /// Rejected with this error.
    Failed(SdkError),
}

/// What the browser layer does, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// A new take: the recording kept from the last one goes (its stored copy too, unless its
    /// upload began: that one stays pending).
    DropKept,
    /// Ask the browser for this microphone (`None`: the default); it answers with `Opened` or
    /// `OpenFailed`.
    OpenMicrophone(Option<String>),
    /// The encoder runs, the clock starts, progress and level are reported.
    StartEncoder,
    /// The recording is stored as it is made (with `persist`).
    Persist,
    /// Arm the timer that stops at `maxDuration`.
    ScheduleAutoStop,
    /// Disarm it.
    CancelAutoStop,
    /// The encoder pauses.
    PauseEncoder,
    /// The encoder resumes.
    ResumeEncoder,
    /// The encoder flushes what it holds (answered by `Flushed`, bounded by a grace timer).
    StopEncoder,
    /// The page is going: the microphone's tracks stop now, the encoder flushes what it has.
    StopTracks,
    /// Every track stopped, every AudioContext closed, every timer and listener gone.
    Release,
    /// The take becomes the kept recording (answered by `Kept` or `KeepFailed`).
    Keep,
    /// The take and the kept recording go, with their stored copy.
    Discard,
    /// They go from memory; the stored copy stays pending (`sdk.pendingRecordings()`).
    Forget,
    /// Upload the kept recording (answered by `Uploaded` or `UploadFailed`, with `Offline`,
    /// `Online` and `Unreachable` in between).
    Upload,
    /// The upload in flight is aborted.
    AbortUpload,
    /// `onStateChange`.
    Notify(RecorderState),
    /// `onError`.
    Report(SdkError),
    /// Every waiting call of this kind settles.
    Settle(Call, Outcome),
    /// `onComplete`, with the upload's result.
    Complete,
    /// `onCancel`.
    Cancelled,
}

fn start_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "start() was cancelled")
}

fn recording_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the recording was cancelled")
}

fn upload_cancelled() -> SdkError {
    SdkError::new(ErrorCode::Aborted, "the upload was cancelled")
}

/// The next phase and what to do, or `INVALID_STATE` for an app's call that makes no sense in
/// `phase` (nothing changes then). A browser event that no longer applies (a late answer after
/// `cancel()`, a second stop request) changes nothing and does nothing. `seen` is what the app
/// sees now, and the result carries what it sees after (`inputStatus` has no callback of its
/// own: a change to muted or silent comes with a `Report` of `NO_AUDIO_INPUT`); `auto_upload`
/// is the recorder's option; `device` the microphone the next take opens.
pub fn transition(phase: Phase, seen: Seen, device: Option<&str>, event: Event, auto_upload: bool) -> Result<(Phase, Seen, Vec<Effect>), SdkError> {
    let network = network_after(phase, seen.network, &event);
    let (phase, input, effects) = table(phase, seen, device, event, auto_upload)?;
    let state = effects.iter().rev().find_map(|e| if let Effect::Notify(s) = e { Some(*s) } else { None }).unwrap_or(seen.state);
    // The status describes the upload in flight: none, nothing to say.
    let network = if matches!(phase, Phase::Uploading | Phase::Waiting) { network } else { NetworkStatus::Ok };
    Ok((phase, Seen { state, input, network }, effects))
}

/// `networkStatus` after `event` while uploading: offline when the upload lost the network
/// (unless it is already known to be unreachable, which says more), what a notice says, and
/// `ok` once a request is answered.
fn network_after(phase: Phase, network: NetworkStatus, event: &Event) -> NetworkStatus {
    if !matches!(phase, Phase::Uploading | Phase::Waiting) {
        return network;
    }
    match event {
        Event::Offline if network == NetworkStatus::Ok => NetworkStatus::Offline,
        Event::Unreachable(notice) => notice.reason.status(),
        Event::Online => NetworkStatus::Ok,
        _ => network,
    }
}

/// `transition` without the seen state: the next phase, `inputStatus`, and what to do.
fn table(phase: Phase, seen: Seen, device: Option<&str>, event: Event, auto_upload: bool) -> Result<(Phase, InputStatus, Vec<Effect>), SdkError> {
    use Effect as F;
    use Event as E;
    use Phase as P;
    let shown = seen.state;
    let input = seen.input;
    let to = |p: Phase, effects: Vec<Effect>| Ok((p, input, effects));
    let notify = |p: Phase| p.shown().map(F::Notify);
    let with = |p: Phase, mut before: Vec<Effect>, after: Vec<Effect>| {
        before.extend(notify(p));
        before.extend(after);
        Ok((p, input, before))
    };
    let unchanged = Ok((phase, input, Vec::new()));
    match (phase, event) {
        (P::Destroyed, E::Destroy) => unchanged,
        (P::Destroyed, ev) => match ev.action() {
            Some(action) => Err(SdkError::new(ErrorCode::InvalidState, format!("{action}() after destroy()"))),
            None => unchanged,
        },
        (_, E::Destroy) => {
            let mut effects = vec![F::Release, F::AbortUpload, F::Forget];
            effects.push(F::Settle(Call::Start, Outcome::Failed(start_cancelled())));
            effects.push(F::Settle(Call::Stop, Outcome::Failed(recording_cancelled())));
            effects.push(F::Settle(Call::Upload, Outcome::Failed(upload_cancelled())));
            if shown != RecorderState::Idle {
                effects.push(F::Notify(RecorderState::Idle));
            }
            to(P::Destroyed, effects)
        }

        // start
        (P::Idle | P::Stopped | P::Uploaded | P::Error { .. }, E::Start) => {
            let (p, _, effects) = with(P::Requesting, vec![F::DropKept], vec![F::OpenMicrophone(device.map(str::to_owned))])?;
            Ok((p, InputStatus::Ok, effects))
        }
        (P::Idle | P::Stopped | P::Uploaded | P::Error { .. }, E::SetDevice(_)) => unchanged,

        // the input, while recording: a notice once per stretch; recording goes on
        (P::Recording | P::Paused, E::Muted { seconds }) if input != InputStatus::Muted => {
            let effects = if input == InputStatus::Ok { vec![F::Report(no_audio_notice("muted", seconds))] } else { vec![] };
            Ok((phase, InputStatus::Muted, effects))
        }
        (P::Recording | P::Paused, E::Unmuted) if input == InputStatus::Muted => Ok((phase, InputStatus::Ok, vec![])),
        (P::Recording, E::Silent { seconds }) if input == InputStatus::Ok => {
            Ok((phase, InputStatus::Silent, vec![F::Report(no_audio_notice("silent", seconds))]))
        }
        (P::Recording | P::Paused, E::Sound) if input == InputStatus::Silent => Ok((phase, InputStatus::Ok, vec![])),
        (_, E::Muted { .. } | E::Unmuted | E::Silent { .. } | E::Sound) => unchanged,
        (P::Requesting, E::Opened) => {
            with(P::Recording, vec![F::StartEncoder, F::ScheduleAutoStop, F::Persist], vec![F::Settle(Call::Start, Outcome::Started)])
        }
        (P::Requesting, E::OpenFailed(e)) => {
            let p = P::Error { kept: false };
            with(p, vec![F::Release], vec![F::Report(e.clone()), F::Settle(Call::Start, Outcome::Failed(e))])
        }
        (P::Requesting, E::Cancel) => {
            with(P::Idle, vec![F::Release, F::Discard], vec![F::Settle(Call::Start, Outcome::Failed(start_cancelled())), F::Cancelled])
        }

        // while recording
        (P::Recording, E::Pause) => with(P::Paused, vec![F::PauseEncoder, F::CancelAutoStop], vec![]),
        (P::Paused, E::Resume) => with(P::Recording, vec![F::ResumeEncoder, F::ScheduleAutoStop], vec![]),
        (P::Recording | P::Paused, E::Stop) => to(P::Stopping { upload: auto_upload }, vec![F::CancelAutoStop, F::StopEncoder]),
        // stopOnSilence ends the take as stop() would (no one waits on it; autoUpload uploads).
        (P::Recording, E::SpeechEnded) => to(P::Stopping { upload: auto_upload }, vec![F::CancelAutoStop, F::StopEncoder]),
        (P::Recording | P::Paused, E::Limit(notice) | E::TrackEnded(notice)) => {
            to(P::Stopping { upload: auto_upload }, vec![F::CancelAutoStop, F::StopEncoder, F::Report(notice)])
        }
        // The page may never run again: no upload starts; the stored copy is resumed later.
        (P::Recording | P::Paused, E::PageHidden) => to(P::Stopping { upload: false }, vec![F::CancelAutoStop, F::StopEncoder, F::StopTracks]),
        (P::Recording | P::Paused | P::Stopping { .. }, E::EncoderFailed(e)) => {
            let p = P::Error { kept: false };
            let after = vec![F::Report(e.clone()), F::Settle(Call::Stop, Outcome::Failed(e))];
            with(p, vec![F::Release, F::Forget], after)
        }
        (P::Recording | P::Paused, E::Cancel) => with(P::Idle, vec![F::Release, F::Discard], vec![F::Cancelled]),

        // stopping: the first reason to stop wins; a second stop() waits with the first
        (P::Stopping { .. }, E::Stop) => to(P::Stopping { upload: auto_upload }, vec![]),
        (P::Stopping { .. }, E::Limit(_) | E::TrackEnded(_)) => unchanged,
        (P::Stopping { .. }, E::PageHidden) => to(phase, vec![F::StopTracks]),
        (P::Stopping { upload }, E::Flushed) => to(P::Finishing { upload }, vec![F::Release, F::Keep]),
        (P::Finishing { .. }, E::Stop) => to(P::Finishing { upload: auto_upload }, vec![]),
        (P::Stopping { .. } | P::Finishing { .. }, ev @ (E::Pause | E::Resume)) => {
            let action = ev.action().unwrap_or("pause");
            Err(SdkError::new(ErrorCode::InvalidState, format!("{action}() while the recording is stopping")))
        }
        (P::Stopping { .. } | P::Finishing { .. }, E::Cancel) => {
            with(P::Idle, vec![F::Release, F::Discard], vec![F::Settle(Call::Stop, Outcome::Failed(recording_cancelled())), F::Cancelled])
        }
        (P::Finishing { upload: true }, E::Kept) => {
            let effects = vec![F::Notify(RecorderState::Stopped), F::Notify(RecorderState::Uploading), F::Upload];
            to(P::Uploading, effects)
        }
        (P::Finishing { upload: false }, E::Kept) => {
            let stop = if auto_upload { vec![] } else { vec![F::Settle(Call::Stop, Outcome::Recording)] };
            with(P::Stopped, vec![], stop)
        }
        (P::Finishing { .. }, E::KeepFailed(e)) => {
            let after = vec![F::Report(e.clone()), F::Settle(Call::Stop, Outcome::Failed(e))];
            with(P::Error { kept: false }, vec![F::Forget], after)
        }

        // a kept recording
        (P::Stopped, E::Stop) if auto_upload => with(P::Uploading, vec![], vec![F::Upload]),
        (P::Stopped, E::Stop) => to(P::Stopped, vec![F::Settle(Call::Stop, Outcome::Recording)]),
        (P::Stopped | P::Error { kept: true }, E::Upload) => with(P::Uploading, vec![], vec![F::Upload]),
        (P::Stopped | P::Error { .. }, E::Cancel) => with(P::Idle, vec![F::Discard], vec![F::Cancelled]),

        // uploading
        (P::Uploading | P::Waiting, E::Stop) => unchanged,
        (P::Uploaded, E::Stop) => to(P::Uploaded, vec![F::Settle(Call::Stop, Outcome::Result)]),
        (P::Uploading, E::Offline) => with(P::Waiting, vec![], vec![]),
        (P::Waiting, E::Online) => with(P::Uploading, vec![], vec![]),
        // Once per stretch: the next notice comes after an answer (`Online`) and a new failure.
        (P::Uploading | P::Waiting, E::Unreachable(notice)) if seen.network != notice.reason.status() => to(phase, vec![F::Report(notice.error())]),
        (P::Uploading | P::Waiting, E::Uploaded) => {
            let mut effects = Vec::new();
            if phase == P::Waiting {
                effects.push(F::Notify(RecorderState::Uploading));
            }
            effects.push(F::Notify(RecorderState::Uploaded));
            effects.push(F::Settle(Call::Upload, Outcome::Result));
            effects.push(F::Settle(Call::Stop, Outcome::Result));
            effects.push(F::Complete);
            to(P::Uploaded, effects)
        }
        (P::Uploading | P::Waiting, E::UploadFailed(e)) => {
            let after = vec![F::Report(e.clone()), F::Settle(Call::Upload, Outcome::Failed(e.clone())), F::Settle(Call::Stop, Outcome::Failed(e))];
            with(P::Error { kept: true }, vec![], after)
        }
        // Cancelling an upload keeps the recording: `upload()` may send it later.
        (P::Uploading | P::Waiting, E::Cancel) => {
            let e = upload_cancelled();
            let after =
                vec![F::Cancelled, F::Report(e.clone()), F::Settle(Call::Upload, Outcome::Failed(e.clone())), F::Settle(Call::Stop, Outcome::Failed(e))];
            with(P::Stopped, vec![F::AbortUpload], after)
        }

        (_, E::SetDevice(_)) => Err(SdkError::new(
            ErrorCode::InvalidState,
            format!("setDevice() is not allowed while the recorder is {}: it applies to the next take", shown.as_str()),
        )),
        (_, ev) => match ev.action() {
            Some(action) => Err(SdkError::invalid_state(action, shown.as_str())),
            // A browser event for something already over.
            None => unchanged,
        },
    }
}

/// A recorder's lifecycle: the phase, the state the app last saw, the microphone the next take
/// opens, and the option that shapes the table. `step` is the only way to change it.
#[derive(Debug)]
pub struct Lifecycle {
    phase: Phase,
    seen: Seen,
    device: Option<String>,
    auto_upload: bool,
}

impl Lifecycle {
    /// A recorder's lifecycle, `Idle`; `auto_upload`: a stopped take uploads by itself.
    pub fn new(auto_upload: bool) -> Lifecycle {
        let seen = Seen { state: RecorderState::Idle, input: InputStatus::Ok, network: NetworkStatus::Ok };
        Lifecycle { phase: Phase::Idle, seen, device: None, auto_upload }
    }

    /// The same, opening microphone `device` (the `deviceId` option) until `setDevice()`.
    pub fn with_device(self, device: Option<String>) -> Lifecycle {
        Lifecycle { device, ..self }
    }

    /// Where the recorder is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The state the app sees.
    pub fn state(&self) -> RecorderState {
        self.seen.state
    }

    /// `inputStatus`.
    pub fn input(&self) -> InputStatus {
        self.seen.input
    }

    /// `networkStatus`.
    pub fn network(&self) -> NetworkStatus {
        self.seen.network
    }

    /// Applies `event`: the effects to carry out, or `INVALID_STATE` (nothing changed).
    pub fn step(&mut self, event: Event) -> Result<Vec<Effect>, SdkError> {
        let chosen = if let Event::SetDevice(id) = &event { Some(id.clone()) } else { None };
        let (phase, seen, effects) = transition(self.phase, self.seen, self.device.as_deref(), event, self.auto_upload)?;
        self.phase = phase;
        self.seen = seen;
        // The table allowed setDevice(): the next take opens that microphone.
        if let Some(device) = chosen {
            self.device = device;
        }
        Ok(effects)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
