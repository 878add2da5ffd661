//! The service's limits, and checking recorder options against them.

/// The longest voice note the service accepts, in seconds.
pub const MAX_DURATION_SECS: f64 = 60.0;
/// "25 MB", read the stricter way.
pub const MAX_FILE_SIZE: u64 = 25_000_000;
/// Above this many bytes an upload is multipart (5 MiB).
pub const MULTIPART_THRESHOLD: u64 = 5_242_880;
/// The formats the service accepts; the SDK never produces anything else.
pub const ACCEPTED_FORMATS: [&str; 3] = ["webm", "ogg", "wav"];
