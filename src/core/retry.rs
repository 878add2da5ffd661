//! When to try a failed request again: exponential backoff with full jitter, capped, and never
//! before the server's `Retry-After`.

use super::errors::SdkError;

/// How often and when a failed request is tried again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try.
    pub retries: u32,
    /// The first retry's longest wait, in ms; each further one doubles it.
    pub base_ms: f64,
    /// No wait is longer, in ms.
    pub cap_ms: f64,
}

impl RetryPolicy {
    /// `retries` retries with the SDK's backoff (0.5 s doubling, at most 10 s).
    pub fn new(retries: u32) -> Self {
        RetryPolicy { retries, base_ms: 500.0, cap_ms: 10_000.0 }
    }

    /// How long to wait before retry number `attempt` (1-based) after `err`, or `None` when the
    /// error is not retryable or the retries are spent. `random` is uniform in [0, 1).
    pub fn delay_ms(&self, attempt: u32, err: &SdkError, random: f64) -> Option<f64> {
        if attempt == 0 || attempt > self.retries || !err.retryable() {
            return None;
        }
        let exp = self.base_ms * 2f64.powi(attempt.min(30) as i32 - 1);
        let jittered = random.clamp(0.0, 1.0) * exp.min(self.cap_ms);
        let server = err.retry_after.filter(|s| s.is_finite() && *s >= 0.0).map_or(0.0, |s| s * 1000.0);
        Some(jittered.max(server))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::errors::ErrorCode;

    fn err(code: ErrorCode) -> SdkError {
        SdkError::new(code, "x")
    }

    #[test]
    fn backoff_doubles_under_full_jitter_and_is_capped() {
        let p = RetryPolicy::new(10);
        let e = err(ErrorCode::ServiceUnavailable);
        assert_eq!(p.delay_ms(1, &e, 0.999_999).unwrap().round(), 500.0);
        assert_eq!(p.delay_ms(2, &e, 0.999_999).unwrap().round(), 1000.0);
        assert_eq!(p.delay_ms(3, &e, 0.5).unwrap(), 1000.0);
        assert_eq!(p.delay_ms(10, &e, 0.999_999).unwrap().round(), 10_000.0);
        assert_eq!(p.delay_ms(1, &e, 0.0).unwrap(), 0.0);
    }

    #[test]
    fn only_retryable_errors_are_retried_and_only_so_often() {
        let p = RetryPolicy::new(3);
        for code in [
            ErrorCode::NetworkError,
            ErrorCode::RateLimitExceeded,
            ErrorCode::InternalServerError,
            ErrorCode::ServiceUnavailable,
            ErrorCode::ConcurrencyLimitExceeded,
            ErrorCode::TokenExpired,
        ] {
            assert!(p.delay_ms(1, &err(code), 0.5).is_some(), "{code:?}");
            assert!(p.delay_ms(3, &err(code), 0.5).is_some());
            assert!(p.delay_ms(4, &err(code), 0.5).is_none());
        }
        for code in [
            ErrorCode::UnsupportedAudioFormat,
            ErrorCode::FileSizeExceeded,
            ErrorCode::ValidationError,
            ErrorCode::InvalidFieldValue,
            ErrorCode::AuthenticationFailed,
            ErrorCode::Forbidden,
            ErrorCode::Aborted,
        ] {
            assert!(p.delay_ms(1, &err(code), 0.5).is_none(), "{code:?}");
        }
        assert!(RetryPolicy::new(0).delay_ms(1, &err(ErrorCode::NetworkError), 0.5).is_none());
    }

    #[test]
    fn the_servers_retry_after_is_a_floor() {
        let p = RetryPolicy::new(3);
        let mut e = err(ErrorCode::RateLimitExceeded);
        e.retry_after = Some(2.0);
        assert_eq!(p.delay_ms(1, &e, 0.1).unwrap(), 2000.0);
        e.retry_after = Some(0.1);
        assert_eq!(p.delay_ms(3, &e, 0.999_999).unwrap().round(), 2000.0);
        e.retry_after = Some(f64::NAN);
        assert_eq!(p.delay_ms(1, &e, 0.0).unwrap(), 0.0);
    }
}
