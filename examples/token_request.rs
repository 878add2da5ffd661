//! Prints the body of the token endpoint's request, for the package entry's early token request
//! (`VocaFuseSDK.load` in js/index.js, filled in by scripts/build-pkg.sh): the SDK decides what it
//! asks for, in one place, even when its JS sends the request before the wasm is ready.
fn main() {
    println!("{}", vocafuse_wasm::core::protocol::TokenRequest::default().to_json());
}
