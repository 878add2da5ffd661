//! Webhooks: CRUD in the documented error shape, and deliveries signed as the SDKs' validators
//! check, retried with backoff, every attempt listed under `/__dev/webhooks/deliveries`.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use hmac::{Hmac, Mac};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

const KEY: &str = "sk_test_w";
const SECRET: &str = "secret_w";

async fn backend() -> Dev {
    dev_with(|c| {
        c.api_key = Some(KEY.into());
        c.api_secret = Some(SECRET.into());
        c.transcribe_delay = 0.0;
        c.webhook_backoff = 0.02;
    })
    .await
}

fn keyed(req: RequestBuilder) -> RequestBuilder {
    req.header("X-VocaFuse-API-Key", KEY).header("X-VocaFuse-API-Secret", SECRET)
}

async fn call(dev: &Dev, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = keyed(dev.http.request(method, dev.api(path)));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() })
}

/// A receiver on loopback that answers the scripted statuses in turn (then 200) and hands over
/// every request it gets.
struct Receiver {
    url: String,
    got: mpsc::UnboundedReceiver<(HeaderMap, String)>,
}

async fn receiver(statuses: &[u16]) -> Receiver {
    let script = Arc::new(Mutex::new(statuses.iter().copied().collect::<VecDeque<u16>>()));
    let (tx, got) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (script, tx) = (script.clone(), tx.clone());
            async move {
                let _ = tx.send((headers, String::from_utf8(body.to_vec()).unwrap()));
                StatusCode::from_u16(script.lock().unwrap().pop_front().unwrap_or(200)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, got }
}

impl Receiver {
    async fn next(&mut self) -> (HeaderMap, String) {
        tokio::time::timeout(Duration::from_secs(10), self.got.recv()).await.expect("a delivery").unwrap()
    }
}

fn signed(secret: &str, headers: &HeaderMap, payload: &str) -> bool {
    let h = |n: &str| headers[n].to_str().unwrap().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.{}.{payload}", h("x-vocafuse-timestamp"), h("x-vocafuse-delivery-id")).as_bytes());
    h("x-vocafuse-signature") == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A stored single upload; returns its id.
async fn stored(dev: &Dev) -> String {
    let grant = dev.grant(4, "webm").await;
    assert_eq!(dev.put(grant["presigned_url"].as_str().unwrap(), b"abcd".to_vec(), "audio/webm").await.status(), 200);
    grant["voicenote_id"].as_str().unwrap().to_string()
}

/// Polls the delivery attempts (every 20 ms, up to 10 s) until `pred` holds.
async fn attempts_until(dev: &Dev, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let list = dev.control(Method::GET, "/__dev/webhooks/deliveries", None).await.as_array().unwrap().clone();
        if pred(&list) {
            return list;
        }
        assert!(tokio::time::Instant::now() < deadline, "attempts never matched: {list:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_created_listed_read_updated_and_deleted() {
    let dev = backend().await;
    let url = "http://127.0.0.1:1/a";
    let (status, created) = call(&dev, Method::POST, "/webhooks", Some(json!({"url": url, "events": ["voicenote.created"], "secret": "s1"}))).await;
    assert_eq!((status, created["object"].clone(), created["data"]["secret"].clone(), created["data"]["active"].clone()), (201, json!("webhook"), json!("s1"), json!(true)));
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let (status, dup) = call(&dev, Method::POST, "/webhooks", Some(json!({"url": url, "events": ["recording.failed"]}))).await;
    assert_eq!((status, dup["error"].clone()), (400, json!({"code": 5005, "message": "Webhook already exists for this URL", "details": {"url": url}})));
    let (_, other) = call(&dev, Method::POST, "/webhooks", Some(json!({"url": "http://localhost:1/b", "events": ["recording.failed"]}))).await;
    assert!(other["data"]["secret"].as_str().unwrap().starts_with("whsec_"), "a secret is made when none is given");

    let (status, list) = call(&dev, Method::GET, "/webhooks", None).await;
    assert_eq!((status, list["object"].clone(), list["data"].as_array().unwrap().len()), (200, json!("list"), 2));
    let (status, one) = call(&dev, Method::GET, &format!("/webhooks/{id}"), None).await;
    assert_eq!((status, one["data"]["url"].clone()), (200, json!(url)));

    let (status, updated) = call(&dev, Method::PUT, &format!("/webhooks/{id}"), Some(json!({"url": "http://127.0.0.1:1/c", "events": ["recording.completed"]}))).await;
    assert_eq!((status, updated["data"]["events"].clone(), updated["data"]["secret"].clone()), (200, json!(["recording.completed"]), json!("s1")));
    let (status, taken) = call(&dev, Method::PUT, &format!("/webhooks/{id}"), Some(json!({"url": "http://localhost:1/b", "events": ["recording.completed"]}))).await;
    assert_eq!((status, taken["error"]["code"].clone()), (400, json!(5005)));

    for (method, body) in [(Method::GET, None), (Method::PUT, Some(json!({"url": "http://127.0.0.1:1/z", "events": ["voicenote.created"]}))), (Method::DELETE, None)] {
        let (status, unknown) = call(&dev, method.clone(), "/webhooks/wh_unknown", body).await;
        assert_eq!((status, unknown["error"].clone()), (404, json!({"code": 6003, "message": "Webhook not found", "details": {"webhook_id": "wh_unknown"}})), "{method}");
    }
    assert_eq!(call(&dev, Method::DELETE, &format!("/webhooks/{id}"), None).await, (204, Value::Null));
    assert_eq!(call(&dev, Method::GET, &format!("/webhooks/{id}"), None).await.0, 404);
    assert_eq!(call(&dev, Method::GET, "/webhooks", None).await.1["data"].as_array().unwrap().len(), 1);
    let refused = dev.http.get(dev.api("/webhooks")).send().await.unwrap();
    assert_eq!(api_error(refused, 401).await["code"], 1001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_webhooks_are_refused_and_nothing_is_kept() {
    let dev = backend().await;
    let raw = keyed(dev.http.post(dev.api("/webhooks"))).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(api_error(raw, 400).await["code"], 2001);
    let cases = [
        (json!([]), 2001, None),
        (json!({"events": ["voicenote.created"]}), 2002, Some("url")),
        (json!({"url": "http://127.0.0.1:1/a"}), 2002, Some("events")),
        (json!({"url": "http://127.0.0.1:1/a", "events": []}), 2003, Some("events")),
        (json!({"url": "http://127.0.0.1:1/a", "events": ["voicenote.exploded"]}), 2003, Some("events")),
        (json!({"url": "http://127.0.0.1:1/a", "events": "voicenote.created"}), 2003, Some("events")),
        (json!({"url": "https://127.0.0.1:1/a", "events": ["voicenote.created"]}), 2003, Some("url")),
        (json!({"url": "http://hooks.example.com/a", "events": ["voicenote.created"]}), 2003, Some("url")),
        (json!({"url": 7, "events": ["voicenote.created"]}), 2003, Some("url")),
        (json!({"url": "http://127.0.0.1:1/a", "events": ["voicenote.created"], "secret": ""}), 2003, Some("secret")),
    ];
    for (body, code, field) in cases {
        let (status, err) = call(&dev, Method::POST, "/webhooks", Some(body.clone())).await;
        assert_eq!((status, err["error"]["code"].clone()), (400, json!(code)), "{body}");
        if let Some(f) = field {
            assert_eq!(err["error"]["details"]["field"], f, "{body}");
        }
    }
    let (_, why) = call(&dev, Method::POST, "/webhooks", Some(json!({"url": "http://hooks.example.com/a", "events": ["voicenote.created"]}))).await;
    assert!(why["error"]["details"]["reason"].as_str().unwrap().contains("--allowed-host"));
    assert_eq!(call(&dev, Method::GET, "/webhooks", None).await.1["data"], json!([]));
    assert!(!dev.dir.join("webhooks.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_retried_and_listed() {
    let dev = backend().await;
    let mut rx = receiver(&[500, 503]).await;
    let (_, hook) = call(&dev, Method::POST, "/webhooks", Some(json!({"url": rx.url, "events": ["recording.completed"], "secret": "whsec_x"}))).await;
    let id = stored(&dev).await;

    // Two refusals, then the third attempt is answered 200: the same delivery, signed each time.
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (headers, payload) = rx.next().await;
        assert!(signed("whsec_x", &headers, &payload), "{headers:?}");
        assert!(!signed("whsec_other", &headers, &payload));
        assert_eq!((headers["content-type"].to_str().unwrap(), headers["x-vocafuse-event"].to_str().unwrap()), ("application/json", "recording.completed"));
        seen.push((headers["x-vocafuse-delivery-id"].to_str().unwrap().to_string(), payload));
    }
    assert!(seen.iter().all(|s| s == &seen[0]), "one delivery, sent again as it was");
    let payload: Value = serde_json::from_str(&seen[0].1).unwrap();
    assert_eq!((payload["event"].clone(), payload["data"]["id"].clone(), payload["data"]["status"].clone()), (json!("recording.completed"), json!(id), json!("completed")));
    assert!(payload["data"]["transcription"]["text"].as_str().unwrap().starts_with("[simulated transcript"));

    let attempts = attempts_until(&dev, |a| a.len() == 3).await;
    let summary: Vec<_> = attempts.iter().map(|a| (a["attempt"].clone(), a["status"].clone(), a["outcome"].clone())).collect();
    assert_eq!(summary, [(json!(1), json!(500), json!("retrying")), (json!(2), json!(503), json!("retrying")), (json!(3), json!(200), json!("delivered"))]);
    assert!(attempts.iter().all(|a| a["webhook_id"] == hook["data"]["id"] && a["delivery_id"] == seen[0].0.as_str()));
    // Nothing else was sent: the webhook did not subscribe to voicenote.created.
    assert!(rx.got.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_webhook_gets_the_names_it_subscribed_with() {
    let dev = backend().await;
    let mut node = receiver(&[]).await;
    let mut python = receiver(&[]).await;
    let node_events = json!(["voicenote.created", "voicenote.transcribed", "voicenote.failed", "voicenote.deleted"]);
    call(&dev, Method::POST, "/webhooks", Some(json!({"url": node.url, "events": node_events, "secret": "n"}))).await;
    call(&dev, Method::POST, "/webhooks", Some(json!({"url": python.url, "events": ["recording.completed", "recording.failed"], "secret": "p"}))).await;
    dev.control(Method::POST, "/__dev/faults", Some(json!({"route": "transcription", "responses": [{"kind": "pass"}, {"kind": "fail", "reason": "noisy"}]}))).await;

    let ok = stored(&dev).await;
    let mut got = [node.next().await, node.next().await];
    got.sort_by_key(|(h, _)| h["x-vocafuse-event"].to_str().unwrap().to_string());
    let names: Vec<_> = got.iter().map(|(h, _)| h["x-vocafuse-event"].to_str().unwrap().to_string()).collect();
    assert_eq!(names, ["voicenote.created", "voicenote.transcribed"]);
    assert!(got.iter().all(|(h, p)| signed("n", h, p)));
    let (h, p) = python.next().await;
    assert_eq!((h["x-vocafuse-event"].to_str().unwrap(), serde_json::from_str::<Value>(&p).unwrap()["data"]["id"].clone()), ("recording.completed", json!(ok)));

    let bad = stored(&dev).await;
    let mut got = [node.next().await, node.next().await];
    got.sort_by_key(|(h, _)| h["x-vocafuse-event"].to_str().unwrap().to_string());
    assert_eq!(got[1].0["x-vocafuse-event"], "voicenote.failed");
    assert_eq!(serde_json::from_str::<Value>(&got[1].1).unwrap()["data"]["transcription"]["error"], "noisy");
    let (h, p) = python.next().await;
    assert_eq!((h["x-vocafuse-event"].to_str().unwrap(), serde_json::from_str::<Value>(&p).unwrap()["data"]["id"].clone()), ("recording.failed", json!(bad)));

    assert_eq!(call(&dev, Method::DELETE, &format!("/recordings/{ok}"), None).await.0, 204);
    let (h, p) = node.next().await;
    assert_eq!((h["x-vocafuse-event"].to_str().unwrap(), serde_json::from_str::<Value>(&p).unwrap()["data"]["id"].clone()), ("voicenote.deleted", json!(ok)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_is_tried_five_times() {
    let dev = backend().await;
    // A port nothing listens on any more.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    call(&dev, Method::POST, "/webhooks", Some(json!({"url": format!("http://127.0.0.1:{port}/gone"), "events": ["voicenote.created"]}))).await;
    stored(&dev).await;
    let attempts = attempts_until(&dev, |a| a.iter().any(|x| x["outcome"] == "gave_up")).await;
    assert_eq!(attempts.iter().map(|a| a["attempt"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(attempts.iter().all(|a| a["status"].is_null() && a["error"].as_str().unwrap().starts_with("no answer")));
    // Each retry waited at least its backoff (0.02 s doubling): 0.02 + 0.04 + 0.08 + 0.16 s in all.
    let span = attempts[4]["at_ms"].as_f64().unwrap() - attempts[0]["at_ms"].as_f64().unwrap();
    assert!(span >= 300.0, "{span} ms");
    dev.control(Method::DELETE, "/__dev/webhooks/deliveries", None).await;
    assert_eq!(dev.control(Method::GET, "/__dev/webhooks/deliveries", None).await, json!([]));
}
