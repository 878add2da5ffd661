//! Presigned storage URLs: HMAC-SHA256 over the method, path, part and expiry.
//!
//! `PUT {storage}/storage/{s3_key}[?partNumber=N&uploadId=U]&X-Dev-Expires=<unix ms>&X-Dev-Signature=<hex>`

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The query of a presigned request, as received.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Presigned {
    pub part_number: Option<u32>,
    pub upload_id: Option<String>,
    pub expires_ms: Option<u64>,
    pub signature: Option<String>,
    /// `partNumber` was there but not a number.
    pub bad_part_number: bool,
}

impl Presigned {
    /// Parses the raw query. Our own values need no percent-decoding; anything else fails the signature.
    pub fn parse(query: Option<&str>) -> Self {
        let mut p = Presigned::default();
        for pair in query.unwrap_or("").split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "partNumber" => match v.parse() {
                    Ok(n) => p.part_number = Some(n),
                    Err(_) => p.bad_part_number = true,
                },
                "uploadId" => p.upload_id = Some(v.to_string()),
                "X-Dev-Expires" => p.expires_ms = v.parse().ok(),
                "X-Dev-Signature" => p.signature = Some(v.to_string()),
                _ => {}
            }
        }
        p
    }
}

/// Why a presigned request was refused (all are 403).
#[derive(Clone, Debug, PartialEq)]
pub enum Denied {
    Unsigned,
    BadSignature,
    Expired { expires_ms: u64 },
}

pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    /// URLs signed with `key` (the data directory's, so they outlive a restart).
    pub fn new(key: Vec<u8>) -> Self {
        Signer { key }
    }

    fn mac(&self, path: &str, part: Option<(u32, &str)>, expires_ms: u64) -> HmacSha256 {
        let (n, upload_id) = part.map(|(n, u)| (n.to_string(), u)).unwrap_or_default();
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("PUT\n{path}\n{n}\n{upload_id}\n{expires_ms}").as_bytes());
        mac
    }

    /// A URL that allows one `PUT` to `path` (and the given part) until `expires_ms`.
    pub fn url(&self, base: &str, path: &str, part: Option<(u32, &str)>, expires_ms: u64) -> String {
        let signature = hex::encode(self.mac(path, part, expires_ms).finalize().into_bytes());
        let part_query = part.map(|(n, u)| format!("partNumber={n}&uploadId={u}&")).unwrap_or_default();
        format!("{base}{path}?{part_query}X-Dev-Expires={expires_ms}&X-Dev-Signature={signature}")
    }

    /// The signature first (so a forged expiry is a bad signature), then the expiry.
    pub fn verify(&self, path: &str, q: &Presigned, now_ms: f64) -> Result<(), Denied> {
        let (Some(expires_ms), Some(signature)) = (q.expires_ms, q.signature.as_deref()) else {
            return Err(Denied::Unsigned);
        };
        let part = match (q.part_number, q.upload_id.as_deref()) {
            (Some(n), Some(u)) => Some((n, u)),
            (None, None) if !q.bad_part_number => None,
            _ => return Err(Denied::BadSignature),
        };
        let sig = hex::decode(signature).map_err(|_| Denied::BadSignature)?;
        self.mac(path, part, expires_ms).verify_slice(&sig).map_err(|_| Denied::BadSignature)?;
        if now_ms >= expires_ms as f64 {
            return Err(Denied::Expired { expires_ms });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::keys::Secret;

    fn query(url: &str) -> Presigned {
        Presigned::parse(url.split_once('?').map(|(_, q)| q))
    }

    #[test]
    fn signed_urls_verify_until_they_expire() {
        let secret = Secret::random();
        let s = Signer::new(secret.derive("presign"));
        let url = s.url("http://x", "/storage/a.webm", None, 10_000);
        assert_eq!(s.verify("/storage/a.webm", &query(&url), 9_999.0), Ok(()));
        assert_eq!(s.verify("/storage/a.webm", &query(&url), 10_000.0), Err(Denied::Expired { expires_ms: 10_000 }));
        assert_eq!(s.verify("/storage/b.webm", &query(&url), 0.0), Err(Denied::BadSignature));

        let part = s.url("http://x", "/storage/a.webm", Some((2, "u1")), 10_000);
        let q = query(&part);
        assert_eq!((q.part_number, q.upload_id.as_deref()), (Some(2), Some("u1")));
        assert_eq!(s.verify("/storage/a.webm", &q, 0.0), Ok(()));
        let tampered = part.replace("partNumber=2", "partNumber=3");
        assert_eq!(s.verify("/storage/a.webm", &query(&tampered), 0.0), Err(Denied::BadSignature));
        let later = url.replace("X-Dev-Expires=10000", "X-Dev-Expires=99999");
        assert_eq!(s.verify("/storage/a.webm", &query(&later), 0.0), Err(Denied::BadSignature));
        assert_eq!(s.verify("/storage/a.webm", &Presigned::parse(None), 0.0), Err(Denied::Unsigned));
        assert_eq!(Signer::new(Secret::random().derive("presign")).verify("/storage/a.webm", &query(&url), 0.0), Err(Denied::BadSignature));
        assert_eq!(Signer::new(secret.derive("presign")).verify("/storage/a.webm", &query(&url), 0.0), Ok(()), "the same key, as after a restart");
    }
}
