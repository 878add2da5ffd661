//! What the JS entries show of a recorder, decided once for all of them (the hook, the
//! composable, the element and `addVoiceNote`): what a state means (capturing, busy), what a press
//! of the record toggle does in it, and which label the toggle shows.

use crate::core::lifecycle::RecorderState;
use crate::core::network::NetworkStatus;

impl RecorderState {
    /// The microphone is taking the note (recording or paused).
    pub fn capturing(self) -> bool {
        matches!(self, RecorderState::Recording | RecorderState::Paused)
    }

    /// A call is under way that a press cannot interrupt (opening the microphone, uploading).
    pub fn busy(self) -> bool {
        matches!(self, RecorderState::Requesting | RecorderState::Uploading | RecorderState::Waiting)
    }

    /// The note is on its way to the service (or waiting for the network to be).
    pub fn uploading(self) -> bool {
        matches!(self, RecorderState::Uploading | RecorderState::Waiting)
    }
}

/// What a press of the record toggle does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    /// `start()`: a new take.
    Start,
    /// `stop()`: the take ends (and, with `autoUpload`, goes).
    Stop,
    /// Busy: the press is ignored (the toggle shows it is disabled).
    Nothing,
}

impl Press {
    /// The toggle rule: stop a note being taken, start one otherwise, unless busy.
    pub fn of(state: RecorderState) -> Press {
        if state.capturing() {
            Press::Stop
        } else if state.busy() {
            Press::Nothing
        } else {
            Press::Start
        }
    }

    /// `'start'`, `'stop'` or `''` (the snapshot's `press`).
    pub fn as_str(self) -> &'static str {
        match self {
            Press::Start => "start",
            Press::Stop => "stop",
            Press::Nothing => "",
        }
    }
}

/// The key of the toggle's label in the entries' one set of texts (and the locales' `labels`).
/// An upload that cannot reach its server while the browser is online says so, not "waiting for
/// the network" to someone whose network works.
pub fn label(state: RecorderState, network: NetworkStatus) -> &'static str {
    match state {
        RecorderState::Uploading | RecorderState::Waiting if network == NetworkStatus::Unreachable => "unreachable",
        RecorderState::Recording | RecorderState::Paused => "stop",
        RecorderState::Requesting => "starting",
        RecorderState::Uploading => "sending",
        // Offline: the note is kept and goes once the network is back, which the label says.
        RecorderState::Waiting => "waiting",
        RecorderState::Uploaded => "sent",
        RecorderState::Idle | RecorderState::Stopped | RecorderState::Error => "record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecorderState as S;

    const ALL: [S; 9] = [S::Idle, S::Requesting, S::Recording, S::Paused, S::Stopped, S::Uploading, S::Waiting, S::Uploaded, S::Error];

    #[test]
    fn a_press_stops_a_take_starts_one_when_settled_and_does_nothing_while_busy() {
        let presses: Vec<_> = ALL.iter().map(|s| Press::of(*s)).collect();
        use Press::*;
        assert_eq!(presses, [Start, Nothing, Stop, Stop, Start, Nothing, Nothing, Start, Start]);
    }

    #[test]
    fn no_state_is_both_capturing_and_busy() {
        for s in ALL {
            assert!(!(s.capturing() && s.busy()), "{s:?}");
            assert!(!s.uploading() || s.busy(), "{s:?}");
        }
    }

    #[test]
    fn the_label_says_what_a_press_does_or_why_it_cannot() {
        let labels: Vec<_> = ALL.iter().map(|s| label(*s, NetworkStatus::Ok)).collect();
        assert_eq!(labels, ["record", "starting", "stop", "stop", "record", "sending", "waiting", "sent", "record"]);
        for s in ALL {
            assert_eq!(Press::of(s) == Press::Stop, label(s, NetworkStatus::Ok) == "stop", "{s:?}");
        }
    }

    #[test]
    fn an_upload_the_server_does_not_answer_says_so_and_offline_still_waits_for_the_network() {
        let unreachable: Vec<_> = ALL.iter().map(|s| label(*s, NetworkStatus::Unreachable)).collect();
        assert_eq!(unreachable, ["record", "starting", "stop", "stop", "record", "unreachable", "unreachable", "sent", "record"]);
        assert_eq!(label(S::Waiting, NetworkStatus::Offline), "waiting");
    }
}
