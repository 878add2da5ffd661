//! Wall-clock time as the protocol writes it: Unix milliseconds and RFC 3339.

use std::time::{SystemTime, UNIX_EPOCH};

use vocafuse_wasm::core::text::utc;

/// Milliseconds since the Unix epoch, with a fraction.
pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// `2026-11-21T10:00:00.123Z` for a Unix time in milliseconds.
pub fn rfc3339(ms: f64) -> String {
    let t = utc(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_255_200_123.0), "2026-11-21T10:00:00.123Z");
    }
}
