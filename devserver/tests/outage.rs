//! The storage switch (`/__dev/storage`): storage down (connections refused) and storage
//! answering without CORS for pages, over real HTTP, and what the log says about presigns then.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn switch(dev: &Dev, mode: &str) {
    let v = dev.control(Method::POST, "/__dev/storage", Some(json!({"mode": mode}))).await;
    assert_eq!(v, json!({"mode": mode}));
}

/// A presign from the page at `ORIGIN`; the single presigned URL.
async fn presign_from_page(dev: &Dev) -> String {
    let token = dev.token().await;
    let resp = dev.http.post(dev.api("/upload")).bearer_auth(&token).header("origin", ORIGIN).json(&upload_body(100, "webm", 1.0)).send().await.unwrap();
    assert_eq!(resp.status(), 201, "the API answers whatever storage does");
    let v: Value = resp.json().await.unwrap();
    v["data"]["presigned_url"].as_str().unwrap().to_string()
}

fn presigns(log: &[Value]) -> Vec<&Value> {
    log.iter().filter(|l| l["route"] == "upload").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_down_refuses_connections_until_it_is_up_and_the_log_names_the_page() {
    let dev = dev().await;
    switch(&dev, "down").await;
    let url = presign_from_page(&dev).await;
    let err = dev.http.put(&url).header("content-type", "audio/webm").body(pattern(100)).send().await.expect_err("storage is down");
    assert!(err.is_connect(), "refused, not answered: {err:?}");
    let log = dev.log_until(|l| !presigns(l).is_empty()).await;
    assert_eq!(presigns(&log)[0]["storage_refuses_origin"], ORIGIN);
    assert!(!log.iter().any(|l| l["route"] == "storage"), "nothing reached storage");
    assert_eq!(dev.control(Method::GET, "/__dev/storage", None).await, json!({"mode": "down"}));

    switch(&dev, "up").await;
    let resp = dev.put(&url, pattern(100), "audio/webm").await;
    assert!(resp.status().is_success(), "{}", resp.status());
    dev.control(Method::DELETE, "/__dev/log", None).await;
    presign_from_page(&dev).await;
    let log = dev.log_until(|l| !presigns(l).is_empty()).await;
    assert!(presigns(&log)[0].get("storage_refuses_origin").is_none(), "storage is up: {log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_without_cors_answers_but_not_to_the_page() {
    let dev = dev().await;
    switch(&dev, "no_cors").await;
    let url = presign_from_page(&dev).await;
    let preflight =
        dev.http.request(Method::OPTIONS, &url).header("origin", ORIGIN).header("access-control-request-method", "PUT").header("access-control-request-headers", "content-type").send().await.unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none(), "{:?}", preflight.headers());
    let put = dev.http.put(&url).header("origin", ORIGIN).header("content-type", "audio/webm").body(pattern(100)).send().await.unwrap();
    assert!(put.headers().get("access-control-allow-origin").is_none());
    // Yet it answers, and lets a cross-origin-isolated page see that it does (opaquely).
    let root = dev.http.get(format!("{}/", dev.server.storage_url())).header("origin", ORIGIN).send().await.unwrap();
    assert!(root.headers().get("access-control-allow-origin").is_none());
    assert_eq!(root.headers()["cross-origin-resource-policy"], "cross-origin");
    // The API origin still answers the page.
    let info = dev.http.get(dev.api("/__dev/info")).header("origin", ORIGIN).send().await.unwrap();
    assert_eq!(info.headers()["access-control-allow-origin"], ORIGIN);
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["storage_mode"], "no_cors");
    let log = dev.log_until(|l| !presigns(l).is_empty()).await;
    assert_eq!(presigns(&log)[0]["storage_refuses_origin"], ORIGIN);

    // A reset puts storage back as it was, CORS and all.
    dev.control(Method::POST, "/__dev/reset", None).await;
    let url = presign_from_page(&dev).await;
    let put = dev.http.put(&url).header("origin", ORIGIN).header("content-type", "audio/webm").body(pattern(100)).send().await.unwrap();
    assert!(put.status().is_success());
    assert_eq!(put.headers()["access-control-allow-origin"], ORIGIN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_storage_modes_are_refused() {
    let dev = dev().await;
    let resp = dev.http.post(dev.api("/__dev/storage")).json(&json!({"mode": "sideways"})).send().await.unwrap();
    assert_eq!(resp.status(), 400);
}
