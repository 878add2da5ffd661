//! Recording in a real browser with a fake microphone (Chromium and Firefox).

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use vocafuse_wasm::facade::{error_from_response, error_from_socket_message, VocaFuseSdk};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn records_two_seconds_of_an_accepted_format() {
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    assert!(sdk().is_voicenote_supported());
    ok(rec.start()).await;
    assert_eq!(rec.state(), "recording");
    assert!(rec.is_recording());
    assert_eq!(live_tracks(), 1, "one live microphone track while recording");
    sleep_ms(2000).await; // the recording's length is what is under test
    let result = ok(rec.stop()).await;
    let blob = get(&result, "blob");
    let size = get_f64(&result, "size");
    assert!(size > 1000.0, "size {size}");
    assert_eq!(get_f64(&blob, "size"), size);
    let format = get_str(&result, "format");
    assert!(["webm", "ogg", "wav"].contains(&format.as_str()), "format {format}");
    assert_eq!(format == "wav", !records_webm(), "WAV exactly where MediaRecorder has no webm (WebKit)");
    let mime = get_str(&result, "mimeType");
    assert!(mime.starts_with(&format!("audio/{format}")), "mime {mime}");
    assert_eq!(blob_type(&blob), mime);
    let duration = get_f64(&result, "duration");
    assert!((1.9..2.4).contains(&duration), "duration {duration}");
    assert_eq!(rec.duration(), duration);
    assert_eq!(rec.state(), "stopped");
    assert_eq!(*probe.states.borrow(), ["requesting", "recording", "stopped"]);
    assert!(probe.progress.borrow().len() >= 10, "progress ticks {}", probe.progress.borrow().len());
    assert!(probe.progress.borrow().windows(2).all(|w| w[0] <= w[1]));
    let levels = probe.levels.borrow();
    assert!(levels.len() >= 10 && levels.iter().all(|l| (0.0..=1.0).contains(l)));
    assert!(probe.errors.borrow().is_empty(), "{:?}", probe.error_codes());
    assert_eq!(live_tracks(), 0, "every track ended after stop()");
    assert!(!rec.recording().is_null());
}

#[wasm_bindgen_test]
async fn pause_and_resume_exclude_the_paused_time() {
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    sleep_ms(700).await;
    rec.pause().unwrap();
    assert_eq!(rec.state(), "paused");
    let at_pause = rec.duration();
    sleep_ms(1000).await;
    assert_eq!(rec.duration(), at_pause, "the clock stands still while paused");
    rec.resume().unwrap();
    sleep_ms(700).await;
    let result = ok(rec.stop()).await;
    let duration = get_f64(&result, "duration");
    assert!((1.3..1.8).contains(&duration), "duration {duration} should exclude the 1 s pause");
    assert_eq!(*probe.states.borrow(), ["requesting", "recording", "paused", "recording", "stopped"]);
    assert_eq!(live_tracks(), 0);
}

#[wasm_bindgen_test]
async fn max_duration_stops_by_itself_and_keeps_the_recording() {
    spy_on_microphone();
    let probe = local(&[("maxDuration", 2.into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_state("stopped", 5000).await;
    assert_eq!(probe.error_codes(), ["DURATION_EXCEEDED"]);
    let notice = probe.errors.borrow()[0].clone();
    assert!(is_vocafuse_error(&notice));
    let details = get(&notice, "details");
    assert_eq!(get_f64(&details, "max_duration"), 2.0);
    let actual = get_f64(&details, "actual_duration");
    assert!((2.0..2.1).contains(&actual), "stopped at {actual} s");
    assert!(!get_str(&notice, "userMessage").is_empty());
    assert_eq!(live_tracks(), 0);
    // stop() proceeds with what was kept.
    let result = ok(rec.stop()).await;
    let duration = get_f64(&result, "duration");
    assert!((2.0..2.1).contains(&duration), "duration {duration}");
    assert!(get_f64(&result, "size") > 0.0);
}

#[wasm_bindgen_test]
async fn max_file_size_stops_before_the_limit() {
    spy_on_microphone();
    let max = 6000.0;
    let probe = local(&[("maxFileSize", max.into()), ("audioBitsPerSecond", 32000.into())]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_state("stopped", 10_000).await;
    assert_eq!(probe.error_codes(), ["FILE_SIZE_EXCEEDED"]);
    let details = get(&probe.errors.borrow()[0], "details");
    assert_eq!(get_f64(&details, "max_size"), max);
    assert!(get_f64(&details, "actual_size") <= max);
    let kept = rec.recording();
    let size = get_f64(&kept, "size");
    assert!(size > 0.0 && size <= max, "kept {size} bytes");
    assert_eq!(get_f64(&get(&kept, "blob"), "size"), size);
    assert_eq!(live_tracks(), 0);
}

#[wasm_bindgen_test]
async fn refused_microphones_map_to_documented_codes() {
    for (name, code) in [("NotAllowedError", "PERMISSION_DENIED"), ("NotFoundError", "MICROPHONE_NOT_FOUND"), ("NotReadableError", "MICROPHONE_UNAVAILABLE")] {
        refuse_microphone(name);
        let probe = local(&[]);
        let rec = recorder(&probe);
        let err = rejection(rec.start()).await;
        restore_browser();
        assert!(is_vocafuse_error(&err), "{name}: not a VocaFuseError: {}", stringify(&err));
        assert_eq!(get_str(&err, "code"), code);
        assert!(get_str(&err, "message").contains(name));
        assert!(!get_str(&err, "userMessage").is_empty());
        assert_eq!(get(&err, "retryable"), JsValue::FALSE);
        assert!(get_f64(&err, "timestamp") > 1.6e12);
        assert_eq!(probe.error_codes(), [code], "onError got the same error");
        assert_eq!(rec.state(), "error");
        assert_eq!(*probe.states.borrow(), ["requesting", "error"]);
    }
}

#[wasm_bindgen_test]
async fn every_way_out_ends_every_track() {
    // stop
    spy_on_microphone();
    let rec = recorder(&local(&[]));
    ok(rec.start()).await;
    assert_eq!(live_tracks(), 1);
    sleep_ms(400).await; // something to keep
    ok(rec.stop()).await;
    assert_eq!(live_tracks(), 0, "after stop");

    // cancel
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    ok(rec.cancel()).await;
    assert_eq!(live_tracks(), 0, "after cancel");
    assert_eq!(*probe.cancels.borrow(), 1);
    assert!(rec.recording().is_null(), "cancel keeps nothing");
    assert_eq!(rec.state(), "idle");

    // destroy
    spy_on_microphone();
    let rec = recorder(&local(&[]));
    ok(rec.start()).await;
    rec.destroy();
    assert_eq!(live_tracks(), 0, "after destroy");
    let err = rejection(rec.start()).await;
    assert_eq!(get_str(&err, "code"), "INVALID_STATE");

    // a failure after the microphone opened
    spy_on_microphone();
    break_encoders();
    let probe = local(&[]);
    let rec = recorder(&probe);
    let err = rejection(rec.start()).await;
    restore_browser();
    assert_eq!(streams_handed_out(), 1, "the microphone was opened");
    assert_eq!(live_tracks(), 0, "after a failure");
    assert!(is_vocafuse_error(&err));
    assert_eq!(rec.state(), "error");

    // cancel while the browser is still asking
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    let pending = rec.start();
    ok(rec.cancel()).await;
    let err = rejection(pending).await;
    assert_eq!(get_str(&err, "code"), "ABORTED");
    assert_eq!(live_tracks(), 0, "after cancel during the request");
    assert_eq!(rec.state(), "idle");
    // The browser's late answer is a stream nobody wants: it is stopped as it arrives.
    poll_until("the late getUserMedia answer, released", 5000, || streams_handed_out() == 1 && live_tracks() == 0).await;
    assert_eq!(rec.state(), "idle");
}

#[wasm_bindgen_test]
async fn wrong_states_give_invalid_state_and_break_nothing() {
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    let code = |e: JsValue| get_str(&e, "code");
    assert_eq!(code(rejection(rec.stop()).await), "INVALID_STATE");
    assert_eq!(code(rec.pause().unwrap_err()), "INVALID_STATE");
    assert_eq!(code(rec.resume().unwrap_err()), "INVALID_STATE");
    assert_eq!(code(rejection(rec.upload()).await), "INVALID_STATE");
    assert_eq!(code(rejection(rec.cancel()).await), "INVALID_STATE");
    assert_eq!(rec.state(), "idle");
    ok(rec.start()).await;
    assert_eq!(code(rejection(rec.start()).await), "INVALID_STATE");
    assert_eq!(code(rec.resume().unwrap_err()), "INVALID_STATE");
    assert_eq!(code(rejection(rec.upload()).await), "INVALID_STATE");
    rec.pause().unwrap();
    assert_eq!(code(rec.pause().unwrap_err()), "INVALID_STATE");
    rec.resume().unwrap();
    assert_eq!(rec.state(), "recording", "still recording after the misuse");
    sleep_ms(500).await;
    let result = ok(rec.stop()).await;
    assert!(get_f64(&result, "size") > 0.0);
    assert!(probe.error_codes().iter().all(|c| c == "INVALID_STATE"));
    // A new recording replaces the kept one.
    ok(rec.start()).await;
    assert!(rec.recording().is_null());
    sleep_ms(400).await;
    ok(rec.stop()).await;
    assert_eq!(live_tracks(), 0);
}

#[wasm_bindgen_test]
async fn stopping_before_any_audio_is_a_clear_failure() {
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    let outcome = JsFuture::from(rec.stop()).await;
    // Some engines flush a few ms of audio, others nothing: either a recording or RECORDING_FAILED.
    match outcome {
        Ok(result) => assert!(get_f64(&result, "size") > 0.0),
        Err(err) => {
            assert_eq!(get_str(&err, "code"), "RECORDING_FAILED");
            assert_eq!(rec.state(), "error");
            assert_eq!(probe.error_codes(), ["RECORDING_FAILED"]);
        }
    }
    assert_eq!(live_tracks(), 0);
}

#[wasm_bindgen_test]
fn invalid_options_and_config_throw_invalid_config() {
    let code = |e: JsValue| get_str(&e, "code");
    for bad in [
        obj(&[("maxDuration", 61.into())]),
        obj(&[("maxDuration", 0.into())]),
        obj(&[("maxFileSize", 25_000_001.into())]),
        obj(&[("format", "mp4".into())]),
        obj(&[("onError", "not a function".into())]),
        JsValue::from_str("nope"),
    ] {
        assert_eq!(code(sdk().create_recorder(bad).expect_err("should throw")), "INVALID_CONFIG");
    }
    for bad in [JsValue::UNDEFINED, obj(&[]), obj(&[("tokenEndpoint", "".into())]), obj(&[("tokenEndpoint", "/t".into()), ("apiBaseUrl", "not a url".into())])]
    {
        let err = VocaFuseSdk::new(bad).expect_err("should throw");
        assert!(is_vocafuse_error(&err));
        assert_eq!(code(err), "INVALID_CONFIG");
    }
}

#[wasm_bindgen_test]
fn error_from_response_speaks_both_dialects_from_js() {
    let vf = error_from_response(
        429.into(),
        r#"{"error":{"code":4003,"message":"Rate limit exceeded","details":{"limit":100,"window":"1 minute","retry_after":45}}}"#.into(),
        JsValue::UNDEFINED,
    );
    assert!(is_vocafuse_error(&vf));
    assert_eq!(get_str(&vf, "code"), "RATE_LIMIT_EXCEEDED");
    assert_eq!(get_f64(&vf, "serverCode"), 4003.0);
    assert_eq!(get_f64(&vf, "status"), 429.0);
    assert_eq!(get_f64(&vf, "retryAfter"), 45.0);
    assert_eq!(get(&vf, "retryable"), JsValue::TRUE);
    assert_eq!(get_f64(&get(&vf, "details"), "limit"), 100.0);
    let json = stringify(&vf);
    assert!(json.contains("\"userMessage\"") && json.contains("\"serverCode\":4003"), "{json}");

    let fa = error_from_response(
        402.into(),
        r#"{"errorCode":40201,"errorMessage":"Insufficient wallet balance. Required: $0.50, Available: $0.25"}"#.into(),
        JsValue::UNDEFINED,
    );
    assert_eq!(get_str(&fa, "code"), "INSUFFICIENT_BALANCE");
    assert_eq!(get_f64(&fa, "serverCode"), 40201.0);
    assert_eq!(get(&fa, "retryable"), JsValue::FALSE);

    let headers = web_sys::Headers::new().unwrap();
    headers.set("Retry-After", "7").unwrap();
    let html = error_from_response(503.into(), "<html><title>503 Service Temporarily Unavailable</title></html>".into(), headers.into());
    assert_eq!(get_str(&html, "code"), "SERVICE_UNAVAILABLE");
    assert_eq!(get_f64(&html, "retryAfter"), 7.0);

    let plain = error_from_response(503.into(), "".into(), obj(&[("retry-after", "3".into())]));
    assert_eq!(get_f64(&plain, "retryAfter"), 3.0);
    let junk = error_from_response(JsValue::NULL, JsValue::UNDEFINED, 42.into());
    assert_eq!(get_str(&junk, "code"), "UNKNOWN_ERROR");

    let ws = error_from_socket_message(r#"{"type":"error","message":"Invalid message type. Expected \"voice-request\""}"#.into());
    assert!(is_vocafuse_error(&ws));
    assert!(error_from_socket_message(r#"{"type":"audio"}"#.into()).is_null());
}

#[wasm_bindgen_test]
async fn add_voice_note_makes_a_button_a_record_toggle() {
    let document = web_sys::window().unwrap().document().unwrap();
    let button: web_sys::HtmlElement = document.create_element("button").unwrap().unchecked_into();
    button.set_id("vn-toggle");
    document.body().unwrap().append_child(&button).unwrap();
    let code = |e: JsValue| get_str(&e, "code");
    assert_eq!(code(sdk().add_voice_note("#nothing-here".into(), JsValue::UNDEFINED).err().unwrap()), "INVALID_CONFIG");
    assert_eq!(code(sdk().add_voice_note("#[".into(), JsValue::UNDEFINED).err().unwrap()), "INVALID_CONFIG");

    spy_on_microphone();
    let probe = local(&[]);
    let handle = sdk().add_voice_note("#vn-toggle".into(), probe.options.clone()).unwrap();
    assert_eq!(button.get_attribute("data-state").as_deref(), Some("idle"));
    button.click();
    probe.until_state("recording", 5000).await;
    assert_eq!(button.get_attribute("data-state").as_deref(), Some("recording"));
    assert_eq!(button.get_attribute("aria-pressed").as_deref(), Some("true"));
    sleep_ms(400).await; // something to keep
    button.click();
    probe.until_state("stopped", 5000).await;
    assert_eq!(button.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert!(!button.has_attribute("disabled"));
    let recorder = handle.recorder();
    assert_eq!(get_str(&recorder, "state"), "stopped");
    assert_eq!(live_tracks(), 0);

    handle.detach();
    handle.detach(); // twice is harmless
    assert!(!button.has_attribute("data-state") && !button.has_attribute("aria-pressed"));
    button.click();
    assert_eq!(streams_handed_out(), 1, "a detached button starts nothing");
    assert_eq!(get_str(&recorder, "state"), "idle", "detach destroyed the recorder");
    button.remove();
}

#[wasm_bindgen_test]
async fn the_snapshot_says_what_each_state_means_and_keeps_the_recording_object() {
    spy_on_microphone();
    let probe = local(&[]);
    let rec = recorder(&probe);
    let flags = |s: &JsValue| {
        let b = |k: &str| get(s, k).as_bool().unwrap();
        (get_str(s, "state"), b("capturing"), b("busy"), b("hasRecording"), get_str(s, "press"), get_str(s, "label"))
    };
    let s = rec.snapshot("idle", false, false);
    let object: &js_sys::Object = s.unchecked_ref();
    assert!(js_sys::Object::is_frozen(object), "a snapshot never changes");
    assert_eq!(flags(&s), ("idle".into(), false, false, false, "start".into(), "record".into()));
    assert_eq!((get_str(&s, "gesture"), get(&s, "supported").as_bool()), ("idle".into(), Some(true)));
    assert!(get(&s, "recording").is_null() && get(&s, "error").is_null() && get(&s, "result").is_null());
    // What the entries show besides (this recorder keeps its notes for review: autoUpload off).
    let shown = |s: &JsValue| {
        let b = |k: &str| get(s, k).as_bool().unwrap();
        (get_str(s, "gesture"), get_str(s, "label"), b("review"), b("progress"), get_str(s, "lock"), b("hint"))
    };
    assert_eq!(shown(&s), ("idle".into(), "record".into(), false, false, "".into(), false));
    ok(rec.start()).await;
    assert_eq!(flags(&rec.snapshot("idle", false, false)), ("recording".into(), true, false, false, "stop".into(), "stop".into()));
    // A hold control's gesture, as its entry gives it: the label and the lock control follow.
    assert_eq!(shown(&rec.snapshot("holding", false, true)), ("holding".into(), "release".into(), false, false, "lock".into(), false));
    assert_eq!(shown(&rec.snapshot("locked", false, true)), ("locked".into(), "stop".into(), false, false, "stopReview".into(), false));
    sleep_ms(400).await; // something to keep
    ok(rec.stop()).await;
    let (a, b) = (rec.snapshot("idle", false, false), rec.snapshot("idle", false, false));
    assert_eq!(flags(&a), ("stopped".into(), false, false, true, "start".into(), "record".into()));
    assert_eq!(shown(&a), ("idle".into(), "record".into(), true, false, "".into(), false), "kept for review");
    assert_eq!(shown(&rec.snapshot("idle", true, true)), ("idle".into(), "hold".into(), true, false, "".into(), true));
    assert!(get_f64(&a, "duration") > 0.0 && get_f64(&a, "level") == 0.0);
    // One object for one kept recording: renderers compare by identity.
    assert!(js_sys::Object::is(&get(&a, "recording"), &get(&b, "recording")));
    assert!(js_sys::Object::is(&get(&a, "recording"), &rec.recording()));
    assert!(js_sys::Array::is_array(&get(&a, "waveform")));
    ok(rec.cancel()).await;
    let s = rec.snapshot("idle", false, false);
    assert_eq!(flags(&s), ("idle".into(), false, false, false, "start".into(), "record".into()));
    assert!(get(&s, "recording").is_null());
}

#[wasm_bindgen_test]
async fn webm_recordings_carry_a_duration_players_can_use() {
    spy_on_microphone();
    let probe = local(&[("format", "webm".into())]);
    let rec = recorder(&probe);
    if !records_webm() {
        // WebKit: asking for webm is refused, never answered with another format.
        let err = rejection(rec.start()).await;
        assert_eq!(get_str(&err, "code"), "NOT_SUPPORTED");
        assert_eq!(rec.state(), "error");
        assert_eq!(streams_handed_out(), 0, "nothing was asked of the microphone");
        return;
    }
    ok(rec.start()).await;
    sleep_ms(2000).await; // the recording's length is what is checked
    let result = ok(rec.stop()).await;
    assert_eq!(get_str(&result, "format"), "webm");
    let recorded = get_f64(&result, "duration");
    let reported = ok(media_duration(&get(&result, "blob"))).await.as_f64().unwrap();
    assert!(reported.is_finite(), "the <audio> element reports {reported}: the WebM has no Duration");
    assert!((reported - recorded).abs() < 0.3, "<audio> says {reported} s, the recorder {recorded} s");
    assert_eq!(get_f64(&get(&result, "blob"), "size"), get_f64(&result, "size"));
}
