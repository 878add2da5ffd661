//! The browser layer: one module per web API it wraps, each a thin owner of what it opens, tested
//! in real browsers. They take and return Rust types and `SdkError`s; none knows the JS shapes of
//! the public API (that is the facade's). Imports form a tree:
//! `recorder` -> `media`, `durable`, `upload`; `durable` -> `indexeddb`, `locks`, `upload`;
//! `upload` -> `http`, `network`, `sdk`; `sdk` -> `token` -> `http` -> `abort`;
//! `button` -> `recorder`.

pub mod abort;
pub mod button;
pub mod durable;
pub mod http;
pub mod indexeddb;
pub mod js;
pub mod locks;
pub mod media;
pub mod network;
pub mod recorder;
pub mod sdk;
pub mod token;
pub mod upload;
