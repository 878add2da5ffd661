//! The pure core: no `web-sys`, no `js-sys`; everything here is tested by native `cargo test`.

pub mod errors;
pub mod limits;
pub mod response;
pub mod clock;
pub mod format;
pub mod lifecycle;
pub mod device;
pub mod level;
pub mod protocol;
pub mod config;
pub mod retry;
pub mod upload;
pub mod webm;
pub mod text;
pub mod durable;
pub mod json;

/// The resampler and the WAV encoder live in their own `no_std` crate (`dsp/`), shared with the
/// capture worklet's wasm, which runs them on the audio thread; the SDK's wasm keeps only what it
/// uses of them (the header and the sizes).
pub use vocafuse_dsp::{resample, wav};
