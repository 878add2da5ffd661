//! Durability in the page, in Chromium, Firefox and WebKit, against the development server:
//! recordings stored as they are recorded and recovered once their recorder is gone, uploads
//! that resume with only the missing parts, waiting for the network, one upload for two SDKs.
//! Reloads, browser kills and real tabs are in tests/durability/ (WebDriver).

#![cfg(target_arch = "wasm32")]

mod support;

use std::rc::Rc;

use js_sys::{Array, Promise};
use support::*;
use vocafuse_wasm::core::durable::UploadJournal;
use vocafuse_wasm::core::format::AudioFormat;
use vocafuse_wasm::core::upload::UploadSpec;
use vocafuse_wasm::facade::{VocaFuseSdk, VoiceRecorder};
use vocafuse_wasm::web::upload::{upload_resumable, Journal, UploadObserver};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open('vocafuse', 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore('recordings', { keyPath: 'id' });
      r.result.createObjectStore('chunks', { keyPath: ['id', 'seq'] });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
function run(db, stores, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    let out;
    work(tx, (v) => { out = v; });
    tx.oncomplete = () => { db.close(); resolve(out); };
    tx.onerror = () => reject(tx.error);
  });
}
// Every row of both stores goes: each test starts from an empty store.
export async function clearStore() {
  const db = await open();
  await run(db, ['recordings', 'chunks'], 'readwrite', (tx) => {
    tx.objectStore('recordings').clear();
    tx.objectStore('chunks').clear();
  });
}
export async function storedRows() {
  const db = await open();
  return run(db, ['recordings'], 'readonly', (tx, out) => {
    const r = tx.objectStore('recordings').getAll();
    r.onsuccess = () => out(r.result.map((row) => ({ id: row.id, meta: JSON.parse(row.meta) })));
  });
}
export async function storedChunks() {
  const db = await open();
  return run(db, ['chunks'], 'readonly', (tx, out) => {
    const r = tx.objectStore('chunks').count();
    r.onsuccess = () => out(r.result);
  });
}
let transaction = null;
export function breakStorage() {
  transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function () {
    throw new DOMException('stubbed: the quota is used up', 'QuotaExceededError');
  };
}
export function restoreStorage() {
  if (transaction) IDBDatabase.prototype.transaction = transaction;
  transaction = null;
}
export function goOffline() {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
  window.dispatchEvent(new Event('offline'));
}
export function goOnline() {
  delete navigator.onLine;
  window.dispatchEvent(new Event('online'));
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = clearStore)]
    fn clear_store_js() -> Promise;
    #[wasm_bindgen(js_name = storedRows)]
    fn stored_rows_js() -> Promise;
    #[wasm_bindgen(js_name = storedChunks)]
    fn stored_chunks_js() -> Promise;
    #[wasm_bindgen(js_name = breakStorage)]
    fn break_storage();
    #[wasm_bindgen(js_name = restoreStorage)]
    fn restore_storage();
    #[wasm_bindgen(js_name = goOffline)]
    fn go_offline();
    #[wasm_bindgen(js_name = goOnline)]
    fn go_online();
}

async fn clear_store() {
    ok(clear_store_js()).await;
}

async fn stored_rows() -> Vec<JsValue> {
    ok(stored_rows_js()).await.unchecked_into::<Array>().to_vec()
}

fn new_sdk(extra: &[(&str, JsValue)]) -> VocaFuseSdk {
    VocaFuseSdk::new(sdk_config(extra)).unwrap()
}

async fn pending(sdk: &VocaFuseSdk) -> Vec<JsValue> {
    ok(sdk.pending_recordings()).await.unchecked_into::<Array>().to_vec()
}

fn call(target: &JsValue, method: &str) -> Promise {
    let f: js_sys::Function = get(target, method).unchecked_into();
    f.call0(target).unwrap().unchecked_into()
}

fn started(sdk: &VocaFuseSdk, probe: &Probe) -> VoiceRecorder {
    sdk.create_recorder(probe.options.clone()).unwrap()
}

/// Records about `seconds` with `autoUpload` off and stops: the recorder, its probe and the kept
/// recording.
async fn recorded(sdk: &VocaFuseSdk, seconds: f64) -> (VoiceRecorder, Probe, JsValue) {
    let probe = local(&[]);
    let rec = started(sdk, &probe);
    ok(rec.start()).await;
    probe.until_recorded(seconds).await;
    let kept = ok(rec.stop()).await;
    (rec, probe, kept)
}

#[wasm_bindgen_test]
async fn a_recording_is_stored_as_it_is_recorded_and_recovered_when_its_page_lets_go() {
    clear_store().await;
    reset_dev().await;
    let sdk = new_sdk(&[]);
    let probe = local(&[]);
    let rec = started(&sdk, &probe);
    ok(rec.start()).await;
    let recorded = probe.until_recorded(2.0).await;
    // Stored while recording, and not offered to anyone else while its recorder holds it.
    let rows = stored_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(get_str(&get(&rows[0], "meta"), "state"), "recording");
    assert!(get_f64(&get(&rows[0], "meta"), "duration") >= 1.0, "{}", stringify(&rows[0]));
    assert!(pending(&new_sdk(&[])).await.is_empty(), "a recording in progress is not pending");
    // The recorder goes away mid-recording, as when its component unmounts (a reload or a crash
    // is tests/durability/): what was stored is a pending recording.
    rec.destroy();
    let list = pending(&sdk).await;
    assert_eq!(list.len(), 1, "{:?}", list.iter().map(stringify).collect::<Vec<_>>());
    let p = &list[0];
    assert_eq!(get_str(p, "state"), "recorded");
    // The waveform so far was stored with it.
    let waveform: Vec<f64> = get(p, "waveform").unchecked_into::<Array>().iter().filter_map(|v| v.as_f64()).collect();
    assert!(!waveform.is_empty() && waveform.iter().all(|b| (0.0..=1.0).contains(b)), "{}", stringify(p));
    let duration = get_f64(p, "duration");
    assert!(duration >= recorded - 1.0 && duration <= recorded + 0.5, "stored {duration} s of {recorded} s");
    let blob: web_sys::Blob = ok(call(p, "blob")).await.unchecked_into();
    assert_eq!(blob.size(), get_f64(p, "size"));
    assert!(AudioFormat::from_mime(&blob.type_()).is_some(), "{}", blob.type_());
    // It plays, and the player knows how long it is (the WebM Duration was written).
    let played = ok(media_duration(&blob)).await.as_f64().unwrap();
    assert!(played.is_finite() && (played - duration).abs() < 0.6, "plays {played} s, stored {duration} s");
    let result = ok(call(p, "upload")).await;
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert!(pending(&sdk).await.is_empty(), "a confirmed upload is not pending");
    assert_eq!(ok(stored_chunks_js()).await.as_f64(), Some(0.0), "the confirmed audio is deleted");
}

#[wasm_bindgen_test]
async fn a_kept_recording_rebuilds_byte_identical_and_uploads_once() {
    clear_store().await;
    reset_dev().await;
    let sdk = new_sdk(&[]);
    let (rec, _probe, kept) = recorded(&sdk, 1.0).await;
    let blob: web_sys::Blob = get(&kept, "blob").unchecked_into();
    assert!(pending(&new_sdk(&[])).await.is_empty(), "its recorder still holds it");
    rec.destroy();
    let list = pending(&sdk).await;
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(get_f64(p, "size"), blob.size());
    assert_eq!(get_f64(p, "duration"), get_f64(&kept, "duration"));
    assert_eq!(get_str(p, "mimeType"), get_str(&kept, "mimeType"));
    assert_eq!(get_str(p, "format"), get_str(&kept, "format"));
    assert_eq!(stringify(&get(p, "waveform")), stringify(&get(&kept, "waveform")), "the waveform is kept with it");
    let rebuilt: web_sys::Blob = ok(call(p, "blob")).await.unchecked_into();
    assert_eq!(sha256(&rebuilt).await, sha256(&blob).await, "rebuilt from storage byte for byte");
    let results: Vec<JsValue> = ok(sdk.resume_pending()).await.unchecked_into::<Array>().to_vec();
    assert_eq!(results.len(), 1);
    assert_eq!(stored_sha(&results[0]).await, sha256(&blob).await);
    assert!(pending(&sdk).await.is_empty());
    assert_eq!(log_of("upload").await.len(), 1);
}

#[wasm_bindgen_test]
async fn cancel_deletes_what_was_stored_and_persist_false_stores_nothing() {
    clear_store().await;
    let sdk = new_sdk(&[]);
    let probe = local(&[]);
    let rec = started(&sdk, &probe);
    ok(rec.start()).await;
    probe.until_recorded(0.8).await;
    assert_eq!(stored_rows().await.len(), 1);
    ok(rec.cancel()).await;
    let off = new_sdk(&[("persist", JsValue::FALSE)]);
    let (rec, _probe, _) = recorded(&off, 0.8).await;
    rec.destroy();
    assert!(stored_rows().await.is_empty(), "{:?}", stored_rows().await.iter().map(stringify).collect::<Vec<_>>());
    assert_eq!(ok(stored_chunks_js()).await.as_f64(), Some(0.0));
    // A retake replaces a recording that was never sent: it is not left behind either.
    let (rec, probe, _) = recorded(&sdk, 0.5).await;
    probe.progress.borrow_mut().clear();
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    ok(rec.stop()).await;
    assert_eq!(stored_rows().await.len(), 1, "the first take is gone");
    ok(rec.cancel()).await;
}

#[wasm_bindgen_test]
async fn without_storage_recording_goes_on_and_the_app_is_told_once() {
    clear_store().await;
    break_storage();
    let sdk = new_sdk(&[]);
    let (rec, probe, kept) = recorded(&sdk, 0.8).await;
    let (again, second, _) = recorded(&sdk, 0.8).await;
    restore_storage();
    assert!(get_f64(&kept, "size") > 0.0, "the recording is kept in memory");
    let notices: Vec<JsValue> = probe.errors.borrow().iter().chain(second.errors.borrow().iter()).cloned().collect();
    assert_eq!(notices.len(), 1, "{:?}", notices.iter().map(stringify).collect::<Vec<_>>());
    assert_eq!(get_str(&notices[0], "code"), "STORAGE_UNAVAILABLE");
    assert!(get_str(&notices[0], "userMessage").contains("keep this page open"));
    assert_eq!(rec.state(), "stopped");
    assert!(stored_rows().await.is_empty());
    rec.destroy();
    again.destroy();
}

#[wasm_bindgen_test]
async fn an_upload_after_storing_failed_writes_no_row_back() {
    clear_store().await;
    reset_dev().await;
    break_storage();
    let sdk = new_sdk(&[]);
    let (rec, probe, _) = recorded(&sdk, 0.5).await;
    restore_storage();
    assert_eq!(probe.errors.borrow().iter().map(|e| get_str(e, "code")).collect::<Vec<_>>(), ["STORAGE_UNAVAILABLE"]);
    ok(rec.upload()).await;
    assert_eq!(rec.state(), "uploaded");
    // The copy broke and its rows were removed: confirming the upload must not write one back.
    assert!(stored_rows().await.is_empty(), "{:?}", stored_rows().await.iter().map(stringify).collect::<Vec<_>>());
    rec.destroy();
}

#[wasm_bindgen_test]
async fn an_upload_waits_while_offline_and_goes_on_when_the_browser_is_back_online() {
    clear_store().await;
    reset_dev().await;
    // Every PUT fails until the network "comes back" below (probes while offline fail too).
    faults("storage", &format!("[{}]", vec![r#"{"kind":"drop"}"#; 30].join(","))).await;
    let sdk = new_sdk(&[]);
    let probe = Probe::new(&[]);
    let rec = started(&sdk, &probe);
    ok(rec.start()).await;
    probe.until_recorded(0.8).await;
    go_offline();
    let upload = rec.stop();
    probe.until_state("waiting", 20_000).await;
    assert_eq!(rec.state(), "waiting");
    assert!(rec.is_uploading(), "waiting is part of uploading");
    // The browser said it was offline: no retries were burnt in the meantime.
    let puts = log_of("storage").await.len();
    assert!(puts <= 3, "{puts} PUTs while offline");
    dev("DELETE", "/__dev/faults", JsValue::NULL).await;
    go_online();
    let result = ok(upload).await;
    let states = probe.states.borrow().clone();
    assert_eq!(&states[states.len() - 4..], ["uploading", "waiting", "uploading", "uploaded"], "{states:?}");
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
    let blob: web_sys::Blob = get(&rec.recording(), "blob").unchecked_into();
    assert_eq!(stored_sha(&result).await, sha256(&blob).await);
    assert_eq!(log_of("upload").await.len(), 1, "the presign was reused, not asked again");
}

#[wasm_bindgen_test]
async fn the_offline_budget_ends_the_wait_and_keeps_the_recording() {
    clear_store().await;
    reset_dev().await;
    faults("storage", &format!("[{}]", vec![r#"{"kind":"drop"}"#; 60].join(","))).await;
    let sdk = new_sdk(&[("offlineWaitMs", 1500.into()), ("retries", 0.into())]);
    let probe = Probe::new(&[]);
    let rec = started(&sdk, &probe);
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    let err = rejection(rec.stop()).await;
    assert_eq!(get_str(&err, "code"), "NETWORK_ERROR");
    assert!(probe.states.borrow().contains(&"waiting".to_string()), "{:?}", probe.states.borrow());
    assert_eq!(rec.state(), "error");
    assert!(!rec.recording().is_null());
    dev("DELETE", "/__dev/faults", JsValue::NULL).await;
    let result = ok(rec.upload()).await;
    assert_eq!(get_str(&result, "upload_type"), "single");
    assert!(pending(&sdk).await.is_empty());
}

#[wasm_bindgen_test]
async fn two_sdks_resuming_the_same_recording_upload_it_once() {
    clear_store().await;
    reset_dev().await;
    let first = new_sdk(&[]);
    let (rec, _probe, _) = recorded(&first, 0.8).await;
    rec.destroy();
    let second = new_sdk(&[]);
    let (a, b) = futures::join!(ok(first.resume_pending()), ok(second.resume_pending()));
    let results: Vec<JsValue> = [a, b].iter().flat_map(|r| r.clone().unchecked_into::<Array>().to_vec()).collect();
    assert!(!results.is_empty());
    let ids: Vec<String> = results.iter().map(|r| get_str(r, "voicenote_id")).collect();
    assert!(ids.iter().all(|id| !id.is_empty() && *id == ids[0]), "{:?}", results.iter().map(stringify).collect::<Vec<_>>());
    let presigns: Vec<JsValue> = log_of("upload").await;
    assert_eq!(presigns.len(), 1, "exactly one upload");
    assert_eq!(log_of("storage").await.len(), 1);
    assert!(pending(&second).await.is_empty());
}

#[wasm_bindgen_test]
async fn resume_on_init_uploads_what_was_pending() {
    clear_store().await;
    reset_dev().await;
    let sdk = new_sdk(&[]);
    let (rec, _probe, _) = recorded(&sdk, 0.8).await;
    rec.destroy();
    let later = new_sdk(&[("resumeOnInit", JsValue::TRUE)]);
    ok(later.init()).await;
    // The upload runs in the background: wait for its result in the server's store.
    let mut tries = 0;
    loop {
        let done = log_of("storage").await.iter().any(|e| get_f64(e, "status") == 200.0);
        if done && pending(&sdk).await.is_empty() {
            break;
        }
        tries += 1;
        assert!(tries < 200, "the pending recording was not uploaded after init()");
        sleep_ms(50).await;
    }
    assert_eq!(log_of("upload").await.len(), 1);
}

struct Quiet;
impl UploadObserver for Quiet {
    fn progress(&self, _: f64) {}
}

#[wasm_bindgen_test]
async fn an_interrupted_multipart_upload_resumes_with_only_the_missing_parts() {
    reset_dev().await;
    let size = 12_000_000.0;
    let blob = make_blob(size, "audio/webm");
    let spec = UploadSpec { format: AudioFormat::Webm, size: size as u64, duration_secs: 30.0, bits_per_second: 32_000, created_at_ms: js_sys::Date::now() };
    let ctx = context(|c| {
        c.retries = 0;
        c.offline_wait_ms = 0.0;
        c.timeout_ms = 10_000.0;
    });
    let controller = web_sys::AbortController::new().unwrap();
    // The first part to arrive lands; the other two are cut off later, so it finishes first.
    // (More drops than parts: a browser may resend an idempotent PUT whose connection died.)
    let drops = [r#"{"kind":"drop","delay_ms":2000}"#; 8].join(",");
    faults("storage", &format!(r#"[{{"kind":"pass"}},{drops}]"#)).await;
    let journal = Rc::new(Journal::new(UploadJournal::default(), None));
    let first = upload_resumable(&ctx, &blob, "audio/webm", &spec, &controller.signal(), Rc::new(Quiet), &journal).await;
    assert_eq!(first.unwrap_err().code.name(), "NETWORK_ERROR");
    let done = journal.snapshot().done;
    assert_eq!(done.len(), 1, "one part landed before the others were cut off: {done:?}");
    dev("DELETE", "/__dev/faults", JsValue::NULL).await;
    dev("DELETE", "/__dev/log", JsValue::NULL).await;
    let result = upload_resumable(&ctx, &blob, "audio/webm", &spec, &controller.signal(), Rc::new(Quiet), &journal).await.unwrap();
    assert!(result.multipart);
    assert!(log_of("upload").await.is_empty(), "the presign was reused");
    let parts: Vec<f64> = log_of("storage").await.iter().filter(|e| get_f64(e, "status") == 200.0).map(|e| get_f64(e, "part_number")).collect();
    assert_eq!(parts.len(), 2, "only the missing parts were sent: {parts:?}");
    assert!(!parts.contains(&f64::from(done[0])));
    assert_eq!(stored_sha(&result).await, sha256(&blob).await, "byte-identical");
}

#[wasm_bindgen_test]
async fn going_offline_abandons_the_request_in_flight_at_once() {
    clear_store().await;
    reset_dev().await;
    // The PUT is never answered: only the browser's `offline` event can end it before the
    // 30 s stall detector does.
    faults("storage", r#"[{"kind":"stall"}]"#).await;
    let sdk = new_sdk(&[]);
    let probe = Probe::new(&[]);
    let rec = started(&sdk, &probe);
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    let upload = rec.stop();
    let mut tries = 0;
    while log_of("storage").await.is_empty() {
        tries += 1;
        assert!(tries < 200, "the PUT never started");
        sleep_ms(25).await;
    }
    go_offline();
    probe.until_state("waiting", 10_000).await;
    go_online();
    let result = ok(upload).await;
    assert_eq!(get_str(&result, "upload_type"), "single");
    let puts = log_of("storage").await;
    assert_eq!(puts.len(), 2, "the stalled PUT, then the one that landed");
    assert_eq!(get_f64(&puts[0], "status"), 0.0, "the stalled PUT was never answered");
    assert_eq!(get_f64(&puts[1], "status"), 200.0);
}
