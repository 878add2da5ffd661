//! Registered webhooks: created, listed, read, updated and deleted through the backend API, kept
//! in `<data-dir>/webhooks.json` (0600: it holds their secrets).
//!
//! A webhook's URL must be `http://` to a host the server's allowed-hosts rules accept
//! (loopback, or `--allowed-host`), so a dev server never posts to the internet; one URL is
//! registered once (5005). Its events are the names it subscribed with, in either SDK's words.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::base::clock::{now_ms, rfc3339};
use crate::base::keys::{write_private, Secret};
use crate::base::origins::{split_host_port, Access};

pub const WEBHOOKS_FILE: &str = "webhooks.json";

/// Every event name a webhook may subscribe to: the Node SDK's, then the Python SDK 0.1.1's.
pub const EVENT_NAMES: [&str; 6] = ["voicenote.created", "voicenote.transcribed", "voicenote.failed", "voicenote.deleted", "recording.completed", "recording.failed"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What a create or update asks for, already checked.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookSpec {
    pub url: String,
    pub events: Vec<String>,
    pub secret: Option<String>,
}

/// Why a create, update or delete was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// 5005: another webhook has this URL.
    UrlTaken(String),
    /// 6003
    Unknown(String),
    /// Could not be written down.
    Io(String),
}

/// Where a URL points: `host[:port]` (as `Host` sends it), the address to dial, the path.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub authority: String,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Checks a webhook URL against the allowed-hosts rules; the reason when it is refused.
pub fn target(url: &str, access: &Access) -> Result<Target, String> {
    let rest = match url.strip_prefix("http://") {
        Some(r) => r,
        None if url.starts_with("https://") => return Err("must be http:// (the dev server delivers to local receivers, without TLS)".into()),
        None => return Err("must be an absolute http:// URL".into()),
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if authority.contains('@') || path.contains(['#', ' ']) || !path.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be a plain http://host[:port]/path URL (no credentials, fragment or spaces)".into());
    }
    let Some((name, port)) = split_host_port(authority) else {
        return Err("has no valid host".into());
    };
    if !access.host_allowed(authority) {
        return Err(format!("host {name} is not allowed: webhooks go to loopback hosts, or ones given with --allowed-host"));
    }
    let host = name.trim_start_matches('[').trim_end_matches(']').to_string();
    Ok(Target { authority: authority.to_string(), host, port: port.unwrap_or(80), path })
}

pub struct Webhooks {
    file: PathBuf,
    hooks: Mutex<Vec<Webhook>>,
}

impl std::fmt::Debug for Webhooks {
    // The secrets stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks").field("count", &self.hooks.lock().unwrap().len()).finish_non_exhaustive()
    }
}

impl Webhooks {
    /// Reads `dir/webhooks.json` if it is there.
    pub async fn open(dir: &Path) -> io::Result<Webhooks> {
        let file = dir.join(WEBHOOKS_FILE);
        let hooks = match tokio::fs::read(&file).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", file.display())))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Webhooks { file, hooks: Mutex::new(hooks) })
    }

    pub fn list(&self) -> Vec<Webhook> {
        self.hooks.lock().unwrap().clone()
    }

    pub fn get(&self, id: &str) -> Option<Webhook> {
        self.hooks.lock().unwrap().iter().find(|h| h.id == id).cloned()
    }

    /// Applies `change` to a copy of the table, writes it, and only then makes it the table, so
    /// a refused or failed change leaves nothing behind.
    async fn change<T>(&self, change: impl FnOnce(&mut Vec<Webhook>) -> Result<T, Refusal>) -> Result<T, Refusal> {
        let (next, out) = {
            let mut next = self.hooks.lock().unwrap().clone();
            let out = change(&mut next)?;
            (next, out)
        };
        let bytes = serde_json::to_vec_pretty(&next).expect("serializes");
        write_private(&self.file, &bytes).await.map_err(|e| Refusal::Io(e.to_string()))?;
        *self.hooks.lock().unwrap() = next;
        Ok(out)
    }

    pub async fn create(&self, spec: WebhookSpec) -> Result<Webhook, Refusal> {
        self.change(|hooks| {
            if hooks.iter().any(|h| h.url == spec.url) {
                return Err(Refusal::UrlTaken(spec.url.clone()));
            }
            let now = rfc3339(now_ms());
            let fresh = || hex::encode(&Secret::random().derive("webhook")[..16]);
            let hook = Webhook {
                id: format!("wh_{}", fresh()),
                url: spec.url,
                events: spec.events,
                secret: spec.secret.unwrap_or_else(|| format!("whsec_{}", fresh())),
                active: true,
                created_at: now.clone(),
                updated_at: now,
            };
            hooks.push(hook.clone());
            Ok(hook)
        })
        .await
    }

    /// Replaces URL and events; the secret too when one is given.
    pub async fn update(&self, id: &str, spec: WebhookSpec) -> Result<Webhook, Refusal> {
        self.change(|hooks| {
            if hooks.iter().any(|h| h.url == spec.url && h.id != id) {
                return Err(Refusal::UrlTaken(spec.url.clone()));
            }
            let hook = hooks.iter_mut().find(|h| h.id == id).ok_or_else(|| Refusal::Unknown(id.to_string()))?;
            hook.url = spec.url;
            hook.events = spec.events;
            if let Some(s) = spec.secret {
                hook.secret = s;
            }
            hook.updated_at = rfc3339(now_ms());
            Ok(hook.clone())
        })
        .await
    }

    pub async fn delete(&self, id: &str) -> Result<Webhook, Refusal> {
        self.change(|hooks| {
            let i = hooks.iter().position(|h| h.id == id).ok_or_else(|| Refusal::Unknown(id.to_string()))?;
            Ok(hooks.remove(i))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_go_to_allowed_hosts_only() {
        let access = Access::new(&[], &[".example.test".to_string()]);
        let t = target("http://127.0.0.1:9000/hooks/vf?x=1", &access).unwrap();
        assert_eq!(t, Target { authority: "127.0.0.1:9000".into(), host: "127.0.0.1".into(), port: 9000, path: "/hooks/vf?x=1".into() });
        assert_eq!(target("http://localhost", &access).unwrap().path, "/");
        assert_eq!(target("http://[::1]:8/a", &access).unwrap().host, "::1");
        assert_eq!(target("http://hooks.example.test/a", &access).unwrap().port, 80);
        for bad in ["https://127.0.0.1/a", "ftp://x", "127.0.0.1/a", "http://evil.test/a", "http://10.0.0.1/a", "http://u:p@127.0.0.1/", "http://127.0.0.1/a b", "http:///a"] {
            assert!(target(bad, &access).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn crud_is_kept_and_refusals_change_nothing() {
        let dir = std::env::temp_dir().join(format!("vf-hooks-{:x}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let hooks = Webhooks::open(&dir).await.unwrap();
        let spec = |url: &str| WebhookSpec { url: url.into(), events: vec!["voicenote.created".into()], secret: None };
        let a = hooks.create(spec("http://127.0.0.1:1/a")).await.unwrap();
        assert!(a.id.starts_with("wh_") && a.secret.starts_with("whsec_"));
        assert_eq!(hooks.create(spec("http://127.0.0.1:1/a")).await, Err(Refusal::UrlTaken("http://127.0.0.1:1/a".into())));
        let b = hooks.create(WebhookSpec { secret: Some("s".into()), ..spec("http://127.0.0.1:1/b") }).await.unwrap();
        assert_eq!(hooks.update(&b.id, spec("http://127.0.0.1:1/a")).await, Err(Refusal::UrlTaken("http://127.0.0.1:1/a".into())));
        let moved = hooks.update(&b.id, spec("http://127.0.0.1:1/c")).await.unwrap();
        assert_eq!((moved.url.as_str(), moved.secret.as_str()), ("http://127.0.0.1:1/c", "s"));
        assert_eq!(hooks.delete("wh_nope").await, Err(Refusal::Unknown("wh_nope".into())));
        hooks.delete(&a.id).await.unwrap();
        let reopened = Webhooks::open(&dir).await.unwrap();
        assert_eq!(reopened.list(), vec![moved]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(dir.join(WEBHOOKS_FILE)).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
