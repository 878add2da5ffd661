//! The browser layer: thin wrappers over web APIs, tested in real browsers.

pub mod js;
pub mod media;
pub mod recorder;
pub mod sdk;
pub mod upload;
pub mod button;
pub mod durable;
