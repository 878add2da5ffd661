//! The backend's API key and secret: what the official server SDKs send as
//! `X-VocaFuse-API-Key` / `X-VocaFuse-API-Secret` on every call.
//!
//! Given with `--api-key` / `--api-secret`, or made on first start (`sk_test_…`) and kept in
//! `<data-dir>/api-key.json` (mode 0600) like the signing key, so a backend configured once keeps
//! working across restarts. Never logged per request; printed once at start.

use std::io;
use std::path::Path;

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::base::keys::{write_private, Secret};

pub const CREDENTIALS_FILE: &str = "api-key.json";
pub const KEY_HEADER: &str = "x-vocafuse-api-key";
pub const SECRET_HEADER: &str = "x-vocafuse-api-secret";

/// The backend API's key pair (`X-VocaFuse-API-Key` and `X-VocaFuse-API-Secret`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// `sk_test_…`: names the account.
    pub api_key: String,
    /// Proves the caller holds the key; never logged.
    pub api_secret: String,
}

impl std::fmt::Debug for Credentials {
    // The secret stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("api_key", &self.api_key).finish_non_exhaustive()
    }
}

/// Why a backend call's credentials were refused (`details.reason` of the 401).
#[derive(Clone, Debug, PartialEq)]
pub enum KeyError {
    Missing(&'static str),
    Wrong,
}

impl KeyError {
    pub fn reason(&self) -> String {
        match self {
            KeyError::Missing(h) => format!("missing {h} header"),
            KeyError::Wrong => "unknown API key or wrong API secret".into(),
        }
    }
}

impl Credentials {
    /// The flags' pair when both are given; else the data directory's, made on first start.
    pub async fn load_or_create(dir: &Path, key: Option<&str>, secret: Option<&str>) -> io::Result<Credentials> {
        if let (Some(k), Some(s)) = (key, secret) {
            return Ok(Credentials { api_key: k.to_string(), api_secret: s.to_string() });
        }
        let path = dir.join(CREDENTIALS_FILE);
        let stored = match tokio::fs::read(&path).await {
            Ok(bytes) => serde_json::from_slice::<Credentials>(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}; delete it to make a new key", path.display())))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let hex_of = |s: &Secret, label: &str| hex::encode(&s.derive(label)[..]);
                let fresh = Secret::random();
                let made = Credentials { api_key: format!("sk_test_{}", &hex_of(&fresh, "api-key")[..32]), api_secret: hex_of(&fresh, "api-secret") };
                write_private(&path, format!("{}\n", serde_json::to_string_pretty(&made).expect("serializes")).as_bytes()).await?;
                made
            }
            Err(e) => return Err(e),
        };
        // One flag overrides its half of the stored pair.
        Ok(Credentials { api_key: key.map_or(stored.api_key, str::to_string), api_secret: secret.map_or(stored.api_secret, str::to_string) })
    }

    /// Checks both headers; the comparison does not stop at the first differing byte.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), KeyError> {
        let get = |name: &'static str| headers.get(name).map(|v| v.as_bytes().to_vec()).filter(|v| !v.is_empty()).ok_or(KeyError::Missing(name));
        let (key, secret) = (get("X-VocaFuse-API-Key")?, get("X-VocaFuse-API-Secret")?);
        let key_ok = same(&key, self.api_key.as_bytes());
        let secret_ok = same(&secret, self.api_secret.as_bytes());
        if key_ok & secret_ok {
            Ok(())
        } else {
            Err(KeyError::Wrong)
        }
    }
}

/// Equality through HMAC tags, so timing says nothing about where two values differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    let tag = |v: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"compare").expect("any key length");
        mac.update(v);
        mac.finalize().into_bytes()
    };
    tag(a) == tag(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[tokio::test]
    async fn made_once_kept_private_and_checked() {
        let dir = std::env::temp_dir().join(format!("vf-cred-{:x}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let made = Credentials::load_or_create(&dir, None, None).await.unwrap();
        assert!(made.api_key.starts_with("sk_test_") && made.api_key.len() == 40, "{}", made.api_key);
        assert_eq!(Credentials::load_or_create(&dir, None, None).await.unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(dir.join(CREDENTIALS_FILE)).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{made:?}").contains(&made.api_secret));
        let flagged = Credentials::load_or_create(&dir, Some("sk_test_mine"), None).await.unwrap();
        assert_eq!((flagged.api_key.as_str(), flagged.api_secret.as_str()), ("sk_test_mine", made.api_secret.as_str()));

        let mut h = HeaderMap::new();
        assert_eq!(made.check(&h), Err(KeyError::Missing("X-VocaFuse-API-Key")));
        h.insert(KEY_HEADER, HeaderValue::from_str(&made.api_key).unwrap());
        assert_eq!(made.check(&h), Err(KeyError::Missing("X-VocaFuse-API-Secret")));
        h.insert(SECRET_HEADER, HeaderValue::from_static("nope"));
        assert_eq!(made.check(&h), Err(KeyError::Wrong));
        h.insert(SECRET_HEADER, HeaderValue::from_str(&made.api_secret).unwrap());
        assert_eq!(made.check(&h), Ok(()));
        std::fs::write(dir.join(CREDENTIALS_FILE), "{").unwrap();
        assert!(Credentials::load_or_create(&dir, None, None).await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
