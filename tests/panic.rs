//! A panic in the wasm (a bug: there should be none) must not leave promises pending forever:
//! every pending call of every live recorder rejects with a `VocaFuseError` and each `onError`
//! hears of it. In a suite of its own: after a panic the wasm instance cannot run again.

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_panic_settles_every_pending_call_and_reaches_every_on_error() {
    // The test runner installs its own panic hook; the SDK's is the one under test.
    vocafuse_wasm::facade::install_panic_hook();
    hang_microphone();
    let (first, second) = (local(&[]), local(&[]));
    let (a, b) = (recorder(&first), recorder(&second));
    let (pending_a, pending_b) = (a.start(), b.start());
    assert_eq!(a.state(), "requesting");
    vocafuse_wasm::facade::panic_soon_for_tests();
    let (err_a, err_b) = (rejection(pending_a).await, rejection(pending_b).await);
    for (err, probe) in [(&err_a, &first), (&err_b, &second)] {
        assert!(is_vocafuse_error(err), "{}", stringify(err));
        assert_eq!(get_str(err, "code"), "UNKNOWN_ERROR");
        assert!(get_str(err, "message").contains("a deliberate panic for a test"), "{}", get_str(err, "message"));
        assert!(!get_str(err, "userMessage").is_empty());
        assert_eq!(probe.error_codes(), ["UNKNOWN_ERROR"], "onError heard of it");
    }
}
