//! The fault table: the scripted and random faults `/__dev/faults` and `/__dev/chaos` set up for
//! the `token`, `upload`, `voicenotes` and `storage` routes (`middleware::inject` plays them).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use vocafuse_wasm::core::errors::ErrorCode;

use crate::base::origins::Origin;
use crate::base::replies::{faseeh_error_parts, unsupported_format_details, vocafuse_error_parts, Scripted};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultRoute {
    Token,
    Upload,
    Storage,
    Voicenotes,
}

impl FaultRoute {
    pub const ALL: [FaultRoute; 4] = [FaultRoute::Token, FaultRoute::Upload, FaultRoute::Storage, FaultRoute::Voicenotes];

    /// The route a request belongs to; preflights and other paths take no faults.
    pub fn of(origin: Origin, method: &Method, path: &str) -> Option<FaultRoute> {
        if method == Method::OPTIONS {
            return None;
        }
        match origin {
            Origin::Storage if path.starts_with("/storage/") => Some(FaultRoute::Storage),
            Origin::Storage => None,
            Origin::Api if path == "/api/token" => Some(FaultRoute::Token),
            Origin::Api if path == "/upload" => Some(FaultRoute::Upload),
            Origin::Api if path == "/voicenotes" || path.starts_with("/voicenotes/") => Some(FaultRoute::Voicenotes),
            Origin::Api => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    #[default]
    Respond,
    Drop,
    Stall,
    DropMidBody,
    Pass,
}

impl FaultKind {
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Respond => "respond",
            FaultKind::Drop => "drop",
            FaultKind::Stall => "stall",
            FaultKind::DropMidBody => "drop_mid_body",
            FaultKind::Pass => "pass",
        }
    }
}

/// A fault as `POST /__dev/faults` takes it. Every field is optional; a preset fills in status,
/// body and headers, and the fields given override it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub kind: Option<FaultKind>,
    pub preset: Option<String>,
    pub status: Option<u16>,
    /// A string, or any JSON value (sent as its JSON text).
    pub body: Option<Value>,
    pub headers: Option<BTreeMap<String, String>>,
    pub delay_ms: Option<u64>,
    /// For `rate_limit`: the seconds in `Retry-After` and `details.retry_after` (default 2).
    pub retry_after: Option<u64>,
    /// For `drop_mid_body`: how many body bytes to read before closing.
    pub after_bytes: Option<u64>,
}

/// A fault ready to play.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    pub kind: FaultKind,
    pub status: u16,
    pub body: String,
    pub headers: BTreeMap<String, String>,
    pub delay_ms: u64,
    pub preset: Option<String>,
    pub after_bytes: Option<u64>,
}

pub const PRESETS: [&str; 10] = ["html502", "empty503", "rate_limit", "internal", "unavailable", "token_expired", "invalid_token", "unsupported_format", "file_too_large", "faseeh_concurrency"];

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

/// Status, body and headers of a preset.
fn preset(name: &str, retry_after: Option<u64>) -> Option<(u16, String, BTreeMap<String, String>)> {
    let mut headers = BTreeMap::new();
    let vf = |code, details| {
        let (status, body) = vocafuse_error_parts(code, details);
        (status.as_u16(), body)
    };
    let (status, body) = match name {
        "html502" => {
            headers.insert("Content-Type".into(), "text/html".into());
            (502, NGINX_502.to_string())
        }
        "empty503" => {
            headers.insert("Retry-After".into(), "1".into());
            (503, String::new())
        }
        "rate_limit" => {
            let secs = retry_after.unwrap_or(2);
            headers.insert("Retry-After".into(), secs.to_string());
            vf(ErrorCode::RateLimitExceeded, Some(json!({"limit": 100, "window": "1 minute", "retry_after": secs})))
        }
        "internal" => vf(ErrorCode::InternalServerError, None),
        "unavailable" => vf(ErrorCode::ServiceUnavailable, None),
        "token_expired" => vf(ErrorCode::TokenExpired, None),
        "invalid_token" => vf(ErrorCode::InvalidToken, None),
        "unsupported_format" => vf(ErrorCode::UnsupportedAudioFormat, Some(unsupported_format_details("mp3"))),
        "file_too_large" => vf(ErrorCode::FileSizeExceeded, Some(json!({"max_size": "25MB", "actual_size": "30MB"}))),
        "faseeh_concurrency" => {
            let (status, body) = faseeh_error_parts(
                ErrorCode::ConcurrencyLimitExceeded,
                "Concurrency limit exceeded. Maximum 5 concurrent requests allowed. Current: 6. Please upgrade your plan https://app.faseeh.ai/en/subscription or contact support@faseeh.ai for more information.",
            );
            (status.as_u16(), body)
        }
        _ => return None,
    };
    Some((status, body, headers))
}

impl FaultSpec {
    pub fn resolve(self) -> Result<Fault, String> {
        let (mut status, mut body, mut headers) = match &self.preset {
            Some(name) => preset(name, self.retry_after).ok_or_else(|| format!("unknown preset {name:?}; presets: {}", PRESETS.join(", ")))?,
            None => (500, String::new(), BTreeMap::new()),
        };
        if let Some(s) = self.status {
            StatusCode::from_u16(s).map_err(|_| format!("status {s} is not an HTTP status"))?;
            if s < 200 {
                return Err(format!("status {s}: use 200..=599"));
            }
            status = s;
        }
        if let Some(b) = self.body {
            body = match b {
                Value::String(s) => s,
                other => other.to_string(),
            };
        }
        for (k, v) in self.headers.unwrap_or_default() {
            HeaderName::try_from(k.as_str()).map_err(|_| format!("bad header name {k:?}"))?;
            HeaderValue::try_from(v.as_str()).map_err(|_| format!("bad header value {v:?}"))?;
            // Case-insensitively replace what the preset set.
            headers.retain(|existing, _| !existing.eq_ignore_ascii_case(&k));
            headers.insert(k, v);
        }
        Ok(Fault { kind: self.kind.unwrap_or_default(), status, body, headers, delay_ms: self.delay_ms.unwrap_or(0), preset: self.preset, after_bytes: self.after_bytes })
    }
}

impl Fault {
    pub fn response(&self) -> Response {
        let mut resp = (StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), self.body.clone()).into_response();
        let h = resp.headers_mut();
        h.remove(header::CONTENT_TYPE);
        let trimmed = self.body.trim_start();
        let guessed = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            Some("application/json")
        } else if trimmed.starts_with('<') {
            Some("text/html")
        } else if trimmed.is_empty() {
            None
        } else {
            Some("text/plain; charset=utf-8")
        };
        if let Some(ct) = guessed {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str())) {
                h.insert(k, v);
            }
        }
        resp.extensions_mut().insert(Scripted);
        resp
    }
}

/// The retryable faults chaos picks from.
fn chaos_fault(rng: &mut fastrand::Rng) -> Fault {
    let spec = match rng.usize(0..4) {
        0 => FaultSpec { preset: Some("internal".into()), ..Default::default() },
        1 => FaultSpec { preset: Some("html502".into()), ..Default::default() },
        2 => FaultSpec { preset: Some("empty503".into()), ..Default::default() },
        _ => FaultSpec { kind: Some(FaultKind::Drop), ..Default::default() },
    };
    let mut fault = spec.resolve().expect("chaos presets exist");
    fault.preset = Some(format!("chaos:{}", fault.preset.as_deref().unwrap_or("drop")));
    fault
}

/// At most this many chaos faults in a row for one resource, so 3 retries always get through.
pub const CHAOS_MAX_STREAK: u32 = 2;

#[derive(Clone, Debug, Serialize)]
pub struct ChaosState {
    pub enabled: bool,
    pub rate: f64,
}

struct State_ {
    scripts: HashMap<FaultRoute, VecDeque<Fault>>,
    chaos: ChaosState,
    rng: fastrand::Rng,
    /// Chaos faults in a row, per route and resource.
    streaks: HashMap<String, u32>,
}

pub struct Faults {
    state: Mutex<State_>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults { state: Mutex::new(State_ { scripts: HashMap::new(), chaos: ChaosState { enabled: false, rate: 0.3 }, rng: fastrand::Rng::new(), streaks: HashMap::new() }) }
    }
}

impl Faults {
    /// Appends to the route's queue; returns how many are queued now.
    pub fn script(&self, route: FaultRoute, faults: Vec<Fault>) -> usize {
        let mut s = self.state.lock().unwrap();
        let q = s.scripts.entry(route).or_default();
        q.extend(faults);
        q.len()
    }

    pub fn clear_scripts(&self) {
        self.state.lock().unwrap().scripts.clear();
    }

    pub fn set_chaos(&self, enabled: bool, rate: Option<f64>, seed: Option<u64>) -> ChaosState {
        let mut s = self.state.lock().unwrap();
        s.chaos.enabled = enabled;
        if let Some(r) = rate {
            s.chaos.rate = r.clamp(0.0, 1.0);
        }
        if let Some(seed) = seed {
            s.rng = fastrand::Rng::with_seed(seed);
        }
        s.streaks.clear();
        s.chaos.clone()
    }

    pub fn reset(&self) {
        let mut s = self.state.lock().unwrap();
        s.scripts.clear();
        s.chaos = ChaosState { enabled: false, rate: 0.3 };
        s.streaks.clear();
    }

    /// `{"scripts": {"upload": [Fault…], …}, "chaos": {"enabled", "rate"}}`
    pub fn snapshot(&self) -> Value {
        let s = self.state.lock().unwrap();
        let scripts: serde_json::Map<String, Value> = FaultRoute::ALL
            .iter()
            .map(|r| {
                let q: Vec<&Fault> = s.scripts.get(r).map(|q| q.iter().collect()).unwrap_or_default();
                (serde_json::to_value(r).unwrap().as_str().unwrap().to_string(), serde_json::to_value(q).unwrap())
            })
            .collect();
        json!({"scripts": scripts, "chaos": s.chaos})
    }

    /// The fault for the next request on `route`: a scripted one first, else maybe chaos
    /// (upload and storage only). `resource` keys the chaos streak.
    pub fn next(&self, route: FaultRoute, resource: &str) -> Option<Fault> {
        let mut s = self.state.lock().unwrap();
        if let Some(f) = s.scripts.get_mut(&route).and_then(VecDeque::pop_front) {
            return Some(f);
        }
        if !s.chaos.enabled || !matches!(route, FaultRoute::Upload | FaultRoute::Storage) {
            return None;
        }
        let rate = s.chaos.rate;
        let roll = s.rng.f64();
        let streak = s.streaks.get(resource).copied().unwrap_or(0);
        if streak < CHAOS_MAX_STREAK && roll < rate {
            s.streaks.insert(resource.to_string(), streak + 1);
            Some(chaos_fault(&mut s.rng))
        } else {
            s.streaks.remove(resource);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: Value) -> Result<Fault, String> {
        serde_json::from_value::<FaultSpec>(v).map_err(|e| e.to_string())?.resolve()
    }

    #[test]
    fn every_preset_resolves() {
        for name in PRESETS {
            let f = spec(json!({"preset": name})).unwrap();
            assert!(f.status >= 400, "{name}");
        }
        assert!(spec(json!({"preset": "nope"})).is_err());
    }

    #[test]
    fn presets_have_the_documented_shapes() {
        let f = spec(json!({"preset": "rate_limit", "retry_after": 7})).unwrap();
        assert_eq!((f.status, f.headers.get("Retry-After").map(String::as_str)), (429, Some("7")));
        let body: Value = serde_json::from_str(&f.body).unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": 4003, "message": "Rate limit exceeded",
            "details": {"limit": 100, "window": "1 minute", "retry_after": 7}}})
        );
        let f = spec(json!({"preset": "empty503"})).unwrap();
        assert_eq!((f.status, f.body.as_str(), f.headers["Retry-After"].as_str()), (503, "", "1"));
        let f = spec(json!({"preset": "faseeh_concurrency"})).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&f.body).unwrap()["errorCode"], 42901);
        assert!(spec(json!({"preset": "html502"})).unwrap().body.contains("502 Bad Gateway"));
    }

    #[test]
    fn given_fields_override_the_preset() {
        let f = spec(json!({"preset": "rate_limit", "status": 503, "headers": {"retry-after": "9"}, "delay_ms": 5})).unwrap();
        assert_eq!((f.status, f.delay_ms), (503, 5));
        assert_eq!(f.headers.len(), 1);
        assert_eq!(f.headers["retry-after"], "9");
        let f = spec(json!({"status": 418, "body": {"a": 1}})).unwrap();
        assert_eq!((f.kind, f.body.as_str()), (FaultKind::Respond, r#"{"a":1}"#));
        assert_eq!(spec(json!({"kind": "drop_mid_body"})).unwrap().kind, FaultKind::DropMidBody);
        assert!(spec(json!({"status": 99})).is_err());
        assert!(spec(json!({"kind": "explode"})).is_err());
        assert!(spec(json!({"stauts": 500})).is_err());
    }

    #[test]
    fn scripts_are_fifo_per_route() {
        let faults = Faults::default();
        let f = |s| spec(json!({"status": s})).unwrap();
        assert_eq!(faults.script(FaultRoute::Upload, vec![f(500), f(502)]), 2);
        assert_eq!(faults.next(FaultRoute::Storage, "x"), None);
        assert_eq!(faults.next(FaultRoute::Upload, "x").unwrap().status, 500);
        assert_eq!(faults.next(FaultRoute::Upload, "x").unwrap().status, 502);
        assert_eq!(faults.next(FaultRoute::Upload, "x"), None);
    }

    #[test]
    fn chaos_never_faults_three_times_in_a_row() {
        let faults = Faults::default();
        faults.set_chaos(true, Some(1.0), Some(42));
        for _ in 0..10 {
            assert!(faults.next(FaultRoute::Upload, "upload").is_some());
            assert!(faults.next(FaultRoute::Upload, "upload").is_some());
            assert!(faults.next(FaultRoute::Upload, "upload").is_none());
        }
        assert!(faults.next(FaultRoute::Token, "token").is_none());
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            if let Some(f) = faults.next(FaultRoute::Storage, "p") {
                assert!(f.kind == FaultKind::Drop || [500, 502, 503].contains(&f.status));
                seen.insert(f.preset.clone());
            }
        }
        assert_eq!(seen.len(), 4);
        faults.set_chaos(false, None, None);
        assert!(faults.next(FaultRoute::Upload, "upload").is_none());
    }
}
