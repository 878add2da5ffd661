//! The input level shown to a person (RMS of the latest samples on a -60..0 dBFS scale), and
//! the silence watch that notices a microphone delivering nothing.

use super::errors::{ErrorCode, SdkError};
use super::json::object;

/// 0 for silence (or anything under -60 dBFS), 1 for a full-scale signal.
pub fn level(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mean_square = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / samples.len() as f64;
    let rms = mean_square.sqrt();
    if !rms.is_finite() || rms <= 0.0 {
        return 0.0;
    }
    ((20.0 * rms.log10() + 60.0) / 60.0).clamp(0.0, 1.0)
}

/// Below this level (-57 dBFS) the input counts as silent: a muted or dead microphone reads 0,
/// while a quiet room with a working one reads well above it.
pub const SILENCE_LEVEL: f64 = 0.05;

/// How long the input may stay silent before the app hears of it, unless `silenceTimeout` says.
pub const DEFAULT_SILENCE_TIMEOUT_MS: f64 = 3_000.0;

/// What the silence watch noticed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Heard {
    /// Silent for the whole timeout.
    Silence {
        /// How long the silence has lasted, in seconds.
        seconds: f64,
    },
    /// Sound again after a silence that was reported.
    Sound,
}

/// Watches the level: a stretch of silence as long as `timeout_ms` is reported once; sound ends
/// the stretch. A timeout of 0 watches nothing.
#[derive(Clone, Debug)]
pub struct SilenceWatch {
    timeout_ms: f64,
    quiet_since: Option<f64>,
    reported: bool,
}

impl SilenceWatch {
    /// A watch that reports `timeout_ms` of silence (0: never).
    pub fn new(timeout_ms: f64) -> SilenceWatch {
        SilenceWatch { timeout_ms, quiet_since: None, reported: false }
    }

    /// Whether the watch runs at all (`silenceTimeout: 0` turns it off).
    pub fn enabled(&self) -> bool {
        self.timeout_ms > 0.0
    }

    /// A level read at `now_ms` (recording time: paused time is not observed).
    pub fn observe(&mut self, now_ms: f64, level: f64) -> Option<Heard> {
        if !self.enabled() {
            return None;
        }
        if level >= SILENCE_LEVEL {
            self.quiet_since = None;
            return std::mem::take(&mut self.reported).then_some(Heard::Sound);
        }
        let since = *self.quiet_since.get_or_insert(now_ms);
        if !self.reported && now_ms - since >= self.timeout_ms {
            self.reported = true;
            return Some(Heard::Silence { seconds: (now_ms - since) / 1000.0 });
        }
        None
    }

    /// Paused: a stretch of silence starts anew when recording resumes.
    pub fn pause(&mut self) {
        self.quiet_since = None;
    }
}

/// The notice when the input is muted or silent: recording goes on (`reason`: `muted` or
/// `silent`, `seconds`: how long it has been so).
pub fn no_audio_notice(reason: &'static str, seconds: f64) -> SdkError {
    let message = if reason == "muted" { "the microphone's track is muted" } else { "the microphone delivers only silence" };
    SdkError::new(ErrorCode::NoAudioInput, message).with_details(object([("reason", reason.into()), ("seconds", seconds.into())]))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn silence_is_zero_and_full_scale_is_one() {
        assert_eq!(level(&[]), 0.0);
        assert_eq!(level(&[0.0; 128]), 0.0);
        assert_eq!(level(&[1.0, -1.0, 1.0, -1.0]), 1.0);
        assert_eq!(level(&[f32::NAN; 4]), 0.0);
    }

    #[test]
    fn minus_thirty_dbfs_is_half_way() {
        let a = 10f32.powf(-30.0 / 20.0);
        let l = level(&[a, -a, a, -a]);
        assert!((l - 0.5).abs() < 1e-6, "{l}");
    }

    /// Levels every 100 ms from `levels`, starting at 0 ms; what the watch said, with when.
    fn watch(timeout_ms: f64, levels: &[f64]) -> Vec<(f64, Heard)> {
        let mut w = SilenceWatch::new(timeout_ms);
        levels.iter().enumerate().filter_map(|(i, l)| w.observe(i as f64 * 100.0, *l).map(|h| (i as f64 * 100.0, h))).collect()
    }

    #[test]
    fn silence_from_the_start_is_reported_once_at_the_timeout() {
        let heard = watch(3_000.0, &[0.0; 60]);
        assert_eq!(heard, [(3_000.0, Heard::Silence { seconds: 3.0 })]);
    }

    #[test]
    fn sound_ends_the_stretch_and_a_later_stretch_is_reported_again() {
        let mut levels = vec![0.0; 31];
        levels.extend([0.5; 5]);
        levels.extend([0.01; 40]);
        let heard = watch(3_000.0, &levels);
        assert_eq!(heard, [(3_000.0, Heard::Silence { seconds: 3.0 }), (3_100.0, Heard::Sound), (6_600.0, Heard::Silence { seconds: 3.0 })]);
    }

    #[test]
    fn short_pauses_in_speech_are_not_silence() {
        let levels: Vec<f64> = (0..100).map(|i| if i % 20 < 15 { 0.0 } else { 0.4 }).collect();
        assert!(watch(3_000.0, &levels).is_empty());
    }

    #[test]
    fn a_timeout_of_zero_watches_nothing() {
        assert!(watch(0.0, &[0.0; 100]).is_empty());
        assert!(!SilenceWatch::new(0.0).enabled());
    }

    #[test]
    fn pausing_starts_the_stretch_anew() {
        let mut w = SilenceWatch::new(1_000.0);
        assert_eq!(w.observe(0.0, 0.0), None);
        assert_eq!(w.observe(900.0, 0.0), None);
        w.pause();
        assert_eq!(w.observe(1_000.0, 0.0), None, "the stretch restarted at 1000 ms");
        assert_eq!(w.observe(2_000.0, 0.0), Some(Heard::Silence { seconds: 1.0 }));
    }
}
