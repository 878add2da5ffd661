//! What an upload sends and how it reports progress, decided before any byte leaves.

mod parts;

pub use parts::{plan_parts, wants_multipart};

use super::errors::{ErrorCode, SdkError};
use super::format::AudioFormat;
use super::json::{object, Value};
use super::limits::{MAX_DURATION_SECS, MAX_FILE_SIZE};
use super::protocol::{SdkMetadata, UploadGrant, UploadRequest};
use super::text::{utc, Num};

/// What `upload()` resolves with (API.md's `UploadResult`).
#[derive(Clone, Debug, PartialEq)]
pub struct UploadResult {
    /// The service's id for the voice note.
    pub voicenote_id: String,
    /// Whether the bytes went in parts.
    pub multipart: bool,
    /// Bytes sent.
    pub file_size: u64,
    /// The duration the upload declared, in seconds (two decimals).
    pub duration_seconds: f64,
    /// The recording's format.
    pub audio_format: AudioFormat,
    /// Where storage keeps it, when the service said.
    pub s3_key: Option<String>,
    /// How the service will process it, when it said.
    pub processing_strategy: Option<String>,
    /// Whether the service counts it as processed by the client.
    pub client_processed: bool,
}

impl UploadResult {
    /// The result of uploading `spec` under `grant`.
    pub fn new(grant: &UploadGrant, spec: &UploadSpec) -> UploadResult {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        UploadResult {
            voicenote_id: grant.voicenote_id.clone(),
            multipart: grant.is_multipart(),
            file_size: spec.size,
            duration_seconds: upload_request(spec).duration_seconds,
            audio_format: spec.format,
            s3_key: text(&grant.s3_key),
            processing_strategy: text(&grant.processing_strategy),
            client_processed: grant.client_processed,
        }
    }
}

/// What the SDK knows about a recording it is about to upload.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadSpec {
    /// The recording's format.
    pub format: AudioFormat,
    /// Its size in bytes.
    pub size: u64,
    /// Its recorded duration in seconds.
    pub duration_secs: f64,
    /// The encoder's bitrate, for `sdk_metadata`.
    pub bits_per_second: u64,
    /// ms since the epoch, for the file name.
    pub created_at_ms: f64,
}

/// Refuses locally what the service would refuse (2004, 2005, 2006), so nothing is sent in vain.
pub fn preflight(spec: &UploadSpec) -> Result<(), SdkError> {
    if spec.size == 0 {
        return Err(SdkError::new(ErrorCode::RecordingFailed, "the recording is empty"));
    }
    if spec.size > MAX_FILE_SIZE {
        return Err(SdkError::new(ErrorCode::FileSizeExceeded, format!("{} bytes is over the {MAX_FILE_SIZE}-byte limit", spec.size))
            .with_details(object([("max_size", MAX_FILE_SIZE.into()), ("actual_size", spec.size.into())])));
    }
    // A few ms of timer lateness past the limit is not a longer voice note.
    if !spec.duration_secs.is_finite() || spec.duration_secs > MAX_DURATION_SECS + 0.5 {
        return Err(SdkError::new(ErrorCode::DurationExceeded, format!("{} s is over the {} s limit", Num(spec.duration_secs), Num(MAX_DURATION_SECS)))
            .with_details(object([("max_duration", MAX_DURATION_SECS.into()), ("actual_duration", spec.duration_secs.into())])));
    }
    Ok(())
}

/// `voicenote-2026-11-21T10-00-00-000Z.webm`
pub fn file_name(created_at_ms: f64, format: AudioFormat) -> String {
    let t = utc(created_at_ms);
    format!("voicenote-{:04}-{:02}-{:02}T{:02}-{:02}-{:02}-{:03}Z.{}", t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli, format.as_str())
}

/// The `POST /upload` body for a recording.
pub fn upload_request(spec: &UploadSpec) -> UploadRequest {
    let duration = (spec.duration_secs.min(MAX_DURATION_SECS) * 100.0).round() / 100.0;
    UploadRequest::new(file_name(spec.created_at_ms, spec.format), spec.size, spec.format.as_str(), duration, 48_000, 1, spec.bits_per_second)
}

impl UploadRequest {
    /// A request whose `use_multipart` ([`wants_multipart`]) and `sdk_metadata` agree with the
    /// other fields.
    pub fn new(
        file_name: impl Into<String>,
        file_size: u64,
        audio_format: impl Into<String>,
        duration_seconds: f64,
        sample_rate: u32,
        channels: u32,
        bit_rate: u64,
    ) -> Self {
        let audio_format = audio_format.into();
        UploadRequest {
            file_name: file_name.into(),
            file_size,
            use_multipart: wants_multipart(file_size),
            sdk_metadata: SdkMetadata { duration_seconds, sample_rate, channels, bit_rate, codec: audio_format.clone(), file_size_bytes: file_size },
            audio_format,
            duration_seconds,
        }
    }
}

/// Bytes sent per part, turned into a percentage that never goes down and stops at 99: only the
/// server's confirmation of the whole upload makes it 100 (`upload_blob` reports that).
#[derive(Clone, Debug)]
pub struct Progress {
    total: u64,
    sent: Vec<u64>,
    reported: f64,
}

impl Progress {
    /// Progress of `total` bytes sent in `parts` parts.
    pub fn new(total: u64, parts: usize) -> Self {
        Progress { total: total.max(1), sent: vec![0; parts.max(1)], reported: 0.0 }
    }
    /// Records that `bytes` of part `index` have been sent (a retry starts again from 0) and
    /// returns the percentage to report, if it moved.
    pub fn update(&mut self, index: usize, bytes: u64) -> Option<f64> {
        if let Some(slot) = self.sent.get_mut(index) {
            *slot = bytes;
        }
        let sent: u64 = self.sent.iter().sum();
        let percent = ((sent as f64 / self.total as f64) * 100.0).floor().min(99.0);
        (percent > self.reported).then(|| {
            self.reported = percent;
            percent
        })
    }
}

/// When a cached token should be replaced: the official client refreshes with less than 300 s
/// left; for short-lived tokens, at half their life.
pub fn token_needs_refresh(now_ms: f64, issued_ms: f64, expires_ms: f64) -> bool {
    let margin = ((expires_ms - issued_ms) / 2.0).clamp(0.0, 300_000.0);
    now_ms >= expires_ms - margin
}

/// What a failed request to the app's token endpoint means. A 401 or 403 is the backend refusing
/// this person (AUTHENTICATION_FAILED: sign in again); a 404, a 405 (what static servers answer a
/// POST to a path with no route) or a 5xx is an endpoint that is missing or down
/// (SERVICE_UNAVAILABLE: signing in again would not help); any other answer is a refusal too. `details.status` carries the status; a network failure stays NETWORK_ERROR.
pub fn token_endpoint_error(error: SdkError) -> SdkError {
    if error.code == ErrorCode::NetworkError {
        return error;
    }
    let code = match error.status {
        Some(404) | Some(405) | Some(500..=599) => ErrorCode::ServiceUnavailable,
        _ => ErrorCode::AuthenticationFailed,
    };
    let message = match error.status {
        Some(status) => format!("the token endpoint answered {status}: {}", error.message),
        None => format!("the token endpoint refused: {}", error.message),
    };
    let details = match (error.status, error.details) {
        (Some(status), Some(Value::Object(mut map))) => {
            map.insert("status", Value::from(u32::from(status)));
            Some(Value::Object(map))
        }
        (Some(status), _) => Some(object([("status", Value::from(u32::from(status)))])),
        (None, details) => details,
    };
    SdkError { code, message, details, ..error }
}

/// `init()`'s failure: SERVICE_UNAVAILABLE (an endpoint missing or down) stays; every other
/// failure to get the first token is AUTHENTICATION_FAILED, as API.md's `init()` says.
pub fn init_token_error(endpoint: &str, error: SdkError) -> SdkError {
    let code = if error.code == ErrorCode::ServiceUnavailable { error.code } else { ErrorCode::AuthenticationFailed };
    SdkError { code, message: format!("could not get a token from {endpoint}: {}", error.message), ..error }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn spec(size: u64, duration_secs: f64) -> UploadSpec {
        UploadSpec { format: AudioFormat::Webm, size, duration_secs, bits_per_second: 32_000, created_at_ms: 1_763_719_200_000.0 }
    }

    #[test]
    fn file_names_follow_the_official_client() {
        assert_eq!(file_name(1_763_719_200_123.0, AudioFormat::Ogg), "voicenote-2025-11-21T10-00-00-123Z.ogg");
        assert_eq!(file_name(0.0, AudioFormat::Wav), "voicenote-1970-01-01T00-00-00-000Z.wav");
        assert_eq!(file_name(951_782_400_000.0, AudioFormat::Webm), "voicenote-2000-02-29T00-00-00-000Z.webm");
    }

    #[test]
    fn the_request_matches_the_protocol() {
        let r = upload_request(&spec(123_456, 12.3449));
        assert_eq!(r.file_size, 123_456);
        assert_eq!(r.audio_format, "webm");
        assert_eq!(r.duration_seconds, 12.34);
        assert!(!r.use_multipart);
        assert_eq!(r.sdk_metadata.file_size_bytes, 123_456);
        assert_eq!(r.sdk_metadata.channels, 1);
        assert!(upload_request(&spec(5_242_881, 1.0)).use_multipart);
        assert!(!upload_request(&spec(5_242_880, 1.0)).use_multipart);
        assert_eq!(upload_request(&spec(10, 60.04)).duration_seconds, 60.0);
    }

    #[test]
    fn preflight_refuses_what_the_server_would() {
        assert!(preflight(&spec(1, 1.0)).is_ok());
        assert!(preflight(&spec(25_000_000, 60.0)).is_ok());
        assert_eq!(preflight(&spec(25_000_001, 1.0)).unwrap_err().code, ErrorCode::FileSizeExceeded);
        assert_eq!(preflight(&spec(1, 61.0)).unwrap_err().code, ErrorCode::DurationExceeded);
        assert_eq!(preflight(&spec(1, f64::NAN)).unwrap_err().code, ErrorCode::DurationExceeded);
        assert_eq!(preflight(&spec(0, 1.0)).unwrap_err().code, ErrorCode::RecordingFailed);
    }

    #[test]
    fn progress_never_goes_down_and_stops_at_99_until_confirmed() {
        let mut p = Progress::new(1000, 2);
        assert_eq!(p.update(0, 250), Some(25.0));
        assert_eq!(p.update(1, 500), Some(75.0));
        assert_eq!(p.update(1, 0), None, "a retried part does not move progress back");
        assert_eq!(p.update(1, 500), None);
        assert_eq!(p.update(0, 500), Some(99.0), "all bytes sent is not yet confirmed");
        assert_eq!(p.update(0, 500), None);
        assert_eq!(Progress::new(0, 0).update(5, 10), None);
    }

    use super::super::json::Map;

    fn answered(status: u16, details: Option<Value>) -> SdkError {
        SdkError { status: Some(status), details, ..SdkError::new(super::super::errors::code_for_status(status), "refused") }
    }

    #[test]
    fn a_missing_or_failing_token_endpoint_is_not_an_expired_session() {
        for status in [404, 405, 500, 502, 503, 504] {
            let e = token_endpoint_error(answered(status, None));
            assert_eq!(e.code, ErrorCode::ServiceUnavailable, "{status}");
            assert_eq!(e.details, Some(object([("status", Value::from(u32::from(status)))])));
            assert_eq!(e.status, Some(status));
        }
        for status in [401, 403, 400, 429] {
            assert_eq!(token_endpoint_error(answered(status, None)).code, ErrorCode::AuthenticationFailed, "{status}");
        }
        // The backend's own details are kept beside the status.
        let mut backend = Map::new();
        backend.insert("reason", Value::from("no session"));
        let e = token_endpoint_error(answered(401, Some(Value::Object(backend))));
        assert_eq!(e.details, Some(object([("reason", Value::from("no session")), ("status", Value::from(401u32))])));
        assert!(e.message.contains("401"), "{}", e.message);
        let offline = SdkError::new(ErrorCode::NetworkError, "Failed to fetch");
        assert_eq!(token_endpoint_error(offline.clone()), offline);
    }

    #[test]
    fn init_keeps_service_unavailable_and_calls_the_rest_authentication_failed() {
        let down = init_token_error("/t", token_endpoint_error(answered(503, None)));
        assert_eq!((down.code, down.status), (ErrorCode::ServiceUnavailable, Some(503)));
        assert!(down.message.starts_with("could not get a token from /t: "), "{}", down.message);
        assert_eq!(init_token_error("/t", token_endpoint_error(answered(403, None))).code, ErrorCode::AuthenticationFailed);
        assert_eq!(init_token_error("/t", SdkError::new(ErrorCode::NetworkError, "offline")).code, ErrorCode::AuthenticationFailed);
        let no_token = SdkError::new(ErrorCode::AuthenticationFailed, "answered without a token");
        assert_eq!(init_token_error("/t", no_token).code, ErrorCode::AuthenticationFailed);
    }

    #[test]
    fn tokens_refresh_ahead_of_expiry() {
        let hour = 3_600_000.0;
        assert!(!token_needs_refresh(0.0, 0.0, hour));
        assert!(!token_needs_refresh(hour - 300_001.0, 0.0, hour));
        assert!(token_needs_refresh(hour - 299_000.0, 0.0, hour));
        // A 10 s token is refreshed after 5 s, not on every request.
        assert!(!token_needs_refresh(4_000.0, 0.0, 10_000.0));
        assert!(token_needs_refresh(5_000.0, 0.0, 10_000.0));
    }
}
