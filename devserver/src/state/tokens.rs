//! The app backend's side of auth: issuing HS256 JWTs at `/api/token` and checking the bearer
//! token on API requests.
//!
//! Tokens carry the standard whole-second `exp` and also `exp_ms`, which this server enforces,
//! so a test that sets a 1-second lifetime sees the token expire 1 s after issue, not up to 2 s.
//! Times saturate: a lifetime too long to write down means "never expires", not a panic.
//!
//! A token carries the scopes it was granted, from the configured set (`--scopes`); asking for
//! one outside it is refused.

use std::collections::HashSet;

use axum::http::HeaderMap;
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use vocafuse_wasm::core::protocol::{TokenData, UPLOAD_SCOPE};

use crate::base::clock::now_ms;

pub const ISSUER: &str = "vocafuse-devserver";
pub const TENANT_ID: &str = "tenant_dev";
pub const SUBJECT: &str = "dev-user";

/// The upload scope as the official server SDKs spell it by default (Python 0.1.1, Node): a
/// token minted with either uploads like one with `voice-api.upload`.
pub const UPLOAD_SCOPE_ALIASES: [&str; 2] = ["voice-api.upload_recording", "voice-api.upload_voicenote"];

/// What a token says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user: `SUBJECT` from `/api/token`, the `user_id` a backend minted it for at `/token`.
    pub sub: String,
    /// `ISSUER`.
    pub iss: String,
    /// The tenant the voice notes belong to.
    pub tenant_id: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// Issued at, in Unix seconds.
    pub iat: u64,
    /// Expires at, in whole Unix seconds (rounded up).
    pub exp: u64,
    /// The exact expiry, in Unix milliseconds.
    #[serde(default)]
    pub exp_ms: Option<u64>,
    /// A unique id for the token.
    pub jti: String,
    /// `"id"` for `id_token`, `"access"` for `jwt_token`; both are accepted.
    pub token_use: String,
}

impl Claims {
    /// Whether the token was granted `scope` (an alias of the upload scope counts as it).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope || (scope == UPLOAD_SCOPE && UPLOAD_SCOPE_ALIASES.contains(&s.as_str())))
    }
}

/// Why a request's token was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a token this server issued, with why.
    Malformed(String),
    /// Issued here, and past its expiry.
    Expired,
}

impl AuthError {
    /// What the request log records.
    pub fn label(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing",
            AuthError::Malformed(_) => "invalid",
            AuthError::Expired => "expired",
        }
    }
    /// What the 1001 answer's `details.reason` says.
    pub fn reason(&self) -> String {
        match self {
            AuthError::Missing => "missing Authorization: Bearer header".into(),
            AuthError::Malformed(why) => why.clone(),
            AuthError::Expired => "token has expired".into(),
        }
    }
}

/// Scopes asked for that the server does not grant.
#[derive(Clone, Debug, PartialEq)]
pub struct UngrantedScopes {
    pub asked: Vec<String>,
    pub grantable: Vec<String>,
}

/// Issues tokens at `/api/token` and checks them on API requests.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    grantable: Vec<String>,
}

impl std::fmt::Debug for Tokens {
    // The keys stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("grantable", &self.grantable).finish_non_exhaustive()
    }
}

impl Tokens {
    /// Tokens signed with `key` (HS256), granting scopes from `grantable`.
    pub fn new(key: &[u8], grantable: Vec<String>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = false; // `exp_ms` below, to the millisecond
        validation.required_spec_claims = HashSet::from(["exp".to_string(), "sub".to_string()]);
        validation.set_issuer(&[ISSUER]);
        Tokens { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation, grantable }
    }

    /// `claims` as an HS256 JWT.
    pub(crate) fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The `data` of a token response: both `jwt_token` and `id_token`, valid for `ttl_secs`.
    /// No scopes asked for means the upload scope.
    pub(crate) fn issue(&self, scopes: Vec<String>, ttl_secs: f64) -> Result<TokenData, UngrantedScopes> {
        self.issue_for(SUBJECT, scopes, ttl_secs)
    }

    /// A token for the user `subject` (a backend's `user_id`).
    pub(crate) fn issue_for(&self, subject: &str, scopes: Vec<String>, ttl_secs: f64) -> Result<TokenData, UngrantedScopes> {
        let scopes = if scopes.is_empty() { vec![UPLOAD_SCOPE.to_string()] } else { scopes };
        let grantable = |s: &String| self.grantable.contains(s) || (UPLOAD_SCOPE_ALIASES.contains(&s.as_str()) && self.grantable.iter().any(|g| g == UPLOAD_SCOPE));
        let asked: Vec<String> = scopes.iter().filter(|s| !grantable(s)).cloned().collect();
        if !asked.is_empty() {
            return Err(UngrantedScopes { asked, grantable: self.grantable.clone() });
        }
        let now = now_ms();
        // `as` saturates: an enormous lifetime is u64::MAX ms, never an overflow.
        let exp_ms = (now + ttl_secs * 1000.0).round() as u64;
        let claims = |token_use: &str| Claims {
            sub: subject.into(),
            iss: ISSUER.into(),
            tenant_id: TENANT_ID.into(),
            scopes: scopes.clone(),
            iat: (now / 1000.0).floor() as u64,
            exp: exp_ms.div_ceil(1000),
            exp_ms: Some(exp_ms),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            token_use: token_use.into(),
        };
        Ok(TokenData {
            jwt_token: Some(self.sign(&claims("access"))),
            id_token: Some(self.sign(&claims("id"))),
            token_type: "Bearer".into(),
            expires_in: ttl_secs.ceil() as u64,
            tenant_id: TENANT_ID.into(),
            scopes: scopes.clone(),
        })
    }

    /// The claims of a token this server issued and that has not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::InvalidSignature => AuthError::Malformed("bad signature (issued by another server run?)".into()),
            other => AuthError::Malformed(format!("malformed token: {other:?}")),
        })?;
        let exp_ms = data.claims.exp_ms.unwrap_or_else(|| data.claims.exp.saturating_mul(1000)) as f64;
        if now_ms() >= exp_ms {
            return Err(AuthError::Expired);
        }
        Ok(data.claims)
    }

    /// Checks `Authorization: Bearer <jwt>`.
    pub(crate) fn verify_headers(&self, headers: &HeaderMap) -> Result<Claims, AuthError> {
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Err(AuthError::Missing);
        };
        let value = value.to_str().map_err(|_| AuthError::Malformed("Authorization header is not text".into()))?.trim();
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(AuthError::Malformed("Authorization header must be `Bearer <token>`".into())),
        };
        if token.is_empty() || token == "undefined" || token == "null" {
            return Err(AuthError::Malformed("empty bearer token".into()));
        }
        self.verify(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn tokens() -> Tokens {
        Tokens::new(&crate::base::keys::Secret::random().derive("tokens"), vec![UPLOAD_SCOPE.to_string(), "voice-api.read".to_string()])
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let t = tokens();
        let data = t.issue(vec![], 60.0).unwrap();
        assert_eq!(data.expires_in, 60);
        assert_eq!(data.scopes, vec![UPLOAD_SCOPE.to_string()]);
        let id = t.verify(data.id_token.as_deref().unwrap()).unwrap();
        let access = t.verify(data.jwt_token.as_deref().unwrap()).unwrap();
        assert_eq!((id.token_use.as_str(), access.token_use.as_str()), ("id", "access"));
        assert_eq!(id.tenant_id, TENANT_ID);
        assert!(id.exp >= id.iat + 60 && id.exp <= id.iat + 62);
    }

    #[test]
    fn refusals() {
        let t = tokens();
        let mut claims = t.verify(t.issue(vec![], 60.0).unwrap().id_token.as_deref().unwrap()).unwrap();
        claims.exp_ms = Some(now_ms() as u64 - 1);
        assert_eq!(t.verify(&t.sign(&claims)), Err(AuthError::Expired));
        claims.exp = 1;
        assert_eq!(t.verify(&t.sign(&claims)), Err(AuthError::Expired));

        let other = tokens().issue(vec![], 60.0).unwrap().id_token.unwrap();
        assert!(matches!(t.verify(&other), Err(AuthError::Malformed(_))));
        assert!(matches!(t.verify("not.a.jwt"), Err(AuthError::Malformed(_))));

        let mut h = HeaderMap::new();
        assert_eq!(t.verify_headers(&h), Err(AuthError::Missing));
        h.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert!(matches!(t.verify_headers(&h), Err(AuthError::Malformed(_))));
        h.insert("authorization", HeaderValue::from_static("Bearer undefined"));
        assert!(matches!(t.verify_headers(&h), Err(AuthError::Malformed(_))));
    }

    #[test]
    fn scopes_come_from_the_configured_set() {
        let t = tokens();
        let read = t.issue(vec!["voice-api.read".into()], 60.0).unwrap();
        assert_eq!(t.verify(read.id_token.as_deref().unwrap()).unwrap().scopes, ["voice-api.read"]);
        let refused = t.issue(vec!["voice-api.upload".into(), "admin".into()], 60.0).unwrap_err();
        assert_eq!(refused.asked, ["admin"]);
        // The server SDKs' spellings of the upload scope upload, for the user they were minted for.
        let minted = t.issue_for("user_42", vec![UPLOAD_SCOPE_ALIASES[0].into()], 60.0).unwrap();
        let claims = t.verify(minted.jwt_token.as_deref().unwrap()).unwrap();
        assert_eq!(claims.sub, "user_42");
        assert!(claims.has_scope(UPLOAD_SCOPE) && !claims.has_scope("voice-api.read"));
    }

    #[test]
    fn extreme_lifetimes_saturate_instead_of_overflowing() {
        let t = tokens();
        for ttl in [2e16, 1e19, f64::MAX] {
            let data = t.issue(vec![], ttl).unwrap();
            let verified = t.verify(data.id_token.as_deref().unwrap());
            assert!(verified.is_ok(), "{ttl}: {verified:?}");
        }
        // A token with a huge `exp` and no `exp_ms` (another issuer's shape) does not overflow.
        let mut claims = t.verify(t.issue(vec![], 60.0).unwrap().id_token.as_deref().unwrap()).unwrap();
        claims.exp_ms = None;
        claims.exp = u64::MAX / 10;
        assert!(t.verify(&t.sign(&claims)).is_ok());
    }
}
