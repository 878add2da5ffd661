//! Measurements, not tests (scripts/bench.sh): what persisting costs while recording. Main-thread
//! time is the time spent in event listeners and IndexedDB callbacks, plus the synchronous
//! IndexedDB calls, during a recording with `persist` on, minus the same without it. Storage is
//! `navigator.storage.estimate()` before and after a recording is stored. Nothing is asserted.

#![cfg(target_arch = "wasm32")]

mod measure;
#[path = "../../tests/support/mod.rs"]
mod support;

use measure::*;
use support::*;
use vocafuse_wasm::facade::VocaFuseSdk;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Records `seconds` and returns (main-thread ms in listeners and IndexedDB work, recorded
/// seconds, the recording's size). The recorder is destroyed, so a stored copy stays stored.
async fn record(persist: bool, format: &str, seconds: u32) -> (f64, f64, f64) {
    let sdk = VocaFuseSdk::new(obj(&[("tokenEndpoint", "http://127.0.0.1:9/t".into()), ("persist", persist.into())])).unwrap();
    let probe = Probe::new(&[("autoUpload", JsValue::FALSE), ("format", format.into())]);
    let rec = sdk.create_recorder(probe.options.clone()).unwrap();
    let before = busy_ms();
    ok(rec.start()).await;
    sleep_ms(seconds * 1000).await; // the recording's length is the measurement
    let r = ok(rec.stop()).await;
    // The stored copy's last writes land after stop(): wait for them to be counted.
    sleep_ms(500).await;
    let busy = busy_ms() - before;
    rec.destroy();
    (busy, get_f64(&r, "duration"), get_f64(&r, "size"))
}

#[wasm_bindgen_test]
async fn persisting_costs() {
    instrument();
    let b = browser();
    // Firefox's WAV path needs an audio server, which its MediaRecorder cannot run beside here.
    let formats: &[&str] = if b == "firefox" { &["webm"] } else { &["webm", "wav"] };
    for format in formats {
        for run in 0..2 {
            let (off, secs_off, _) = record(false, format, 10).await;
            let (on, secs_on, size) = record(true, format, 10).await;
            let (off_ps, on_ps) = (off / secs_off, on / secs_on);
            report(&format!(
                "{{\"bench\":\"persist_main_thread\",\"browser\":\"{b}\",\"format\":\"{format}\",\"run\":{run},\"ms_per_s_without\":{off_ps:.3},\"ms_per_s_with\":{on_ps:.3},\"extra_ms_per_s\":{:.3},\"bytes\":{size}}}",
                on_ps - off_ps
            ));
        }
    }
}

#[wasm_bindgen_test]
async fn storage_per_minute() {
    let b = browser();
    let formats: &[&str] = if b == "firefox" { &["webm"] } else { &["webm", "wav"] };
    for format in formats {
        let before = ok(usage()).await.as_f64().unwrap_or(f64::NAN);
        let (_, secs, size) = record(true, format, 15).await;
        let after = ok(usage()).await.as_f64().unwrap_or(f64::NAN);
        let per_min = (after - before) / secs * 60.0;
        let data_per_min = size / secs * 60.0;
        report(&format!(
            "{{\"bench\":\"storage_per_minute\",\"browser\":\"{b}\",\"format\":\"{format}\",\"estimate_bytes_per_minute\":{per_min:.0},\"recording_bytes_per_minute\":{data_per_min:.0}}}"
        ));
    }
}
