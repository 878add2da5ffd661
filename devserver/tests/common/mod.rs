//! A dev server started in-process on ephemeral ports, and a real HTTP client for it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use vocafuse_devserver::{start, Config, Server};

pub const ORIGIN: &str = "http://127.0.0.1:9999";

pub struct Dev {
    pub server: Server,
    pub http: reqwest::Client,
    pub dir: PathBuf,
}

pub async fn dev() -> Dev {
    dev_with(|_| {}).await
}

pub async fn dev_with(tweak: impl FnOnce(&mut Config)) -> Dev {
    let dir = std::env::temp_dir().join(format!("vf-devserver-test-{:016x}", fastrand::u64(..)));
    let mut config = Config::ephemeral(&dir);
    tweak(&mut config);
    let server = start(config).await.expect("server starts");
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap();
    Dev { server, http, dir }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Dev {
    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.server.api_url())
    }

    pub async fn token(&self) -> String {
        let body: Value = self.http.post(self.api("/api/token")).json(&json!({"scopes": ["voice-api.upload"]})).send().await.unwrap().json().await.unwrap();
        body["data"]["id_token"].as_str().unwrap().to_string()
    }

    pub async fn upload_request(&self, token: &str, body: &Value) -> reqwest::Response {
        self.http.post(self.api("/upload")).bearer_auth(token).json(body).send().await.unwrap()
    }

    /// `POST /upload` that must succeed; returns the envelope's `data`.
    pub async fn grant(&self, size: u64, format: &str) -> Value {
        let token = self.token().await;
        let resp = self.upload_request(&token, &upload_body(size, format, 3.5)).await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["object"], "upload");
        v["data"].clone()
    }

    pub async fn put(&self, url: &str, bytes: Vec<u8>, content_type: &str) -> reqwest::Response {
        self.http.put(url).header("content-type", content_type).body(bytes).send().await.unwrap()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.api(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    pub async fn script(&self, route: &str, responses: Value) {
        self.control(reqwest::Method::POST, "/__dev/faults", Some(json!({"route": route, "responses": responses}))).await;
    }

    pub async fn log(&self) -> Vec<Value> {
        self.control(reqwest::Method::GET, "/__dev/log", None).await.as_array().unwrap().clone()
    }

    pub async fn record(&self, id: &str) -> Value {
        self.control(reqwest::Method::GET, &format!("/__dev/voicenotes/{id}"), None).await
    }

    /// Polls the log (every 20 ms, up to 5 s) until `pred` holds.
    pub async fn log_until(&self, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log().await;
            if pred(&log) {
                return log;
            }
            assert!(tokio::time::Instant::now() < deadline, "log never matched: {log:#?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn upload_body(size: u64, format: &str, duration: f64) -> Value {
    json!({"file_name": format!("voicenote.{format}"), "file_size": size, "audio_format": format, "duration_seconds": duration,
        "use_multipart": size > 5_242_880,
        "sdk_metadata": {"duration_seconds": duration, "sample_rate": 48000, "channels": 1, "bit_rate": 32000, "codec": format, "file_size_bytes": size}})
}

/// Bytes that differ at every offset in a way a misplaced range would show.
pub fn pattern(size: u64) -> Vec<u8> {
    (0..size).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The `{"error": {...}}` of a VocaFuse error answer, checking its status.
pub async fn api_error(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let v: Value = resp.json().await.unwrap();
    v["error"].clone()
}
