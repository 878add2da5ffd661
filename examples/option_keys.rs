//! Prints `js/options.js`, the option names the facade's parser reads, for the framework entries
//! (a cargo test checks the committed file against it).
fn main() {
    print!("{}", vocafuse_wasm::core::options::js_module());
}
