//! The capture worklet's build script: links its wasm with a small stack.
// A 64 KB stack instead of the default 1 MB: the encoder's frames are small and each recording
// instantiates the module anew, so its memory starts at a few pages instead of 17.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-cdylib-link-arg=-zstack-size=65536");
    }
}
