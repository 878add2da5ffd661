//! The browser layer: one module per web API it wraps, each a thin owner of what it opens, tested
//! in real browsers. They take and return Rust types and `SdkError`s; none knows the JS shapes of
//! the public API (that is the facade's). Imports form a tree:
//! `recorder` -> `media`, `durable`, `upload`; `durable` -> `indexeddb`, `locks`, `upload`;
//! `upload` -> `http`, `network`, `sdk`; `sdk` -> `token` -> `http` -> `abort`;
//! `button` -> `recorder`.
//!
//! `sdk` and `upload` are public for the browser test suites that drive an upload without a
//! recorder; `media` until the recorder's rework settles `WavCapture::sample_rate`, which nothing
//! in the crate reads. The rest is the facade's.

pub(crate) mod abort;
pub(crate) mod button;
pub(crate) mod durable;
pub(crate) mod http;
pub(crate) mod indexeddb;
pub(crate) mod js;
pub(crate) mod locks;
pub mod media;
pub(crate) mod network;
pub(crate) mod recorder;
pub mod sdk;
pub(crate) mod token;
pub mod upload;
