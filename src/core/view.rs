//! What the JS entries show of a recorder, decided once for all of them (the hook, the
//! composable, the element and `addVoiceNote`): what a state means (capturing, busy), what a press
//! of the record toggle does in it, which label the toggle shows (a hold control's too), when the
//! review step replaces it, when the upload's progress shows, and what the lock control says.

use crate::core::gesture::GesturePhase;
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
/// A hold's phase names what its release does; `hold` (the element's `mode="hold"`): a press
/// that would start a take says to hold.
// One copy in the wasm: the snapshot and the Gesture both ask.
#[inline(never)]
pub fn label(state: RecorderState, network: NetworkStatus, gesture: GesturePhase, hold: bool) -> &'static str {
    match gesture {
        GesturePhase::Holding => "release",
        GesturePhase::Cancelling => "cancelling",
        GesturePhase::Idle if hold && Press::of(state) == Press::Start => "hold",
        GesturePhase::Idle | GesturePhase::Locked => toggle_label(state, network),
    }
}

/// The toggle's label by the recorder's state alone. An upload that cannot reach its server while
/// the browser is online says so, not "waiting for the network" to someone whose network works.
fn toggle_label(state: RecorderState, network: NetworkStatus) -> &'static str {
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

/// The review step (Send, Discard, Record again) replaces the toggle: a kept note that is neither
/// on its way nor sent, while nothing is under way. With `auto_upload` only after a failed upload:
/// a note on its way passes through 'stopped', and hiding the focused toggle there would drop the
/// keyboard's focus.
pub fn review(state: RecorderState, has_recording: bool, uploaded: bool, auto_upload: bool) -> bool {
    has_recording && !uploaded && Press::of(state) == Press::Start && (!auto_upload || state == RecorderState::Error)
}

/// The upload's progress shows: while the note is on its way, and once it is sent (full).
pub fn progress(state: RecorderState) -> bool {
    state.uploading() || state == RecorderState::Uploaded
}

/// The hold's lock control: hidden, "Lock" while held (the tap alternative to sliding up), then
/// the stop control of the locked take, named for where the take goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// No hold is under way.
    Hidden,
    /// Held: a tap locks.
    Lock,
    /// Locked: a tap stops, and the note is sent.
    StopSend,
    /// Locked: a tap stops, and the note waits for its review (`autoUpload: false`).
    StopReview,
}

impl Lock {
    /// The control for a hold in `gesture` on a recorder with `auto_upload`.
    pub fn of(gesture: GesturePhase, auto_upload: bool) -> Lock {
        match gesture {
            GesturePhase::Holding => Lock::Lock,
            GesturePhase::Locked if auto_upload => Lock::StopSend,
            GesturePhase::Locked => Lock::StopReview,
            GesturePhase::Idle | GesturePhase::Cancelling => Lock::Hidden,
        }
    }

    /// The snapshot's `lock`: `''` (hidden), or the key of the control's name in the texts.
    pub fn as_str(self) -> &'static str {
        match self {
            Lock::Hidden => "",
            Lock::Lock => "lock",
            Lock::StopSend => "stopSend",
            Lock::StopReview => "stopReview",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GesturePhase as G;
    use RecorderState as S;

    /// The toggle's label, no hold under way.
    fn label(state: S, network: NetworkStatus) -> &'static str {
        super::label(state, network, G::Idle, false)
    }

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

    #[test]
    fn a_hold_says_what_its_release_does_and_a_settled_hold_control_says_to_hold() {
        for s in ALL {
            assert_eq!(super::label(s, NetworkStatus::Ok, G::Holding, true), "release", "{s:?}");
            assert_eq!(super::label(s, NetworkStatus::Ok, G::Cancelling, true), "cancelling", "{s:?}");
            // Locked, the toggle is a toggle again: "Stop" while the take goes on.
            assert_eq!(super::label(s, NetworkStatus::Ok, G::Locked, true), label(s, NetworkStatus::Ok), "{s:?}");
            let idle = super::label(s, NetworkStatus::Ok, G::Idle, true);
            assert_eq!(idle == "hold", Press::of(s) == Press::Start, "{s:?}: {idle}");
            if idle != "hold" {
                assert_eq!(idle, label(s, NetworkStatus::Ok), "{s:?}");
            }
        }
        // A hook's holdProps is no hold control for the label: a settled toggle says "Record".
        assert_eq!(super::label(S::Idle, NetworkStatus::Ok, G::Idle, false), "record");
        assert_eq!(super::label(S::Recording, NetworkStatus::Ok, G::Holding, false), "release");
        assert_eq!(super::label(S::Uploading, NetworkStatus::Unreachable, G::Idle, true), "unreachable");
    }

    #[test]
    fn the_review_replaces_the_toggle_for_a_kept_note_not_on_its_way_nor_sent() {
        let mut shown = Vec::new();
        for s in ALL {
            for has_recording in [false, true] {
                for uploaded in [false, true] {
                    for auto_upload in [false, true] {
                        let review = review(s, has_recording, uploaded, auto_upload);
                        let settled = matches!(s, S::Idle | S::Stopped | S::Uploaded | S::Error);
                        let expected = has_recording && !uploaded && settled && (!auto_upload || s == S::Error);
                        assert_eq!(review, expected, "{s:?} kept {has_recording} uploaded {uploaded} autoUpload {auto_upload}");
                        if review {
                            shown.push((s, auto_upload));
                        }
                    }
                }
            }
        }
        // Never while capturing or busy: the toggle is the control there.
        assert_eq!(shown, [(S::Idle, false), (S::Stopped, false), (S::Uploaded, false), (S::Error, false), (S::Error, true)]);
    }

    #[test]
    fn the_progress_shows_while_the_note_goes_and_once_it_is_sent() {
        let shown: Vec<_> = ALL.iter().map(|s| progress(*s)).collect();
        assert_eq!(shown, [false, false, false, false, false, true, true, true, false]);
        for s in ALL {
            assert_eq!(progress(s), matches!(label(s, NetworkStatus::Ok), "sending" | "waiting" | "sent"), "{s:?}");
            assert_eq!(progress(s), matches!(label(s, NetworkStatus::Unreachable), "unreachable" | "sent"), "{s:?}");
        }
    }

    #[test]
    fn the_lock_control_shows_while_held_then_stops_the_locked_take_named_for_where_it_goes() {
        let phases = [G::Idle, G::Holding, G::Locked, G::Cancelling];
        assert_eq!(phases.map(|g| Lock::of(g, true).as_str()), ["", "lock", "stopSend", ""]);
        assert_eq!(phases.map(|g| Lock::of(g, false).as_str()), ["", "lock", "stopReview", ""]);
    }
}
