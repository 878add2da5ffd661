//! The recorder's whole lifecycle as data: one `Phase` enum and one pure function,
//! [`transition`], that takes the phase and an [`Event`] (a method call, a browser event, a
//! timer, an upload outcome) and returns the next phase and the [`Effect`]s the browser layer
//! carries out, in order. Every state change of a recorder happens here and nowhere else.

use super::errors::{ErrorCode, SdkError};
use super::level::no_audio_notice;

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

/// What the app sees of a recorder: its state and its input's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The recorder's state.
    pub state: RecorderState,
    /// Its input's status.
    pub input: InputStatus,
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
    /// Ask the browser for the microphone; it answers with `Opened` or `OpenFailed`.
    OpenMicrophone,
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
    /// Upload the kept recording (answered by `Uploaded` or `UploadFailed`, with `Offline` and
    /// `Online` in between).
    Upload,
    /// The upload in flight is aborted.
    AbortUpload,
    /// `onStateChange`.
    Notify(RecorderState),
    /// `inputStatus` changes (no callback of its own: a change to muted or silent comes with a
    /// `Report` of `NO_AUDIO_INPUT`).
    Input(InputStatus),
    /// The next take opens this microphone.
    UseDevice(Option<String>),
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
/// sees now; `auto_upload` is the recorder's option.
pub fn transition(phase: Phase, seen: Seen, event: Event, auto_upload: bool) -> Result<(Phase, Vec<Effect>), SdkError> {
    use Effect as F;
    use Event as E;
    use Phase as P;
    let to = |p: Phase, effects: Vec<Effect>| Ok((p, effects));
    let notify = |p: Phase| p.shown().map(F::Notify);
    let with = |p: Phase, mut before: Vec<Effect>, after: Vec<Effect>| {
        before.extend(notify(p));
        before.extend(after);
        Ok((p, before))
    };
    let shown = seen.state;
    let input = seen.input;
    let unchanged = Ok((phase, Vec::new()));
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
            let mut before = vec![F::DropKept];
            if input != InputStatus::Ok {
                before.push(F::Input(InputStatus::Ok));
            }
            with(P::Requesting, before, vec![F::OpenMicrophone])
        }
        (P::Idle | P::Stopped | P::Uploaded | P::Error { .. }, E::SetDevice(id)) => to(phase, vec![F::UseDevice(id)]),

        // the input, while recording: a notice once per stretch; recording goes on
        (P::Recording | P::Paused, E::Muted { seconds }) if input != InputStatus::Muted => {
            let mut effects = vec![F::Input(InputStatus::Muted)];
            if input == InputStatus::Ok {
                effects.push(F::Report(no_audio_notice("muted", seconds)));
            }
            to(phase, effects)
        }
        (P::Recording | P::Paused, E::Unmuted) if input == InputStatus::Muted => to(phase, vec![F::Input(InputStatus::Ok)]),
        (P::Recording, E::Silent { seconds }) if input == InputStatus::Ok => {
            to(phase, vec![F::Input(InputStatus::Silent), F::Report(no_audio_notice("silent", seconds))])
        }
        (P::Recording | P::Paused, E::Sound) if input == InputStatus::Silent => to(phase, vec![F::Input(InputStatus::Ok)]),
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

/// A recorder's lifecycle: the phase, the state the app last saw, and the option that shapes
/// the table. `step` is the only way to change it.
#[derive(Debug)]
pub struct Lifecycle {
    phase: Phase,
    seen: Seen,
    auto_upload: bool,
}

impl Lifecycle {
    /// A recorder's lifecycle, `Idle`; `auto_upload`: a stopped take uploads by itself.
    pub fn new(auto_upload: bool) -> Lifecycle {
        Lifecycle { phase: Phase::Idle, seen: Seen { state: RecorderState::Idle, input: InputStatus::Ok }, auto_upload }
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

    /// Applies `event`: the effects to carry out, or `INVALID_STATE` (nothing changed).
    pub fn step(&mut self, event: Event) -> Result<Vec<Effect>, SdkError> {
        let (phase, effects) = transition(self.phase, self.seen, event, self.auto_upload)?;
        self.phase = phase;
        for effect in &effects {
            match effect {
                Effect::Notify(state) => self.seen.state = *state,
                Effect::Input(input) => self.seen.input = *input,
                _ => {}
            }
        }
        Ok(effects)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use Effect as F;
    use Event as E;
    use Phase as P;
    use RecorderState as S;

    fn notice(code: ErrorCode) -> SdkError {
        SdkError::new(code, "test")
    }

    const PHASES: [(char, Phase); 15] = [
        ('I', P::Idle),
        ('Q', P::Requesting),
        ('R', P::Recording),
        ('P', P::Paused),
        ('S', P::Stopping { upload: true }),
        ('s', P::Stopping { upload: false }),
        ('F', P::Finishing { upload: true }),
        ('f', P::Finishing { upload: false }),
        ('T', P::Stopped),
        ('U', P::Uploading),
        ('W', P::Waiting),
        ('D', P::Uploaded),
        ('E', P::Error { kept: false }),
        ('K', P::Error { kept: true }),
        ('X', P::Destroyed),
    ];

    fn events() -> Vec<Event> {
        vec![
            E::Start,
            E::Stop,
            E::Pause,
            E::Resume,
            E::Cancel,
            E::Upload,
            E::Destroy,
            E::Opened,
            E::OpenFailed(notice(ErrorCode::PermissionDenied)),
            E::Limit(notice(ErrorCode::DurationExceeded)),
            E::TrackEnded(notice(ErrorCode::MicrophoneUnavailable)),
            E::PageHidden,
            E::EncoderFailed(notice(ErrorCode::RecordingFailed)),
            E::Flushed,
            E::Kept,
            E::KeepFailed(notice(ErrorCode::RecordingFailed)),
            E::Offline,
            E::Online,
            E::Uploaded,
            E::UploadFailed(notice(ErrorCode::NetworkError)),
            E::Muted { seconds: 1.0 },
            E::Unmuted,
            E::Silent { seconds: 3.0 },
            E::Sound,
            E::SetDevice(Some("mic-2".into())),
        ]
    }

    /// Every (phase, event) pair, with autoUpload on: the next phase by its letter in `PHASES`,
    /// `.` for the same phase, `!` for `INVALID_STATE`. Columns in the order of `events()`:
    /// Start Stop Pause Resume Cancel Upload Destroy | Opened OpenFailed Limit TrackEnded
    /// PageHidden EncoderFailed Flushed Kept KeepFailed | Offline Online Uploaded UploadFailed |
    /// Muted Unmuted Silent Sound | SetDevice.
    const TABLE: [(char, &str); 15] = [
        ('I', "Q!!!!!X.................."),
        ('Q', "!!!!I!XRE...............!"),
        ('R', "!SP!I!X..SSsE...........!"),
        ('P', "!S!RI!X..SSsE...........!"),
        ('S', "!S!!I!X.....EF..........!"),
        ('s', "!S!!I!X.....Ef..........!"),
        ('F', "!F!!I!X.......UE........!"),
        ('f', "!F!!I!X.......TE........!"),
        ('T', "QU!!IUX.................."),
        ('U', "!.!!T!X.........W.DK....!"),
        ('W', "!.!!T!X..........UDK....!"),
        ('D', "Q.!!!!X.................."),
        ('E', "Q!!!I!X.................."),
        ('K', "Q!!!IUX.................."),
        ('X', "!!!!!!..................!"),
    ];

    /// The microphone may be open in these phases: every way out of them must release it.
    fn holds_microphone(phase: Phase) -> bool {
        matches!(phase, P::Requesting | P::Recording | P::Paused | P::Stopping { .. })
    }

    fn phase_of(letter: char) -> Phase {
        PHASES.iter().find(|(l, _)| *l == letter).map(|(_, p)| *p).unwrap()
    }

    /// The state an app would be seeing in `phase` (the one before for hidden phases).
    fn shown_in(phase: Phase) -> Seen {
        Seen { state: phase.shown().unwrap_or(S::Recording), input: InputStatus::Ok }
    }

    #[test]
    fn every_phase_and_event_goes_where_the_table_says() {
        for (letter, row) in TABLE {
            let from = phase_of(letter);
            assert_eq!(row.chars().count(), events().len(), "row {letter}");
            for (expected, event) in row.chars().zip(events()) {
                let got = transition(from, shown_in(from), event.clone(), true);
                match expected {
                    '!' => {
                        let err = got.expect_err(&format!("{from:?} + {event:?} should be refused"));
                        assert_eq!(err.code, ErrorCode::InvalidState, "{from:?} + {event:?}");
                    }
                    '.' => assert_eq!(got.map(|(p, _)| p), Ok(from), "{from:?} + {event:?}"),
                    to => assert_eq!(got.map(|(p, _)| p), Ok(phase_of(to)), "{from:?} + {event:?}"),
                }
            }
        }
    }

    #[test]
    fn leaving_the_microphone_phases_always_releases_it() {
        for (_, from) in PHASES {
            for event in events() {
                for auto in [true, false] {
                    let Ok((to, effects)) = transition(from, shown_in(from), event.clone(), auto) else { continue };
                    if holds_microphone(from) && !holds_microphone(to) {
                        assert!(effects.contains(&F::Release), "{from:?} + {event:?} leaves a track live");
                    }
                    if !holds_microphone(from) && holds_microphone(to) {
                        assert!(effects.contains(&F::OpenMicrophone), "{from:?} + {event:?}");
                    }
                    // Effects that need a live encoder come only from phases that have one.
                    for needs_encoder in [F::StartEncoder, F::PauseEncoder, F::ResumeEncoder, F::StopEncoder] {
                        if effects.contains(&needs_encoder) {
                            assert!(holds_microphone(from), "{from:?} + {event:?} drives an encoder it has not got");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn method_calls_that_change_nothing_notify_nothing() {
        for (_, from) in PHASES {
            for event in events() {
                if let Ok((to, effects)) = transition(from, shown_in(from), event.clone(), true) {
                    if to == from {
                        assert!(!effects.iter().any(|e| matches!(e, F::Notify(_))), "{from:?} + {event:?}");
                    }
                }
            }
        }
    }

    /// Runs events through a lifecycle; returns what `onStateChange` saw and every effect.
    fn run(auto_upload: bool, events: Vec<Event>) -> (Lifecycle, Vec<&'static str>, Vec<Effect>) {
        let mut life = Lifecycle::new(auto_upload);
        let mut seen = Vec::new();
        let mut all = Vec::new();
        for event in events {
            if let Ok(effects) = life.step(event) {
                for e in &effects {
                    if let F::Notify(s) = e {
                        seen.push(s.as_str());
                    }
                }
                all.extend(effects);
            }
        }
        (life, seen, all)
    }

    fn settles(effects: &[Effect], call: Call) -> Vec<Outcome> {
        effects
            .iter()
            .filter_map(|e| match e {
                F::Settle(c, o) if *c == call => Some(o.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_happy_path_with_auto_upload() {
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Pause, E::Resume, E::Stop, E::Flushed, E::Kept, E::Offline, E::Online, E::Uploaded]);
        assert_eq!(seen, ["requesting", "recording", "paused", "recording", "stopped", "uploading", "waiting", "uploading", "uploaded"]);
        assert_eq!(life.state(), S::Uploaded);
        assert_eq!(settles(&effects, Call::Start), [Outcome::Started]);
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Result]);
        assert!(effects.contains(&F::Complete));
        let release = effects.iter().position(|e| *e == F::Release).unwrap();
        let keep = effects.iter().position(|e| *e == F::Keep).unwrap();
        assert!(release < keep, "the microphone is let go before the recording is put together");
    }

    #[test]
    fn without_auto_upload_stop_settles_with_the_recording() {
        let (life, seen, effects) = run(false, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept]);
        assert_eq!(seen, ["requesting", "recording", "stopped"]);
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Recording]);
        assert!(!effects.contains(&F::Upload));
        assert_eq!(life.phase(), P::Stopped);
        // stop() again gives the same recording; upload() sends it.
        let (_, _, effects) = run(false, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Stop, E::Upload, E::Uploaded]);
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Recording, Outcome::Recording, Outcome::Result]);
        assert_eq!(settles(&effects, Call::Upload), [Outcome::Result]);
    }

    #[test]
    fn start_then_cancel_settles_start_as_aborted_and_releases() {
        let (life, seen, effects) = run(true, vec![E::Start, E::Cancel, E::Opened]);
        assert_eq!(seen, ["requesting", "idle"]);
        assert_eq!(life.phase(), P::Idle, "a late answer from the browser changes nothing");
        assert!(effects.contains(&F::Release));
        assert!(effects.contains(&F::Cancelled));
        let start = settles(&effects, Call::Start);
        assert!(matches!(&start[..], [Outcome::Failed(e)] if e.code == ErrorCode::Aborted));
    }

    #[test]
    fn stop_while_requesting_is_refused_and_changes_nothing() {
        let mut life = Lifecycle::new(true);
        life.step(E::Start).unwrap();
        let err = life.step(E::Stop).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        assert_eq!(err.message, "stop() is not allowed while the recorder is requesting");
        assert_eq!(life.phase(), P::Requesting);
        assert!(life.step(E::Opened).unwrap().contains(&F::Settle(Call::Start, Outcome::Started)));
    }

    #[test]
    fn stop_twice_waits_with_the_first_and_both_settle_once() {
        let (_, seen, effects) = run(false, vec![E::Start, E::Opened, E::Stop, E::Stop, E::Flushed, E::Flushed, E::Kept]);
        assert_eq!(seen, ["requesting", "recording", "stopped"]);
        assert_eq!(effects.iter().filter(|e| **e == F::StopEncoder).count(), 1);
        assert_eq!(effects.iter().filter(|e| **e == F::Keep).count(), 1, "a second flush is ignored");
        // One Settle settles every waiting stop() call.
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Recording]);
    }

    #[test]
    fn auto_stop_racing_a_manual_stop_reports_nothing_after_the_first() {
        let duration = notice(ErrorCode::DurationExceeded);
        let size = notice(ErrorCode::FileSizeExceeded);
        let (_, _, effects) = run(true, vec![E::Start, E::Opened, E::Stop, E::Limit(duration.clone()), E::Limit(size.clone())]);
        assert!(!effects.iter().any(|e| matches!(e, F::Report(_))), "stop() came first: no notice");
        let (life, _, effects) = run(true, vec![E::Start, E::Opened, E::Limit(duration.clone()), E::Stop, E::Limit(size)]);
        let reports: Vec<_> = effects.iter().filter(|e| matches!(e, F::Report(_))).collect();
        assert_eq!(reports, [&F::Report(duration)]);
        assert_eq!(life.phase(), P::Stopping { upload: true });
    }

    #[test]
    fn a_limit_keeps_the_recording_and_uploads_it_with_auto_upload() {
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Limit(notice(ErrorCode::FileSizeExceeded)), E::Flushed, E::Kept]);
        assert_eq!(seen, ["requesting", "recording", "stopped", "uploading"]);
        assert_eq!(life.phase(), P::Uploading);
        assert!(effects.contains(&F::Upload));
        // Without autoUpload it is kept, and stop() returns it.
        let (life, _, effects) = run(false, vec![E::Start, E::Opened, E::Limit(notice(ErrorCode::FileSizeExceeded)), E::Flushed, E::Kept, E::Stop]);
        assert_eq!(life.phase(), P::Stopped);
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Recording, Outcome::Recording]);
    }

    #[test]
    fn the_microphone_ending_while_paused_keeps_what_was_recorded() {
        let ended = notice(ErrorCode::MicrophoneUnavailable);
        let (life, seen, effects) = run(false, vec![E::Start, E::Opened, E::Pause, E::TrackEnded(ended.clone()), E::Flushed, E::Kept]);
        assert_eq!(seen, ["requesting", "recording", "paused", "stopped"]);
        assert_eq!(life.phase(), P::Stopped);
        assert!(effects.contains(&F::Report(ended)));
        assert!(effects.contains(&F::Release));
    }

    #[test]
    fn the_page_hiding_stops_without_uploading_and_lets_the_microphone_go() {
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::PageHidden, E::Flushed, E::Kept]);
        assert_eq!(seen, ["requesting", "recording", "stopped"]);
        assert_eq!(life.phase(), P::Stopped);
        assert!(effects.contains(&F::StopTracks));
        assert!(!effects.contains(&F::Upload), "the stored copy is resumed later instead");
    }

    #[test]
    fn destroy_during_an_upload_aborts_it_and_settles_every_call() {
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Destroy, E::UploadFailed(notice(ErrorCode::Aborted))]);
        assert_eq!(seen, ["requesting", "recording", "stopped", "uploading", "idle"]);
        assert_eq!(life.phase(), P::Destroyed);
        assert!(effects.contains(&F::AbortUpload));
        assert!(effects.contains(&F::Forget), "the stored copy stays pending");
        assert!(matches!(&settles(&effects, Call::Stop)[..], [Outcome::Failed(e)] if e.code == ErrorCode::Aborted));
        assert!(!effects.iter().any(|e| matches!(e, F::Report(_))), "destroy() is not an error");
        assert!(Lifecycle::new(true).step(E::Destroy).is_ok());
        let mut life = life;
        assert_eq!(life.step(E::Start).unwrap_err().message, "start() after destroy()");
        assert_eq!(life.step(E::Destroy), Ok(vec![]), "destroy() twice does nothing");
    }

    #[test]
    fn cancelling_an_upload_keeps_the_recording_and_reports_aborted() {
        let (life, seen, effects) =
            run(false, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Upload, E::Cancel, E::UploadFailed(notice(ErrorCode::Aborted))]);
        assert_eq!(seen, ["requesting", "recording", "stopped", "uploading", "stopped"]);
        assert_eq!(life.phase(), P::Stopped, "the late abort of the old upload changes nothing");
        assert!(!effects.contains(&F::Discard));
        assert!(matches!(&settles(&effects, Call::Upload)[..], [Outcome::Failed(e)] if e.code == ErrorCode::Aborted));
        let cancelled = effects.iter().position(|e| *e == F::Cancelled).unwrap();
        let reported = effects.iter().position(|e| matches!(e, F::Report(_))).unwrap();
        assert!(cancelled < reported, "onCancel, then onError(ABORTED)");
    }

    #[test]
    fn a_failed_upload_keeps_the_recording_for_another_try() {
        let failed = notice(ErrorCode::NetworkError);
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::UploadFailed(failed.clone()), E::Upload, E::Uploaded]);
        assert_eq!(seen, ["requesting", "recording", "stopped", "uploading", "error", "uploading", "uploaded"]);
        assert_eq!(life.phase(), P::Uploaded);
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Failed(failed.clone()), Outcome::Result]);
        assert!(effects.contains(&F::Report(failed)));
    }

    #[test]
    fn failures_while_opening_or_recording_end_in_error_with_everything_released() {
        let denied = notice(ErrorCode::PermissionDenied);
        let (life, seen, effects) = run(true, vec![E::Start, E::OpenFailed(denied.clone())]);
        assert_eq!(seen, ["requesting", "error"]);
        assert_eq!(life.phase(), P::Error { kept: false });
        assert_eq!(settles(&effects, Call::Start), [Outcome::Failed(denied.clone())]);
        assert!(effects.contains(&F::Report(denied)));
        let broken = notice(ErrorCode::RecordingFailed);
        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Stop, E::EncoderFailed(broken.clone())]);
        assert_eq!(seen, ["requesting", "recording", "error"]);
        assert_eq!(life.phase(), P::Error { kept: false });
        assert!(effects.contains(&F::Release));
        assert_eq!(settles(&effects, Call::Stop), [Outcome::Failed(broken)]);
        assert!(Lifecycle::new(true).step(E::Upload).is_err());
    }

    #[test]
    fn pause_and_resume_while_stopping_are_refused_with_a_reason() {
        let (mut life, _, _) = run(true, vec![E::Start, E::Opened, E::Stop]);
        assert_eq!(life.step(E::Pause).unwrap_err().message, "pause() while the recording is stopping");
        assert_eq!(life.step(E::Resume).unwrap_err().message, "resume() while the recording is stopping");
    }

    #[test]
    fn no_audio_is_a_notice_once_per_stretch_and_recording_goes_on() {
        let (life, _, effects) =
            run(true, vec![E::Start, E::Opened, E::Muted { seconds: 1.5 }, E::Silent { seconds: 3.0 }, E::Unmuted, E::Muted { seconds: 4.0 }]);
        let reports: Vec<_> = effects.iter().filter_map(|e| if let F::Report(n) = e { Some(n.clone()) } else { None }).collect();
        assert_eq!(reports.len(), 2, "muted, then muted again after an unmute: {reports:?}");
        assert!(reports.iter().all(|n| n.code == ErrorCode::NoAudioInput && !n.retryable()));
        assert_eq!(reports[0].details.as_ref().unwrap().to_json(), r#"{"reason":"muted","seconds":1.5}"#);
        assert_eq!(life.phase(), P::Recording);
        assert_eq!(life.input(), InputStatus::Muted);

        let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::Silent { seconds: 3.0 }, E::Silent { seconds: 6.0 }, E::Sound]);
        assert_eq!(seen, ["requesting", "recording"], "the state does not change");
        let reports: Vec<_> = effects.iter().filter(|e| matches!(e, F::Report(_))).collect();
        assert_eq!(reports.len(), 1);
        assert_eq!(life.input(), InputStatus::Ok);
    }

    #[test]
    fn the_input_status_follows_the_track_while_paused_and_resets_with_a_new_take() {
        let (mut life, _, _) = run(false, vec![E::Start, E::Opened, E::Pause, E::Muted { seconds: 2.0 }]);
        assert_eq!(life.input(), InputStatus::Muted);
        assert_eq!(life.step(E::Silent { seconds: 3.0 }), Ok(vec![]), "silence is only judged while recording");
        for e in [E::Stop, E::Flushed, E::Kept] {
            life.step(e).unwrap();
        }
        assert_eq!(life.input(), InputStatus::Muted, "what the last take heard stays readable");
        assert!(life.step(E::Start).unwrap().contains(&F::Input(InputStatus::Ok)));
        assert_eq!(life.input(), InputStatus::Ok);
    }

    #[test]
    fn set_device_applies_between_takes_only() {
        let mut life = Lifecycle::new(true);
        assert_eq!(life.step(E::SetDevice(Some("usb".into()))), Ok(vec![F::UseDevice(Some("usb".into()))]));
        life.step(E::Start).unwrap();
        let err = life.step(E::SetDevice(None)).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        assert!(err.message.starts_with("setDevice() is not allowed while the recorder is requesting"), "{}", err.message);
    }

    #[test]
    fn a_new_take_drops_the_last_one_first() {
        let (_, seen, effects) = run(false, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Start]);
        assert_eq!(seen.last(), Some(&"requesting"));
        let drop = effects.iter().rposition(|e| *e == F::DropKept).unwrap();
        let open = effects.iter().rposition(|e| *e == F::OpenMicrophone).unwrap();
        assert!(drop < open);
    }
}
