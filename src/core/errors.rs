//! The error model: every code the SDK can report, declared once as data.
//!
//! `CODES` (one row per `ErrorCode`), `SERVER_CODES` (the numeric codes of both server dialects)
//! and `STATUS_CODES` (the fallback by HTTP status) are the only place codes are listed; the
//! mapping, the JS `ErrorCode` object and the tests all read them.

use super::json::Value;

/// One row of the code table.
#[derive(Debug)]
pub struct CodeInfo {
    /// The code this row describes.
    pub code: ErrorCode,
    /// The string apps see in `error.code` and as a key and value of `ErrorCode`.
    pub name: &'static str,
    /// Would trying the same thing again later make sense.
    pub retryable: bool,
    /// The default `userMessage`: a sentence fit to show a person.
    pub user_message: &'static str,
}

macro_rules! code_table {
    ($( $variant:ident = $name:literal, $retryable:literal, $msg:literal; )*) => {
        /// Every code an app can see in `VocaFuseError.code`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( #[doc = $msg] $variant ),* }

        /// The code table, in `ErrorCode` order.
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo { code: ErrorCode::$variant, name: $name, retryable: $retryable, user_message: $msg } ),*
        ];
    };
}

code_table! {
    // Local failures.
    PermissionDenied = "PERMISSION_DENIED", false,
        "Microphone access was blocked. Allow the microphone for this site and try again.";
    NotSupported = "NOT_SUPPORTED", false,
        "This browser can't record voice notes. Try a recent version of Chrome, Firefox, Edge or Safari.";
    MicrophoneNotFound = "MICROPHONE_NOT_FOUND", false,
        "No microphone was found. Connect a microphone and try again.";
    MicrophoneUnavailable = "MICROPHONE_UNAVAILABLE", false,
        "The microphone is in use by another app or can't be read. Close other apps that use it and try again.";
    DurationExceeded = "DURATION_EXCEEDED", false,
        "Your voice note reached the maximum length, so recording stopped.";
    FileSizeExceeded = "FILE_SIZE_EXCEEDED", false,
        "Your voice note reached the maximum size, so recording stopped.";
    NoAudioInput = "NO_AUDIO_INPUT", false,
        "We can't hear anything. Check that the right microphone is selected and not muted.";
    NetworkError = "NETWORK_ERROR", true,
        "Connection lost. Check your internet connection and try again.";
    AuthenticationFailed = "AUTHENTICATION_FAILED", false,
        "Your session has expired. Refresh the page and try again.";
    InvalidState = "INVALID_STATE", false,
        "That action isn't available right now.";
    InvalidConfig = "INVALID_CONFIG", false,
        "Voice notes aren't set up correctly on this page.";
    RecordingFailed = "RECORDING_FAILED", false,
        "Recording stopped unexpectedly. Please try again.";
    Aborted = "ABORTED", false,
        "The voice note was cancelled.";
    StorageUnavailable = "STORAGE_UNAVAILABLE", false,
        "This voice note can't be saved on this device, so keep this page open until it has been sent.";
    // VocaFuse server codes.
    InvalidToken = "INVALID_TOKEN", false,
        "Your session is not valid. Refresh the page and try again.";
    TokenExpired = "TOKEN_EXPIRED", true,
        "Your session has expired. Refresh the page and try again.";
    InvalidRequestFormat = "INVALID_REQUEST_FORMAT", false,
        "The voice note couldn't be sent because the request was malformed.";
    MissingRequiredField = "MISSING_REQUIRED_FIELD", false,
        "The voice note couldn't be sent because some information was missing.";
    InvalidFieldValue = "INVALID_FIELD_VALUE", false,
        "The voice note couldn't be sent because some information was invalid.";
    UnsupportedAudioFormat = "UNSUPPORTED_AUDIO_FORMAT", false,
        "This audio format isn't supported. Voice notes can be WebM, Ogg or WAV.";
    RecordingTooLong = "RECORDING_TOO_LONG", false,
        "This voice note is too long. Voice notes can be up to 60 seconds.";
    TranscriptionFailed = "TRANSCRIPTION_FAILED", false,
        "The voice note couldn't be transcribed. Try recording somewhere quieter.";
    AudioProcessingFailed = "AUDIO_PROCESSING_FAILED", false,
        "The voice note couldn't be processed. Please record it again.";
    RateLimitExceeded = "RATE_LIMIT_EXCEEDED", true,
        "Too many voice notes at once. Please wait a moment and try again.";
    InternalServerError = "INTERNAL_SERVER_ERROR", true,
        "Something went wrong on our side. Please try again.";
    ServiceUnavailable = "SERVICE_UNAVAILABLE", true,
        "The service is temporarily unavailable. Please try again shortly.";
    WebhookAlreadyExists = "WEBHOOK_ALREADY_EXISTS", false,
        "This webhook is already registered.";
    RecordingNotFound = "RECORDING_NOT_FOUND", false,
        "That voice note could not be found.";
    TranscriptionNotFound = "TRANSCRIPTION_NOT_FOUND", false,
        "The transcription isn't ready yet. Please check again shortly.";
    WebhookNotFound = "WEBHOOK_NOT_FOUND", false,
        "That webhook could not be found.";
    // Faseeh codes, and the fallbacks by HTTP status.
    ValidationError = "VALIDATION_ERROR", false,
        "The request was not valid. Please check it and try again.";
    InsufficientBalance = "INSUFFICIENT_BALANCE", false,
        "The account balance is too low to complete this request.";
    ModelAccessDenied = "MODEL_ACCESS_DENIED", false,
        "This account doesn't have access to that voice model.";
    NotFound = "NOT_FOUND", false,
        "The requested item could not be found.";
    ConcurrencyLimitExceeded = "CONCURRENCY_LIMIT_EXCEEDED", true,
        "Too many requests are running at once. Please wait a moment and try again.";
    Forbidden = "FORBIDDEN", false,
        "You don't have permission to do that.";
    UnknownError = "UNKNOWN_ERROR", false,
        "Something went wrong. Please try again.";
}

impl ErrorCode {
    /// The code's row in [`CODES`].
    pub fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }
    /// The name apps see (`"FILE_SIZE_EXCEEDED"`).
    pub fn name(self) -> &'static str {
        self.info().name
    }
    /// Whether trying again later may succeed.
    pub fn retryable(self) -> bool {
        self.info().retryable
    }
    /// The code of a name apps see; `None` for any other string.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        CODES.iter().find(|c| c.name == name).map(|c| c.code)
    }
}

/// The two JSON error dialects servers speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `{"error": {"code": 2004, "message": "…", "details": {…}}}`
    VocaFuse,
    /// `{"errorCode": 40001, "errorMessage": "…"}`
    Faseeh,
}

/// A documented numeric server code.
#[derive(Debug)]
pub struct ServerCode {
    /// Which dialect uses the number.
    pub dialect: Dialect,
    /// The number in the body (`code` or `errorCode`).
    pub number: i64,
    /// What it means.
    pub code: ErrorCode,
    /// The HTTP status the documentation gives for it.
    pub status: u16,
}

macro_rules! server_codes {
    ($( $dialect:ident $number:literal => $variant:ident, $status:literal; )*) => {
        /// Every documented numeric code of both dialects.
        pub const SERVER_CODES: &[ServerCode] = &[
            $( ServerCode { dialect: Dialect::$dialect, number: $number, code: ErrorCode::$variant, status: $status } ),*
        ];
    };
}

server_codes! {
    VocaFuse 1001 => InvalidToken, 401;
    VocaFuse 1002 => TokenExpired, 401;
    VocaFuse 2001 => InvalidRequestFormat, 400;
    VocaFuse 2002 => MissingRequiredField, 400;
    VocaFuse 2003 => InvalidFieldValue, 400;
    VocaFuse 2004 => FileSizeExceeded, 400;
    VocaFuse 2005 => UnsupportedAudioFormat, 400;
    VocaFuse 2006 => RecordingTooLong, 400;
    VocaFuse 3003 => TranscriptionFailed, 500;
    VocaFuse 3004 => AudioProcessingFailed, 500;
    VocaFuse 4003 => RateLimitExceeded, 429;
    VocaFuse 5001 => InternalServerError, 500;
    VocaFuse 5002 => ServiceUnavailable, 503;
    VocaFuse 5005 => WebhookAlreadyExists, 400;
    VocaFuse 6001 => RecordingNotFound, 404;
    VocaFuse 6002 => TranscriptionNotFound, 404;
    VocaFuse 6003 => WebhookNotFound, 404;
    Faseeh 40001 => ValidationError, 400;
    Faseeh 40101 => AuthenticationFailed, 401;
    Faseeh 40201 => InsufficientBalance, 402;
    Faseeh 40301 => ModelAccessDenied, 403;
    Faseeh 40401 => NotFound, 404;
    Faseeh 42901 => ConcurrencyLimitExceeded, 429;
    Faseeh 50001 => InternalServerError, 500;
}

/// What a response with no recognised code means, by HTTP status. Anything else is `UnknownError`.
pub const STATUS_CODES: &[(u16, ErrorCode)] = &[
    (400, ErrorCode::ValidationError),
    (401, ErrorCode::AuthenticationFailed),
    (402, ErrorCode::InsufficientBalance),
    (403, ErrorCode::Forbidden),
    (404, ErrorCode::NotFound),
    (413, ErrorCode::FileSizeExceeded),
    (429, ErrorCode::RateLimitExceeded),
    (500, ErrorCode::InternalServerError),
    (502, ErrorCode::ServiceUnavailable),
    (503, ErrorCode::ServiceUnavailable),
    (504, ErrorCode::ServiceUnavailable),
];

/// The documented row for a dialect's number, if there is one.
pub fn server_code(dialect: Dialect, number: i64) -> Option<&'static ServerCode> {
    SERVER_CODES.iter().find(|s| s.dialect == dialect && s.number == number)
}

/// What a status means when the body has no documented code ([`STATUS_CODES`]).
pub fn code_for_status(status: u16) -> ErrorCode {
    STATUS_CODES.iter().find(|(s, _)| *s == status).map(|(_, c)| *c).unwrap_or(ErrorCode::UnknownError)
}

/// An error as the SDK's Rust code carries it; converted to a JS `VocaFuseError` at the boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct SdkError {
    /// What went wrong, as apps see it in `error.code`.
    pub code: ErrorCode,
    /// The technical message.
    pub message: String,
    /// The server's `details` object, or the SDK's own (limits, sizes).
    pub details: Option<Value>,
    /// The HTTP status, when the failure came with one.
    pub status: Option<u16>,
    /// The server's numeric code, documented or not.
    pub server_code: Option<i64>,
    /// Seconds the server asked us to wait.
    pub retry_after: Option<f64>,
    /// This error's own `userMessage` (one naming a host), used where the app's `messages`
    /// has no override for the code.
    pub user_message: Option<String>,
}

impl SdkError {
    /// An error with a code and a technical message, nothing else.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SdkError { code, message: message.into(), details: None, status: None, server_code: None, retry_after: None, user_message: None }
    }
    /// The same error with `details`.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
    /// Whether trying again later may succeed (the code's table row says).
    pub fn retryable(&self) -> bool {
        self.code.retryable()
    }
    /// `INVALID_STATE`: `action()` cannot be called in `state`.
    pub fn invalid_state(action: &str, state: &str) -> Self {
        SdkError::new(ErrorCode::InvalidState, format!("{action}() is not allowed while the recorder is {state}"))
    }
    /// `INVALID_CONFIG` with the message saying which option is wrong.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        SdkError::new(ErrorCode::InvalidConfig, message)
    }
}

impl std::fmt::Display for SdkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for SdkError {}

/// The app's `messages` overrides, keyed by code name.
#[derive(Clone, Debug, Default)]
pub struct Messages(pub Vec<(String, String)>);

impl Messages {
    /// The override for `code`, else the table's default `userMessage`.
    pub fn user_message(&self, code: ErrorCode) -> &str {
        self.0.iter().find(|(k, _)| k == code.name()).map_or(code.info().user_message, |(_, v)| v.as_str())
    }

    /// The `userMessage` of `err`: the app's override for its code, else the error's own, else
    /// the table's default.
    pub fn for_error<'a>(&'a self, err: &'a SdkError) -> &'a str {
        match (self.0.iter().find(|(k, _)| k == err.code.name()), &err.user_message) {
            (Some((_, v)), _) => v,
            (None, Some(own)) => own,
            (None, None) => err.code.info().user_message,
        }
    }
}

/// The `ErrorCode` object as JSON (`{"PERMISSION_DENIED": "PERMISSION_DENIED", …}`), for the JS
/// package, which freezes it.
pub fn error_code_object_json() -> String {
    let map = CODES.iter().map(|c| (c.name.to_string(), Value::String(c.name.to_string()))).collect();
    Value::Object(super::json::Map(map)).to_json()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_in_enum_order_with_unique_names() {
        let mut names = HashSet::new();
        for (i, info) in CODES.iter().enumerate() {
            assert_eq!(info.code as usize, i, "{} out of order", info.name);
            assert!(names.insert(info.name), "duplicate name {}", info.name);
            assert_eq!(ErrorCode::from_name(info.name), Some(info.code));
            assert!(info.user_message.ends_with('.') && info.user_message.len() > 10, "{}", info.name);
            assert_eq!(info.name, info.name.to_ascii_uppercase());
        }
    }

    #[test]
    fn retryable_set_is_exactly_the_documented_one() {
        let retryable: HashSet<&str> = CODES.iter().filter(|c| c.retryable).map(|c| c.name).collect();
        let expected: HashSet<&str> =
            ["NETWORK_ERROR", "RATE_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TOKEN_EXPIRED"]
                .into_iter()
                .collect();
        assert_eq!(retryable, expected);
    }

    /// Every code in both seed documents, with the name and status the documentation gives.
    #[test]
    fn every_documented_server_code_is_in_the_table() {
        let documented: &[(Dialect, i64, &str, u16)] = &[
            (Dialect::VocaFuse, 1001, "INVALID_TOKEN", 401),
            (Dialect::VocaFuse, 1002, "TOKEN_EXPIRED", 401),
            (Dialect::VocaFuse, 2001, "INVALID_REQUEST_FORMAT", 400),
            (Dialect::VocaFuse, 2002, "MISSING_REQUIRED_FIELD", 400),
            (Dialect::VocaFuse, 2003, "INVALID_FIELD_VALUE", 400),
            (Dialect::VocaFuse, 2004, "FILE_SIZE_EXCEEDED", 400),
            (Dialect::VocaFuse, 2005, "UNSUPPORTED_AUDIO_FORMAT", 400),
            (Dialect::VocaFuse, 2006, "RECORDING_TOO_LONG", 400),
            (Dialect::VocaFuse, 3003, "TRANSCRIPTION_FAILED", 500),
            (Dialect::VocaFuse, 3004, "AUDIO_PROCESSING_FAILED", 500),
            (Dialect::VocaFuse, 4003, "RATE_LIMIT_EXCEEDED", 429),
            (Dialect::VocaFuse, 5001, "INTERNAL_SERVER_ERROR", 500),
            (Dialect::VocaFuse, 5002, "SERVICE_UNAVAILABLE", 503),
            (Dialect::VocaFuse, 5005, "WEBHOOK_ALREADY_EXISTS", 400),
            (Dialect::VocaFuse, 6001, "RECORDING_NOT_FOUND", 404),
            (Dialect::VocaFuse, 6002, "TRANSCRIPTION_NOT_FOUND", 404),
            (Dialect::VocaFuse, 6003, "WEBHOOK_NOT_FOUND", 404),
            (Dialect::Faseeh, 40001, "VALIDATION_ERROR", 400),
            (Dialect::Faseeh, 40101, "AUTHENTICATION_FAILED", 401),
            (Dialect::Faseeh, 40201, "INSUFFICIENT_BALANCE", 402),
            (Dialect::Faseeh, 40301, "MODEL_ACCESS_DENIED", 403),
            (Dialect::Faseeh, 40401, "NOT_FOUND", 404),
            (Dialect::Faseeh, 42901, "CONCURRENCY_LIMIT_EXCEEDED", 429),
            (Dialect::Faseeh, 50001, "INTERNAL_SERVER_ERROR", 500),
        ];
        assert_eq!(documented.len(), SERVER_CODES.len());
        for &(dialect, number, name, status) in documented {
            let row = server_code(dialect, number).unwrap_or_else(|| panic!("{number} missing"));
            assert_eq!(row.code.name(), name);
            assert_eq!(row.status, status, "{number}");
        }
    }

    #[test]
    fn statuses_fall_back_as_documented() {
        for (status, name) in [
            (400, "VALIDATION_ERROR"),
            (401, "AUTHENTICATION_FAILED"),
            (402, "INSUFFICIENT_BALANCE"),
            (403, "FORBIDDEN"),
            (404, "NOT_FOUND"),
            (413, "FILE_SIZE_EXCEEDED"),
            (429, "RATE_LIMIT_EXCEEDED"),
            (500, "INTERNAL_SERVER_ERROR"),
            (502, "SERVICE_UNAVAILABLE"),
            (503, "SERVICE_UNAVAILABLE"),
            (504, "SERVICE_UNAVAILABLE"),
            (418, "UNKNOWN_ERROR"),
            (302, "UNKNOWN_ERROR"),
            (599, "UNKNOWN_ERROR"),
        ] {
            assert_eq!(code_for_status(status).name(), name, "{status}");
        }
    }

    #[test]
    fn error_code_object_has_keys_equal_to_values() {
        let v: serde_json::Value = serde_json::from_str(&error_code_object_json()).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), CODES.len());
        for (k, v) in obj {
            assert_eq!(Some(k.as_str()), v.as_str());
        }
    }
}
