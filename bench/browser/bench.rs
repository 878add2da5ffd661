//! Measurements, not tests: run by scripts/bench.sh, which collects the `BENCH` lines into
//! BENCHMARKS.md. Nothing here asserts a time.

#![cfg(target_arch = "wasm32")]

mod measure;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::rc::Rc;

use measure::*;
use support::*;
use vocafuse_wasm::core::format::AudioFormat;
use vocafuse_wasm::core::upload::UploadSpec;
use vocafuse_wasm::facade::VocaFuseSdk;
use vocafuse_wasm::web::upload::{upload_blob, UploadObserver};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn auto_stop_accuracy() {
    let b = browser();
    for run in 0..5 {
        let probe = Probe::new(&[("autoUpload", JsValue::FALSE), ("maxDuration", 2.into())]);
        let sdk = VocaFuseSdk::new(obj(&[("tokenEndpoint", "http://127.0.0.1:9/t".into())])).unwrap();
        let rec = sdk.create_recorder(probe.options.clone()).unwrap();
        ok(rec.start()).await;
        probe.until_state("stopped", 6000).await;
        let notice = probe.errors.borrow()[0].clone();
        let late_ms = (get_f64(&get(&notice, "details"), "actual_duration") - 2.0) * 1000.0;
        let decoded = ok(decoded_seconds(&get(&rec.recording(), "blob"))).await.as_f64().unwrap();
        report(&format!("{{\"bench\":\"auto_stop\",\"browser\":\"{b}\",\"run\":{run},\"timer_late_ms\":{late_ms:.1},\"decoded_s\":{decoded:.3}}}"));
    }
}

#[wasm_bindgen_test]
async fn bytes_per_minute_by_bitrate() {
    let b = browser();
    for bps in [16_000, 24_000, 32_000, 48_000, 64_000, 128_000] {
        let probe = Probe::new(&[("autoUpload", JsValue::FALSE), ("audioBitsPerSecond", bps.into())]);
        let sdk = VocaFuseSdk::new(obj(&[("tokenEndpoint", "http://127.0.0.1:9/t".into())])).unwrap();
        let rec = sdk.create_recorder(probe.options.clone()).unwrap();
        ok(rec.start()).await;
        sleep_ms(6000).await; // the recording's length is the measurement
        let r = ok(rec.stop()).await;
        let per_min = get_f64(&r, "size") / get_f64(&r, "duration") * 60.0;
        report(&format!(
            "{{\"bench\":\"bytes_per_minute\",\"browser\":\"{b}\",\"bps\":{bps},\"bytes_per_minute\":{per_min:.0},\"mime\":\"{}\"}}",
            get_str(&r, "mimeType")
        ));
    }
}

struct Quiet;
impl UploadObserver for Quiet {
    fn progress(&self, _: f64) {}
}

#[wasm_bindgen_test]
async fn upload_overhead_and_memory() {
    set_memory(&wasm_bindgen::memory());
    let b = browser();
    let ctx = context(|_| {});
    ctx.first_token(None).await.unwrap();
    for mb in [1u64, 5, 20] {
        let size = mb * 1_000_000;
        let blob = make_blob(size as f64, "audio/webm");
        let spec = UploadSpec { format: AudioFormat::Webm, size, duration_secs: 30.0, bits_per_second: 32_000, created_at_ms: js_sys::Date::now() };
        let mut sdk_ms = Vec::new();
        let mut bare_ms = Vec::new();
        let mut growth = 0.0f64;
        for _ in 0..3 {
            let before = memory_bytes();
            let controller = web_sys::AbortController::new().unwrap();
            let t0 = now();
            upload_blob(&ctx, &blob, "audio/webm", &spec, &controller.signal(), Rc::new(Quiet)).await.unwrap();
            sdk_ms.push(now() - t0);
            growth = growth.max(memory_bytes() - before);

            // The same bytes, PUT with bare fetch to URLs from the same server (presign untimed).
            let token = get(&get(&dev("POST", "/api/token", obj(&[])).await, "data"), "id_token");
            let grant = presign_raw(&token.as_string().unwrap(), size).await;
            let (urls, ranges) = (js_sys::Array::new(), js_sys::Array::new());
            let data = get(&grant, "data");
            let parts = get(&get(&data, "upload_info"), "parts");
            if parts.is_undefined() || parts.is_null() {
                urls.push(&get(&data, "presigned_url"));
                ranges.push(&js_sys::Array::of2(&0.into(), &((size - 1) as f64).into()));
            } else {
                for p in js_sys::Array::from(&parts).iter() {
                    urls.push(&get(&p, "presigned_url"));
                    ranges.push(&js_sys::Array::of2(&get(&p, "start_byte"), &get(&p, "end_byte")));
                }
            }
            bare_ms.push(ok(bare_put(&urls, &blob, &ranges)).await.as_f64().unwrap());
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            v[v.len() / 2]
        };
        let (s, r) = (median(&mut sdk_ms), median(&mut bare_ms));
        report(&format!(
            "{{\"bench\":\"upload_overhead\",\"browser\":\"{b}\",\"mb\":{mb},\"sdk_ms\":{s:.1},\"bare_fetch_ms\":{r:.1},\"ratio\":{:.3},\"wasm_memory_growth_bytes\":{growth}}}",
            s / r
        ));
    }
}

async fn presign_raw(token: &str, size: u64) -> JsValue {
    let body = format!(r#"{{"file_name":"bench.webm","file_size":{size},"audio_format":"webm","duration_seconds":30,"use_multipart":{}}}"#, size > 5_242_880);
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let headers = web_sys::Headers::new().unwrap();
    headers.set("Authorization", &format!("Bearer {token}")).unwrap();
    headers.set("Content-Type", "application/json").unwrap();
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(&format!("{DEV_API}/upload"), &init).unwrap();
    let resp: web_sys::Response = ok(web_sys::window().unwrap().fetch_with_request(&req)).await.unchecked_into();
    ok(resp.json().unwrap()).await
}
