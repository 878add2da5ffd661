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
pub mod resample;
pub mod wav;
pub mod webm;
pub mod text;
pub mod durable;
pub mod json;
