//! The service's limits, and checking recorder options against them.

/// The longest voice note the service accepts, in seconds.
pub const MAX_DURATION_SECS: f64 = 60.0;
/// "25 MB", read the stricter way.
pub const MAX_FILE_SIZE: u64 = 25_000_000;
/// Above this many bytes an upload is multipart (5 MiB).
pub const MULTIPART_THRESHOLD: u64 = 5_242_880;

use super::errors::{ErrorCode, SdkError};
use super::json::object;
use super::text::Num;

/// The bitrate asked of the Opus encoder unless the app sets one. Measured in BENCHMARKS.md:
/// speech stays clear at 32 kbit/s, a quarter of the bytes of the official SDK's 128 kbit/s.
pub const DEFAULT_BITS_PER_SECOND: u32 = 32_000;

/// A recorder's own limits, never above the service's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecorderLimits {
    /// The longest recording, in seconds.
    pub max_duration_secs: f64,
    /// The largest file, in bytes.
    pub max_file_size: u64,
}

impl Default for RecorderLimits {
    fn default() -> Self {
        RecorderLimits { max_duration_secs: MAX_DURATION_SECS, max_file_size: MAX_FILE_SIZE }
    }
}

impl RecorderLimits {
    /// Checks `maxDuration` (seconds) and `maxFileSize` (bytes) as the app passed them.
    pub fn new(max_duration: Option<f64>, max_file_size: Option<f64>) -> Result<Self, SdkError> {
        let max_duration_secs = match max_duration {
            None => MAX_DURATION_SECS,
            Some(d) if d.is_finite() && d > 0.0 && d <= MAX_DURATION_SECS => d,
            Some(d) => {
                return Err(SdkError::invalid_config(format!("maxDuration must be more than 0 and at most {} seconds, not {}", Num(MAX_DURATION_SECS), Num(d))))
            }
        };
        let max_file_size = match max_file_size {
            None => MAX_FILE_SIZE,
            Some(s) if s.is_finite() && s >= 1.0 && s <= MAX_FILE_SIZE as f64 => s as u64,
            Some(s) => return Err(SdkError::invalid_config(format!("maxFileSize must be more than 0 and at most {MAX_FILE_SIZE} bytes, not {}", Num(s)))),
        };
        Ok(RecorderLimits { max_duration_secs, max_file_size })
    }
}

/// Checks `audioBitsPerSecond`.
pub fn bits_per_second(value: Option<f64>) -> Result<u32, SdkError> {
    match value {
        None => Ok(DEFAULT_BITS_PER_SECOND),
        Some(b) if b.is_finite() && (6_000.0..=512_000.0).contains(&b) => Ok(b as u32),
        Some(b) => Err(SdkError::invalid_config(format!("audioBitsPerSecond must be between 6000 and 512000, not {}", Num(b)))),
    }
}

/// What to do with a chunk the encoder produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkVerdict {
    /// Keep it and go on.
    Keep,
    /// Keep it, then stop: the next chunk might not fit.
    KeepThenStop,
    /// It would pass the limit: drop it (and everything after it) and stop.
    DropAndStop,
}

/// A running byte count that stops a recording before it passes `max` bytes.
#[derive(Clone, Debug)]
pub struct SizeGuard {
    max: u64,
    kept: u64,
    largest_chunk: u64,
    stopping: bool,
    dropped: bool,
}

impl SizeGuard {
    /// A guard for files of at most `max` bytes.
    pub fn new(max: u64) -> Self {
        SizeGuard { max, kept: 0, largest_chunk: 0, stopping: false, dropped: false }
    }
    /// Bytes kept so far.
    pub fn kept(&self) -> u64 {
        self.kept
    }
    /// True once the guard has asked for a stop.
    pub fn tripped(&self) -> bool {
        self.stopping
    }
    /// Decides a chunk of `size` bytes: kept, kept as the last, or dropped.
    pub fn offer(&mut self, size: u64) -> ChunkVerdict {
        // After one dropped chunk nothing more is kept: a gap would corrupt the container.
        if self.dropped || self.kept + size > self.max {
            self.dropped = true;
            self.stopping = true;
            return ChunkVerdict::DropAndStop;
        }
        self.kept += size;
        self.largest_chunk = self.largest_chunk.max(size);
        // The final flush after stop() holds at most about one more slice.
        if !self.stopping && self.kept + self.largest_chunk > self.max {
            self.stopping = true;
            ChunkVerdict::KeepThenStop
        } else {
            ChunkVerdict::Keep
        }
    }
}

/// The notice when recording stopped at `max_duration` (a recording is kept).
pub fn duration_notice(max_duration: f64, actual_duration: f64) -> SdkError {
    SdkError::new(ErrorCode::DurationExceeded, format!("recording stopped at the {} s limit", Num(max_duration)))
        .with_details(object([("max_duration", max_duration.into()), ("actual_duration", actual_duration.into())]))
}

/// The notice when recording stopped before passing `max_size` bytes, with `kept` kept.
pub fn size_notice(max_size: u64, kept: u64) -> SdkError {
    SdkError::new(ErrorCode::FileSizeExceeded, format!("recording stopped before passing {max_size} bytes"))
        .with_details(object([("max_size", max_size.into()), ("actual_size", kept.into())]))
}

/// The notice when the microphone's track ended while recording (unplugged, revoked, taken).
pub fn track_ended_notice(recorded_seconds: f64) -> SdkError {
    SdkError::new(ErrorCode::MicrophoneUnavailable, "the microphone stopped delivering audio")
        .with_details(object([("reason", "ended".into()), ("recorded_seconds", recorded_seconds.into())]))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::errors::ErrorCode;

    #[test]
    fn defaults_are_the_service_limits() {
        let l = RecorderLimits::new(None, None).unwrap();
        assert_eq!(l, RecorderLimits { max_duration_secs: 60.0, max_file_size: 25_000_000 });
        assert_eq!(l, RecorderLimits::default());
    }

    #[test]
    fn limits_outside_the_service_are_invalid_config() {
        for (d, s) in [
            (Some(0.0), None),
            (Some(-1.0), None),
            (Some(60.5), None),
            (Some(f64::NAN), None),
            (Some(f64::INFINITY), None),
            (None, Some(0.0)),
            (None, Some(-5.0)),
            (None, Some(25_000_001.0)),
            (None, Some(f64::NAN)),
        ] {
            let err = RecorderLimits::new(d, s).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidConfig, "{d:?} {s:?}");
        }
        let l = RecorderLimits::new(Some(60.0), Some(25_000_000.0)).unwrap();
        assert_eq!(l.max_file_size, 25_000_000);
        assert_eq!(RecorderLimits::new(Some(0.5), Some(1.0)).unwrap().max_duration_secs, 0.5);
    }

    #[test]
    fn bitrate_is_checked() {
        assert_eq!(bits_per_second(None).unwrap(), DEFAULT_BITS_PER_SECOND);
        assert_eq!(bits_per_second(Some(24_000.0)).unwrap(), 24_000);
        assert!(bits_per_second(Some(0.0)).is_err());
        assert!(bits_per_second(Some(1e9)).is_err());
    }

    #[test]
    fn size_guard_never_keeps_more_than_the_limit() {
        let mut g = SizeGuard::new(10_000);
        assert_eq!(g.offer(1_500), ChunkVerdict::Keep); // header + first slice
        for _ in 0..6 {
            assert_eq!(g.offer(1_000), ChunkVerdict::Keep);
        }
        assert_eq!(g.kept(), 7_500);
        assert_eq!(g.offer(1_000), ChunkVerdict::Keep); // 8_500 + 1_500 still fits exactly
        assert!(!g.tripped());
        assert_eq!(g.offer(1_000), ChunkVerdict::KeepThenStop); // 9_500 + 1_500 would pass 10_000
        assert!(g.tripped());
        assert_eq!(g.offer(600), ChunkVerdict::DropAndStop); // the flush does not fit
        assert_eq!(g.offer(10), ChunkVerdict::DropAndStop); // nor anything after a drop
        assert_eq!(g.kept(), 9_500);
    }

    #[test]
    fn a_final_chunk_that_fits_is_kept() {
        let mut g = SizeGuard::new(2_900);
        assert_eq!(g.offer(1_000), ChunkVerdict::Keep);
        assert_eq!(g.offer(1_000), ChunkVerdict::KeepThenStop);
        assert_eq!(g.offer(600), ChunkVerdict::Keep);
        assert_eq!(g.kept(), 2_600);
    }

    #[test]
    fn a_first_chunk_bigger_than_the_limit_is_dropped() {
        let mut g = SizeGuard::new(100);
        assert_eq!(g.offer(101), ChunkVerdict::DropAndStop);
        assert_eq!(g.kept(), 0);
    }
}
