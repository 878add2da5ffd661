use super::*;
use crate::core::network::Reason;
use Effect as F;
use Event as E;
use Phase as P;
use RecorderState as S;

fn notice(code: ErrorCode) -> SdkError {
    SdkError::new(code, "test")
}

fn unreachable(reason: Reason) -> NetworkNotice {
    NetworkNotice { reason, origin: "http://127.0.0.1:1".into(), attempts: 3, page: "http://127.0.0.1:8000".into() }
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
        E::Unreachable(unreachable(Reason::Unreachable)),
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
/// PageHidden EncoderFailed Flushed Kept KeepFailed | Offline Online Uploaded UploadFailed
/// Unreachable | Muted Unmuted Silent Sound | SetDevice.
const TABLE: [(char, &str); 15] = [
    ('I', "Q!!!!!X..................."),
    ('Q', "!!!!I!XRE................!"),
    ('R', "!SP!I!X..SSsE............!"),
    ('P', "!S!RI!X..SSsE............!"),
    ('S', "!S!!I!X.....EF...........!"),
    ('s', "!S!!I!X.....Ef...........!"),
    ('F', "!F!!I!X.......UE.........!"),
    ('f', "!F!!I!X.......TE.........!"),
    ('T', "QU!!IUX..................."),
    ('U', "!.!!T!X.........W.DK.....!"),
    ('W', "!.!!T!X..........UDK.....!"),
    ('D', "Q.!!!!X..................."),
    ('E', "Q!!!I!X..................."),
    ('K', "Q!!!IUX..................."),
    ('X', "!!!!!!...................!"),
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
    Seen { state: phase.shown().unwrap_or(S::Recording), input: InputStatus::Ok, network: NetworkStatus::Ok }
}

#[test]
fn every_phase_and_event_goes_where_the_table_says() {
    for (letter, row) in TABLE {
        let from = phase_of(letter);
        assert_eq!(row.chars().count(), events().len(), "row {letter}");
        for (expected, event) in row.chars().zip(events()) {
            let got = transition(from, shown_in(from), None, event.clone(), true);
            match expected {
                '!' => {
                    let err = got.expect_err(&format!("{from:?} + {event:?} should be refused"));
                    assert_eq!(err.code, ErrorCode::InvalidState, "{from:?} + {event:?}");
                }
                '.' => assert_eq!(got.map(|(p, _, _)| p), Ok(from), "{from:?} + {event:?}"),
                to => assert_eq!(got.map(|(p, _, _)| p), Ok(phase_of(to)), "{from:?} + {event:?}"),
            }
        }
    }
}

#[test]
fn leaving_the_microphone_phases_always_releases_it() {
    for (_, from) in PHASES {
        for event in events() {
            for auto in [true, false] {
                let Ok((to, _, effects)) = transition(from, shown_in(from), None, event.clone(), auto) else { continue };
                if holds_microphone(from) && !holds_microphone(to) {
                    assert!(effects.contains(&F::Release), "{from:?} + {event:?} leaves a track live");
                }
                if !holds_microphone(from) && holds_microphone(to) {
                    assert!(effects.iter().any(|e| matches!(e, F::OpenMicrophone(_))), "{from:?} + {event:?}");
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
            if let Ok((to, _, effects)) = transition(from, shown_in(from), None, event.clone(), true) {
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
    let (life, _, effects) = run(true, vec![E::Start, E::Opened, E::Muted { seconds: 1.5 }, E::Silent { seconds: 3.0 }, E::Unmuted, E::Muted { seconds: 4.0 }]);
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
    life.step(E::Start).unwrap();
    assert_eq!(life.input(), InputStatus::Ok);
}

#[test]
fn only_recording_time_counts() {
    let counting: Vec<_> = PHASES.iter().filter(|(_, p)| p.records()).map(|(_, p)| *p).collect();
    assert_eq!(counting, [P::Recording], "paused, stopping and the rest record nothing");
}

#[test]
fn set_device_applies_between_takes_only() {
    let mut life = Lifecycle::new(true);
    assert_eq!(life.step(E::SetDevice(Some("usb".into()))), Ok(vec![]));
    assert!(life.step(E::Start).unwrap().contains(&F::OpenMicrophone(Some("usb".into()))));
    let err = life.step(E::SetDevice(None)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(err.message.starts_with("setDevice() is not allowed while the recorder is requesting"), "{}", err.message);
}

#[test]
fn a_new_take_drops_the_last_one_first() {
    let (_, seen, effects) = run(false, vec![E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Start]);
    assert_eq!(seen.last(), Some(&"requesting"));
    let drop = effects.iter().rposition(|e| *e == F::DropKept).unwrap();
    let open = effects.iter().rposition(|e| matches!(e, F::OpenMicrophone(_))).unwrap();
    assert!(drop < open);
}

/// The event that brings what a phase holds, when the phase before did not hold it.
fn brings(holds: Holds) -> Option<Event> {
    match holds {
        Holds::Nothing => None,
        Holds::Take => Some(E::Opened),
        Holds::Kept => Some(E::Kept),
        Holds::Uploaded => Some(E::Uploaded),
    }
}

#[test]
fn what_a_phase_holds_arrives_with_the_event_that_enters_it_and_settles_from_there() {
    for (_, from) in PHASES {
        for event in events() {
            for auto in [true, false] {
                let Ok((to, _, effects)) = transition(from, shown_in(from), None, event.clone(), auto) else { continue };
                // A value the new phase holds was held before or comes with this event.
                if to.holds() != from.holds() && to.holds() != Holds::Nothing {
                    assert_eq!(brings(to.holds()), Some(event.clone()), "{from:?} + {event:?} enters {to:?} without its value");
                }
                // What a call settles with, or the browser reads, is held by the phase it lands in.
                for effect in &effects {
                    let needs = match effect {
                        F::Settle(_, Outcome::Recording) | F::Upload => Some(Holds::Kept),
                        F::Settle(_, Outcome::Result) | F::Complete => Some(Holds::Uploaded),
                        F::Keep => Some(Holds::Take),
                        _ => None,
                    };
                    if let Some(needs) = needs {
                        assert_eq!(to.holds(), needs, "{from:?} + {event:?}: {effect:?} in {to:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn speech_ended_stops_a_recording_take_as_stop_would_and_nothing_else() {
    for (_, from) in PHASES {
        for auto in [true, false] {
            let got = transition(from, shown_in(from), None, E::SpeechEnded, auto).expect("an event is never refused");
            if from == P::Recording {
                assert_eq!(got, transition(from, shown_in(from), None, E::Stop, auto).unwrap(), "{from:?}");
            } else {
                assert_eq!(got, (from, shown_in(from), vec![]), "{from:?}: nothing to end");
            }
        }
    }
    // With autoUpload the kept take uploads, as after stop().
    let (life, seen, effects) = run(true, vec![E::Start, E::Opened, E::SpeechEnded, E::Flushed, E::Kept]);
    assert_eq!(seen, ["requesting", "recording", "stopped", "uploading"]);
    assert_eq!(life.phase(), P::Uploading);
    assert!(effects.contains(&F::Upload));
}

fn reports(effects: &[Effect]) -> Vec<SdkError> {
    effects.iter().filter_map(|e| if let F::Report(r) = e { Some(r.clone()) } else { None }).collect()
}

const UPLOADING: [Event; 7] = [E::Start, E::Opened, E::Stop, E::Flushed, E::Kept, E::Offline, E::Online];

#[test]
fn unreachable_is_a_notice_once_per_stretch_and_changes_no_phase() {
    let mut life = Lifecycle::new(true);
    for e in UPLOADING {
        life.step(e).unwrap();
    }
    assert_eq!((life.phase(), life.network()), (P::Uploading, NetworkStatus::Ok));
    // Lost: waiting, offline as far as anyone knows; then the retries say it is unreachable.
    life.step(E::Offline).unwrap();
    assert_eq!((life.phase(), life.network()), (P::Waiting, NetworkStatus::Offline));
    let effects = life.step(E::Unreachable(unreachable(Reason::Cors))).unwrap();
    let r = reports(&effects);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].code, ErrorCode::NetworkError);
    assert_eq!(r[0].details.as_ref().unwrap().get("reason").and_then(|v| v.as_str()), Some("cors"));
    assert!(!effects.iter().any(|e| matches!(e, F::Notify(_) | F::Settle(..))), "a notice: {effects:?}");
    assert_eq!((life.phase(), life.state(), life.network()), (P::Waiting, S::Waiting, NetworkStatus::Unreachable));
    // Probing on: more failures say nothing new, and losing the network again does not hide it.
    assert!(reports(&life.step(E::Unreachable(unreachable(Reason::Cors))).unwrap()).is_empty());
    assert!(reports(&life.step(E::Unreachable(unreachable(Reason::Unreachable))).unwrap()).is_empty());
    life.step(E::Offline).unwrap();
    assert_eq!(life.network(), NetworkStatus::Unreachable);
    // An answer ends the stretch; the next failure is a new notice.
    life.step(E::Online).unwrap();
    assert_eq!((life.phase(), life.network()), (P::Uploading, NetworkStatus::Ok));
    assert_eq!(reports(&life.step(E::Unreachable(unreachable(Reason::Unreachable))).unwrap()).len(), 1);
    assert_eq!((life.phase(), life.network()), (P::Uploading, NetworkStatus::Unreachable));
    life.step(E::Uploaded).unwrap();
    assert_eq!((life.state(), life.network()), (S::Uploaded, NetworkStatus::Ok), "no upload, nothing to say");
}

#[test]
fn an_offline_reason_is_the_offline_status_and_says_nothing_new() {
    let mut life = Lifecycle::new(true);
    for e in UPLOADING {
        life.step(e).unwrap();
    }
    life.step(E::Offline).unwrap();
    assert!(reports(&life.step(E::Unreachable(unreachable(Reason::Offline))).unwrap()).is_empty(), "waiting offline stays silent");
    assert_eq!(life.network(), NetworkStatus::Offline);
}

#[test]
fn the_network_status_resets_when_the_upload_ends_and_notices_outside_an_upload_are_dropped() {
    for end in [E::Cancel, E::UploadFailed(notice(ErrorCode::NetworkError)), E::Destroy] {
        let mut life = Lifecycle::new(true);
        for e in UPLOADING {
            life.step(e).unwrap();
        }
        life.step(E::Unreachable(unreachable(Reason::Unreachable))).unwrap();
        assert_eq!(life.network(), NetworkStatus::Unreachable);
        life.step(end.clone()).unwrap();
        assert_eq!(life.network(), NetworkStatus::Ok, "{end:?}");
        // A late notice from the aborted upload changes nothing and reports nothing.
        assert!(reports(&life.step(E::Unreachable(unreachable(Reason::Unreachable))).unwrap()).is_empty());
        assert_eq!(life.network(), NetworkStatus::Ok);
    }
}
