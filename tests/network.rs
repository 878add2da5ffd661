//! Online but unreachable, in Chromium, Firefox and WebKit, against the development server: a
//! wrong `apiBaseUrl` (a closed port), storage down and storage without CORS for the page each
//! end in the `NETWORK_ERROR` notice with the right `details.reason` while the upload keeps
//! waiting, the recording kept; storage back (or its CORS fixed) and the upload finishes by
//! itself. A pending recording's awaited `upload()` settles with the notice instead.

#![cfg(target_arch = "wasm32")]

mod support;

use js_sys::Array;
use support::*;
use vocafuse_wasm::facade::{VocaFuseSdk, VoiceRecorder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Nothing listens there (and browsers refuse the port outright).
const CLOSED: &str = "http://127.0.0.1:1";

/// Small retries and backoff, so the notice comes quickly.
fn quick(extra: &[(&'static str, JsValue)]) -> Vec<(&'static str, JsValue)> {
    let mut all: Vec<(&'static str, JsValue)> = vec![("retries", 1.into()), ("timeout", 5000.into())];
    all.extend(extra.iter().cloned());
    all
}

async fn storage_mode(mode: &str) {
    dev("POST", "/__dev/storage", js_sys::JSON::parse(&format!(r#"{{"mode":"{mode}"}}"#)).unwrap()).await;
}

async fn storage_origin() -> String {
    get_str(&dev("GET", "/__dev/info", JsValue::NULL).await, "storage")
}

fn page_origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

/// Records about half a second and stops: the upload starts by itself (autoUpload).
async fn record_and_stop(sdk: &VocaFuseSdk, probe: &Probe) -> (VoiceRecorder, js_sys::Promise) {
    let rec = sdk.create_recorder(probe.options.clone()).unwrap();
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    let upload = rec.stop();
    (rec, upload)
}

/// Waits for the notice and checks what it says; returns it.
async fn the_notice(probe: &Probe, rec: &VoiceRecorder, reason: &str, origin: &str) -> JsValue {
    probe.until("the NETWORK_ERROR notice", 30_000, |p| p.error_codes().iter().any(|c| c == "NETWORK_ERROR")).await;
    assert_eq!(probe.error_codes(), ["NETWORK_ERROR"], "one notice");
    let notice = probe.errors.borrow()[0].clone();
    let details = get(&notice, "details");
    assert_eq!(get_str(&details, "reason"), reason, "{}", stringify(&notice));
    assert_eq!(get_str(&details, "origin"), origin);
    assert!(get_f64(&details, "attempts") >= 2.0, "the retries were spent first: {}", stringify(&details));
    assert_eq!(get(&notice, "retryable"), JsValue::TRUE);
    let host = origin.trim_start_matches("http://");
    assert!(get_str(&notice, "userMessage").contains(host), "{}", stringify(&notice));
    assert!(get_str(&notice, "message").contains(origin), "{}", stringify(&notice));
    // A notice: the upload keeps waiting with the recording kept, and says why.
    probe.until_state("waiting", 10_000).await;
    assert_eq!(rec.network_status(), "unreachable");
    assert!(!rec.recording().is_null(), "the recording is kept");
    assert!(rec.is_uploading());
    notice
}

#[wasm_bindgen_test]
async fn a_wrong_api_base_url_ends_in_the_unreachable_notice_and_the_recording_stays_pending() {
    reset_dev().await;
    let sdk = VocaFuseSdk::new(sdk_config(&quick(&[("apiBaseUrl", CLOSED.into()), ("persist", JsValue::TRUE)]))).unwrap();
    let probe = Probe::new(&[]);
    let (rec, upload) = record_and_stop(&sdk, &probe).await;
    the_notice(&probe, &rec, "unreachable", CLOSED).await;
    assert!(log_of("upload").await.is_empty(), "nothing reached the dev server's API");
    // The app's way out is as before: cancel() keeps the recording, stored and pending.
    ok(rec.cancel()).await;
    assert_eq!(get_str(&rejection(upload).await, "code"), "ABORTED");
    assert_eq!(rec.state(), "stopped");
    assert_eq!(rec.network_status(), "ok");
    let blob: web_sys::Blob = get(&rec.recording(), "blob").unchecked_into();
    rec.destroy();
    // With apiBaseUrl fixed, the pending recording uploads.
    let fixed = VocaFuseSdk::new(sdk_config(&[])).unwrap();
    let results = ok(fixed.resume_pending()).await.unchecked_into::<Array>().to_vec();
    assert_eq!(results.len(), 1, "{:?}", results.iter().map(stringify).collect::<Vec<_>>());
    assert_eq!(stored_sha(&results[0]).await, sha256(&blob).await);
}

#[wasm_bindgen_test]
async fn storage_down_ends_in_the_unreachable_notice_and_uploads_once_it_is_back() {
    reset_dev().await;
    storage_mode("down").await;
    let sdk = VocaFuseSdk::new(sdk_config(&quick(&[("persist", JsValue::FALSE)]))).unwrap();
    let probe = Probe::new(&[]);
    let (rec, upload) = record_and_stop(&sdk, &probe).await;
    let origin = storage_origin().await;
    the_notice(&probe, &rec, "unreachable", &origin).await;
    let presigns = log_of("upload").await;
    assert_eq!(get_str(&presigns[0], "storage_refuses_origin"), page_origin(), "the log names the page storage refused");
    storage_mode("up").await;
    let result = ok(upload).await;
    let blob: web_sys::Blob = get(&rec.recording(), "blob").unchecked_into();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert_eq!(rec.state(), "uploaded");
    assert_eq!(rec.network_status(), "ok");
    assert_eq!(probe.error_codes(), ["NETWORK_ERROR"], "no more notices");
    rec.destroy();
}

#[wasm_bindgen_test]
async fn storage_without_cors_ends_in_the_cors_notice_and_uploads_once_it_is_fixed() {
    reset_dev().await;
    storage_mode("no_cors").await;
    let sdk = VocaFuseSdk::new(sdk_config(&quick(&[("persist", JsValue::FALSE)]))).unwrap();
    let probe = Probe::new(&[]);
    let (rec, upload) = record_and_stop(&sdk, &probe).await;
    let origin = storage_origin().await;
    let notice = the_notice(&probe, &rec, "cors", &origin).await;
    assert!(get_str(&notice, "message").contains(&page_origin()), "names the origin the rules must allow: {}", stringify(&notice));
    let presigns = log_of("upload").await;
    assert_eq!(get_str(&presigns[0], "storage_refuses_origin"), page_origin());
    storage_mode("up").await;
    let result = ok(upload).await;
    let blob: web_sys::Blob = get(&rec.recording(), "blob").unchecked_into();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert_eq!(rec.network_status(), "ok");
    rec.destroy();
}

#[wasm_bindgen_test]
async fn an_unreachable_token_endpoint_while_uploading_ends_in_the_notice_too() {
    reset_dev().await;
    let closed = "http://127.0.0.1:9";
    let config = quick(&[("tokenEndpoint", format!("{closed}/token").into()), ("persist", JsValue::FALSE)]);
    let sdk = VocaFuseSdk::new(sdk_config(&config)).unwrap();
    let probe = Probe::new(&[]);
    let (rec, upload) = record_and_stop(&sdk, &probe).await;
    the_notice(&probe, &rec, "unreachable", closed).await;
    assert!(log_of("upload").await.is_empty(), "no token, no presign");
    ok(rec.cancel()).await;
    assert_eq!(get_str(&rejection(upload).await, "code"), "ABORTED");
    assert!(!rec.recording().is_null(), "cancel() keeps the recording");
    rec.destroy();
}

/// A pending recording's `upload()`, which has no recorder's `onError` to tell, settles with the
/// notice; the recording stays pending and `resumePending()` sends it once storage is back.
#[wasm_bindgen_test]
async fn a_pending_upload_the_app_awaits_ends_in_the_notice_and_stays_pending_until_storage_is_back() {
    reset_dev().await;
    let sdk = VocaFuseSdk::new(sdk_config(&quick(&[("persist", JsValue::TRUE)]))).unwrap();
    // What earlier tests of this page left pending goes first, so the list below is this test's.
    ok(sdk.resume_pending()).await;
    let probe = local(&[]);
    let rec = sdk.create_recorder(probe.options.clone()).unwrap();
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    ok(rec.stop()).await;
    let blob: web_sys::Blob = get(&rec.recording(), "blob").unchecked_into();
    rec.destroy();
    storage_mode("down").await;
    let list = ok(sdk.pending_recordings()).await.unchecked_into::<Array>().to_vec();
    assert_eq!(list.len(), 1, "{:?}", list.iter().map(stringify).collect::<Vec<_>>());
    let upload: js_sys::Function = get(&list[0], "upload").unchecked_into();
    let notice = rejection(upload.call0(&list[0]).unwrap().unchecked_into()).await;
    assert_eq!(get_str(&notice, "code"), "NETWORK_ERROR", "{}", stringify(&notice));
    let details = get(&notice, "details");
    assert_eq!(get_str(&details, "reason"), "unreachable");
    assert_eq!(get_str(&details, "origin"), storage_origin().await);
    assert!(get_f64(&details, "attempts") >= 2.0, "the retries were spent first: {}", stringify(&details));
    // resumePending() answers with the same notice for it, and it stays pending.
    let results = ok(sdk.resume_pending()).await.unchecked_into::<Array>().to_vec();
    assert_eq!(results.len(), 1);
    assert_eq!(get_str(&get(&results[0], "details"), "reason"), "unreachable", "{}", stringify(&results[0]));
    assert_eq!(ok(sdk.pending_recordings()).await.unchecked_into::<Array>().length(), 1, "still pending");
    storage_mode("up").await;
    let results = ok(sdk.resume_pending()).await.unchecked_into::<Array>().to_vec();
    assert_eq!(results.len(), 1);
    assert_eq!(stored_sha(&results[0]).await, sha256(&blob).await);
    assert_eq!(ok(sdk.pending_recordings()).await.unchecked_into::<Array>().length(), 0);
}
