//! Measures the WAV path natively: `cargo run --release --example dsp_bench`.
//!
//! Prints the filter sizes, the resampler's quality (SNR of a 1 kHz sine, attenuation of a
//! 12 kHz tone at 48 kHz) and throughput in times real time for 60 s of input fed in 128-sample
//! render quanta, as an AudioWorklet delivers it. Numbers only, no assertions.

use std::f64::consts::PI;
use std::hint::black_box;
use std::time::Instant;
use vocafuse_wasm::core::resample::{Resampler, OUTPUT_RATE};
use vocafuse_wasm::core::wav::{WavEncoder, WavStream};

const SECONDS: usize = 60;
const QUANTUM: usize = 128;

fn sine(rate: u32, freq: f64, amp: f64, len: usize) -> Vec<f32> {
    (0..len).map(|n| (amp * (2.0 * PI * freq * n as f64 / f64::from(rate)).sin()) as f32).collect()
}

/// Something speech-like: a few harmonics, slowly modulated, plus a little noise.
fn voice(rate: u32, len: usize) -> Vec<f32> {
    let mut seed = 0x1234_5678u32;
    (0..len)
        .map(|n| {
            let t = n as f64 / f64::from(rate);
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (f64::from(seed) / f64::from(u32::MAX) - 0.5) * 0.02;
            let env = 0.5 + 0.5 * (2.0 * PI * 3.0 * t).sin();
            let tone: f64 = [140.0, 280.0, 420.0, 1100.0, 2500.0].iter().map(|f| (2.0 * PI * f * t).sin() * 0.12).sum();
            (env * tone + noise) as f32
        })
        .collect()
}

fn resample_all(rate: u32, input: &[f32]) -> Vec<f32> {
    let mut r = Resampler::new(rate).unwrap();
    let mut out = Vec::new();
    r.process(input, &mut out);
    r.flush(&mut out);
    out
}

fn snr_db(rate: u32, freq: f64) -> f64 {
    let out = resample_all(rate, &sine(rate, freq, 0.9, rate as usize * 2));
    let ideal = sine(OUTPUT_RATE, freq, 0.9, out.len());
    let (mut s, mut e) = (0.0, 0.0);
    for (o, i) in out[400..out.len() - 400].iter().zip(&ideal[400..]) {
        s += f64::from(*i).powi(2);
        e += (f64::from(*o) - f64::from(*i)).powi(2);
    }
    10.0 * (s / e).log10()
}

fn attenuation_db(rate: u32, freq: f64) -> f64 {
    let out = resample_all(rate, &sine(rate, freq, 1.0, rate as usize * 2));
    let mid = &out[400..out.len() - 400];
    let rms = (mid.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / mid.len() as f64).sqrt();
    -20.0 * (rms / 0.5f64.sqrt()).log10()
}

/// Best of a few runs, in times real time.
fn times_real_time(seconds: f64, mut run: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        run();
        best = best.min(t.elapsed().as_secs_f64());
    }
    seconds / best
}

fn main() {
    println!("filter: Kaiser-windowed sinc, 80 dB design, passband 7 kHz, stopband 8 kHz");
    for rate in [8_000, 11_025, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000] {
        let r = Resampler::new(rate).unwrap();
        println!(
            "  {rate:>6} Hz: {:>3} phases x {:>3} taps = {:>5} coefficients ({} KiB)",
            r.phases(),
            r.taps(),
            r.phases() as usize * r.taps(),
            r.phases() as usize * r.taps() * 4 / 1024
        );
    }
    println!("quality:");
    for rate in [48_000, 44_100, 96_000, 22_050, 8_000] {
        println!("  1 kHz sine SNR, {rate} Hz -> 16 kHz: {:.1} dB", snr_db(rate, 1000.0));
    }
    println!("  6.9 kHz sine SNR, 48000 Hz -> 16 kHz: {:.1} dB (passband edge)", snr_db(48_000, 6900.0));
    println!("  12 kHz tone at 48000 Hz attenuated by {:.1} dB", attenuation_db(48_000, 12_000.0));
    println!("  8.05 kHz tone at 48000 Hz attenuated by {:.1} dB (stopband edge)", attenuation_db(48_000, 8050.0));
    println!("  8.05 kHz tone at 44100 Hz attenuated by {:.1} dB", attenuation_db(44_100, 8050.0));

    println!("throughput ({SECONDS} s of input in {QUANTUM}-sample quanta, best of 5):");
    for rate in [48_000u32, 44_100] {
        let input = voice(rate, rate as usize * SECONDS);
        let secs = SECONDS as f64;
        let resample = times_real_time(secs, || {
            let mut r = Resampler::new(rate).unwrap();
            let mut out = Vec::with_capacity(OUTPUT_RATE as usize * SECONDS + 16);
            for q in input.chunks(QUANTUM) {
                r.process(q, &mut out);
            }
            r.flush(&mut out);
            black_box(out);
        });
        let whole = times_real_time(secs, || {
            let mut s = WavStream::new(rate).unwrap();
            let mut chunks = Vec::new();
            for q in input.chunks(QUANTUM) {
                chunks.push(s.push(q));
            }
            let (tail, header) = s.finish();
            black_box((chunks, tail, header));
        });
        println!("  {rate} Hz: resampler {resample:.0}x real time; resample + WAV encode {whole:.0}x");
    }
    let pcm16k = voice(OUTPUT_RATE, OUTPUT_RATE as usize * SECONDS);
    let encode = times_real_time(SECONDS as f64, || {
        let mut e = WavEncoder::new(OUTPUT_RATE);
        let mut data = Vec::with_capacity(pcm16k.len() * 2);
        for q in pcm16k.chunks(QUANTUM) {
            e.encode_into(q, &mut data);
        }
        black_box((data, e.final_header()));
    });
    println!("  WAV encoder alone at 16 kHz: {encode:.0}x real time");
}
