//! The pure core: no `web-sys`, no `js-sys`; everything here is tested by native `cargo test`.

pub mod clock;
pub mod config;
pub mod device;
pub mod durable;
pub mod errors;
pub mod format;
pub mod gesture;
pub mod json;
pub mod level;
pub mod lifecycle;
pub mod limits;
pub mod network;
pub mod options;
pub mod protocol;
pub mod response;
pub mod retry;
pub mod silence;
pub mod text;
pub mod upload;
pub mod view;
pub mod waveform;
pub mod webm;

/// The resampler and the WAV encoder live in their own `no_std` crate (`dsp/`), shared with the
/// capture worklet's wasm, which runs them on the audio thread; the SDK's wasm keeps only what it
/// uses of them (the header and the sizes).
pub use vocafuse_dsp::{resample, wav};
