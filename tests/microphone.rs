//! The microphone watched while it records, and the choices about it (issue "Never a silent
//! recording"), with a microphone the test controls: an oscillator or silence through Web
//! Audio, handed out by a stubbed getUserMedia. Chromium, Firefox and WebKitGTK.

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn silence_at_the_start_and_midway_is_reported_and_sound_ends_it() {
    controlled_microphone(false).await;
    let probe = local(&[("silenceTimeout", 600.into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until("the first NO_AUDIO_INPUT", 10_000, |p| p.errors.borrow().len() == 1).await;
    assert_eq!(get_str(&probe.last_details(), "reason"), "silent");
    assert!(get_f64(&probe.last_details(), "seconds") >= 0.6);
    assert_eq!(rec.input_status(), "silent");
    set_sound(true);
    poll_until("sound to end the stretch", 10_000, || rec.input_status() == "ok").await;
    set_sound(false);
    probe.until("the second NO_AUDIO_INPUT", 10_000, |p| p.errors.borrow().len() == 2).await;
    assert_eq!(probe.error_codes(), ["NO_AUDIO_INPUT", "NO_AUDIO_INPUT"]);
    assert_eq!(rec.state(), "recording");
    ok(rec.cancel()).await; // the notices are under test, not the take
    release_controlled_microphone();

    // silenceTimeout: 0 turns the check off.
    controlled_microphone(false).await;
    let probe = local(&[("silenceTimeout", 0.into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_recorded(1.2).await;
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
    assert_eq!(rec.input_status(), "ok");
    ok(rec.cancel()).await; // the notices are under test, not the take
    release_controlled_microphone();
}

#[wasm_bindgen_test]
async fn microphones_are_listed_before_and_after_permission_and_changes_are_heard() {
    // Before permission browsers hide labels (and Chromium the ids too).
    stub_devices(Some(r#"[{"kind":"audioinput","deviceId":"","label":"","groupId":""},{"kind":"videoinput","deviceId":"","label":"","groupId":""}]"#.into()));
    let sdk = sdk();
    let before = ok(sdk.list_microphones()).await;
    assert_eq!(stringify(&before), r#"[{"deviceId":"","label":"","isDefault":true}]"#);
    stub_devices(Some(
        r#"[{"kind":"audioinput","deviceId":"default","label":"Default - USB","groupId":"g"},{"kind":"audioinput","deviceId":"usb","label":"USB","groupId":"g"},{"kind":"audiooutput","deviceId":"out","label":"Speakers","groupId":"h"}]"#.into(),
    ));
    let after = ok(sdk.list_microphones()).await;
    assert_eq!(stringify(&after), r#"[{"deviceId":"default","label":"Default - USB","isDefault":true},{"deviceId":"usb","label":"USB","isDefault":false}]"#);

    // The browser's own list, once the microphone was granted: real ids.
    stub_devices(None);
    spy_on_microphone();
    let rec = recorder(&local(&[]));
    ok(rec.start()).await;
    let real: js_sys::Array = ok(sdk.list_microphones()).await.into();
    ok(rec.cancel()).await;
    assert!(real.length() >= 1, "a fake microphone is listed");
    assert!(real.iter().all(|m| !get_str(&m, "deviceId").is_empty()), "{}", stringify(&real));
    assert_eq!(real.iter().filter(|m| get(m, "isDefault") == JsValue::TRUE).count(), 1);

    // devicechange, until unsubscribed.
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::<JsValue>::new()));
    let h = heard.clone();
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |list| h.borrow_mut().push(list));
    let unsubscribe: js_sys::Function = sdk.on_microphones_change(callback.as_ref().clone().into()).into();
    fire_device_change();
    poll_until("onMicrophonesChange", 5_000, || heard.borrow().len() == 1).await;
    assert!(js_sys::Array::is_array(&heard.borrow()[0]));
    unsubscribe.call0(&JsValue::NULL).unwrap();
    fire_device_change();
    let list = ok(sdk.list_microphones()).await; // a round trip through the same queue
    assert!(js_sys::Array::is_array(&list));
    assert_eq!(heard.borrow().len(), 1, "nothing after unsubscribing");
}

#[wasm_bindgen_test]
async fn the_chosen_device_and_audio_options_reach_get_user_media() {
    controlled_microphone(true).await;
    let audio =
        obj(&[("echoCancellation", JsValue::FALSE), ("noiseSuppression", JsValue::FALSE), ("autoGainControl", JsValue::FALSE), ("channelCount", 2.into())]);
    // WAV: the take is kept in every engine (Firefox's MediaRecorder stalls beside the null
    // audio server its Web Audio needs, which the controlled microphone uses).
    let probe = local(&[("audio", audio), ("format", "wav".into())]);
    let rec = recorder(&probe);
    rec.set_device(Some("mic-2".into())).unwrap();
    ok(rec.start()).await;
    let asked = js_sys::JSON::parse(&last_constraints()).unwrap();
    let audio = get(&asked, "audio");
    assert_eq!(get_str(&get(&audio, "deviceId"), "exact"), "mic-2");
    for key in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
        assert_eq!(get(&audio, key), JsValue::FALSE, "{key}");
    }
    assert_eq!(get_f64(&audio, "channelCount"), 2.0);
    assert_eq!(get_str(&rec.set_device(None).unwrap_err(), "code"), "INVALID_STATE", "not while recording");
    sleep_ms(300).await; // something to keep
    let kept = ok(rec.stop()).await;
    assert!(get(&kept, "settings").is_object(), "recording.settings: {}", stringify(&kept));
    // Back to the browser's default, with the default processing.
    rec.set_device(None).unwrap();
    let rec = recorder(&local(&[]));
    ok(rec.start()).await;
    let audio = get(&js_sys::JSON::parse(&last_constraints()).unwrap(), "audio");
    assert!(get(&audio, "deviceId").is_undefined());
    assert_eq!(get(&audio, "echoCancellation"), JsValue::TRUE);
    assert_eq!(get_f64(&audio, "channelCount"), 1.0);
    ok(rec.cancel()).await;
    release_controlled_microphone();
}

#[wasm_bindgen_test]
async fn web_audio_starts_inside_start_before_the_browser_answers() {
    // Safari lets Web Audio start only in the click that called start(), before any await.
    hang_microphone();
    count_audio_contexts();
    let probe = local(&[]);
    let rec = recorder(&probe);
    let pending = rec.start();
    assert_eq!(audio_contexts_created(), 1, "created and resumed synchronously inside start()");
    ok(rec.cancel()).await;
    assert_eq!(get_str(&rejection(pending).await, "code"), "ABORTED");
    restore_browser();
}

/// The bars of a recording's `waveform`.
fn waveform_of(recording: &JsValue) -> Vec<f64> {
    let waveform = get(recording, "waveform");
    assert!(js_sys::Array::is_array(&waveform), "a plain array: {}", stringify(recording));
    waveform.unchecked_into::<js_sys::Array>().iter().map(|b| b.as_f64().expect("a number")).collect()
}

fn firefox() -> bool {
    web_sys::window().and_then(|w| w.navigator().user_agent().ok()).is_some_and(|ua| ua.contains("Firefox"))
}

#[wasm_bindgen_test]
async fn the_waveform_follows_the_audio_low_in_the_gaps_high_in_the_tone() {
    // WAV in every engine; the browser's own format where its MediaRecorder runs beside the
    // controlled microphone (Firefox's stalls beside the null audio server it needs).
    let formats: &[Option<&str>] = if firefox() { &[Some("wav")] } else { &[Some("wav"), None] };
    for format in formats {
        controlled_microphone(true).await;
        let mut options = vec![("silenceTimeout", 0.into())];
        options.extend(format.map(|f| ("format", f.into())));
        let probe = local(&options);
        let rec = recorder(&probe);
        ok(rec.start()).await;
        // From about the take's start: 1 s of tone, 1 s of silence, tone again until stop().
        schedule_sound("[[1,false],[2,true]]");
        probe.until_recorded(3.5).await;
        let kept = ok(rec.stop()).await;
        release_controlled_microphone();
        let bars = waveform_of(&kept);
        let what = format!("{format:?} ({}): {bars:?}", get_str(&kept, "mimeType"));
        assert_eq!(bars.len(), 100, "{what}");
        assert!(bars.iter().all(|b| (0.0..=1.0).contains(b)), "{what}");
        // The take lasts a little over 3.5 s: bars 29 to 57 are the gap. The margins allow for
        // the audio's way between two AudioContexts (in Firefox the tone comes back ~0.4 s late).
        assert!(bars[36..52].iter().all(|b| *b < 0.1), "low in the gap: {what}");
        assert!(bars[4..24].iter().chain(&bars[86..98]).all(|b| *b > 0.5), "high in the tone: {what}");
        assert_eq!(waveform_of(&rec.recording()), bars, "recorder.recording has it too");
    }
}

#[wasm_bindgen_test]
async fn stop_on_silence_ends_the_take_after_speech_and_not_before() {
    // Tone, then silence: 0.8 s of it ends the take by itself.
    controlled_microphone(true).await;
    let probe = local(&[("stopOnSilence", 0.8.into()), ("silenceTimeout", 0.into()), ("format", "wav".into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    schedule_sound("[[1,false]]");
    probe.until_state("stopped", 10_000).await;
    let kept = rec.recording();
    let duration = get_f64(&kept, "duration");
    assert!((1.7..3.0).contains(&duration), "1 s of tone, then 0.8 s of silence: {duration} s");
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
    release_controlled_microphone();

    // Silence from the start: no speech was heard, so nothing ends the take.
    controlled_microphone(false).await;
    let probe = local(&[("stopOnSilence", 0.3.into()), ("silenceTimeout", 0.into()), ("format", "wav".into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_recorded(1.5).await;
    assert_eq!(rec.state(), "recording");
    ok(rec.cancel()).await;
    release_controlled_microphone();

    // Not a number of seconds above 0: INVALID_CONFIG.
    for bad in [JsValue::from(0), JsValue::from(-1), JsValue::from("2"), JsValue::from(f64::NAN)] {
        let options = obj(&[("stopOnSilence", bad.clone())]);
        let err = sdk().create_recorder(options).expect_err("refused");
        assert_eq!(get_str(&err, "code"), "INVALID_CONFIG", "{bad:?}");
    }
}
