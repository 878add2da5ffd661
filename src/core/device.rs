//! What a refused or failed microphone means: `DOMException` names mapped once.

use super::errors::ErrorCode;

/// Names from `getUserMedia` and `MediaRecorder`, current and legacy (older Chrome and Firefox).
const MEDIA_EXCEPTIONS: &[(&str, ErrorCode)] = &[
    ("NotAllowedError", ErrorCode::PermissionDenied),
    ("SecurityError", ErrorCode::PermissionDenied),
    ("PermissionDeniedError", ErrorCode::PermissionDenied),
    ("NotFoundError", ErrorCode::MicrophoneNotFound),
    ("OverconstrainedError", ErrorCode::MicrophoneNotFound),
    ("DevicesNotFoundError", ErrorCode::MicrophoneNotFound),
    ("ConstraintNotSatisfiedError", ErrorCode::MicrophoneNotFound),
    ("NotReadableError", ErrorCode::MicrophoneUnavailable),
    ("AbortError", ErrorCode::MicrophoneUnavailable),
    ("TrackStartError", ErrorCode::MicrophoneUnavailable),
    ("NotSupportedError", ErrorCode::NotSupported),
];

/// The code for a media exception's `name`; anything unknown is a recording failure.
pub fn media_exception_code(name: &str) -> ErrorCode {
    MEDIA_EXCEPTIONS.iter().find(|(n, _)| *n == name).map_or(ErrorCode::RecordingFailed, |(_, c)| *c)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn names_map_as_documented() {
        for (name, code) in [
            ("NotAllowedError", "PERMISSION_DENIED"),
            ("SecurityError", "PERMISSION_DENIED"),
            ("NotFoundError", "MICROPHONE_NOT_FOUND"),
            ("OverconstrainedError", "MICROPHONE_NOT_FOUND"),
            ("NotReadableError", "MICROPHONE_UNAVAILABLE"),
            ("AbortError", "MICROPHONE_UNAVAILABLE"),
            ("SomethingNew", "RECORDING_FAILED"),
            ("", "RECORDING_FAILED"),
        ] {
            assert_eq!(media_exception_code(name).name(), code, "{name}");
        }
    }
}
