//! Checking the SDK's configuration values that need more than a type check.

use super::errors::SdkError;
use super::text::Num;

/// A `VocaFuseSDK`'s configuration, checked (the facade reads it from the JS object).
#[derive(Clone, Debug, PartialEq)]
pub struct SdkConfig {
    /// Where the app's backend hands out tokens (`tokenEndpoint`).
    pub token_endpoint: String,
    /// The API's origin and path, without a trailing slash (`apiBaseUrl`).
    pub api_base_url: String,
    /// How long one request may take, in ms (`timeout`).
    pub timeout_ms: f64,
    /// Retries of a failed request after the first try (`retries`).
    pub retries: u32,
    /// Headers sent with the token request (`tokenRequestHeaders`), in the app's order.
    pub token_request_headers: Vec<(String, String)>,
    /// Keep recordings in IndexedDB until the service confirms them.
    pub persist: bool,
    /// Recordings left pending by an earlier page upload when the SDK starts (`resumeOnInit`).
    pub resume_on_init: bool,
    /// How long an upload waits for the network before failing, in ms (`offlineWait`).
    pub offline_wait_ms: f64,
    /// Where the WAV path's worklet and wasm are loaded from (`None`: next to the entry).
    pub assets_url: Option<String>,
}

impl SdkConfig {
    /// The defaults of API.md for a token endpoint and an API.
    pub fn new(token_endpoint: impl Into<String>, api_base_url: impl Into<String>) -> SdkConfig {
        SdkConfig {
            token_endpoint: token_endpoint.into(),
            api_base_url: api_base_url.into(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            retries: DEFAULT_RETRIES,
            token_request_headers: Vec::new(),
            persist: true,
            resume_on_init: false,
            offline_wait_ms: super::durable::DEFAULT_OFFLINE_WAIT_MS,
            assets_url: None,
        }
    }
}

/// The API the SDK talks to unless `apiBaseUrl` says otherwise.
pub const DEFAULT_API_BASE_URL: &str = "https://api.vocafuse.com";
/// `timeout` when the app sets none, in ms.
pub const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
/// `retries` when the app sets none.
pub const DEFAULT_RETRIES: u32 = 3;

/// An absolute http(s) URL with a host, without a trailing slash.
pub fn api_base_url(value: Option<&str>) -> Result<String, SdkError> {
    let Some(url) = value else { return Ok(DEFAULT_API_BASE_URL.to_string()) };
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| SdkError::invalid_config(format!("apiBaseUrl must be an http(s) URL, not '{url}'")))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) || url.contains(['?', '#']) {
        return Err(SdkError::invalid_config(format!("apiBaseUrl must be an http(s) URL, not '{url}'")));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// `tokenEndpoint`, trimmed: required and not blank.
pub fn token_endpoint(value: Option<&str>) -> Result<String, SdkError> {
    match value.map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_string()),
        _ => Err(SdkError::invalid_config("tokenEndpoint is required: the URL of your backend's token endpoint")),
    }
}

/// `timeout` in ms: a positive finite number, or the default.
pub fn timeout_ms(value: Option<f64>) -> Result<f64, SdkError> {
    match value {
        None => Ok(DEFAULT_TIMEOUT_MS),
        Some(t) if t.is_finite() && t > 0.0 => Ok(t),
        Some(t) => Err(SdkError::invalid_config(format!("timeout must be a positive number of milliseconds, not {}", Num(t)))),
    }
}

/// `retries`: a whole number from 0 to 10, or the default.
pub fn retries(value: Option<f64>) -> Result<u32, SdkError> {
    match value {
        None => Ok(DEFAULT_RETRIES),
        Some(r) if r.fract() == 0.0 && (0.0..=10.0).contains(&r) => Ok(r as u32),
        Some(r) => Err(SdkError::invalid_config(format!("retries must be a whole number from 0 to 10, not {}", Num(r)))),
    }
}

/// `assetsUrl`: the folder the capture worklet and the WAV encoder's wasm are loaded from instead
/// of next to the package's entry (absolute, or relative to the page); always ends in `/`, so the
/// file names resolve inside it.
pub fn assets_url(value: Option<&str>) -> Result<Option<String>, SdkError> {
    let Some(url) = value.map(str::trim) else { return Ok(None) };
    if url.is_empty() || url.contains(char::is_whitespace) {
        return Err(SdkError::invalid_config(format!("assetsUrl must be the URL of a folder, not '{url}'")));
    }
    if ["blob:", "data:"].iter().any(|scheme| url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme))) {
        return Err(SdkError::invalid_config("assetsUrl cannot be a blob: or data: URL: the SDK loads no code from them"));
    }
    Ok(Some(if url.ends_with('/') { url.to_string() } else { format!("{url}/") }))
}

/// `offlineWaitMs`: how long an upload may wait for the network; 0 means it fails at once.
pub fn offline_wait_ms(value: Option<f64>) -> Result<f64, SdkError> {
    match value {
        None => Ok(super::durable::DEFAULT_OFFLINE_WAIT_MS),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
        Some(t) => Err(SdkError::invalid_config(format!("offlineWaitMs must be a number of milliseconds, 0 or more, not {}", Num(t)))),
    }
}

/// `silenceTimeout`: ms of silence before `NO_AUDIO_INPUT`; 0 turns the check off.
pub fn silence_timeout_ms(value: Option<f64>) -> Result<f64, SdkError> {
    match value {
        None => Ok(super::level::DEFAULT_SILENCE_TIMEOUT_MS),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
        Some(t) => Err(SdkError::invalid_config(format!("silenceTimeout must be a number of milliseconds, 0 or more, not {}", Num(t)))),
    }
}

/// `stopOnSilence`: seconds of trailing silence after speech that end a take, as ms; off (0)
/// unless given.
pub fn stop_on_silence_ms(value: Option<f64>) -> Result<f64, SdkError> {
    match value {
        None => Ok(0.0),
        Some(s) if s.is_finite() && s > 0.0 => Ok(s * 1000.0),
        Some(s) => Err(SdkError::invalid_config(format!("stopOnSilence must be a number of seconds above 0, not {}", Num(s)))),
    }
}

/// `audio.channelCount`: 1 (mono, the default) or 2.
pub fn channel_count(value: Option<f64>) -> Result<u32, SdkError> {
    match value {
        None => Ok(1),
        Some(c) if c == 1.0 || c == 2.0 => Ok(c as u32),
        Some(c) => Err(SdkError::invalid_config(format!("audio.channelCount must be 1 or 2, not {}", Num(c)))),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn silence_timeout_and_channel_count_are_checked() {
        assert_eq!(silence_timeout_ms(None).unwrap(), 3_000.0);
        assert_eq!(silence_timeout_ms(Some(0.0)).unwrap(), 0.0);
        assert!(silence_timeout_ms(Some(-1.0)).is_err());
        assert!(silence_timeout_ms(Some(f64::INFINITY)).is_err());
        assert_eq!(channel_count(None).unwrap(), 1);
        assert_eq!(channel_count(Some(2.0)).unwrap(), 2);
        assert!(channel_count(Some(3.0)).is_err());
        assert!(channel_count(Some(1.5)).is_err());
    }

    #[test]
    fn stop_on_silence_is_off_unless_given_and_above_zero() {
        assert_eq!(stop_on_silence_ms(None).unwrap(), 0.0);
        assert_eq!(stop_on_silence_ms(Some(1.5)).unwrap(), 1_500.0);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = stop_on_silence_ms(Some(bad)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{bad}");
        }
    }

    #[test]
    fn offline_wait_defaults_to_a_day_and_refuses_nonsense() {
        assert_eq!(offline_wait_ms(None).unwrap(), 86_400_000.0);
        assert_eq!(offline_wait_ms(Some(0.0)).unwrap(), 0.0);
        assert_eq!(offline_wait_ms(Some(10_000.0)).unwrap(), 10_000.0);
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(offline_wait_ms(Some(bad)).is_err(), "{bad}");
        }
    }
    use crate::core::errors::ErrorCode;

    #[test]
    fn api_base_url_accepts_http_urls_only() {
        assert_eq!(api_base_url(None).unwrap(), "https://api.vocafuse.com");
        assert_eq!(api_base_url(Some("http://127.0.0.1:8787/")).unwrap(), "http://127.0.0.1:8787");
        assert_eq!(api_base_url(Some("https://x.example/v1")).unwrap(), "https://x.example/v1");
        for bad in ["", "api.vocafuse.com", "ftp://x", "https://", "https:///path", "not a url", "http://a b", "https://x/?q=1"] {
            assert_eq!(api_base_url(Some(bad)).unwrap_err().code, ErrorCode::InvalidConfig, "{bad}");
        }
    }

    #[test]
    fn assets_url_is_a_folder() {
        assert_eq!(assets_url(None).unwrap(), None);
        assert_eq!(assets_url(Some("/static/vocafuse")).unwrap().as_deref(), Some("/static/vocafuse/"));
        assert_eq!(assets_url(Some("https://cdn.example/v1/")).unwrap().as_deref(), Some("https://cdn.example/v1/"));
        for bad in ["", "  ", "a b", "blob:https://x/1", "DATA:text/javascript,1"] {
            assert_eq!(assets_url(Some(bad)).unwrap_err().code, ErrorCode::InvalidConfig, "{bad}");
        }
    }

    #[test]
    fn token_endpoint_is_required() {
        assert_eq!(token_endpoint(None).unwrap_err().code, ErrorCode::InvalidConfig);
        assert_eq!(token_endpoint(Some("  ")).unwrap_err().code, ErrorCode::InvalidConfig);
        assert_eq!(token_endpoint(Some("/api/token")).unwrap(), "/api/token");
    }

    #[test]
    fn numbers_are_checked() {
        assert_eq!(timeout_ms(None).unwrap(), 30_000.0);
        assert!(timeout_ms(Some(0.0)).is_err());
        assert!(timeout_ms(Some(f64::NAN)).is_err());
        assert_eq!(retries(Some(0.0)).unwrap(), 0);
        assert!(retries(Some(1.5)).is_err());
        assert!(retries(Some(-1.0)).is_err());
        assert!(retries(Some(11.0)).is_err());
    }
}
