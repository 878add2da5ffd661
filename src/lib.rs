//! vocafuse-wasm: record voice notes in the browser, check them against the service's limits,
//! upload them, and explain every failure with one documented error object.
//!
//! `core` is pure Rust (tested natively); `web` wraps the browser APIs; `facade` is the
//! `#[wasm_bindgen]` surface described in API.md.

pub mod core;
pub mod web;
pub mod facade;
