//! Turning an HTTP answer (status, body, headers) or a WebSocket error message into an `SdkError`.
//!
//! Whatever the input, these functions return an error and never panic. Recognised bodies:
//! - VocaFuse `{"error": {"code": 2004, "message": "…", "details": {…}}}`;
//! - Faseeh `{"errorCode": 40201, "errorMessage": "…"}`;
//! - loose JSON (`message`, `detail`, `error_description`, `title`, …), HTML pages (`<title>`),
//!   S3-style XML (`<Code>`, `<Message>`), plain text.
//!
//! One module per dialect: `http` (bodies and Retry-After), `socket` (socket messages), `markup`
//! (HTML and XML text); `fields` reads what an error object holds, for both.

mod fields;
mod http;
mod markup;
mod socket;

pub use fields::MAX_RETRY_AFTER_SECS;
pub use http::{error_from_response, parse_retry_after};
pub use socket::error_from_socket_message;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
