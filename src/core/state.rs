//! The recorder's state machine, as a table. Every state change goes through `next`.

use super::errors::SdkError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecorderState {
    Idle,
    Requesting,
    Recording,
    Paused,
    Stopped,
    Uploading,
    Waiting,
    Uploaded,
    Error,
}

impl RecorderState {
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
    /// The microphone is open (or being opened).
    pub fn is_capturing(self) -> bool {
        matches!(self, RecorderState::Requesting | RecorderState::Recording | RecorderState::Paused)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `start()`.
    Start,
    /// The microphone was granted and the encoder runs.
    Started,
    Pause,
    Resume,
    /// Recording ended and the recording is kept (stop(), a limit, the page hiding).
    Stop,
    /// `cancel()`: nothing is kept.
    Cancel,
    /// Something failed.
    Fail,
    Upload,
    /// The upload waits for the network.
    Offline,
    Online,
    Uploaded,
}

impl Event {
    /// The public method that raises this event, for `INVALID_STATE` messages.
    pub fn action(self) -> &'static str {
        match self {
            Event::Start | Event::Started => "start",
            Event::Pause => "pause",
            Event::Resume => "resume",
            Event::Stop => "stop",
            Event::Cancel => "cancel",
            Event::Upload | Event::Offline | Event::Online | Event::Uploaded => "upload",
            Event::Fail => "fail",
        }
    }
}

use Event as E;
use RecorderState as S;

/// (from, event, to). Anything not listed is `INVALID_STATE`.
const TRANSITIONS: &[(S, E, S)] = &[
    (S::Idle, E::Start, S::Requesting),
    (S::Stopped, E::Start, S::Requesting),
    (S::Uploaded, E::Start, S::Requesting),
    (S::Error, E::Start, S::Requesting),
    (S::Requesting, E::Started, S::Recording),
    (S::Requesting, E::Fail, S::Error),
    (S::Requesting, E::Cancel, S::Idle),
    (S::Recording, E::Pause, S::Paused),
    (S::Paused, E::Resume, S::Recording),
    (S::Recording, E::Stop, S::Stopped),
    (S::Paused, E::Stop, S::Stopped),
    (S::Recording, E::Cancel, S::Idle),
    (S::Paused, E::Cancel, S::Idle),
    (S::Recording, E::Fail, S::Error),
    (S::Paused, E::Fail, S::Error),
    (S::Stopped, E::Cancel, S::Idle),
    (S::Stopped, E::Upload, S::Uploading),
    (S::Error, E::Upload, S::Uploading),
    (S::Uploading, E::Offline, S::Waiting),
    (S::Waiting, E::Online, S::Uploading),
    (S::Uploading, E::Uploaded, S::Uploaded),
    (S::Uploading, E::Fail, S::Error),
    (S::Waiting, E::Fail, S::Error),
    (S::Uploading, E::Cancel, S::Stopped),
    (S::Waiting, E::Cancel, S::Stopped),
    (S::Error, E::Cancel, S::Idle),
];

/// The state after `event`, or `INVALID_STATE`.
pub fn next(state: RecorderState, event: Event) -> Result<RecorderState, SdkError> {
    TRANSITIONS
        .iter()
        .find(|(from, ev, _)| *from == state && *ev == event)
        .map(|(_, _, to)| *to)
        .ok_or_else(|| SdkError::invalid_state(event.action(), state.as_str()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::errors::ErrorCode;

    const ALL: [S; 9] = [
        S::Idle, S::Requesting, S::Recording, S::Paused, S::Stopped, S::Uploading, S::Waiting, S::Uploaded, S::Error,
    ];

    #[test]
    fn happy_path() {
        let mut s = S::Idle;
        for ev in [E::Start, E::Started, E::Pause, E::Resume, E::Stop, E::Upload, E::Offline, E::Online, E::Uploaded] {
            s = next(s, ev).unwrap();
        }
        assert_eq!(s, S::Uploaded);
    }

    #[test]
    fn wrong_state_is_invalid_state_with_a_useful_message() {
        let err = next(S::Idle, E::Stop).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        assert_eq!(err.message, "stop() is not allowed while the recorder is idle");
        assert!(next(S::Idle, E::Pause).is_err());
        assert!(next(S::Paused, E::Pause).is_err());
        assert!(next(S::Recording, E::Resume).is_err());
        assert!(next(S::Uploading, E::Start).is_err());
        assert!(next(S::Recording, E::Upload).is_err());
    }

    #[test]
    fn table_has_no_duplicate_rows_and_every_state_can_be_left() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            for b in &TRANSITIONS[i + 1..] {
                assert!(!(a.0 == b.0 && a.1 == b.1), "duplicate {:?} {:?}", a.0, a.1);
            }
        }
        for s in ALL {
            assert!(TRANSITIONS.iter().any(|t| t.0 == s), "{s:?} is a dead end");
        }
    }

    #[test]
    fn only_capturing_states_are_capturing() {
        let capturing: Vec<_> = ALL.into_iter().filter(|s| s.is_capturing()).collect();
        assert_eq!(capturing, vec![S::Requesting, S::Recording, S::Paused]);
    }
}
