//! The bearer token on API requests: checked, noted in the request log, refused in the
//! documented shape.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::origins::Origin;
use crate::base::replies::{error_reply, vocafuse_error};
use crate::state::request_log::Slot;
use crate::state::tokens::{AuthError, Claims};
use crate::state::App;

/// Checks the bearer token and notes the outcome in the request log.
pub fn authorize(app: &App, headers: &HeaderMap, slot: &Slot) -> Result<Claims, Response> {
    match app.tokens.verify_headers(headers) {
        Ok(claims) => {
            slot.note(|n| n.auth = Some(claims.token_use.clone()));
            Ok(claims)
        }
        Err(e) => {
            slot.note(|n| n.auth = Some(e.label().into()));
            let code = if e == AuthError::Expired { ErrorCode::TokenExpired } else { ErrorCode::InvalidToken };
            let details = (e != AuthError::Expired).then(|| json!({"reason": e.reason()}));
            Err(vocafuse_error(code, details))
        }
    }
}

/// 403 unless the token was granted `scope`.
pub fn require_scope(claims: &Claims, scope: &str) -> Result<(), Response> {
    if claims.has_scope(scope) {
        return Ok(());
    }
    let details = json!({"reason": format!("the token was not granted the {scope} scope"), "required_scope": scope, "scopes": claims.scopes});
    Err(error_reply(Origin::Api, "/upload", StatusCode::FORBIDDEN, Some(details)))
}

/// Read routes need no token (the demo's `<audio>` can't send one), but a token that is sent
/// must be valid.
pub fn authorize_if_sent(app: &App, headers: &HeaderMap, slot: &Slot) -> Result<(), Response> {
    if headers.contains_key(header::AUTHORIZATION) {
        authorize(app, headers, slot)?;
    }
    Ok(())
}
