use super::*;
use RecorderState as R;

const MOUSE: PointerKind = PointerKind::Mouse;

fn down(kind: PointerKind, x: f64, y: f64) -> Input {
    Input::PointerDown { id: 1, kind, x, y }
}
fn to(x: f64, y: f64) -> Input {
    Input::PointerMove { id: 1, x, y }
}
const UP: Input = Input::PointerUp { id: 1 };

/// A gesture pressed by the mouse at (100, 100) at t = 0 with the recorder idle, then recording.
fn held(direction: Direction) -> Gesture {
    let mut g = Gesture::new();
    g.set_direction(direction);
    assert_eq!(g.step(down(MOUSE, 100.0, 100.0), 0.0, R::Idle), Action::Start);
    assert_eq!(g.phase(), GesturePhase::Holding);
    assert_eq!(g.step(Input::Recorder, 50.0, R::Requesting), Action::None);
    assert_eq!(g.step(Input::Recorder, 100.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding);
    g
}

#[test]
fn hold_then_release_sends() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(to(90.0, 95.0), 500.0, R::Recording), Action::None);
    assert_eq!(g.step(UP, 1500.0, R::Recording), Action::Stop);
    assert_eq!(g.phase(), GesturePhase::Idle);
}

#[test]
fn a_press_under_the_minimum_asks_for_the_hint() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(UP, MIN_HOLD_MS - 1.0, R::Recording), Action::Hint);
    assert_eq!(g.phase(), GesturePhase::Idle);
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(UP, MIN_HOLD_MS, R::Recording), Action::Stop);
}

#[test]
fn the_hint_shows_from_a_tap_until_the_next_take_starts() {
    let mut g = held(Direction::Ltr);
    assert!(!g.hint(), "a press that records is no tap yet");
    assert_eq!(g.step(UP, MIN_HOLD_MS - 1.0, R::Recording), Action::Hint);
    assert!(g.hint());
    // The tap's take being cancelled, a stray key or a move: the hint stays.
    g.step(Input::Recorder, 400.0, R::Idle);
    g.step(Input::KeyUp { key: Key::Space }, 450.0, R::Idle);
    g.step(to(0.0, 0.0), 500.0, R::Idle);
    assert!(g.hint());
    assert_eq!(g.step(down(MOUSE, 100.0, 100.0), 1000.0, R::Idle), Action::Start);
    assert!(!g.hint(), "the next take hides it");
    assert_eq!(g.step(UP, 2000.0, R::Recording), Action::Stop);
    assert!(!g.hint(), "a hold is no tap");
    // Enter's hands-free take hides it too.
    let mut g = held(Direction::Ltr);
    g.step(UP, 10.0, R::Recording);
    assert_eq!(g.step(Input::KeyDown { key: Key::Enter, repeat: false }, 500.0, R::Idle), Action::Start);
    assert!(!g.hint());
}

#[test]
fn a_release_before_the_microphone_opened_cancels() {
    let mut g = Gesture::new();
    g.step(down(MOUSE, 0.0, 0.0), 0.0, R::Idle);
    g.step(Input::Recorder, 10.0, R::Requesting);
    assert_eq!(g.step(UP, 2000.0, R::Requesting), Action::Cancel);
    // The SDK was still loading: the state never left idle.
    let mut g = Gesture::new();
    g.step(down(MOUSE, 0.0, 0.0), 0.0, R::Uploaded);
    assert_eq!(g.step(UP, 2000.0, R::Uploaded), Action::Cancel);
}

#[test]
fn sliding_away_cancels_on_release_and_is_mirrored_right_to_left() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(to(21.0, 100.0), 400.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding, "79 px is not yet away");
    assert_eq!(g.step(to(20.0, 100.0), 450.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Cancelling);
    assert_eq!(g.step(UP, 900.0, R::Recording), Action::Cancel);
    assert_eq!(g.phase(), GesturePhase::Idle);

    // Right to left: sliding left is no cancel, sliding right is.
    let mut g = held(Direction::Rtl);
    g.step(to(0.0, 100.0), 400.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Holding);
    g.step(to(180.0, 100.0), 450.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Cancelling);
    assert_eq!(g.step(UP, 900.0, R::Recording), Action::Cancel);
}

#[test]
fn sliding_back_before_release_keeps_the_take() {
    let mut g = held(Direction::Ltr);
    g.step(to(0.0, 100.0), 400.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Cancelling);
    g.step(to(95.0, 100.0), 500.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Holding);
    assert_eq!(g.step(UP, 900.0, R::Recording), Action::Stop);
}

#[test]
fn sliding_up_locks_and_a_tap_then_stops() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(to(100.0, 41.0), 400.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding);
    assert_eq!(g.step(to(100.0, 40.0), 450.0, R::Recording), Action::Lock);
    assert_eq!(g.phase(), GesturePhase::Locked);
    // Moving on and letting go keep recording.
    assert_eq!(g.step(to(0.0, 40.0), 500.0, R::Recording), Action::None);
    assert_eq!(g.step(UP, 600.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Locked);
    assert_eq!(g.step(Input::LockTap, 5000.0, R::Recording), Action::Stop);
    assert_eq!(g.phase(), GesturePhase::Idle);

    // A press on the control itself ends a locked take too.
    let mut g = held(Direction::Ltr);
    g.step(to(100.0, 0.0), 450.0, R::Recording);
    g.step(UP, 600.0, R::Recording);
    assert_eq!(g.step(down(MOUSE, 100.0, 100.0), 5000.0, R::Recording), Action::Stop);
}

#[test]
fn touch_needs_a_longer_slide_than_a_mouse() {
    let mut g = Gesture::new();
    g.step(down(PointerKind::Touch, 100.0, 100.0), 0.0, R::Idle);
    g.step(to(100.0, 30.0), 400.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Holding, "70 px up locks a mouse, not a finger");
    g.step(to(10.0, 100.0), 450.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Holding, "90 px away cancels a mouse, not a finger");
    assert_eq!(g.step(to(100.0, 20.0), 500.0, R::Recording), Action::Lock);
}

#[test]
fn a_slide_past_the_cancel_distance_does_not_lock() {
    let mut g = held(Direction::Ltr);
    g.step(to(0.0, 0.0), 400.0, R::Recording);
    assert_eq!(g.phase(), GesturePhase::Cancelling);
    assert_eq!(g.step(UP, 900.0, R::Recording), Action::Cancel);
}

#[test]
fn the_lock_control_locks_a_hold() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(Input::LockTap, 400.0, R::Recording), Action::Lock);
    assert_eq!(g.step(UP, 500.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Locked);
}

#[test]
fn other_pointers_are_ignored_while_one_holds() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(Input::PointerDown { id: 2, kind: MOUSE, x: 0.0, y: 0.0 }, 400.0, R::Recording), Action::None);
    assert_eq!(g.step(Input::PointerMove { id: 2, x: -500.0, y: 100.0 }, 450.0, R::Recording), Action::None);
    assert_eq!(g.step(Input::PointerUp { id: 2 }, 900.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding);
    assert_eq!(g.step(UP, 1000.0, R::Recording), Action::Stop);
}

#[test]
fn a_pointer_the_browser_takes_away_cancels_the_hold() {
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(Input::PointerCancel { id: 1 }, 900.0, R::Recording), Action::Cancel);
    assert_eq!(g.phase(), GesturePhase::Idle);
}

#[test]
fn space_held_records_and_its_release_sends() {
    let mut g = Gesture::new();
    let space = |repeat| Input::KeyDown { key: Key::Space, repeat };
    assert_eq!(g.step(space(false), 0.0, R::Idle), Action::Start);
    assert_eq!(g.step(space(true), 100.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding);
    assert_eq!(g.step(Input::KeyUp { key: Key::Space }, 2000.0, R::Recording), Action::Stop);
    assert_eq!(g.phase(), GesturePhase::Idle);
    // A quick press is a tap.
    g.step(space(false), 3000.0, R::Uploaded);
    assert_eq!(g.step(Input::KeyUp { key: Key::Space }, 3100.0, R::Recording), Action::Hint);
    // A pointer's release does not end Space's hold.
    g.step(space(false), 4000.0, R::Idle);
    assert_eq!(g.step(UP, 5000.0, R::Recording), Action::None);
    assert_eq!(g.phase(), GesturePhase::Holding);
}

#[test]
fn enter_toggles_a_hands_free_take() {
    let mut g = Gesture::new();
    let enter = Input::KeyDown { key: Key::Enter, repeat: false };
    assert_eq!(g.step(enter, 0.0, R::Idle), Action::Start);
    assert_eq!(g.phase(), GesturePhase::Locked);
    assert_eq!(g.step(Input::KeyUp { key: Key::Enter }, 100.0, R::Requesting), Action::None);
    assert_eq!(g.step(Input::KeyDown { key: Key::Enter, repeat: true }, 200.0, R::Recording), Action::None);
    assert_eq!(g.step(enter, 3000.0, R::Recording), Action::Stop);
    assert_eq!(g.phase(), GesturePhase::Idle);
    // Nothing starts while the last note uploads.
    assert_eq!(g.step(enter, 3100.0, R::Uploading), Action::None);
    assert_eq!(g.phase(), GesturePhase::Idle);
}

#[test]
fn an_activation_without_a_pointer_toggles_as_enter_does() {
    let mut g = Gesture::new();
    assert_eq!(g.step(Input::Activate, 0.0, R::Idle), Action::Start);
    assert_eq!(g.phase(), GesturePhase::Locked);
    assert_eq!(g.step(Input::Activate, 3000.0, R::Recording), Action::Stop);
    assert_eq!(g.phase(), GesturePhase::Idle);
    assert_eq!(Input::click(0), Some(Input::Activate));
    assert_eq!(Input::click(1), None, "a pointer's click: its press was read already");
}

#[test]
fn escape_cancels_in_every_phase() {
    let escape = Input::KeyDown { key: Key::Escape, repeat: false };
    let mut g = held(Direction::Ltr);
    assert_eq!(g.step(escape, 400.0, R::Recording), Action::Cancel);
    assert_eq!(g.phase(), GesturePhase::Idle);
    // Its release then does nothing.
    assert_eq!(g.step(UP, 900.0, R::Idle), Action::None);

    let mut g = held(Direction::Ltr);
    g.step(Input::LockTap, 400.0, R::Recording);
    assert_eq!(g.step(escape, 900.0, R::Recording), Action::Cancel);

    let mut g = held(Direction::Ltr);
    g.step(to(0.0, 100.0), 400.0, R::Recording);
    assert_eq!(g.step(escape, 900.0, R::Recording), Action::Cancel);

    // A take the app started: Escape on the control cancels it; idle, it does nothing, and the
    // page keeps it (a dialog closes).
    let mut g = Gesture::new();
    assert_eq!(g.step(escape, 0.0, R::Recording), Action::Cancel);
    assert!(escape.claims(Action::Cancel));
    assert_eq!(g.step(escape, 0.0, R::Idle), Action::None);
    assert!(!escape.claims(Action::None));
    assert!(!Input::KeyUp { key: Key::Escape }.claims(Action::None));
    // Space and Enter are the control's even when they do nothing: their default would click it.
    assert!(Input::KeyDown { key: Key::Enter, repeat: true }.claims(Action::None));
    assert!(Input::KeyUp { key: Key::Space }.claims(Action::None));
}

#[test]
fn a_take_that_ends_on_its_own_ends_the_gesture() {
    let mut g = held(Direction::Ltr);
    g.step(Input::LockTap, 400.0, R::Recording);
    // maxDuration stopped it and the note uploads.
    assert_eq!(g.step(Input::Recorder, 60_000.0, R::Uploading), Action::None);
    assert_eq!(g.phase(), GesturePhase::Idle);

    // The microphone was refused while held: the release does nothing more.
    let mut g = Gesture::new();
    g.step(down(MOUSE, 0.0, 0.0), 0.0, R::Idle);
    g.step(Input::Recorder, 10.0, R::Error);
    assert_eq!(g.phase(), GesturePhase::Idle);
    assert_eq!(g.step(UP, 900.0, R::Error), Action::None);
}

#[test]
fn a_press_while_the_recorder_is_busy_or_recording_does_not_start() {
    let mut g = Gesture::new();
    for state in [R::Requesting, R::Uploading, R::Waiting] {
        assert_eq!(g.step(down(MOUSE, 0.0, 0.0), 0.0, state), Action::None);
        assert_eq!(g.phase(), GesturePhase::Idle);
        assert_eq!(g.step(UP, 900.0, state), Action::None);
    }
    // Recording from the app's own start(): a press stops it, as the toggle would.
    assert_eq!(g.step(down(MOUSE, 0.0, 0.0), 0.0, R::Recording), Action::Stop);
    assert_eq!(g.step(UP, 900.0, R::Uploading), Action::None);
    // After a take, or an error, a press records again.
    for state in [R::Idle, R::Stopped, R::Uploaded, R::Error] {
        let mut g = Gesture::new();
        assert_eq!(g.step(down(MOUSE, 0.0, 0.0), 0.0, state), Action::Start);
    }
}

#[test]
fn names_are_api_md_s() {
    let phases = [GesturePhase::Idle, GesturePhase::Holding, GesturePhase::Locked, GesturePhase::Cancelling];
    assert_eq!(phases.map(GesturePhase::as_str), ["idle", "holding", "locked", "cancelling"]);
    assert_eq!(phases.map(|p| GesturePhase::parse(p.as_str())), phases);
    assert_eq!(GesturePhase::parse("sliding"), GesturePhase::Idle);
    assert_eq!(PointerKind::parse("touch"), PointerKind::Touch);
    assert_eq!(PointerKind::parse("pen"), PointerKind::Pen);
    assert_eq!(PointerKind::parse(""), PointerKind::Mouse);
    assert_eq!(Key::parse(" "), Some(Key::Space));
    assert_eq!(Key::parse("Enter"), Some(Key::Enter));
    assert_eq!(Key::parse("Escape"), Some(Key::Escape));
    assert_eq!(Key::parse("a"), None);
    assert_eq!(Input::pointer_down(3, MOUSE, 0, 1.0, 2.0), Some(Input::PointerDown { id: 3, kind: MOUSE, x: 1.0, y: 2.0 }));
    assert_eq!(Input::pointer_down(3, MOUSE, 2, 1.0, 2.0), None, "a right click is no press");
    for state in RecorderState::ALL {
        assert_eq!(RecorderState::parse(state.as_str()), Some(state));
    }
    assert_eq!(RecorderState::parse("holding"), None);
}
