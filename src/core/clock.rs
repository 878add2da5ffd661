//! Recorded time: a monotonic clock that does not count paused time.
//!
//! Times are milliseconds from any monotonic source (`performance.now()` in the browser), passed
//! in so the arithmetic is testable.

/// Recorded time of one take: runs while recording, stands still while paused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordClock {
    /// Time recorded before the current run.
    banked_ms: f64,
    /// When the current run started, if recording now.
    running_since: Option<f64>,
}

impl RecordClock {
    /// A clock that starts running at `now`.
    pub fn start(now: f64) -> Self {
        RecordClock { banked_ms: 0.0, running_since: Some(now) }
    }
    /// Stops counting at `now`, keeping what was recorded (a second pause changes nothing).
    pub fn pause(&mut self, now: f64) {
        if let Some(since) = self.running_since.take() {
            self.banked_ms += (now - since).max(0.0);
        }
    }
    /// Counts again from `now` (when already running, nothing changes).
    pub fn resume(&mut self, now: f64) {
        if self.running_since.is_none() {
            self.running_since = Some(now);
        }
    }
    /// Whether time is being recorded now.
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }
    /// Milliseconds recorded by `now`, paused stretches left out.
    pub fn elapsed_ms(&self, now: f64) -> f64 {
        self.banked_ms + self.running_since.map_or(0.0, |since| (now - since).max(0.0))
    }
    /// Milliseconds left before `max_ms` of recorded time.
    pub fn remaining_ms(&self, now: f64, max_ms: f64) -> f64 {
        (max_ms - self.elapsed_ms(now)).max(0.0)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn paused_time_is_not_counted() {
        let mut c = RecordClock::start(1000.0);
        assert_eq!(c.elapsed_ms(1500.0), 500.0);
        c.pause(1500.0);
        assert_eq!(c.elapsed_ms(9000.0), 500.0);
        c.pause(9500.0); // a second pause changes nothing
        c.resume(10_000.0);
        assert_eq!(c.elapsed_ms(10_250.0), 750.0);
        c.resume(10_500.0); // nor does a second resume
        assert_eq!(c.elapsed_ms(11_000.0), 1500.0);
        assert_eq!(c.remaining_ms(11_000.0, 2000.0), 500.0);
        assert_eq!(c.remaining_ms(20_000.0, 2000.0), 0.0);
    }

    #[test]
    fn a_clock_going_backwards_never_gives_negative_time() {
        let mut c = RecordClock::start(1000.0);
        assert_eq!(c.elapsed_ms(900.0), 0.0);
        c.pause(800.0);
        assert_eq!(c.elapsed_ms(2000.0), 0.0);
    }
}
