//! Fault injection, CORS on every answer, and the request log, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn routes<'a>(log: &'a [Value], route: &str) -> Vec<&'a Value> {
    log.iter().filter(|l| l["route"] == route).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_rate_limit_then_normal_with_cors_on_the_429() {
    let dev = dev().await;
    let token = dev.token().await;
    dev.script("upload", json!([{"preset": "rate_limit", "retry_after": 3}])).await;
    let body = upload_body(100, "webm", 1.0);
    let resp = dev.http.post(dev.api("/upload")).bearer_auth(&token).header("origin", ORIGIN).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    let h = resp.headers().clone();
    assert_eq!(h["retry-after"], "3");
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-credentials"], "true");
    let exposed = h["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    for name in ["retry-after", "etag", "content-length", "x-request-id"] {
        assert!(exposed.contains(name), "{exposed}");
    }
    assert!(h["x-request-id"].to_str().unwrap().starts_with("req_"));
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v, json!({"error": {"code": 4003, "message": "Rate limit exceeded", "details": {"limit": 100, "window": "1 minute", "retry_after": 3}}}));

    let ok = dev.http.post(dev.api("/upload")).bearer_auth(&token).header("origin", ORIGIN).json(&body).send().await.unwrap();
    assert_eq!(ok.status(), 201);
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);

    let log = dev.log().await;
    let uploads = routes(&log, "upload");
    assert_eq!(uploads.len(), 2);
    assert_eq!((uploads[0]["status"].as_u64(), uploads[0]["fault"].as_str(), uploads[0]["fault_preset"].as_str()), (Some(429), Some("respond"), Some("rate_limit")));
    assert_eq!((uploads[1]["status"].as_u64(), uploads[1]["fault"].is_null()), (Some(201), true));
    assert!(uploads[1]["at_ms"].as_f64().unwrap() >= uploads[0]["at_ms"].as_f64().unwrap());
    assert!(uploads.iter().all(|u| u["in_flight"] == false && u["method"] == "POST" && u["path"] == "/upload"));
    assert!(uploads[0]["bytes_received"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_and_custom_responses_play_in_order() {
    let dev = dev().await;
    dev.script(
        "token",
        json!([
            {"preset": "html502"},
            {"preset": "empty503"},
            {"status": 418, "body": {"custom": true}, "headers": {"X-Extra": "yes"}},
            {"preset": "faseeh_concurrency"},
            {"kind": "pass", "delay_ms": 150},
        ]),
    )
    .await;
    let url = dev.api("/api/token");
    let r = dev.http.post(&url).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (502, "text/html"));
    assert!(r.text().await.unwrap().contains("<center>nginx"));
    let r = dev.http.post(&url).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (503, "1"));
    assert!(r.text().await.unwrap().is_empty());
    let r = dev.http.post(&url).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["x-extra"].to_str().unwrap()), (418, "yes"));
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"custom": true}));
    let r = dev.http.post(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.json::<Value>().await.unwrap()["errorCode"], 42901);
    let started = std::time::Instant::now();
    let r = dev.http.post(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(dev.http.post(&url).send().await.unwrap().status(), 200);

    // A bad script is refused whole.
    let bad = dev.http.post(dev.api("/__dev/faults")).json(&json!({"route": "upload", "responses": [{"preset": "nope"}]})).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    let snapshot = dev.control(Method::GET, "/__dev/faults", None).await;
    assert_eq!(snapshot["scripts"]["upload"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflights_are_answered_on_both_origins() {
    let dev = dev().await;
    let pre = dev
        .http
        .request(Method::OPTIONS, dev.api("/upload"))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    let h = pre.headers();
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-headers"], "authorization,content-type");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }

    // A scripted storage fault is not spent on the preflight.
    dev.script("storage", json!([{"preset": "unavailable"}])).await;
    let grant = dev.grant(10, "webm").await;
    let url = grant["presigned_url"].as_str().unwrap();
    let pre =
        dev.http.request(Method::OPTIONS, url).header("origin", ORIGIN).header("access-control-request-method", "PUT").header("access-control-request-headers", "content-type").send().await.unwrap();
    assert!(pre.status().is_success());
    assert_eq!(pre.headers()["access-control-allow-origin"], ORIGIN);
    let r = dev.http.put(url).header("origin", ORIGIN).body(vec![0u8; 10]).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], 5002);
    let ok = dev.http.put(url).header("origin", ORIGIN).body(vec![0u8; 10]).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);

    let log = dev.log().await;
    assert_eq!(routes(&log, "preflight").len(), 2);
    let puts = routes(&log, "storage");
    assert_eq!(puts.len(), 2);
    assert_eq!((puts[1]["bytes_received"].as_u64(), puts[1]["status"].as_u64()), (Some(10), Some(200)));
    assert_eq!(puts[1]["voicenote_id"], grant["voicenote_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_a_client_error_not_a_response() {
    let dev = dev().await;
    let token = dev.token().await;
    dev.script("upload", json!([{"kind": "drop"}])).await;
    let err = dev.http.post(dev.api("/upload")).bearer_auth(&token).json(&upload_body(100, "webm", 1.0)).send().await.unwrap_err();
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(dev.upload_request(&token, &upload_body(100, "webm", 1.0)).await.status(), 201);
    let log = dev.log_until(|l| routes(l, "upload").len() == 2 && routes(l, "upload").iter().all(|u| u["in_flight"] == false)).await;
    let dropped = routes(&log, "upload")[0];
    assert_eq!((dropped["status"].as_u64(), dropped["aborted"].as_bool(), dropped["fault"].as_str()), (Some(0), Some(true), Some("drop")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_mid_body_is_a_client_error() {
    let dev = dev().await;
    let bytes = pattern(2_000_000);
    let grant = dev.grant(bytes.len() as u64, "webm").await;
    let url = grant["presigned_url"].as_str().unwrap();
    dev.script("storage", json!([{"kind": "drop_mid_body"}])).await;
    let err = dev.http.put(url).body(bytes.clone()).send().await.unwrap_err();
    assert!(!err.is_status(), "{err:?}");
    let log = dev.log_until(|l| routes(l, "storage").first().is_some_and(|s| s["in_flight"] == false)).await;
    let cut = routes(&log, "storage")[0];
    assert_eq!((cut["status"].as_u64(), cut["fault"].as_str()), (Some(0), Some("drop_mid_body")));
    assert_eq!(cut["voicenote_id"], grant["voicenote_id"], "a faulted PUT is still logged against its note");
    let got = cut["bytes_received"].as_u64().unwrap();
    assert!((1_000_000..2_000_000).contains(&got), "{got}");
    assert_eq!(dev.record(grant["voicenote_id"].as_str().unwrap()).await["status"], "pending");

    // The retry goes through and the stored bytes are the whole file.
    assert_eq!(dev.put(url, bytes.clone(), "audio/webm").await.status(), 200);
    assert_eq!(dev.record(grant["voicenote_id"].as_str().unwrap()).await["sha256"], sha256_hex(&bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_holds_until_the_client_gives_up_and_the_log_sees_it() {
    let dev = dev().await;
    dev.script("voicenotes", json!([{"kind": "stall"}])).await;
    let err = dev.http.get(dev.api("/voicenotes")).timeout(Duration::from_millis(300)).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The server notices the client went away: nothing is left in flight.
    let log = dev.log_until(|l| routes(l, "voicenotes").first().is_some_and(|s| s["in_flight"] == false)).await;
    let stalled = routes(&log, "voicenotes")[0];
    assert_eq!((stalled["status"].as_u64(), stalled["aborted"].as_bool(), stalled["fault"].as_str()), (Some(0), Some(true), Some("stall")));
    assert_eq!(dev.http.get(dev.api("/voicenotes")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_lets_three_retries_through() {
    let dev = dev().await;
    let token = dev.token().await;
    let state = dev.control(Method::POST, "/__dev/chaos", Some(json!({"enabled": true, "rate": 1.0, "seed": 7}))).await;
    assert_eq!(state, json!({"enabled": true, "rate": 1.0}));
    let body = upload_body(100, "webm", 1.0);
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        match dev.http.post(dev.api("/upload")).bearer_auth(&token).json(&body).send().await {
            Ok(r) => outcomes.push(r.status().as_u16()),
            Err(_) => outcomes.push(0),
        }
    }
    assert!(outcomes[..2].iter().all(|s| [0, 500, 502, 503].contains(s)), "{outcomes:?}");
    assert_eq!(outcomes[2], 201);
    // The token route is never chaotic.
    assert_eq!(dev.http.post(dev.api("/api/token")).send().await.unwrap().status(), 200);

    dev.control(Method::POST, "/__dev/reset", None).await;
    assert_eq!(dev.upload_request(&token, &body).await.status(), 201);
    let log = dev.log().await;
    assert_eq!(log.len(), 1, "{log:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_clears_scripts_and_lifetimes() {
    let dev = dev().await;
    dev.script("token", json!([{"preset": "internal"}, {"preset": "internal"}])).await;
    dev.control(Method::POST, "/__dev/config", Some(json!({"token_ttl": 5, "url_ttl": 7}))).await;
    let r = dev.http.post(dev.api("/api/token")).send().await.unwrap();
    assert_eq!(r.status(), 500);
    dev.control(Method::DELETE, "/__dev/faults", None).await;
    let v: Value = dev.http.post(dev.api("/api/token")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["data"]["expires_in"], 5);
    dev.script("token", json!([{"preset": "internal"}])).await;
    dev.control(Method::POST, "/__dev/reset", None).await;
    let v: Value = dev.http.post(dev.api("/api/token")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["data"]["expires_in"], 3600);
    assert_eq!(dev.control(Method::GET, "/__dev/config", None).await, json!({"token_ttl": 3600.0, "url_ttl": 900.0}));
    assert_eq!(dev.log().await.len(), 1);
    dev.control(Method::DELETE, "/__dev/log", None).await;
    assert!(dev.log().await.is_empty());
    let bad = dev.http.post(dev.api("/__dev/config")).json(&json!({"token_ttl": 0})).send().await.unwrap();
    assert_eq!(bad.status(), 400);
}
