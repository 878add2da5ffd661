//! `stopOnSilence`: once speech has been heard, that much trailing silence ends the take, for
//! hands-free recording. What counts as speech and as silence is decided here, on the levels the
//! meter reads (`level::level`'s -60..0 dBFS scale).

/// At or above this level (-36 dBFS) the input may be speech: a voice near the microphone reads
/// well above it, a quiet room well below.
pub const SPEECH_LEVEL: f64 = 0.4;
/// Below this level (-45 dBFS) the input is silent. Between the two it is neither: a breath or a
/// trailing word holds the take open without counting as speech.
pub const QUIET_LEVEL: f64 = 0.25;
/// Speech must last this long: a click or a bump of the microphone is not speech.
pub const SPEECH_MS: f64 = 200.0;

/// Watches the levels of a take for speech followed by `after_ms` of silence; says so once.
#[derive(Clone, Debug)]
pub struct SilenceStop {
    after_ms: f64,
    speech_since: Option<f64>,
    heard_speech: bool,
    quiet_since: Option<f64>,
    done: bool,
}

impl SilenceStop {
    /// A rule that ends the take after `after_ms` of silence following speech (0: never).
    pub fn new(after_ms: f64) -> SilenceStop {
        SilenceStop { after_ms, speech_since: None, heard_speech: false, quiet_since: None, done: after_ms <= 0.0 }
    }

    /// A level read at `now_ms` (recorded time); `true` once, when the take should end.
    pub fn observe(&mut self, now_ms: f64, level: f64) -> bool {
        if self.done {
            return false;
        }
        if level >= SPEECH_LEVEL {
            let since = *self.speech_since.get_or_insert(now_ms);
            self.heard_speech |= now_ms - since >= SPEECH_MS;
        } else {
            self.speech_since = None;
        }
        if level >= QUIET_LEVEL || !self.heard_speech {
            self.quiet_since = None;
            return false;
        }
        let since = *self.quiet_since.get_or_insert(now_ms);
        self.done = now_ms - since >= self.after_ms;
        self.done
    }

    /// Paused: the speech and silence under way start anew on resuming (speech already heard
    /// stays heard).
    pub fn pause(&mut self) {
        self.speech_since = None;
        self.quiet_since = None;
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Levels every 100 ms from 0 ms; the times the rule said to stop.
    fn stops(after_ms: f64, levels: &[f64]) -> Vec<f64> {
        let mut rule = SilenceStop::new(after_ms);
        levels.iter().enumerate().filter(|(i, l)| rule.observe(*i as f64 * 100.0, **l)).map(|(i, _)| i as f64 * 100.0).collect()
    }

    fn run(parts: &[(f64, usize)]) -> Vec<f64> {
        parts.iter().flat_map(|(level, n)| std::iter::repeat_n(*level, *n)).collect()
    }

    #[test]
    fn speech_then_silence_stops_once_after_the_silence() {
        // 1 s of speech, then silence from 1000 ms: 1.5 s of it ends the take at 2500 ms.
        assert_eq!(stops(1_500.0, &run(&[(0.8, 10), (0.0, 40)])), [2_500.0]);
    }

    #[test]
    fn silence_from_the_start_never_stops() {
        assert!(stops(1_000.0, &run(&[(0.0, 100)])).is_empty());
        // Room noise between silence and speech is not speech either.
        assert!(stops(1_000.0, &run(&[(0.3, 30), (0.0, 50)])).is_empty());
    }

    #[test]
    fn a_click_is_not_speech() {
        assert!(stops(1_000.0, &run(&[(0.0, 10), (1.0, 2), (0.0, 50)])).is_empty());
        // Three reads in a row span 200 ms: speech.
        assert_eq!(stops(1_000.0, &run(&[(0.0, 10), (1.0, 3), (0.0, 20)])), [2_300.0]);
    }

    #[test]
    fn pauses_between_words_and_breaths_do_not_stop() {
        // Speech with gaps of 0.8 s, a breath (between the levels) holding the silence open.
        let levels = run(&[(0.8, 5), (0.0, 8), (0.8, 5), (0.0, 8), (0.3, 1), (0.0, 8), (0.8, 5)]);
        assert!(stops(1_000.0, &levels).is_empty());
    }

    #[test]
    fn off_when_zero_and_pausing_restarts_the_silence() {
        assert!(stops(0.0, &run(&[(0.8, 10), (0.0, 100)])).is_empty());
        let mut rule = SilenceStop::new(1_000.0);
        for i in 0..5 {
            assert!(!rule.observe(f64::from(i) * 100.0, 0.9));
        }
        assert!(!rule.observe(500.0, 0.0));
        assert!(!rule.observe(1_400.0, 0.0));
        rule.pause();
        assert!(!rule.observe(1_500.0, 0.0), "the silence restarted at 1500 ms");
        assert!(!rule.observe(2_400.0, 0.0));
        assert!(rule.observe(2_500.0, 0.0), "speech heard before the pause still counts");
        assert!(!rule.observe(2_600.0, 0.0), "said once");
    }
}
