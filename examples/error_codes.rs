//! Prints the `ErrorCode` table as JSON for the npm package's wrapper entry (scripts/build-pkg.sh),
//! so the codes are declared once, in Rust.
fn main() {
    println!("{}", vocafuse_wasm::core::errors::error_code_object_json());
}
