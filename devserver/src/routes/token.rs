//! `POST /api/token`: the app backend's token endpoint, which the SDK's `getToken` calls.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use vocafuse_wasm::core::protocol::{TokenRequest, TokenResponse};

use crate::base::replies::json_reply;
use crate::state::App;

/// `POST /api/token`: `{"scopes": [...]}` (an empty body asks for the upload scope).
pub async fn token(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: TokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TokenRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return json_reply(StatusCode::BAD_REQUEST, &json!({"success": false, "message": format!("expected {{\"scopes\": [...]}}: {e}")}));
            }
        }
    };
    match app.tokens.issue(request.scopes, app.settings.get().token_ttl) {
        Ok(data) => json_reply(StatusCode::OK, &TokenResponse { success: true, message: "Token generated successfully".into(), data }),
        Err(refused) => json_reply(
            StatusCode::FORBIDDEN,
            &json!({"success": false, "message": format!("scopes not granted by this server: {} (it grants: {}; see --scopes)", refused.asked.join(", "), refused.grantable.join(", "))}),
        ),
    }
}
