//! The waveform of a take (`recording.waveform`): the peak level of each of 100 equal slices of
//! the recorded time, from the level meter's measurements.
//!
//! The meter reads the latest few blocks of samples at every tick; each block is one
//! measurement, stamped with the recorded time it ended at (paused time is not recorded, so it
//! has no place in the waveform). Measurements are kept in bins of a width that doubles when
//! they fill up, so a take of any length costs the same few kilobytes.

/// Slices of a waveform (fewer only for a take with fewer measurements).
pub const SLICES: usize = 100;
/// Bins kept; when a measurement falls past the last one, neighbours merge and bins widen.
const BINS: usize = 2048;
/// The first bins' width: finer than a measurement (~21 ms), so the early ones stay apart.
const FIRST_BIN_MS: f64 = 10.0;
/// The samples each measurement covers (at 48 kHz, 21 ms).
pub const BLOCK_SAMPLES: u32 = 1024;

/// The meter's window at `sample_rate`: the power of two of samples nearest under the 100 ms
/// between ticks (at least one block, at most the analyser's 32768), so one read sees most of
/// the time since the last one.
pub fn window_samples(sample_rate: f64) -> u32 {
    let mut window = BLOCK_SAMPLES;
    while window < 32_768 && f64::from(window * 2) <= sample_rate * 0.1 {
        window *= 2;
    }
    window
}

/// A take's measurements, reduced to peaks per bin.
#[derive(Clone, Debug)]
pub struct Waveform {
    /// Peak per bin; negative: nothing measured there.
    bins: Vec<f32>,
    bin_ms: f64,
    /// Recorded time up to which audio has been measured: older blocks (read again, or heard
    /// while paused) are not measured twice.
    measured_to_ms: f64,
    /// Measurements taken.
    count: usize,
}

impl Default for Waveform {
    fn default() -> Self {
        Waveform::new()
    }
}

impl Waveform {
    /// No measurement yet.
    pub fn new() -> Waveform {
        Waveform { bins: vec![-1.0; BINS], bin_ms: FIRST_BIN_MS, measured_to_ms: 0.0, count: 0 }
    }

    /// Levels of consecutive blocks, oldest first, each `block_ms` long, the last ending at
    /// recorded time `end_ms`.
    pub fn measure(&mut self, end_ms: f64, levels: &[f64], block_ms: f64) {
        let last = levels.len().saturating_sub(1);
        for (i, level) in levels.iter().enumerate() {
            let block_end = end_ms - (last - i) as f64 * block_ms;
            if block_end <= self.measured_to_ms || !level.is_finite() {
                continue;
            }
            self.add((block_end - block_ms / 2.0).max(0.0), level.clamp(0.0, 1.0));
        }
        self.measured_to_ms = self.measured_to_ms.max(end_ms);
    }

    /// Recording pauses at `at_ms` (recorded time, which stands still until it resumes): audio
    /// read after it resumes that is older than that was heard while paused.
    pub fn pause(&mut self, at_ms: f64) {
        self.measured_to_ms = self.measured_to_ms.max(at_ms);
    }

    fn add(&mut self, at_ms: f64, level: f64) {
        while at_ms >= self.bin_ms * BINS as f64 {
            self.widen();
        }
        let bin = &mut self.bins[(at_ms / self.bin_ms) as usize];
        *bin = bin.max(level as f32);
        self.count += 1;
    }

    /// Bins twice as wide: each pair merges into its peak.
    fn widen(&mut self) {
        for i in 0..BINS / 2 {
            self.bins[i] = self.bins[2 * i].max(self.bins[2 * i + 1]);
        }
        self.bins[BINS / 2..].fill(-1.0);
        self.bin_ms *= 2.0;
    }

    /// The peaks of `SLICES` equal slices of `duration_ms` (one per measurement when there are
    /// fewer). A slice nothing was measured in (the browser skipped ticks) shows the one before
    /// it. Empty when nothing was measured (no level meter).
    pub fn peaks(&self, duration_ms: f64) -> Vec<f64> {
        let slices = SLICES.min(self.count);
        if slices == 0 || duration_ms.is_nan() || duration_ms <= 0.0 {
            return Vec::new();
        }
        let width = duration_ms / slices as f64;
        let mut peaks = vec![-1.0f32; slices];
        for (i, peak) in self.bins.iter().enumerate().filter(|(_, p)| **p >= 0.0) {
            let slice = (((i as f64 + 0.5) * self.bin_ms / width) as usize).min(slices - 1);
            peaks[slice] = peaks[slice].max(*peak);
        }
        let mut last = peaks.iter().copied().find(|p| *p >= 0.0).unwrap_or(0.0);
        peaks
            .iter()
            .map(|p| {
                if *p >= 0.0 {
                    last = *p;
                }
                round(last)
            })
            .collect()
    }
}

/// Three decimals: a bar's height needs no more, and the stored JSON stays short.
fn round(peak: f32) -> f64 {
    (f64::from(peak) * 1000.0 + 0.5).floor() / 1000.0
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const BLOCK: f64 = 21.333;

    /// A take read by ticks every 100 ms of `ms` recorded time, four blocks a tick, the level
    /// at each moment given by `level`.
    fn take(ms: f64, level: impl Fn(f64) -> f64) -> Waveform {
        let mut w = Waveform::new();
        let mut t = 100.0;
        while t <= ms {
            let levels: Vec<f64> = (0..4).map(|i| level(t - (3 - i) as f64 * BLOCK - BLOCK / 2.0)).collect();
            w.measure(t, &levels, BLOCK);
            t += 100.0;
        }
        w
    }

    #[test]
    fn a_take_has_a_hundred_slices_that_follow_the_audio() {
        // 10 s: tone, a second of silence in the middle, tone.
        let w = take(10_000.0, |t| if (4_500.0..5_500.0).contains(&t) { 0.0 } else { 0.8 });
        let peaks = w.peaks(10_000.0);
        assert_eq!(peaks.len(), 100);
        assert!(peaks[46..54].iter().all(|p| *p == 0.0), "{peaks:?}");
        assert!(peaks[..44].iter().chain(&peaks[56..]).all(|p| *p == 0.8), "{peaks:?}");
    }

    #[test]
    fn each_slice_is_the_peak_of_its_measurements() {
        let mut w = Waveform::new();
        w.measure(100.0, &[0.1, 0.9, 0.2, 0.3], 25.0);
        w.measure(200.0, &[0.2, 0.2, 0.4, 0.1], 25.0);
        // Eight measurements over 200 ms: eight slices of 25 ms.
        assert_eq!(w.peaks(200.0), [0.1, 0.9, 0.2, 0.3, 0.2, 0.2, 0.4, 0.1]);
    }

    #[test]
    fn a_long_take_costs_the_same_and_keeps_its_shape() {
        // An hour, ten loud seconds inside its 51st slice.
        let w = take(3_600_000.0, |t| if (1_810_000.0..1_820_000.0).contains(&t) { 1.0 } else { 0.1 });
        assert_eq!(w.bins.len(), BINS);
        let peaks = w.peaks(3_600_000.0);
        assert_eq!(peaks.len(), 100);
        assert_eq!(peaks[50], 1.0, "{peaks:?}");
        assert_eq!(peaks.iter().filter(|p| **p == 1.0).count(), 1, "{peaks:?}");
    }

    #[test]
    fn short_takes_have_one_slice_per_measurement() {
        let w = take(500.0, |_| 0.5);
        assert_eq!(w.peaks(500.0).len(), 20);
        // Nothing measured (no level meter): no waveform.
        assert!(Waveform::new().peaks(3_000.0).is_empty());
        assert!(take(3_000.0, |_| 0.5).peaks(0.0).is_empty());
    }

    #[test]
    fn silence_is_flat_zero() {
        assert!(take(4_000.0, |_| 0.0).peaks(4_000.0).iter().all(|p| *p == 0.0));
    }

    #[test]
    fn blocks_read_twice_are_measured_once() {
        let mut w = Waveform::new();
        w.measure(100.0, &[0.5; 4], 50.0);
        // The next read overlaps the last: its two older blocks end at or before 100 ms.
        w.measure(150.0, &[0.9, 0.9, 0.9, 0.1], 50.0);
        assert_eq!(w.count, 3, "two from the first read (ending at 50 and 100 ms), one new");
    }

    #[test]
    fn paused_time_is_excluded() {
        let mut w = Waveform::new();
        w.measure(1_000.0, &[0.2; 4], 25.0);
        w.pause(1_050.0);
        // Loud while paused: the first read after resuming still holds it, stamped before the
        // pause point (recorded time stood still), so it is not measured.
        w.measure(1_070.0, &[1.0, 1.0, 1.0, 0.3], 25.0);
        let peaks = w.peaks(1_070.0);
        assert!(peaks.iter().all(|p| *p < 1.0), "{peaks:?}");
        assert_eq!(w.count, 5);
    }

    #[test]
    fn slices_the_browser_skipped_show_the_one_before() {
        let mut w = Waveform::new();
        // Ticks every 100 ms, then a throttled second with one read, then ticks again.
        for t in (1..=10).map(|i| f64::from(i) * 100.0) {
            w.measure(t, &[0.2; 4], 25.0);
        }
        w.measure(2_000.0, &[0.7; 4], 25.0);
        for t in (21..=40).map(|i| f64::from(i) * 100.0) {
            w.measure(t, &[0.4; 4], 25.0);
        }
        let peaks = w.peaks(4_000.0);
        assert_eq!(peaks.len(), 100);
        assert!(peaks[..25].iter().all(|p| *p == 0.2), "{peaks:?}");
        assert!(peaks[25..47].iter().all(|p| *p == 0.2), "filled from the slice before: {peaks:?}");
        assert_eq!(peaks[49], 0.7);
        assert!(peaks[51..].iter().all(|p| *p == 0.4), "{peaks:?}");
        // Nothing measured before the first read: the slices before it show that read.
        let mut w = Waveform::new();
        w.measure(1_000.0, &[0.5, 0.5, 0.5, 0.6], 25.0);
        assert_eq!(w.peaks(1_000.0), [0.6; 4]);
    }

    #[test]
    fn the_window_fits_between_ticks() {
        assert_eq!(window_samples(48_000.0), 4_096);
        assert_eq!(window_samples(44_100.0), 4_096);
        assert_eq!(window_samples(96_000.0), 8_192);
        assert_eq!(window_samples(16_000.0), 1_024);
        assert_eq!(window_samples(8_000.0), 1_024);
    }
}
