//! The JWT from the app's backend: cached, refreshed ahead of expiry, one refresh at a time.

use std::cell::{Cell, RefCell};

use futures_channel::oneshot;

use super::abort::controller;
use super::http::{receive, send, Post, Started};
use crate::core::config::SdkConfig;
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::protocol::{TokenRequest, TokenResponse};
use crate::core::upload::{init_token_error, token_endpoint_error, token_needs_refresh};

fn now() -> f64 {
    js_sys::Date::now()
}

struct Token {
    value: String,
    issued_ms: f64,
    expires_ms: f64,
}

/// A caller waiting for the refresh in flight.
type Waiter = oneshot::Sender<Result<String, SdkError>>;

/// The JWT from the app's backend: cached, refreshed ahead of expiry, one refresh at a time.
#[derive(Default)]
pub struct TokenCache {
    token: RefCell<Option<Token>>,
    /// Callers waiting on the refresh in flight, if one is.
    waiting: RefCell<Option<Vec<Waiter>>>,
    /// Bumped by `forget`, so a refresh that was in flight is not cached afterwards.
    epoch: Cell<u64>,
}

impl TokenCache {
    pub fn forget(&self) {
        self.token.borrow_mut().take();
        self.epoch.set(self.epoch.get() + 1);
    }

    /// A valid token; `stale` is one the API just refused, which must not be handed out again.
    pub async fn get(&self, config: &SdkConfig, stale: Option<&str>) -> Result<String, SdkError> {
        self.get_or_receive(config, stale, None).await
    }

    /// As `get`, reading `early` (a token request already on its way) instead of sending one
    /// when a fetch is needed.
    async fn get_or_receive(&self, config: &SdkConfig, stale: Option<&str>, early: Option<Started>) -> Result<String, SdkError> {
        if let Some(t) = self.token.borrow().as_ref() {
            let refused = stale == Some(t.value.as_str());
            if !refused && !token_needs_refresh(now(), t.issued_ms, t.expires_ms) {
                return Ok(t.value.clone());
            }
        }
        let in_flight = {
            let mut waiting = self.waiting.borrow_mut();
            match waiting.as_mut() {
                Some(list) => {
                    let (tx, rx) = oneshot::channel();
                    list.push(tx);
                    Some(rx)
                }
                None => {
                    *waiting = Some(Vec::new());
                    None
                }
            }
        };
        if let Some(rx) = in_flight {
            return rx.await.unwrap_or_else(|_| Err(SdkError::new(ErrorCode::AuthenticationFailed, "the token refresh was dropped")));
        }
        let epoch = self.epoch.get();
        let result = fetch_token(config, early).await;
        if let Ok(token) = &result {
            if self.epoch.get() == epoch {
                *self.token.borrow_mut() = Some(Token { value: token.value.clone(), issued_ms: token.issued_ms, expires_ms: token.expires_ms });
            }
        }
        let result = result.map(|t| t.value);
        for tx in self.waiting.borrow_mut().take().unwrap_or_default() {
            let _ = tx.send(result.clone());
        }
        result
    }
}

/// The token endpoint's request: what `fetch_token` sends, and what the package's JS sends early
/// for `VocaFuseSDK.load` (its body is generated from this at build time: examples/token_request.rs).
pub fn token_request_body() -> String {
    TokenRequest::default().to_json()
}

async fn fetch_token(config: &SdkConfig, early: Option<Started>) -> Result<Token, SdkError> {
    let never = controller()?;
    let issued_ms = now();
    let answer = match early {
        Some(started) => receive(started, &never.signal(), config.timeout_ms).await,
        None => {
            let mut builder = Post::new(&config.token_endpoint).with_credentials();
            for (k, v) in &config.token_request_headers {
                builder = builder.header(k, v);
            }
            send(builder, Some(token_request_body()), &never.signal(), config.timeout_ms).await
        }
    };
    let answer = answer.map_err(token_endpoint_error)?;
    let parsed = TokenResponse::from_json(&answer.body).ok_or_else(|| {
        SdkError::new(ErrorCode::AuthenticationFailed, format!("the token endpoint answered {} without a token (not a JSON object)", answer.status))
    })?;
    let value = parsed.token().ok_or_else(|| SdkError::new(ErrorCode::AuthenticationFailed, "the token endpoint answered without a token"))?.to_string();
    let lifetime_ms = if parsed.data.expires_in > 0 { parsed.data.expires_in as f64 * 1000.0 } else { 3_600_000.0 };
    Ok(Token { value, issued_ms, expires_ms: issued_ms + lifetime_ms })
}

impl TokenCache {
    /// `init()`: the first token (read from `early` when the JS started its request). A failure
    /// is `AUTHENTICATION_FAILED`, or `SERVICE_UNAVAILABLE` when the endpoint is missing or down.
    pub async fn first(&self, config: &SdkConfig, early: Option<Started>) -> Result<(), SdkError> {
        self.get_or_receive(config, None, early).await.map(|_| ()).map_err(|e| init_token_error(&config.token_endpoint, e))
    }
}
