//! Resampling microphone PCM (mono `f32`) from the audio context's rate to 16 kHz.
//!
//! A streaming polyphase low-pass: a Kaiser-windowed sinc designed for 80 dB of stopband
//! attenuation, flat to 7 kHz and stopping at 8 kHz (for inputs below 16 kHz: 7/8 of, and exactly
//! at, the input's Nyquist frequency). Output sample `n` is the band-limited input evaluated at
//! input time `n * input_rate / 16000`: the filter is centred on that instant (it looks ahead
//! instead of delaying), so the output is time-aligned with the input. Every output sample is a dot
//! product over the same input samples in the same order however the input was chunked, so
//! streaming output is bit-identical to one-shot output.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::math;

/// The rate everything is resampled to.
pub const OUTPUT_RATE: u32 = 16_000;
/// The input rates accepted; every rate an `AudioContext` reports in practice is in here.
pub const MIN_INPUT_RATE: u32 = 8_000;
/// The highest input rate accepted.
pub const MAX_INPUT_RATE: u32 = 192_000;
/// Stopband attenuation the filter is designed for.
const STOPBAND_DB: f64 = 80.0;
/// The passband edge as a fraction of the stopband edge (7 kHz of 8 kHz).
const PASSBAND: f64 = 7.0 / 8.0;
/// The largest coefficient table (phases × taps) built, so an odd rate can't ask for megabytes;
/// the common rates need at most 56 320 (11.025 kHz: 640 phases of 88 taps).
const MAX_TABLE: usize = 1 << 16;

/// A rate `Resampler::new` can't resample from: outside 8..=192 kHz, or so odd a fraction of
/// 16 kHz that its coefficient table would be too big.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedRate(pub u32);

impl fmt::Display for UnsupportedRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "can't resample audio from {} Hz to {} Hz", self.0, OUTPUT_RATE)
    }
}

impl core::error::Error for UnsupportedRate {}

/// The number of 16 kHz samples `input_len` samples at `input_rate` become, exactly:
/// `ceil(input_len * 16000 / input_rate)` (the output instants that fall inside the input).
pub fn projected_output_len(input_len: u64, input_rate: u32) -> u64 {
    if input_rate == 0 {
        return 0;
    }
    let num = u128::from(input_len) * u128::from(OUTPUT_RATE);
    num.div_ceil(u128::from(input_rate)) as u64
}

/// The most input samples at `input_rate` that give at most `output_len` samples at 16 kHz
/// (the inverse of `projected_output_len`).
pub fn max_input_len(output_len: u64, input_rate: u32) -> u64 {
    let n = u128::from(output_len) * u128::from(input_rate) / u128::from(OUTPUT_RATE);
    n.min(u128::from(u64::MAX)) as u64
}

/// A streaming resampler from one input rate to 16 kHz mono.
#[derive(Clone, Debug)]
pub struct Resampler {
    input_rate: u32,
    /// Output instants advance by `down / up` input samples.
    up: u32,
    down: u32,
    /// Taps per phase, a multiple of 8; 0 means 16 kHz in, passed through untouched.
    taps: usize,
    /// `up` phases of `taps` coefficients; phase `p` is for instants `p / up` past an input sample.
    /// With one phase (whole-number ratios: 32, 48, 96, 192 kHz) the kernel is symmetric and only
    /// its first half is kept, then its last tap (see `dot_folded`).
    coefs: Vec<f32>,
    /// Input not yet needed by any output, after `taps / 2 - 1` leading zeros (the silence
    /// before the recording). `history[0]` is buffer position `dropped`.
    history: Vec<f32>,
    dropped: u64,
    /// The next output is at input time `next_index + next_phase / up`.
    next_index: u64,
    next_phase: u32,
    input_len: u64,
}

impl Resampler {
    /// A resampler from `input_rate` Hz to the output rate; refused outside [`MIN_INPUT_RATE`] to [`MAX_INPUT_RATE`].
    pub fn new(input_rate: u32) -> Result<Resampler, UnsupportedRate> {
        if !(MIN_INPUT_RATE..=MAX_INPUT_RATE).contains(&input_rate) {
            return Err(UnsupportedRate(input_rate));
        }
        let g = gcd(input_rate, OUTPUT_RATE);
        let (up, down) = (OUTPUT_RATE / g, input_rate / g);
        let mut r = Resampler { input_rate, up, down, taps: 0, coefs: Vec::new(), history: Vec::new(), dropped: 0, next_index: 0, next_phase: 0, input_len: 0 };
        if input_rate == OUTPUT_RATE {
            return Ok(r);
        }
        let rate = f64::from(input_rate);
        let stop = f64::from(input_rate.min(OUTPUT_RATE)) / 2.0;
        let transition = stop * (1.0 - PASSBAND);
        // Kaiser's estimate of the length for STOPBAND_DB over `transition`, in input samples.
        let len = (STOPBAND_DB - 7.95) * rate / (2.285 * 2.0 * core::f64::consts::PI * transition);
        let taps = (math::ceil(len) as usize).div_ceil(8) * 8;
        if taps * up as usize > MAX_TABLE {
            return Err(UnsupportedRate(input_rate));
        }
        r.taps = taps;
        r.coefs = kernel_table(up, taps, (stop * (1.0 + PASSBAND) / 2.0) / rate);
        if up == 1 {
            r.coefs = fold(&r.coefs);
        }
        r.reset();
        Ok(r)
    }

    /// The rate the input arrives at, in Hz.
    pub fn input_rate(&self) -> u32 {
        self.input_rate
    }

    /// Coefficients per output sample (0 for the 16 kHz passthrough).
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// Phases in the coefficient table (the `L` of the `L/M` ratio).
    pub fn phases(&self) -> u32 {
        self.up
    }

    /// Appends the output samples `input` completes. Outputs near the end wait for the input
    /// after them (half the filter length, about 7.5 ms at 16 kHz and above) or for `flush`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.input_len += input.len() as u64;
        if self.taps == 0 {
            out.extend_from_slice(input);
            return;
        }
        self.history.extend_from_slice(input);
        self.run(out, u64::MAX);
    }

    /// Appends the remaining output, as if silence followed the input, and resets the resampler
    /// for a new stream. In all, the stream gave `projected_output_len(input length)` samples.
    pub fn flush(&mut self, out: &mut Vec<f32>) {
        if self.taps != 0 {
            self.history.resize(self.history.len() + self.taps / 2, 0.0);
            self.run(out, self.input_len);
        }
        self.reset();
    }

    fn reset(&mut self) {
        self.history.clear();
        self.history.resize(self.taps.saturating_sub(2) / 2, 0.0);
        self.dropped = 0;
        self.next_index = 0;
        self.next_phase = 0;
        self.input_len = 0;
    }

    /// Emits every output whose taps are all in `history` and whose instant is before `end`.
    fn run(&mut self, out: &mut Vec<f32>, end: u64) {
        let (taps, up) = (self.taps, self.up);
        let (step, step_phase) = (u64::from(self.down / up), self.down % up);
        while self.next_index < end {
            let start = (self.next_index - self.dropped) as usize;
            let Some(window) = self.history.get(start..start + taps) else { break };
            let p = self.next_phase as usize;
            out.push(if up == 1 {
                dot_folded(window, &self.coefs[..taps / 2], self.coefs[taps / 2])
            } else {
                dot(window, &self.coefs[p * taps..(p + 1) * taps])
            });
            self.next_index += step;
            self.next_phase += step_phase;
            if self.next_phase >= up {
                self.next_phase -= up;
                self.next_index += 1;
            }
        }
        // Keep only what later outputs read: they all start at `next_index` or after.
        let used = ((self.next_index - self.dropped) as usize).min(self.history.len());
        self.history.drain(..used);
        self.dropped += used as u64;
    }
}

/// The polyphase table: for phase `p` and tap `k`, the windowed sinc at `p / up + taps/2 - 1 - k`
/// input samples from the output instant, with cutoff `cutoff` (cycles per input sample). Each
/// phase is normalised to a gain of exactly 1 at DC.
fn kernel_table(up: u32, taps: usize, cutoff: f64) -> Vec<f32> {
    let half = (taps / 2) as f64;
    let beta = 0.1102 * (STOPBAND_DB - 8.7);
    let i0_beta = bessel_i0(beta);
    let mut table = Vec::with_capacity(up as usize * taps);
    let mut phase = vec![0f64; taps];
    for p in 0..up {
        let frac = f64::from(p) / f64::from(up);
        for (k, c) in phase.iter_mut().enumerate() {
            let t = frac + half - 1.0 - k as f64;
            let x = t / half;
            let window = bessel_i0(beta * math::sqrt((1.0 - x * x).max(0.0))) / i0_beta;
            let arg = 2.0 * cutoff * t;
            let sinc = if arg == 0.0 { 1.0 } else { sin(core::f64::consts::PI * arg) / (core::f64::consts::PI * arg) };
            *c = 2.0 * cutoff * sinc * window;
        }
        let sum: f64 = phase.iter().sum();
        table.extend(phase.iter().map(|c| (c / sum) as f32));
    }
    table
}

/// `sin(x)` for the filter design (|x| below 200 for every accepted rate): reduced to [-π/2, π/2]
/// and summed as its Taylor series; within 1e-13 of `f64::sin` up to |x| = 1000 (tested).
/// `f64::sin` would bring libm's argument reduction for any `f64` into the wasm: 4.8 KB (2.1 KB
/// gzipped) for a filter designed once per recording.
fn sin(x: f64) -> f64 {
    use core::f64::consts::{FRAC_PI_2, PI, TAU};
    let r = x - TAU * math::round_ties_even(x / TAU);
    let r = if r > FRAC_PI_2 {
        PI - r
    } else if r < -FRAC_PI_2 {
        -PI - r
    } else {
        r
    };
    let (r2, mut term, mut sum) = (r * r, r, r);
    for n in 1..13 {
        term *= -r2 / f64::from((2 * n) * (2 * n + 1));
        sum += term;
    }
    sum
}

/// The modified Bessel function of the first kind, order 0, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, q) = (1.0, 1.0, x * x / 4.0);
    for k in 1..64 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// Eight running sums, written out so that even size-optimised builds (no unrolling, no
/// vectorisation) keep them in registers and pipeline the multiplies.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (mut s0, mut s1, mut s2, mut s3, mut s4, mut s5, mut s6, mut s7) = (0f32, 0f32, 0f32, 0f32, 0f32, 0f32, 0f32, 0f32);
    for (x, y) in a.as_chunks::<8>().0.iter().zip(b.as_chunks::<8>().0) {
        s0 += x[0] * y[0];
        s1 += x[1] * y[1];
        s2 += x[2] * y[2];
        s3 += x[3] * y[3];
        s4 += x[4] * y[4];
        s5 += x[5] * y[5];
        s6 += x[6] * y[6];
        s7 += x[7] * y[7];
    }
    ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}

/// A one-phase kernel of `2n` taps is symmetric about tap `n - 1` (tap `k` and tap `2n - 2 - k`
/// are the same instant either side of the output's), with tap `2n - 1` left over: keeps taps
/// `0..n`, the centre one halved (it pairs with itself in `dot_folded`), then the last.
fn fold(kernel: &[f32]) -> Vec<f32> {
    let n = kernel.len() / 2;
    let mut folded = kernel[..n].to_vec();
    folded[n - 1] /= 2.0;
    folded.push(kernel[2 * n - 1]);
    folded
}

/// `dot` with a folded kernel (`fold`): the two inputs that share a coefficient are added first,
/// so a window of `2n` taps costs `n + 1` multiplies. `n` is a multiple of 4 (taps are of 8).
fn dot_folded(window: &[f32], half: &[f32], last: f32) -> f32 {
    let n = half.len();
    let (mut s0, mut s1, mut s2, mut s3) = (0f32, 0f32, 0f32, 0f32);
    // Tap k pairs with tap 2n - 2 - k: `mirror` read backwards, four at a time.
    let (left, mirror) = (&window[..n], &window[n - 1..2 * n - 1]);
    let (left, mirror, half) = (left.as_chunks::<4>().0, mirror.as_chunks::<4>().0, half.as_chunks::<4>().0);
    for ((l, r), c) in left.iter().zip(mirror.iter().rev()).zip(half) {
        s0 += c[0] * (l[0] + r[3]);
        s1 += c[1] * (l[1] + r[2]);
        s2 += c[2] * (l[2] + r[1]);
        s3 += c[3] * (l[3] + r[0]);
    }
    ((s0 + s2) + (s1 + s3)) + last * window[2 * n - 1]
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::f64::consts::PI;

    const RATES: [u32; 11] = [8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 88_200, 96_000, 192_000];

    fn sine(rate: u32, freq: f64, amp: f64, len: usize) -> Vec<f32> {
        (0..len).map(|n| (amp * (2.0 * PI * freq * n as f64 / f64::from(rate)).sin()) as f32).collect()
    }

    fn resample_all(rate: u32, input: &[f32]) -> Vec<f32> {
        let mut r = Resampler::new(rate).unwrap();
        let mut out = Vec::new();
        r.process(input, &mut out);
        r.flush(&mut out);
        out
    }

    /// SNR in dB of `out` against the ideal 16 kHz sine, away from the edges (the filter sees
    /// silence before and after the input there).
    fn sine_snr_db(rate: u32, freq: f64) -> f64 {
        let amp = 0.9;
        let out = resample_all(rate, &sine(rate, freq, amp, rate as usize));
        let ideal = sine(OUTPUT_RATE, freq, amp, out.len());
        let edge = 400;
        let (mut signal, mut noise) = (0.0, 0.0);
        for (o, i) in out[edge..out.len() - edge].iter().zip(&ideal[edge..]) {
            signal += f64::from(*i) * f64::from(*i);
            noise += (f64::from(*o) - f64::from(*i)).powi(2);
        }
        10.0 * (signal / noise).log10()
    }

    /// How much quieter (in dB, positive) a full-scale tone at `freq` comes out.
    fn attenuation_db(rate: u32, freq: f64) -> f64 {
        let out = resample_all(rate, &sine(rate, freq, 1.0, rate as usize));
        let mid = &out[400..out.len() - 400];
        let rms = (mid.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / mid.len() as f64).sqrt();
        -20.0 * (rms / 0.5f64.sqrt()).log10()
    }

    #[test]
    fn a_1khz_sine_comes_out_clean_from_every_rate() {
        for rate in RATES {
            let snr = sine_snr_db(rate, 1000.0);
            assert!(snr >= 70.0, "{rate} Hz: SNR {snr:.1} dB");
        }
    }

    #[test]
    fn the_passband_is_flat_to_7khz() {
        for rate in [22_050, 44_100, 48_000] {
            for freq in [100.0, 3000.0, 6000.0, 6900.0] {
                let snr = sine_snr_db(rate, freq);
                assert!(snr >= 70.0, "{rate} Hz, {freq} Hz: SNR {snr:.1} dB");
            }
        }
    }

    #[test]
    fn a_12khz_tone_at_48khz_is_gone() {
        let att = attenuation_db(48_000, 12_000.0);
        assert!(att >= 60.0, "{att:.1} dB");
    }

    #[test]
    fn everything_above_8khz_is_attenuated_80db_near_enough() {
        for rate in [22_050, 24_000, 32_000, 44_100, 48_000, 96_000] {
            let nyquist = f64::from(rate) / 2.0;
            for freq in [8_050.0, 9_000.0, 11_000.0, 15_000.0, 23_000.0, 40_000.0] {
                if freq < nyquist {
                    let att = attenuation_db(rate, freq);
                    assert!(att >= 75.0, "{rate} Hz in, {freq} Hz: {att:.1} dB");
                }
            }
        }
    }

    #[test]
    fn upsampling_leaves_no_images() {
        // 3 kHz at 8 kHz: the image at 5 kHz must not appear at 16 kHz.
        let out = resample_all(8_000, &sine(8_000, 3000.0, 0.9, 8_000));
        let ideal = sine(OUTPUT_RATE, 3000.0, 0.9, out.len());
        let noise: f64 = out[400..15_600].iter().zip(&ideal[400..]).map(|(o, i)| f64::from(o - i).powi(2)).sum();
        let signal: f64 = ideal[400..15_600].iter().map(|i| f64::from(*i).powi(2)).sum();
        assert!(10.0 * (signal / noise).log10() >= 70.0);
    }

    #[test]
    fn sixteen_khz_passes_through_bit_exact() {
        let input: Vec<f32> = (0..1000).map(|n| ((n * 7919) % 2001) as f32 / 1000.0 - 1.0).collect();
        let mut r = Resampler::new(16_000).unwrap();
        let mut out = Vec::new();
        r.process(&input[..333], &mut out);
        r.process(&input[333..], &mut out);
        r.flush(&mut out);
        assert_eq!(out.iter().map(|s| s.to_bits()).collect::<Vec<_>>(), input.iter().map(|s| s.to_bits()).collect::<Vec<_>>());
    }

    #[test]
    fn silence_stays_silent_and_dc_stays_dc() {
        for rate in RATES {
            assert!(resample_all(rate, &vec![0.0; 5000]).iter().all(|s| *s == 0.0));
            let out = resample_all(rate, &vec![0.5; rate as usize / 10]);
            let mid = &out[200..out.len() - 200];
            assert!(mid.iter().all(|s| (s - 0.5).abs() < 1e-5), "{rate} Hz");
        }
    }

    #[test]
    fn output_length_is_the_projection() {
        for rate in RATES {
            for len in [0usize, 1, 2, 3, 5, 17, 440, 441, 442, 1000, 4410, 48_001] {
                let out = resample_all(rate, &vec![0.25; len]);
                assert_eq!(out.len() as u64, projected_output_len(len as u64, rate), "{rate} Hz, {len}");
            }
        }
        assert_eq!(projected_output_len(48_000 * 60, 48_000), 16_000 * 60);
        assert_eq!(projected_output_len(44_100, 44_100), 16_000);
        assert_eq!(projected_output_len(4, 48_000), 2);
        assert_eq!(projected_output_len(5, 0), 0);
    }

    #[test]
    fn max_input_len_inverts_the_projection() {
        for rate in RATES {
            for out_len in [0u64, 1, 2, 159, 160, 12_345, 12_499_978] {
                let n = max_input_len(out_len, rate);
                assert!(projected_output_len(n, rate) <= out_len);
                assert!(projected_output_len(n + 1, rate) > out_len, "{rate} {out_len}");
            }
        }
    }

    #[test]
    fn the_filter_sizes_are_what_the_docs_say() {
        let r = Resampler::new(48_000).unwrap();
        assert_eq!((r.phases(), r.taps()), (1, 248));
        let r = Resampler::new(44_100).unwrap();
        assert_eq!((r.phases(), r.taps()), (160, 224));
        let r = Resampler::new(11_025).unwrap();
        assert_eq!((r.phases(), r.taps()), (640, 88));
        assert_eq!(Resampler::new(16_000).unwrap().taps(), 0);
    }

    #[test]
    fn odd_rates_are_refused() {
        assert_eq!(Resampler::new(0).unwrap_err(), UnsupportedRate(0));
        assert!(Resampler::new(7_999).is_err());
        assert!(Resampler::new(192_001).is_err());
        // 16000/44101 in lowest terms needs 16000 phases.
        assert!(Resampler::new(44_101).is_err());
        for rate in RATES {
            assert!(Resampler::new(rate).is_ok(), "{rate}");
        }
    }

    #[test]
    fn a_flushed_resampler_starts_over() {
        let input = sine(44_100, 440.0, 0.5, 3000);
        let mut r = Resampler::new(44_100).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        r.process(&input, &mut a);
        r.flush(&mut a);
        r.process(&input, &mut b);
        r.flush(&mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn the_filter_designs_sine_is_the_standard_one() {
        let mut worst = 0f64;
        for i in -100_000..=100_000 {
            let x = f64::from(i) * 0.01 + f64::from(i % 7) * 1e-3;
            worst = worst.max((sin(x) - x.sin()).abs());
            assert_eq!(sin(-x), -sin(x));
        }
        assert!(worst < 1e-13, "worst difference {worst:e}");
    }

    #[test]
    fn one_phase_kernels_are_symmetric_so_folding_them_loses_nothing() {
        for rate in RATES.into_iter().filter(|r| !OUTPUT_RATE.is_multiple_of(*r) && r.is_multiple_of(OUTPUT_RATE)) {
            let taps = Resampler::new(rate).unwrap().taps();
            let kernel = kernel_table(1, taps, 7_500.0 / f64::from(rate));
            for k in 0..taps - 1 {
                assert!((kernel[k] - kernel[taps - 2 - k]).abs() <= 1e-9, "{rate} Hz: tap {k} and its mirror differ");
            }
            let folded = fold(&kernel);
            assert_eq!(folded.len(), taps / 2 + 1);
            let window: Vec<f32> = (0..taps).map(|n| ((n * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
            let (full, half) = (dot(&window, &kernel), dot_folded(&window, &folded[..taps / 2], folded[taps / 2]));
            assert!((full - half).abs() <= 1e-5, "{rate} Hz: folded {half} vs {full}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn streaming_equals_one_shot(
            rate in proptest::sample::select(RATES.to_vec()),
            input in proptest::collection::vec(-1.5f32..1.5, 0..3000),
            cuts in proptest::collection::vec(0usize..3000, 0..12),
        ) {
            let whole = resample_all(rate, &input);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            cuts.sort_unstable();
            let mut r = Resampler::new(rate).unwrap();
            let mut out = Vec::new();
            let mut from = 0;
            for c in cuts.into_iter().chain([input.len()]) {
                r.process(&input[from..c], &mut out);
                from = c;
            }
            r.flush(&mut out);
            prop_assert_eq!(out.len() as u64, projected_output_len(input.len() as u64, rate));
            prop_assert_eq!(
                out.iter().map(|s| s.to_bits()).collect::<Vec<_>>(),
                whole.iter().map(|s| s.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}
