//! WAV-path measurements (run by scripts/bench.sh; Firefox with a null audio sink): the encoder
//! as the main thread ran it before (in the page's wasm), the add-on as the audio thread runs it
//! now (time per render quantum against its budget), and a 60 s recording of a known tone (its
//! length, its SNR second by second, the main thread's time per recorded second, wasm memory).

#![cfg(target_arch = "wasm32")]

mod measure;
#[path = "../../tests/support/mod.rs"]
mod support;

use measure::*;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn wav_encoder_throughput_in_the_browser() {
    use vocafuse_wasm::core::wav::WavStream;
    let b = browser();
    // 60 s of a 440 Hz tone at 48 kHz, in the worklet's 512-sample blocks.
    let block: Vec<f32> = (0..512).map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin() * 0.5).collect();
    let blocks = 60 * 48_000 / 512;
    // The first pass runs before the engine has optimised the hot loop (V8 and SpiderMonkey start
    // wasm in a baseline tier and recompile hot code in the background): in Chromium here it took
    // twice as long as the passes after it. A recording runs for many seconds, so the steady state
    // is the figure, the best of eight passes; the first pass and every pass are reported too.
    let mut passes = Vec::new();
    for _ in 0..8 {
        let mut stream = WavStream::new(48_000).unwrap();
        let t0 = now();
        let mut bytes = 0usize;
        for _ in 0..blocks {
            bytes += stream.push(&block).len();
        }
        bytes += stream.finish().0.len();
        passes.push(now() - t0);
        assert!(bytes > 1_900_000);
    }
    let (first, best) = (passes[0], passes.iter().copied().fold(f64::MAX, f64::min));
    report(&format!(
        "{{\"bench\":\"wav_encoder\",\"browser\":\"{b}\",\"input_rate\":48000,\"seconds_of_audio\":60,\"ms\":{best:.1},\"times_real_time\":{:.0},\"first_pass_ms\":{first:.1},\"first_pass_times_real_time\":{:.0},\"passes_ms\":[{}]}}",
        60_000.0 / best,
        60_000.0 / first,
        passes.iter().map(|p| format!("{p:.1}")).collect::<Vec<_>>().join(",")
    ));
    // Before the add-on the main thread did exactly this, block by block, while recording.
    report(&format!(
        "{{\"bench\":\"wav_main_thread_before\",\"browser\":\"{b}\",\"ms_per_recorded_second\":{:.3},\"first_pass_ms_per_recorded_second\":{:.3}}}",
        best / 60.0,
        first / 60.0
    ));
}

#[wasm_bindgen_test]
async fn wav_add_on_per_render_quantum() {
    let b = browser();
    let (rate, seconds, passes) = (48_000, 60, 8);
    let times: Vec<f64> = js_sys::Array::from(&ok(add_on_passes(ASSETS_URL, rate, seconds, passes)).await).iter().map(|t| t.as_f64().unwrap()).collect();
    let fill = fill_passes(rate, seconds, passes).iter().map(|t| t.as_f64().unwrap()).fold(f64::MAX, f64::min);
    let best = times.iter().copied().fold(f64::MAX, f64::min) - fill;
    let first = times[0] - fill;
    let quanta = f64::from(rate * seconds / 128);
    let budget_us = 128.0 / f64::from(rate) * 1e6;
    report(&format!(
        "{{\"bench\":\"wav_add_on\",\"browser\":\"{b}\",\"input_rate\":{rate},\"seconds_of_audio\":{seconds},\"ms\":{best:.1},\"times_real_time\":{:.0},\"us_per_quantum\":{:.2},\"budget_us\":{budget_us:.0},\"budget_used_percent\":{:.2},\"first_pass_us_per_quantum\":{:.2},\"passes_ms\":[{}],\"fill_ms\":{fill:.1}}}",
        f64::from(seconds) * 1000.0 / best,
        best * 1000.0 / quanta,
        100.0 * best * 1000.0 / quanta / budget_us,
        first * 1000.0 / quanta,
        times.iter().map(|p| format!("{p:.1}")).collect::<Vec<_>>().join(",")
    ));
}

#[wasm_bindgen_test]
async fn a_60_second_wav_recording_of_a_known_tone() {
    set_memory(&wasm_bindgen::memory());
    let b = browser();
    let freq = 440.0;
    ok(tone_microphone(freq, 0.5)).await;
    time_capture_messages();
    let probe = Probe::new(&[("autoUpload", JsValue::FALSE), ("format", "wav".into()), ("maxDuration", 60.into())]);
    let rec = sdk().create_recorder(probe.options.clone()).unwrap();
    let before = memory_bytes();
    ok(rec.start()).await;
    probe.until_state("stopped", 70_000).await;
    let after = memory_bytes();
    stop_tone();
    let recording = rec.recording();
    let (size, duration) = (get_f64(&recording, "size"), get_f64(&recording, "duration"));
    let tone = ok(tone_report(&get(&recording, "blob"), freq)).await;
    let busy = capture_time();
    let (busy_ms, messages) = (busy.get(0).as_f64().unwrap(), busy.get(1).as_f64().unwrap());
    report(&format!(
        "{{\"bench\":\"wav_recording\",\"browser\":\"{b}\",\"seconds\":{duration},\"decoded_seconds\":{:.4},\"wav_bytes\":{size},\"expected_bytes\":{},\"tone_hz\":{freq},\"min_snr_db\":{:.1},\"median_snr_db\":{:.1},\"worst_second\":{},\"main_thread_ms\":{busy_ms:.2},\"main_thread_ms_per_recorded_second\":{:.4},\"messages\":{messages},\"wasm_memory_before\":{before},\"wasm_memory_after\":{after},\"growth\":{}}}",
        get_f64(&tone, "seconds"),
        44.0 + 32_000.0 * duration,
        get_f64(&tone, "minSnr"),
        get_f64(&tone, "medianSnr"),
        get_f64(&tone, "worstSecond"),
        busy_ms / duration,
        after - before
    ));
}
