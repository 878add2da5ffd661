//! Webhook deliveries: a voice note's events posted to the webhooks subscribed to them, signed
//! as the official SDKs' request validators check, retried with backoff, every attempt listed
//! (`GET /__dev/webhooks/deliveries`).
//!
//! Signature: `X-VocaFuse-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{delivery_id}.{payload}"
//! keyed by the webhook's secret>`, with `X-VocaFuse-Timestamp` (Unix seconds, per attempt) and
//! `X-VocaFuse-Delivery-ID` (the same on every attempt). A 2xx answer delivers; anything else,
//! or no answer within `ATTEMPT_TIMEOUT`, is retried after `backoff * 2^(attempt-1)`, up to
//! `MAX_ATTEMPTS` in all. Nothing goes to a host the allowed-hosts rules refuse.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::base::clock::{now_ms, rfc3339};
use crate::base::keys::Secret;
use crate::state::webhooks::{target, Target, Webhook};
use crate::state::App;

pub const MAX_ATTEMPTS: u32 = 5;
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts the list keeps (the oldest are dropped first).
const KEPT: usize = 1000;

/// What happened to a voice note, and its event names in both SDKs' words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// Every byte stored.
    Created,
    Transcribed,
    Failed,
    Deleted,
}

impl Event {
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Event::Created => &["voicenote.created"],
            Event::Transcribed => &["voicenote.transcribed", "recording.completed"],
            Event::Failed => &["voicenote.failed", "recording.failed"],
            Event::Deleted => &["voicenote.deleted"],
        }
    }
}

/// One attempt, as `/__dev/webhooks/deliveries` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub delivery_id: String,
    pub webhook_id: String,
    pub event: String,
    pub url: String,
    /// 1 for the first.
    pub attempt: u32,
    pub at_ms: f64,
    /// The receiver's status, null when it did not answer.
    pub status: Option<u16>,
    /// Why it did not count: no answer, a non-2xx status, a refused host.
    pub error: Option<String>,
    /// `delivered`, `retrying`, `gave_up` (after the last attempt) or `refused` (host not allowed).
    pub outcome: &'static str,
    pub timestamp: String,
    pub signature: String,
    pub payload: String,
}

#[derive(Debug)]
pub struct Deliveries {
    backoff: Duration,
    attempts: Mutex<Vec<Attempt>>,
}

impl Deliveries {
    /// Retries wait `backoff_secs`, then twice that, and so on.
    pub fn new(backoff_secs: f64) -> Self {
        Deliveries { backoff: Duration::from_secs_f64(backoff_secs), attempts: Mutex::default() }
    }

    pub fn attempts(&self) -> Vec<Attempt> {
        self.attempts.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.attempts.lock().unwrap().clear();
    }

    fn push(&self, a: Attempt) {
        let mut list = self.attempts.lock().unwrap();
        if list.len() >= KEPT {
            list.remove(0);
        }
        list.push(a);
    }
}

/// `sha256=<hex>` over `{timestamp}.{delivery_id}.{payload}`.
pub fn signature(secret: &str, timestamp: &str, delivery_id: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{delivery_id}.{payload}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends `event` about a voice note (`data`, its backend view) to every webhook subscribed to
/// one of its names, each delivery in its own task.
pub fn emit(app: &Arc<App>, event: Event, data: Value) {
    for hook in app.webhooks.list().into_iter().filter(|h| h.active) {
        for name in event.names().iter().filter(|n| hook.events.iter().any(|e| e == *n)) {
            let id = hex::encode(&Secret::random().derive("event")[..12]);
            let payload = json!({"id": format!("evt_{id}"), "event": name, "type": name, "created_at": rfc3339(now_ms()), "data": data}).to_string();
            let delivery_id = format!("dlv_{id}");
            tokio::spawn(deliver(app.clone(), hook.clone(), name.to_string(), delivery_id, payload));
        }
    }
}

async fn deliver(app: Arc<App>, hook: Webhook, event: String, delivery_id: String, payload: String) {
    for attempt in 1..=MAX_ATTEMPTS {
        let timestamp = ((now_ms() / 1000.0).floor() as u64).to_string();
        let signature = signature(&hook.secret, &timestamp, &delivery_id, &payload);
        let mut record = Attempt {
            delivery_id: delivery_id.clone(),
            webhook_id: hook.id.clone(),
            event: event.clone(),
            url: hook.url.clone(),
            attempt,
            at_ms: now_ms(),
            status: None,
            error: None,
            outcome: "delivered",
            timestamp: timestamp.clone(),
            signature: signature.clone(),
            payload: payload.clone(),
        };
        // Checked on every attempt: the rules are the server's, not the webhook's.
        let to = match target(&hook.url, &app.access) {
            Ok(t) => t,
            Err(why) => {
                (record.error, record.outcome) = (Some(why), "refused");
                app.deliveries.push(record);
                return;
            }
        };
        let headers = [("X-VocaFuse-Signature", signature), ("X-VocaFuse-Timestamp", timestamp), ("X-VocaFuse-Delivery-ID", delivery_id.clone()), ("X-VocaFuse-Event", event.clone())];
        match tokio::time::timeout(ATTEMPT_TIMEOUT, post(&to, &headers, &payload)).await {
            Ok(Ok(status)) if (200..300).contains(&status) => record.status = Some(status),
            Ok(Ok(status)) => (record.status, record.error) = (Some(status), Some(format!("answered {status}"))),
            Ok(Err(e)) => record.error = Some(format!("no answer: {e}")),
            Err(_) => record.error = Some(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())),
        }
        let delivered = record.error.is_none();
        if !delivered {
            record.outcome = if attempt == MAX_ATTEMPTS { "gave_up" } else { "retrying" };
        }
        app.deliveries.push(record);
        if delivered {
            return;
        }
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(app.deliveries.backoff.saturating_mul(1 << (attempt - 1))).await;
        }
    }
}

/// One HTTP/1.1 `POST` on its own connection; the answer's status.
async fn post(to: &Target, headers: &[(&str, String)], payload: &str) -> std::io::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect((to.host.as_str(), to.port)).await?;
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nUser-Agent: vocafuse-devserver\r\nConnection: close\r\n",
        to.path,
        to.authority,
        payload.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(payload.as_bytes()).await?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await?;
        buf.extend_from_slice(&chunk[..n]);
        let mut parsed_headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut parsed_headers);
        match response.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => return response.code.ok_or_else(|| std::io::Error::other("no status")),
            Ok(httparse::Status::Partial) if n > 0 && buf.len() < 64 * 1024 => continue,
            Ok(httparse::Status::Partial) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before a status line")),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not HTTP: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_sdk_validators_check() {
        // Python: hmac.new(b"whsec_test", b"1700000000.dlv_1.{}", sha256).hexdigest()
        assert_eq!(signature("whsec_test", "1700000000", "dlv_1", "{}"), "sha256=7fef45ee049bd471c07eeeda41565f3cca943aeb8b9e88911f1aff7738985794");
        assert_ne!(signature("whsec_test", "1700000001", "dlv_1", "{}"), signature("whsec_test", "1700000000", "dlv_1", "{}"));
    }
}
