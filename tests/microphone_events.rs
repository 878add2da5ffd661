//! The microphone's track ending (unplugged, revoked, taken by the OS) and being muted, with a
//! microphone the test controls whose track gets the events a browser would fire. Chromium and
//! WebKitGTK only: Firefox does not deliver events that a script dispatches on a
//! MediaStreamTrack to its listeners (tried: `track.dispatchEvent(new Event('mute'))` reaches
//! no listener), so there the browser itself would have to end or mute a track, which a test
//! cannot make it do. The silence and the option paths run in all three (tests/microphone.rs).

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_track_ending_while_recording_stops_and_keeps_what_was_recorded() {
    controlled_microphone(true).await;
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    end_track();
    probe.until_state("stopped", 10_000).await;
    assert_eq!(probe.error_codes(), ["MICROPHONE_UNAVAILABLE"]);
    let details = probe.last_details();
    assert_eq!(get_str(&details, "reason"), "ended");
    assert!(get_f64(&details, "recorded_seconds") >= 0.5, "{}", stringify(&details));
    let kept = rec.recording();
    assert!(!kept.is_null(), "what was recorded is kept");
    assert!(get_f64(&kept, "size") > 0.0);
    assert_eq!(live_tracks(), 0, "every track released: {}", track_states());
    release_controlled_microphone();
}

#[wasm_bindgen_test]
async fn the_track_ending_while_paused_stops_and_keeps_what_was_recorded() {
    controlled_microphone(true).await;
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    probe.until_recorded(0.5).await;
    rec.pause().unwrap();
    end_track();
    probe.until_state("stopped", 10_000).await;
    assert_eq!(*probe.states.borrow(), ["requesting", "recording", "paused", "stopped"]);
    assert_eq!(probe.error_codes(), ["MICROPHONE_UNAVAILABLE"]);
    assert!(!rec.recording().is_null());
    assert_eq!(live_tracks(), 0);
    release_controlled_microphone();
}

#[wasm_bindgen_test]
async fn a_muted_track_is_a_notice_once_per_stretch_and_recording_goes_on() {
    controlled_microphone(true).await;
    let probe = local(&[]);
    let rec = recorder(&probe);
    ok(rec.start()).await;
    assert_eq!(rec.input_status(), "ok");
    probe.until_recorded(0.3).await;
    mute_track(true);
    probe.until("NO_AUDIO_INPUT", 5_000, |p| !p.errors.borrow().is_empty()).await;
    assert_eq!(probe.error_codes(), ["NO_AUDIO_INPUT"]);
    let err = probe.errors.borrow()[0].clone();
    assert_eq!(get(&err, "retryable"), JsValue::FALSE);
    assert!(!get_str(&err, "userMessage").is_empty());
    assert_eq!(get_str(&get(&err, "details"), "reason"), "muted");
    assert_eq!(rec.input_status(), "muted");
    mute_track(true);
    mute_track(false);
    assert_eq!(rec.input_status(), "ok", "unmute ends the stretch");
    mute_track(true);
    assert_eq!(probe.error_codes(), ["NO_AUDIO_INPUT", "NO_AUDIO_INPUT"], "a new stretch, a new notice; a repeated mute none");
    assert_eq!(rec.state(), "recording", "recording goes on");
    mute_track(false);
    ok(rec.stop()).await;
    release_controlled_microphone();
}
