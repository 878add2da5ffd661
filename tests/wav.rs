//! The WAV path (PCM through Web Audio, resampled and encoded in Rust) in a real browser. WebKit
//! takes it by default; Chromium and Firefox on request. Firefox needs an audio server for Web
//! Audio to run (scripts/test.sh starts a null PulseAudio sink for this suite only).

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_wav_path_records_16_khz_mono_pcm_of_the_microphone() {
    spy_on_microphone();
    let probe = local(&[("format", "wav".into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    sleep_ms(2000).await; // the recording's length is what is checked
    rec.pause().unwrap();
    sleep_ms(500).await; // paused time must not reach the file
    rec.resume().unwrap();
    sleep_ms(500).await;
    let result = ok(rec.stop()).await;
    assert_eq!(get_str(&result, "format"), "wav");
    assert_eq!(get_str(&result, "mimeType"), "audio/wav");
    let blob = get(&result, "blob");
    let info = ok(wav_info(&blob)).await;
    assert_eq!((get_str(&info, "riff"), get_str(&info, "wave")), ("RIFF".to_string(), "WAVE".to_string()));
    assert_eq!(get_f64(&info, "format"), 1.0, "PCM");
    assert_eq!(get_f64(&info, "channels"), 1.0);
    assert_eq!(get_f64(&info, "rate"), 16000.0);
    assert_eq!(get_f64(&info, "bits"), 16.0);
    let size = get_f64(&info, "size");
    assert_eq!(size, get_f64(&result, "size"));
    assert_eq!(get_f64(&info, "dataBytes"), size - 44.0, "the header counts exactly the data kept");
    assert_eq!(get_f64(&info, "riffSize"), size - 8.0);
    let recorded = get_f64(&result, "duration");
    assert!((2.3..2.9).contains(&recorded), "recorded {recorded} s, excluding the pause");
    let decoded = get_f64(&info, "decodedSeconds");
    assert!((decoded - recorded).abs() < 0.15, "decoded {decoded} s vs recorded {recorded} s");
    assert!(get_f64(&info, "peak") > 0.01, "the fake microphone's signal is missing: peak {}", get_f64(&info, "peak"));
    assert_eq!(live_tracks(), 0);
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
}

#[wasm_bindgen_test]
async fn the_wav_path_stops_before_the_size_limit() {
    spy_on_microphone();
    let max = 20_000.0; // 16 kHz * 2 bytes: about 0.6 s
    let probe = local(&[("format", "wav".into()), ("maxFileSize", max.into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_state("stopped", 10_000).await;
    assert_eq!(probe.error_codes(), ["FILE_SIZE_EXCEEDED"]);
    let kept = rec.recording();
    let size = get_f64(&kept, "size");
    assert!(size > 10_000.0 && size <= max, "kept {size} bytes");
    let info = ok(wav_info(&get(&kept, "blob"))).await;
    assert_eq!(get_f64(&info, "dataBytes"), size - 44.0);
    assert_eq!(live_tracks(), 0);
}
