//! Hold to talk as data: the gesture's phase and one pure function, [`Gesture::step`], that reads a
//! pointer, key or lock-control input with the time and the recorder's state, and says what the
//! recorder should do. Press and hold records, release sends, sliding away (mirrored right to
//! left) or Escape cancels, sliding up locks, a press under [`MIN_HOLD_MS`] records nothing and
//! asks for the hint; Space held records, Enter toggles (WCAG 2.5.7's single-key alternative).

use super::lifecycle::RecorderState;

/// A press shorter than this (ms) was a tap, not a hold: its take is cancelled and the hint shown.
pub const MIN_HOLD_MS: f64 = 300.0;

/// Where the gesture is (the snapshot's `gesture`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GesturePhase {
    /// No press is recording.
    Idle,
    /// A press is held and records; its release sends.
    Holding,
    /// Recording hands-free (slid up, the lock control, or Enter); a tap ends it.
    Locked,
    /// Held and slid away past the cancel distance: its release cancels.
    Cancelling,
}

impl GesturePhase {
    /// The phase by its API.md name; anything else is idle.
    pub fn parse(name: &str) -> GesturePhase {
        match name {
            "holding" => GesturePhase::Holding,
            "locked" => GesturePhase::Locked,
            "cancelling" => GesturePhase::Cancelling,
            _ => GesturePhase::Idle,
        }
    }

    /// The name API.md gives the phase.
    pub fn as_str(self) -> &'static str {
        match self {
            GesturePhase::Idle => "idle",
            GesturePhase::Holding => "holding",
            GesturePhase::Locked => "locked",
            GesturePhase::Cancelling => "cancelling",
        }
    }
}

/// What a pointer is (`PointerEvent.pointerType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointerKind {
    /// A mouse.
    Mouse,
    /// A finger.
    Touch,
    /// A stylus.
    Pen,
}

impl PointerKind {
    /// `pointerType` as the browser names it; anything unknown counts as a mouse.
    pub fn parse(name: &str) -> PointerKind {
        match name {
            "touch" => PointerKind::Touch,
            "pen" => PointerKind::Pen,
            _ => PointerKind::Mouse,
        }
    }

    /// How far (CSS px) the pointer slides away to cancel, and up to lock.
    fn reach(self) -> Reach {
        match self {
            // A held thumb drifts further than a mouse or a pen before the person means anything.
            PointerKind::Touch => Reach { cancel: 100.0, lock: 80.0 },
            PointerKind::Mouse | PointerKind::Pen => Reach { cancel: 80.0, lock: 60.0 },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Reach {
    cancel: f64,
    lock: f64,
}

/// The keys the gesture listens to (`KeyboardEvent.key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Held: records; released: sends.
    Space,
    /// Toggles: records hands-free, then sends.
    Enter,
    /// Cancels.
    Escape,
}

impl Key {
    /// `KeyboardEvent.key`; `None` for a key the gesture ignores.
    pub fn parse(key: &str) -> Option<Key> {
        match key {
            " " | "Spacebar" => Some(Key::Space),
            "Enter" => Some(Key::Enter),
            "Escape" | "Esc" => Some(Key::Escape),
            _ => None,
        }
    }
}

/// The layout's writing direction: sliding away toward the start of the line cancels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Left to right: sliding left cancels.
    Ltr,
    /// Right to left: sliding right cancels.
    Rtl,
}

/// One thing the person did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    /// A pointer went down on the control, at `x`, `y` (CSS px).
    PointerDown {
        /// `pointerId`.
        id: i32,
        /// `pointerType`.
        kind: PointerKind,
        /// `clientX`.
        x: f64,
        /// `clientY`.
        y: f64,
    },
    /// A pointer moved.
    PointerMove {
        /// `pointerId`.
        id: i32,
        /// `clientX`.
        x: f64,
        /// `clientY`.
        y: f64,
    },
    /// A pointer was released.
    PointerUp {
        /// `pointerId`.
        id: i32,
    },
    /// The browser took the pointer away (`pointercancel`).
    PointerCancel {
        /// `pointerId`.
        id: i32,
    },
    /// A key went down; `repeat` when it is held.
    KeyDown {
        /// The key.
        key: Key,
        /// An auto-repeat of a held key.
        repeat: bool,
    },
    /// A key was released.
    KeyUp {
        /// The key.
        key: Key,
    },
    /// A tap on the lock control (the single-tap alternative to sliding up, then the stop control).
    LockTap,
    /// The control activated with no pointer (a screen reader's click, `element.click()`): a
    /// toggle, as Enter is.
    Activate,
    /// The recorder's state changed (given to `step` as `recorder`).
    Recorder,
}

impl Input {
    /// A `pointerdown` with `button`: only the primary button (a mouse's left, a finger, a pen's
    /// tip) presses; a right or middle press is no hold.
    pub fn pointer_down(id: i32, kind: PointerKind, button: i16, x: f64, y: f64) -> Option<Input> {
        (button == 0).then_some(Input::PointerDown { id, kind, x, y })
    }

    /// Whether the control keeps this input from the page, given what it did: Space and Enter
    /// always (their default would click the button, a second press), Escape only when it
    /// cancelled something (else it is the page's, e.g. to close a dialog).
    pub fn claims(self, action: Action) -> bool {
        match self {
            Input::KeyDown { key: Key::Escape, .. } | Input::KeyUp { key: Key::Escape } => action != Action::None,
            _ => true,
        }
    }

    /// A `click` with `detail` (how many presses made it): 0 is an activation without a pointer;
    /// a pointer's click follows a press the gesture has already read.
    pub fn click(detail: i32) -> Option<Input> {
        (detail == 0).then_some(Input::Activate)
    }
}

/// What the recorder should do about an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing (the phase may still have changed).
    None,
    /// `start()`.
    Start,
    /// `stop()`: it sends with `autoUpload`, else keeps the note.
    Stop,
    /// `cancel()`: nothing is kept or sent.
    Cancel,
    /// Nothing for the recorder: the take goes on hands-free (say so to the person).
    Lock,
    /// `cancel()` the take a tap started, and show "Hold to record".
    Hint,
}

impl Action {
    /// The name the JS entries act on.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Cancel => "cancel",
            Action::Lock => "lock",
            Action::Hint => "hint",
        }
    }
}

/// What is held down: a pointer (where it went down) or Space.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Held {
    Pointer { id: i32, reach: Reach, x: f64, y: f64 },
    Space,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Press {
    held: Held,
    at_ms: f64,
}

/// One control's gesture: its phase, the press under way, and whether the last press was a tap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gesture {
    phase: GesturePhase,
    press: Option<Press>,
    direction: Direction,
    hint: bool,
}

impl Default for Gesture {
    fn default() -> Self {
        Gesture { phase: GesturePhase::Idle, press: None, direction: Direction::Ltr, hint: false }
    }
}

impl Gesture {
    /// An idle gesture.
    pub fn new() -> Gesture {
        Gesture::default()
    }

    /// The gesture's phase.
    pub fn phase(&self) -> GesturePhase {
        self.phase
    }

    /// "Hold to record" shows: a press was too short to record, and no take has started since.
    pub fn hint(&self) -> bool {
        self.hint
    }

    /// The layout's direction, read when a press starts (the page may flip it between presses).
    pub fn set_direction(&mut self, direction: Direction) {
        self.direction = direction;
    }

    /// Reads `input` at `now_ms` (any monotonic ms clock, `event.timeStamp`) with the recorder in
    /// `recorder`: the next phase, and what the recorder should do.
    pub fn step(&mut self, input: Input, now_ms: f64, recorder: RecorderState) -> Action {
        use GesturePhase as P;
        let input = match input {
            Input::Activate => Input::KeyDown { key: Key::Enter, repeat: false },
            other => other,
        };
        let (phase, press, action) = match (self.phase, input) {
            // The take ended without the gesture (maxDuration, an error, the app's own call).
            (P::Holding | P::Locked | P::Cancelling, Input::Recorder) if !recorder.capturing() && recorder != RecorderState::Requesting => {
                (P::Idle, None, Action::None)
            }
            (_, Input::Recorder) => (self.phase, self.press, Action::None),

            (P::Idle, Input::PointerDown { id, kind, x, y }) => self.press_down(Held::Pointer { id, reach: kind.reach(), x, y }, now_ms, recorder),
            (P::Idle, Input::KeyDown { key: Key::Space, repeat: false }) => self.press_down(Held::Space, now_ms, recorder),
            // Enter toggles: the take it starts is hands-free.
            (P::Idle, Input::KeyDown { key: Key::Enter, repeat: false }) if recorder.capturing() => (P::Idle, None, Action::Stop),
            (P::Idle, Input::KeyDown { key: Key::Enter, repeat: false }) if !recorder.busy() => (P::Locked, None, Action::Start),
            (P::Idle, Input::KeyDown { key: Key::Escape, .. }) if recorder.capturing() => (P::Idle, None, Action::Cancel),
            (P::Idle, Input::LockTap) if recorder.capturing() => (P::Idle, None, Action::Stop),

            (P::Holding | P::Cancelling, Input::PointerMove { id, x, y }) => match self.press {
                Some(Press { held: Held::Pointer { id: held, reach, x: x0, y: y0 }, .. }) if held == id => {
                    let away = match self.direction {
                        Direction::Ltr => x0 - x,
                        Direction::Rtl => x - x0,
                    };
                    if away >= reach.cancel {
                        (P::Cancelling, self.press, Action::None)
                    } else if self.phase == P::Holding && y0 - y >= reach.lock {
                        (P::Locked, self.press, Action::Lock)
                    } else {
                        (P::Holding, self.press, Action::None)
                    }
                }
                _ => (self.phase, self.press, Action::None),
            },
            (P::Holding, Input::PointerUp { id }) if self.holds_pointer(id) => (P::Idle, None, self.release(now_ms, recorder)),
            (P::Holding, Input::KeyUp { key: Key::Space }) if self.press.is_some_and(|p| p.held == Held::Space) => {
                (P::Idle, None, self.release(now_ms, recorder))
            }
            (P::Cancelling, Input::PointerUp { id } | Input::PointerCancel { id }) if self.holds_pointer(id) => (P::Idle, None, Action::Cancel),
            (P::Holding, Input::PointerCancel { id }) if self.holds_pointer(id) => (P::Idle, None, Action::Cancel),
            (P::Holding, Input::LockTap) => (P::Locked, self.press, Action::Lock),
            // Locked: the press that locked may end; the take goes on until a tap or Enter.
            (P::Locked, Input::PointerUp { .. } | Input::PointerCancel { .. } | Input::KeyUp { .. }) => (P::Locked, None, Action::None),
            (P::Locked, Input::PointerDown { .. } | Input::LockTap | Input::KeyDown { key: Key::Enter | Key::Space, repeat: false }) => {
                (P::Idle, None, Action::Stop)
            }
            (P::Holding | P::Locked | P::Cancelling, Input::KeyDown { key: Key::Escape, .. }) => (P::Idle, None, Action::Cancel),
            _ => (self.phase, self.press, Action::None),
        };
        self.phase = phase;
        self.press = press;
        match action {
            Action::Hint => self.hint = true,
            Action::Start => self.hint = false,
            _ => {}
        }
        action
    }

    /// A press in the idle phase: records, unless the recorder is busy or already recording
    /// (then the press stops that take, as a toggle would).
    fn press_down(&self, held: Held, now_ms: f64, recorder: RecorderState) -> (GesturePhase, Option<Press>, Action) {
        if recorder.capturing() {
            (GesturePhase::Idle, None, Action::Stop)
        } else if recorder.busy() {
            (GesturePhase::Idle, None, Action::None)
        } else {
            (GesturePhase::Holding, Some(Press { held, at_ms: now_ms }), Action::Start)
        }
    }

    fn holds_pointer(&self, id: i32) -> bool {
        matches!(self.press, Some(Press { held: Held::Pointer { id: held, .. }, .. }) if held == id)
    }

    /// A held press let go: a tap shows the hint; a hold sends, unless the microphone never
    /// opened (a permission prompt took the press, or the SDK was still loading): nothing to send.
    fn release(&self, now_ms: f64, recorder: RecorderState) -> Action {
        let held_ms = self.press.map_or(0.0, |p| now_ms - p.at_ms);
        if held_ms < MIN_HOLD_MS {
            Action::Hint
        } else if recorder.capturing() {
            Action::Stop
        } else {
            Action::Cancel
        }
    }
}

#[cfg(test)]
mod tests;
