//! WAV files: 16-bit PCM mono, encoded as the samples arrive, and their exact sizes.
//!
//! The data chunk is produced piece by piece and the 44-byte header last, once the length is
//! known: the browser layer assembles `Blob([header, ...chunks])`, so no step copies the whole
//! recording. A 16-bit mono frame is 2 bytes, so the data chunk's length is always even and RIFF's
//! pad byte (owed after odd-sized chunks) is never needed; sizes are exactly `44 + 2 * samples`.
//!
//! Samples map to integers as `round(clamp(s, -1, 1) * 32767)`: symmetric, so -1.0 is -32767 and
//! -32768 is never written; NaN becomes 0. No dither: 16-bit quantisation noise is ~-101 dBFS.

use alloc::vec::Vec;

use crate::math;
use crate::resample::{max_input_len, projected_output_len, Resampler, UnsupportedRate, OUTPUT_RATE};

/// The length of the canonical header: RIFF, `fmt ` (16 bytes of PCM format) and `data`.
pub const HEADER_LEN: usize = 44;

/// The size of a 16-bit mono WAV file of `samples` samples.
pub fn wav_size(samples: u64) -> u64 {
    HEADER_LEN as u64 + 2 * samples
}

/// The exact size of the WAV file `input_samples` samples at `input_rate` become once resampled
/// to 16 kHz: what the size limit checks while recording.
pub fn projected_wav_size(input_rate: u32, input_samples: u64) -> u64 {
    wav_size(projected_output_len(input_samples, input_rate))
}

/// The most input samples at `input_rate` whose 16 kHz WAV file fits in `max_bytes`
/// (0 when not even the header fits).
pub fn max_input_samples(input_rate: u32, max_bytes: u64) -> u64 {
    match max_bytes.checked_sub(HEADER_LEN as u64) {
        Some(data) => max_input_len(data / 2, input_rate),
        None => 0,
    }
}

/// The header of a 16-bit PCM mono file at `sample_rate` whose data chunk is `data_bytes` long.
/// The RIFF size saturates at `u32::MAX` (a file that big isn't valid RIFF anyway).
pub fn header(sample_rate: u32, data_bytes: u32) -> [u8; HEADER_LEN] {
    const CHANNELS: u16 = 1;
    const BITS: u16 = 16;
    const BLOCK_ALIGN: u16 = CHANNELS * BITS / 8;
    let fields: [&[u8]; 13] = [
        b"RIFF",
        &data_bytes.saturating_add(36).to_le_bytes(),
        b"WAVE",
        b"fmt ",
        &16u32.to_le_bytes(),
        &1u16.to_le_bytes(), // PCM
        &CHANNELS.to_le_bytes(),
        &sample_rate.to_le_bytes(),
        &sample_rate.saturating_mul(u32::from(BLOCK_ALIGN)).to_le_bytes(),
        &BLOCK_ALIGN.to_le_bytes(),
        &BITS.to_le_bytes(),
        b"data",
        &data_bytes.to_le_bytes(),
    ];
    let mut h = [0u8; HEADER_LEN];
    let mut at = 0;
    for f in fields {
        h[at..at + f.len()].copy_from_slice(f);
        at += f.len();
    }
    h
}

/// One sample as 16-bit PCM (see the module docs for the mapping).
pub fn sample_to_i16(s: f32) -> i16 {
    // NaN becomes 0 (`round_to_i32`); the clamp keeps -32768 out.
    math::round_to_i32(s.clamp(-1.0, 1.0) * 32767.0) as i16
}

/// Encodes 16-bit PCM mono data at one rate, chunk by chunk, counting what it wrote.
#[derive(Clone, Debug)]
pub struct WavEncoder {
    sample_rate: u32,
    samples: u64,
}

impl WavEncoder {
    /// An encoder of mono 16-bit PCM at `sample_rate` Hz.
    pub fn new(sample_rate: u32) -> WavEncoder {
        WavEncoder { sample_rate, samples: 0 }
    }

    /// The rate written into the header, in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Samples encoded so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Bytes of the data chunk so far.
    pub fn data_bytes(&self) -> u64 {
        2 * self.samples
    }

    /// The header for a data chunk of `data_bytes` at this encoder's rate.
    pub fn header(&self, data_bytes: u32) -> [u8; HEADER_LEN] {
        header(self.sample_rate, data_bytes)
    }

    /// The header for everything encoded so far: it goes in front of the chunks.
    pub fn final_header(&self) -> [u8; HEADER_LEN] {
        self.header(u32::try_from(self.data_bytes()).unwrap_or(u32::MAX))
    }

    /// The data bytes for `samples`.
    pub fn encode(&mut self, samples: &[f32]) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * samples.len());
        self.encode_into(samples, &mut out);
        out
    }

    /// Appends the data bytes for `samples` to `out`.
    pub fn encode_into(&mut self, samples: &[f32], out: &mut Vec<u8>) {
        out.reserve(2 * samples.len());
        out.extend(samples.iter().flat_map(|s| sample_to_i16(*s).to_le_bytes()));
        self.samples += samples.len() as u64;
    }
}

/// A whole file in one go: header and data.
pub fn encode_wav(sample_rate: u32, samples: &[f32]) -> Vec<u8> {
    let mut enc = WavEncoder::new(sample_rate);
    let data = enc.encode(samples);
    let mut file = enc.final_header().to_vec();
    file.extend_from_slice(&data);
    file
}

/// The WAV recording path: microphone samples at the context's rate in, 16 kHz WAV data out.
#[derive(Clone, Debug)]
pub struct WavStream {
    resampler: Resampler,
    encoder: WavEncoder,
    scratch: Vec<f32>,
    input_samples: u64,
}

impl WavStream {
    /// A stream from `input_rate` Hz audio to a 16 kHz WAV file.
    pub fn new(input_rate: u32) -> Result<WavStream, UnsupportedRate> {
        Ok(WavStream { resampler: Resampler::new(input_rate)?, encoder: WavEncoder::new(OUTPUT_RATE), scratch: Vec::new(), input_samples: 0 })
    }

    /// The rate the input arrives at, in Hz.
    pub fn input_rate(&self) -> u32 {
        self.resampler.input_rate()
    }

    /// Input samples pushed so far.
    pub fn input_samples(&self) -> u64 {
        self.input_samples
    }

    /// The exact size the file would have if the recording stopped now.
    pub fn projected_size(&self) -> u64 {
        projected_wav_size(self.input_rate(), self.input_samples)
    }

    /// The data bytes `input` completes (possibly none: the resampler looks a few ms ahead).
    pub fn push(&mut self, input: &[f32]) -> Vec<u8> {
        let mut out = Vec::new();
        self.push_into(input, &mut out);
        out
    }

    /// `push`, appending to `out`: once `out` and the stream have grown to the block size, a
    /// block allocates nothing (the audio thread must not wait for an allocator).
    pub fn push_into(&mut self, input: &[f32], out: &mut Vec<u8>) {
        self.input_samples += input.len() as u64;
        self.scratch.clear();
        self.resampler.process(input, &mut self.scratch);
        self.encoder.encode_into(&self.scratch, out);
    }

    /// The last data bytes and the header that goes in front of all of them. The stream is
    /// spent afterwards; start a new one for the next recording.
    pub fn finish(&mut self) -> (Vec<u8>, [u8; HEADER_LEN]) {
        let mut tail = Vec::new();
        let header = self.finish_into(&mut tail);
        (tail, header)
    }

    /// `finish`, appending the last data bytes to `out`.
    pub fn finish_into(&mut self, out: &mut Vec<u8>) -> [u8; HEADER_LEN] {
        self.scratch.clear();
        self.resampler.flush(&mut self.scratch);
        self.encoder.encode_into(&self.scratch, out);
        self.encoder.final_header()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn samples_of(data: &[u8]) -> Vec<i16> {
        data.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
    }

    #[test]
    fn the_header_field_by_field() {
        let h = header(16_000, 1000);
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32_at(&h, 4), 1036, "RIFF size: the file minus 8");
        assert_eq!(&h[8..12], b"WAVE");
        assert_eq!(&h[12..16], b"fmt ");
        assert_eq!(u32_at(&h, 16), 16, "fmt chunk size");
        assert_eq!(u16_at(&h, 20), 1, "PCM");
        assert_eq!(u16_at(&h, 22), 1, "channels");
        assert_eq!(u32_at(&h, 24), 16_000, "sample rate");
        assert_eq!(u32_at(&h, 28), 32_000, "byte rate");
        assert_eq!(u16_at(&h, 32), 2, "block align");
        assert_eq!(u16_at(&h, 34), 16, "bits per sample");
        assert_eq!(&h[36..40], b"data");
        assert_eq!(u32_at(&h, 40), 1000, "data size");
        assert_eq!(WavEncoder::new(16_000).header(1000), h);
        let empty = header(48_000, 0);
        assert_eq!((u32_at(&empty, 4), u32_at(&empty, 28), u32_at(&empty, 40)), (36, 96_000, 0));
        assert_eq!(u32_at(&header(16_000, u32::MAX), 4), u32::MAX, "saturates");
    }

    #[test]
    fn sizes_are_exact() {
        assert_eq!(wav_size(0), 44);
        assert_eq!(wav_size(16_000 * 60), 1_920_044);
        assert_eq!(projected_wav_size(48_000, 48_000 * 60), 1_920_044);
        assert_eq!(projected_wav_size(44_100, 44_100 * 60), 1_920_044);
        assert_eq!(projected_wav_size(48_000, 4), 48, "two output samples");
        assert_eq!(projected_wav_size(16_000, 7), 58);
        let file = encode_wav(16_000, &[0.1; 7]);
        assert_eq!(file.len() as u64, wav_size(7));
        assert_eq!(u32_at(&file, 4) as usize, file.len() - 8);
        assert_eq!(u32_at(&file, 40) as usize, file.len() - 44);
    }

    #[test]
    fn the_byte_limit_inverts_the_projection() {
        for rate in [8_000, 16_000, 22_050, 44_100, 48_000, 96_000] {
            for limit in [0u64, 43, 44, 45, 46, 47, 1000, 1001, 1_000_000, 25_000_000] {
                let n = max_input_samples(rate, limit);
                assert!(projected_wav_size(rate, n) <= limit.max(44), "{rate} {limit}");
                if limit >= 44 {
                    assert!(projected_wav_size(rate, n + 1) > limit, "{rate} {limit}");
                } else {
                    assert_eq!(n, 0);
                }
            }
        }
        assert_eq!(max_input_samples(16_000, 25_000_000), 12_499_978);
    }

    #[test]
    fn clipping_rounding_and_nan() {
        let cases: [(f32, i16); 12] = [
            (0.0, 0),
            (-0.0, 0),
            (1.0, 32767),
            (-1.0, -32767),
            (2.0, 32767),
            (-2.0, -32767),
            (f32::INFINITY, 32767),
            (f32::NEG_INFINITY, -32767),
            (f32::NAN, 0),
            (0.5, 16384), // 16383.5 rounds away from zero
            (1.4 / 32767.0, 1),
            (-1.6 / 32767.0, -2),
        ];
        for (s, want) in cases {
            assert_eq!(sample_to_i16(s), want, "{s}");
        }
        let data = WavEncoder::new(16_000).encode(&[2.0, -2.0, f32::NAN]);
        assert_eq!(data, [0xFF, 0x7F, 0x01, 0x80, 0x00, 0x00]);
    }

    #[test]
    fn silence_is_zeros() {
        let file = encode_wav(16_000, &[0.0; 100]);
        assert_eq!(file.len(), 244);
        assert!(file[44..].iter().all(|b| *b == 0));
    }

    #[test]
    fn odd_chunks_give_the_same_bytes() {
        let samples: Vec<f32> = (0..101).map(|n| (n as f32 * 0.37).sin()).collect();
        let mut enc = WavEncoder::new(16_000);
        let mut data = Vec::new();
        let mut from = 0;
        for len in [1, 3, 0, 7, 1, 33, 56] {
            enc.encode_into(&samples[from..from + len], &mut data);
            from += len;
        }
        assert_eq!(from, samples.len());
        assert_eq!(data.len(), 202, "whole samples only, an even data chunk");
        let mut file = enc.final_header().to_vec();
        file.extend(data);
        assert_eq!(file, encode_wav(16_000, &samples));
    }

    #[test]
    fn a_wav_stream_resamples_then_encodes() {
        let input: Vec<f32> = (0..4800).map(|n| (n as f32 * 0.05).sin() * 0.5).collect();
        let mut stream = WavStream::new(48_000).unwrap();
        let mut chunks = Vec::new();
        for part in input.chunks(128) {
            chunks.push(stream.push(part));
        }
        assert_eq!(stream.projected_size(), 44 + 2 * 1600);
        let (tail, head) = stream.finish();
        let mut file = head.to_vec();
        chunks.into_iter().for_each(|c| file.extend(c));
        file.extend(tail);
        assert_eq!(file.len(), 44 + 2 * 1600);
        assert_eq!(u32_at(&file, 24), 16_000);
        let mut r = Resampler::new(48_000).unwrap();
        let mut resampled = Vec::new();
        r.process(&input, &mut resampled);
        r.flush(&mut resampled);
        assert_eq!(file, encode_wav(16_000, &resampled));
        assert!(WavStream::new(1234).is_err());
    }

    proptest! {
        #[test]
        fn streaming_equals_one_shot(
            samples in proptest::collection::vec(proptest::num::f32::ANY, 0..2000),
            cuts in proptest::collection::vec(0usize..2000, 0..10),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(samples.len())).collect();
            cuts.sort_unstable();
            let mut enc = WavEncoder::new(16_000);
            let mut file = Vec::new();
            let mut from = 0;
            for c in cuts.into_iter().chain([samples.len()]) {
                file.extend(enc.encode(&samples[from..c]));
                from = c;
            }
            let mut whole = enc.final_header().to_vec();
            whole.extend(file);
            prop_assert_eq!(&whole, &encode_wav(16_000, &samples));
            prop_assert_eq!(whole.len() as u64, wav_size(samples.len() as u64));
            let ints = samples_of(&whole[44..]);
            for (s, i) in samples.iter().zip(ints) {
                prop_assert_eq!(i, sample_to_i16(*s));
                prop_assert!(i != i16::MIN);
            }
        }

        #[test]
        fn samples_round_as_f32_round_did(s in proptest::num::f32::ANY) {
            // The mapping before the crate went no_std (f32::round is std's).
            prop_assert_eq!(sample_to_i16(s), (s.clamp(-1.0, 1.0) * 32767.0).round() as i16);
        }

        #[test]
        fn pushing_into_one_buffer_gives_the_same_file(
            rate in proptest::sample::select(vec![8_000u32, 44_100, 48_000]),
            chunks in proptest::collection::vec(0usize..700, 0..8),
        ) {
            let input: Vec<f32> = (0..chunks.iter().sum::<usize>()).map(|n| (n as f32 * 0.01).sin() * 0.7).collect();
            let (mut a, mut b) = (WavStream::new(rate).unwrap(), WavStream::new(rate).unwrap());
            let (mut one, mut many) = (Vec::new(), Vec::new());
            let mut from = 0;
            for len in chunks {
                a.push_into(&input[from..from + len], &mut one);
                many.extend(b.push(&input[from..from + len]));
                from += len;
            }
            prop_assert_eq!(a.finish_into(&mut one), { let (tail, h) = b.finish(); many.extend(tail); h });
            prop_assert_eq!(one, many);
        }

        #[test]
        fn the_projection_is_the_real_size(
            rate in proptest::sample::select(vec![8_000u32, 22_050, 44_100, 48_000, 96_000]),
            chunks in proptest::collection::vec(0usize..700, 0..8),
        ) {
            let mut stream = WavStream::new(rate).unwrap();
            let mut bytes = 0u64;
            for len in chunks {
                bytes += stream.push(&vec![0.3; len]).len() as u64;
            }
            let projected = stream.projected_size();
            let (tail, _) = stream.finish();
            prop_assert_eq!(projected, 44 + bytes + tail.len() as u64);
        }
    }
}
