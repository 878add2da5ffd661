//! The server's secret: `<data-dir>/devserver.key`, made on first start and read on every
//! start after, so tokens, presigned URLs and the uploads waiting on them survive a restart.
//!
//! 32 random bytes as hex, owner-only (0600 on Unix). Never logged or served: delete the file
//! to invalidate every token and URL issued so far. Tokens and URLs use keys derived from it
//! (HMAC-SHA256 of a label), so neither can stand in for the other.

use std::io;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const KEY_FILE: &str = "devserver.key";

pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Fresh random bytes (v4 UUIDs come from the operating system's generator).
    pub fn random() -> Secret {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Secret(key)
    }

    /// Reads `dir/devserver.key`, creating it first if it is not there.
    pub async fn load_or_create(dir: &Path) -> io::Result<Secret> {
        let path = dir.join(KEY_FILE);
        match tokio::fs::read_to_string(&path).await {
            Ok(text) => Self::parse(&text).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("{} is not 64 hex digits; delete it to make a new key", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let secret = Secret::random();
                write_private(&path, format!("{}\n", hex::encode(secret.0)).as_bytes()).await?;
                Ok(secret)
            }
            Err(e) => Err(e),
        }
    }

    fn parse(text: &str) -> Option<Secret> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Secret(bytes.try_into().ok()?))
    }

    /// The key for one use (`"tokens"`, `"presign"`).
    pub fn derive(&self, label: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Written whole or not at all (a temp file and a rename), readable by the owner only.
pub(crate) async fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{:016x}", fastrand::u64(..)));
    let (tmp2, bytes) = (tmp.clone(), bytes.to_vec());
    let written = tokio::task::spawn_blocking(move || -> io::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp2)?;
        f.write_all(&bytes)?;
        f.sync_all()
    })
    .await
    .map_err(io::Error::other)
    .and_then(|r| r);
    let result = match written {
        Ok(()) => tokio::fs::rename(&tmp, path).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_key_is_made_once_and_read_after() {
        let dir = std::env::temp_dir().join(format!("vf-key-{:x}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let first = Secret::load_or_create(&dir).await.unwrap();
        let again = Secret::load_or_create(&dir).await.unwrap();
        assert_eq!(first.0, again.0);
        assert_ne!(first.derive("tokens"), first.derive("presign"));
        assert_eq!(format!("{first:?}"), "Secret(…)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(dir.join(KEY_FILE), "not hex").unwrap();
        assert!(Secret::load_or_create(&dir).await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
