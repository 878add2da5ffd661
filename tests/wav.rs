//! The WAV path (the microphone through Web Audio into the WAV encoder's own wasm on the audio
//! thread) in a real browser. WebKit takes it by default; Chromium and Firefox on request. Firefox
//! needs an audio server for Web Audio to run (scripts/test.sh starts a null PulseAudio sink for
//! this suite only). The add-on's files come from `support::ASSETS_URL` (built by scripts/test.sh).

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use vocafuse_wasm::core::wav::WavStream;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen(inline_js = r#"
let hidden = null;
// As in a browser without AudioWorklet: the SDK falls back to a ScriptProcessor.
export function hideAudioWorklet() {
  if (!hidden) hidden = Object.getOwnPropertyDescriptor(window, 'AudioWorkletNode');
  delete window.AudioWorkletNode;
}
export function restoreAudioWorklet() {
  if (hidden) Object.defineProperty(window, 'AudioWorkletNode', hidden);
  hidden = null;
}
// The shipped add-on's encoder, driven as the worklet drives it: `input` in 128-sample quanta.
export async function encodeWithAddOn(assets, view, rate) {
  // `view` looks into the test's wasm memory, valid only during this call: copied before any await.
  const input = view.slice();
  const { WavEncoder } = await import(assets + 'vocafuse-capture-worklet.js');
  const bytes = await (await fetch(assets + 'vocafuse_wav.wasm')).arrayBuffer();
  const { instance } = await WebAssembly.instantiate(bytes);
  const blocks = [];
  const encoder = new WavEncoder(instance, rate, (b) => blocks.push(b));
  for (let at = 0; at < input.length; at += 128) encoder.push(input.subarray(at, at + 128));
  blocks.push(encoder.finish());
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return { bytes: out, blockSizes: blocks.map((b) => b.length) };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = hideAudioWorklet)]
    fn hide_audio_worklet();
    #[wasm_bindgen(js_name = restoreAudioWorklet)]
    fn restore_audio_worklet();
    #[wasm_bindgen(js_name = encodeWithAddOn)]
    fn encode_with_add_on(assets: &str, input: &[f32], rate: u32) -> js_sys::Promise;
}

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

#[wasm_bindgen_test]
async fn the_add_on_encodes_exactly_as_the_shared_encoder() {
    for rate in [48_000, 44_100] {
        let input: Vec<f32> = (0..rate as usize * 3 / 2).map(|n| (n as f32 * 0.0571).sin() * 0.8).collect();
        let encoded = ok(encode_with_add_on(ASSETS_URL, &input, rate)).await;
        let bytes = js_sys::Uint8Array::new(&get(&encoded, "bytes")).to_vec();
        let mut stream = WavStream::new(rate).unwrap();
        let mut want = Vec::new();
        for quantum in input.chunks(128) {
            stream.push_into(quantum, &mut want);
        }
        stream.finish_into(&mut want);
        assert_eq!(bytes.len(), want.len(), "{rate} Hz");
        assert!(bytes == want, "{rate} Hz: the worklet's wasm and the SDK's encoder differ");
        let sizes = js_sys::Array::from(&get(&encoded, "blockSizes"));
        assert!(sizes.iter().rev().skip(1).all(|n| n.as_f64() == Some(4096.0)), "{rate} Hz: blocks of 4096 bytes, then the tail");
    }
}

#[wasm_bindgen_test]
async fn without_audio_worklet_the_script_processor_runs_the_same_encoder() {
    spy_on_microphone();
    hide_audio_worklet();
    let probe = local(&[("format", "wav".into())]);
    let rec = recorder(&probe);
    let started = wasm_bindgen_futures::JsFuture::from(rec.start()).await;
    restore_audio_worklet();
    started.unwrap_or_else(|e| panic!("start: {}", stringify(&e)));
    sleep_ms(1500).await; // the recording's length is what is checked
    let result = ok(rec.stop()).await;
    let info = ok(wav_info(&get(&result, "blob"))).await;
    assert_eq!(get_f64(&info, "rate"), 16000.0);
    assert_eq!(get_f64(&info, "dataBytes"), get_f64(&result, "size") - 44.0);
    let (recorded, decoded) = (get_f64(&result, "duration"), get_f64(&info, "decodedSeconds"));
    assert!((1.3..1.9).contains(&recorded), "recorded {recorded} s");
    assert!((decoded - recorded).abs() < 0.2, "decoded {decoded} s vs recorded {recorded} s");
    assert!(get_f64(&info, "peak") > 0.01, "the fake microphone's signal is missing");
    assert_eq!(live_tracks(), 0);
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
}

#[wasm_bindgen_test]
async fn add_on_files_that_are_not_there_fail_the_start_and_say_where_they_were_looked_for() {
    spy_on_microphone();
    let probe = local(&[("format", "wav".into())]);
    let sdk =
        vocafuse_wasm::facade::VocaFuseSdk::new(obj(&[("tokenEndpoint", "http://127.0.0.1:9/token".into()), ("assetsUrl", "/no-such-folder".into())])).unwrap();
    let rec = sdk.create_recorder(probe.options.clone()).unwrap();
    let err = rejection(rec.start()).await;
    assert_eq!(get_str(&err, "code"), "RECORDING_FAILED");
    let message = get_str(&err, "message");
    assert!(message.contains("/no-such-folder/vocafuse") && message.contains("assetsUrl"), "{message}");
    assert_eq!(live_tracks(), 0);
    assert_eq!(probe.error_codes(), ["RECORDING_FAILED"]);
}
