//! Prints the `ErrorCode` table for the npm package's wrapper entry (scripts/build-pkg.sh), so the
//! codes are declared once, in Rust. `--markdown` prints the README's table instead.
use vocafuse_wasm::core::errors::{CODES, SERVER_CODES, STATUS_CODES};

fn main() {
    if std::env::args().nth(1).as_deref() != Some("--markdown") {
        println!("{}", vocafuse_wasm::core::errors::error_code_object_json());
        return;
    }
    println!("| code | retryable | server codes | HTTP status fallback | default userMessage |");
    println!("|---|---|---|---|---|");
    for c in CODES {
        let servers: Vec<String> = SERVER_CODES.iter().filter(|s| s.code == c.code).map(|s| format!("{} ({})", s.number, s.status)).collect();
        let statuses: Vec<String> = STATUS_CODES.iter().filter(|(_, code)| *code == c.code).map(|(s, _)| s.to_string()).collect();
        println!("| `{}` | {} | {} | {} | {} |", c.name, if c.retryable { "yes" } else { "no" }, servers.join(", "), statuses.join(", "), c.user_message);
    }
}
