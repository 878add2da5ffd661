//! Uploading against the real development server (started by scripts/test.sh), in Chromium and
//! Firefox: byte-identical arrival, retries, Retry-After, token refresh, faults, cancel.

#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use support::*;
use vocafuse_wasm::core::errors::ErrorCode;
use vocafuse_wasm::core::format::AudioFormat;
use vocafuse_wasm::core::upload::{UploadResult, UploadSpec};
use vocafuse_wasm::facade::{VocaFuseSdk, VoiceRecorder};
use vocafuse_wasm::web::upload::{upload_blob, UploadObserver};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Default)]
struct Percentages(RefCell<Vec<f64>>);

impl UploadObserver for Percentages {
    fn progress(&self, percent: f64) {
        self.0.borrow_mut().push(percent);
    }
}

impl Percentages {
    fn assert_sane(&self) {
        let p = self.0.borrow();
        assert!(!p.is_empty(), "no progress reported");
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "progress went down: {p:?}");
        assert_eq!(*p.last().unwrap(), 100.0, "progress must end at 100: {p:?}");
        assert_eq!(p.iter().filter(|x| **x == 100.0).count(), 1);
    }
}

fn spec(size: u64) -> UploadSpec {
    UploadSpec { format: AudioFormat::Webm, size, duration_secs: 3.0, bits_per_second: 32_000, created_at_ms: js_sys::Date::now() }
}

/// Uploads a generated blob through the SDK's upload path (no microphone needed).
async fn upload_generated(size: u64, retries: u32) -> (Result<UploadResult, vocafuse_wasm::core::errors::SdkError>, web_sys::Blob, Rc<Percentages>) {
    let ctx = context(|c| {
        c.retries = retries;
        c.timeout_ms = 5000.0;
    });
    let blob = make_blob(size as f64, "audio/webm");
    let progress = Rc::new(Percentages::default());
    let controller = web_sys::AbortController::new().unwrap();
    let result = upload_blob(&ctx, &blob, "audio/webm", &spec(size), &controller.signal(), progress.clone()).await;
    (result, blob, progress)
}

fn recorder(probe: &Probe, sdk_extra: &[(&str, JsValue)]) -> VoiceRecorder {
    VocaFuseSdk::new(sdk_config(sdk_extra)).unwrap().create_recorder(probe.options.clone()).unwrap()
}

/// Records about a second with the fake microphone, keeping it (autoUpload off).
async fn recorded(probe: &Probe, sdk_extra: &[(&str, JsValue)]) -> VoiceRecorder {
    let rec = recorder(probe, sdk_extra);
    ok(rec.start()).await;
    sleep_ms(1000).await; // the length of the recording
    ok(rec.stop()).await;
    rec
}

#[wasm_bindgen_test]
async fn a_recording_uploads_byte_identical_with_progress() {
    reset_dev().await;
    let probe = Probe::new(&[]);
    let rec = recorder(&probe, &[]);
    ok(rec.start()).await;
    sleep_ms(1000).await;
    let result = ok(rec.stop()).await;
    assert_eq!(get_str(&result, "upload_type"), "single");
    let kept = rec.recording();
    let blob: web_sys::Blob = get(&kept, "blob").unchecked_into();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert_eq!(get_f64(&result, "file_size"), blob.size());
    assert_eq!(get_str(&result, "audio_format"), get_str(&kept, "format"));
    assert_eq!(rec.state(), "uploaded");
    assert_eq!(*probe.states.borrow(), ["requesting", "recording", "stopped", "uploading", "uploaded"]);
    assert_eq!(probe.completes.borrow().len(), 1);
    assert_eq!(get_str(&probe.completes.borrow()[0], "voicenote_id"), get_str(&result, "voicenote_id"));
    let p = probe.uploads.borrow().clone();
    assert_eq!(*p.last().unwrap(), 100.0);
    assert!(p.windows(2).all(|w| w[0] <= w[1]));
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
    // Uploading twice makes no sense.
    assert_eq!(get_str(&rejection(rec.upload()).await, "code"), "INVALID_STATE");
}

#[wasm_bindgen_test]
async fn a_12_mb_blob_goes_multipart_and_arrives_byte_identical() {
    reset_dev().await;
    let (result, blob, progress) = upload_generated(12_000_000, 3).await;
    let result = result.unwrap();
    assert!(result.multipart);
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    progress.assert_sane();
    // Browsers throttle upload progress events (about every 50 ms); on loopback 12 MB takes a
    // few of those, so this checks intermediate reports, not a count.
    let below: Vec<f64> = progress.0.borrow().iter().copied().filter(|p| *p > 0.0 && *p < 100.0).collect();
    assert!(below.len() >= 2, "intermediate progress: {:?}", progress.0.borrow());
    let puts = log_of("storage").await;
    assert_eq!(puts.len(), 3, "12 MB in 5 MiB parts is 3 PUTs");
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured_to_the_millisecond_server_side() {
    reset_dev().await;
    faults("upload", r#"[{"preset":"rate_limit","retry_after":2}]"#).await;
    let (result, _, _) = upload_generated(10_000, 3).await;
    result.unwrap();
    let posts = log_of("upload").await;
    assert_eq!(posts.len(), 2);
    assert_eq!(get_f64(&posts[0], "status"), 429.0);
    let gap = get_f64(&posts[1], "at_ms") - get_f64(&posts[0], "at_ms");
    assert!(gap >= 2000.0, "retried after {gap} ms, before the server's 2 s");
}

#[wasm_bindgen_test]
async fn two_500s_then_success_and_an_html_502_page() {
    reset_dev().await;
    faults("upload", r#"[{"preset":"internal"},{"preset":"internal"}]"#).await;
    faults("storage", r#"[{"preset":"html502"}]"#).await;
    let (result, blob, progress) = upload_generated(50_000, 3).await;
    let result = result.unwrap();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    progress.assert_sane();
    assert_eq!(log_of("upload").await.len(), 3);
    assert_eq!(log_of("storage").await.len(), 2);

    // With no retries, the 502 page reaches the app as a documented error.
    faults("upload", r#"[{"preset":"html502"}]"#).await;
    let (result, _, _) = upload_generated(50_000, 0).await;
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::ServiceUnavailable);
    assert_eq!(err.status, Some(502));
    assert!(err.retryable());
}

#[wasm_bindgen_test]
async fn an_expired_token_is_refreshed_once() {
    reset_dev().await;
    faults("upload", r#"[{"preset":"token_expired"}]"#).await;
    let probe = Probe::new(&[("autoUpload", JsValue::FALSE)]);
    let rec = recorded(&probe, &[]).await;
    let result = ok(rec.upload()).await;
    assert!(!get_str(&result, "voicenote_id").is_empty());
    assert_eq!(log_of("token").await.len(), 2, "the first token, then one refresh");
    assert_eq!(log_of("upload").await.len(), 2);

    // Refused again after the refresh: AUTHENTICATION_FAILED, keeping the server's code.
    reset_dev().await;
    faults("upload", r#"[{"preset":"token_expired"},{"preset":"token_expired"}]"#).await;
    let probe = Probe::new(&[("autoUpload", JsValue::FALSE)]);
    let rec = recorded(&probe, &[]).await;
    let err = rejection(rec.upload()).await;
    assert_eq!(get_str(&err, "code"), "AUTHENTICATION_FAILED");
    assert_eq!(get_f64(&err, "serverCode"), 1002.0);
    assert_eq!(log_of("upload").await.len(), 2, "one retry with a fresh token, no more");
    assert!(!rec.recording().is_null(), "a failed upload keeps the recording");
}

#[wasm_bindgen_test]
async fn validation_errors_are_not_retried_and_reach_on_error() {
    for (preset, code, detail) in
        [("unsupported_format", "UNSUPPORTED_AUDIO_FORMAT", "supported_formats"), ("file_too_large", "FILE_SIZE_EXCEEDED", "max_size")]
    {
        reset_dev().await;
        faults("upload", &format!(r#"[{{"preset":"{preset}"}}]"#)).await;
        let probe = Probe::new(&[("autoUpload", JsValue::FALSE)]);
        let rec = recorded(&probe, &[]).await;
        let err = rejection(rec.upload()).await;
        assert_eq!(get_str(&err, "code"), code);
        assert_eq!(get_f64(&err, "status"), 400.0);
        assert!(!get(&get(&err, "details"), detail).is_undefined(), "{code} details: {}", stringify(&err));
        assert!(!get_str(&err, "userMessage").is_empty());
        assert_eq!(get(&err, "retryable"), JsValue::FALSE);
        assert_eq!(log_of("upload").await.len(), 1, "{code} must not be retried");
        assert_eq!(probe.error_codes(), [code]);
        assert_eq!(rec.state(), "error");
        assert!(!rec.recording().is_null());
    }
}

#[wasm_bindgen_test]
async fn a_connection_dropped_mid_put_is_retried() {
    reset_dev().await;
    faults("storage", r#"[{"kind":"drop_mid_body"}]"#).await;
    let (result, blob, progress) = upload_generated(2_000_000, 3).await;
    let result = result.unwrap();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    progress.assert_sane();
    assert_eq!(log_of("storage").await.len(), 2);
}

#[wasm_bindgen_test]
async fn offline_keeps_the_recording_and_upload_succeeds_later() {
    reset_dev().await;
    // No answer at all to every try (1 + 3 retries): the network is gone.
    faults("upload", r#"[{"kind":"drop"},{"kind":"drop"},{"kind":"drop"},{"kind":"drop"}]"#).await;
    let probe = Probe::new(&[]);
    // No waiting for the network (tests/durability.rs covers waiting).
    let rec = recorder(&probe, &[("offlineWaitMs", 0.into())]);
    ok(rec.start()).await;
    sleep_ms(800).await;
    let err = rejection(rec.stop()).await;
    assert_eq!(get_str(&err, "code"), "NETWORK_ERROR");
    assert_eq!(get(&err, "retryable"), JsValue::TRUE);
    assert_eq!(rec.state(), "error");
    let kept = rec.recording();
    assert!(!kept.is_null(), "the recording is kept");
    // The network is back.
    let result = ok(rec.upload()).await;
    let blob: web_sys::Blob = get(&kept, "blob").unchecked_into();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert_eq!(rec.state(), "uploaded");
}

#[wasm_bindgen_test]
async fn cancel_mid_upload_aborts_every_request() {
    reset_dev().await;
    faults("storage", r#"[{"kind":"stall"}]"#).await;
    let probe = Probe::new(&[("autoUpload", JsValue::FALSE)]);
    let rec = recorded(&probe, &[]).await;
    let upload = rec.upload();
    // Wait for the event: the stalled PUT is under way at the server (the presign's answer alone
    // is not enough: on a loaded machine the cancel could come before the PUT is sent).
    let mut tries = 0;
    while !log_of("storage").await.iter().any(|p| get(p, "in_flight") == JsValue::TRUE) {
        tries += 1;
        assert!(tries < 400, "the PUT never reached the server");
        sleep_ms(50).await;
    }
    ok(rec.cancel()).await;
    let err = rejection(upload).await;
    assert_eq!(get_str(&err, "code"), "ABORTED");
    assert_eq!(rec.state(), "stopped");
    assert!(!rec.recording().is_null(), "cancelling an upload keeps the recording");
    // The stalled PUT was closed by the browser: the server sees nothing in flight.
    let mut tries = 0;
    loop {
        let puts = log_of("storage").await;
        if !puts.is_empty() && puts.iter().all(|p| get(p, "in_flight") == JsValue::FALSE) {
            break;
        }
        tries += 1;
        assert!(tries < 400, "the stalled PUT is still running after 20 s: {}", puts.iter().map(stringify).collect::<Vec<_>>().join(","));
        sleep_ms(50).await;
    }
    assert_eq!(log_of("upload").await.len(), 1, "nothing was retried after cancel");
    // The kept recording still uploads.
    ok(rec.upload()).await;
}

/// `init()` against a token endpoint that is missing or down says the service is unavailable
/// (not "session expired"), with the status in `details`; a 401/403 stays AUTHENTICATION_FAILED.
#[wasm_bindgen_test]
async fn a_missing_or_failing_token_endpoint_is_not_an_expired_session() {
    let expired = ErrorCode::AuthenticationFailed.info().user_message;
    for (status, code) in [
        (404, "SERVICE_UNAVAILABLE"),
        (405, "SERVICE_UNAVAILABLE"),
        (503, "SERVICE_UNAVAILABLE"),
        (500, "SERVICE_UNAVAILABLE"),
        (401, "AUTHENTICATION_FAILED"),
        (403, "AUTHENTICATION_FAILED"),
    ] {
        reset_dev().await;
        faults("token", &format!(r#"[{{"status":{status},"body":{{"success":false,"message":"no"}}}}]"#)).await;
        let sdk = VocaFuseSdk::new(sdk_config(&[])).unwrap();
        let err = rejection(sdk.init()).await;
        assert_eq!(get_str(&err, "code"), code, "{status}: {}", stringify(&err));
        assert_eq!(get_f64(&err, "status"), f64::from(status));
        assert_eq!(get_f64(&get(&err, "details"), "status"), f64::from(status), "{}", stringify(&err));
        assert_eq!(get_str(&err, "userMessage") == expired, code == "AUTHENTICATION_FAILED", "{status}: {}", get_str(&err, "userMessage"));
        assert_eq!(log_of("token").await.len(), 1, "{status}: init() asks once");
    }
}
