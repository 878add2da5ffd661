//! Turning an HTTP answer (status, body, headers) into an `SdkError`. (Being written.)
