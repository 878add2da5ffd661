//! The command line: what the server is started with.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vocafuse_wasm::core::limits::MULTIPART_THRESHOLD;
use vocafuse_wasm::core::protocol::UPLOAD_SCOPE;

use crate::base::connection::Timeouts;
use crate::base::origins::{check_host_flag, check_origin_flag};

/// What `--help` prints.
pub const USAGE: &str = "\
usage: vocafuse-devserver [--host 127.0.0.1] [--port 8787] [--storage-port 8788]
                          [--www DIR] [--pkg DIR] [--data-dir DIR]
                          [--token-ttl SECS] [--url-ttl SECS] [--part-size BYTES]
                          [--allow-origin ORIGIN]... [--allowed-host HOST]...
                          [--scopes SCOPE,...] [--header-timeout SECS] [--body-timeout SECS]
                          [--idle-timeout SECS] [--max-connections N] [--quiet]
                          [--api-key KEY] [--api-secret SECRET]
                          [--transcribe-cmd CMD] [--transcribe-delay SECS] [--webhook-backoff SECS]

A local stand-in for the VocaFuse API. Port 0 picks a free port. On start it prints one line of
JSON with the API origin, the storage origin and the token endpoint.

Pages on loopback origins (http(s)://localhost, 127.0.0.1, [::1], any port) may call it;
--allow-origin adds one more (`*` allows every origin: any web page you visit could then read
your recordings). Requests must name a loopback host, or one given with --allowed-host.

The backend API (POST /token, /voicenotes, /recordings, /webhooks) takes X-VocaFuse-API-Key and
X-VocaFuse-API-Secret: --api-key/--api-secret, or a pair made on first start and kept in the data
directory (printed on stderr at start). Transcripts come from --transcribe-cmd (run with the
stored file's path; its stdout is the text), else from a labelled simulation after
--transcribe-delay seconds (default 1). Webhooks are delivered to allowed hosts only, retried after
--webhook-backoff seconds (default 1), doubling, five attempts in all.";

/// Seconds a timeout flag may say at most (a year): longer is the same as never, and no deadline
/// computed from it can overflow.
pub const MAX_TIMEOUT_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// What the server is started with (`parse_args` reads it from the command line).
#[derive(Clone, Debug)]
pub struct Config {
    /// A loopback address: the control endpoints have no authentication.
    pub host: IpAddr,
    /// The API origin's port (0: any free one).
    pub port: u16,
    /// The storage origin's port (0: any free one).
    pub storage_port: u16,
    /// Served at `/`.
    pub www: Option<PathBuf>,
    /// Served at `/pkg/`.
    pub pkg: Option<PathBuf>,
    /// Where voice notes and the server's key are kept.
    pub data_dir: PathBuf,
    /// How long tokens and presigned URLs stay valid, until `/__dev/config` changes it.
    pub lifetimes: Lifetimes,
    /// Bytes per multipart part (the last part is smaller); at least 5 MiB.
    pub part_size: u64,
    /// No request lines on stderr.
    pub quiet: bool,
    /// Page origins allowed besides the loopback ones (`*`: every origin).
    pub allow_origins: Vec<String>,
    /// `Host` names allowed besides the loopback ones (`.example.test`: it and its subdomains).
    pub allowed_hosts: Vec<String>,
    /// The scopes `/api/token` may grant.
    pub scopes: Vec<String>,
    /// How long the server waits on a client.
    pub timeouts: Timeouts,
    /// Open connections on both origins together.
    pub max_connections: usize,
    /// The backend API key (`None`: the data directory's, made on first start).
    pub api_key: Option<String>,
    /// The backend API secret (`None`: the data directory's).
    pub api_secret: Option<String>,
    /// Run through `sh -c` with the stored file's path as `$1`; its stdout is the transcript.
    pub transcribe_cmd: Option<String>,
    /// Seconds before the simulated transcript is ready (no `transcribe_cmd`).
    pub transcribe_delay: f64,
    /// Seconds before a failed webhook delivery's first retry (doubling after).
    pub webhook_backoff: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8787,
            storage_port: 8788,
            www: None,
            pkg: None,
            data_dir: PathBuf::from(".devserver-data"),
            lifetimes: Lifetimes::default(),
            part_size: MULTIPART_THRESHOLD,
            quiet: false,
            allow_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            scopes: vec![UPLOAD_SCOPE.to_string()],
            timeouts: Timeouts::default(),
            max_connections: 128,
            api_key: None,
            api_secret: None,
            transcribe_cmd: None,
            transcribe_delay: 1.0,
            webhook_backoff: 1.0,
        }
    }
}

impl Config {
    /// Ephemeral ports and a fresh data directory: for tests.
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        // Transcripts only when a test asks for them (a shorter delay), so none lands mid-test.
        Config { port: 0, storage_port: 0, data_dir: data_dir.into(), quiet: true, transcribe_delay: 3600.0, ..Config::default() }
    }
}

/// How long tokens and presigned URLs stay valid, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lifetimes {
    /// Tokens from `/api/token`.
    pub token_ttl: f64,
    /// Presigned storage URLs.
    pub url_ttl: f64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes { token_ttl: 3600.0, url_ttl: 900.0 }
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Start the server with this configuration.
    Run(Box<Config>),
    /// Print `USAGE`.
    Help,
}

/// Parses the arguments after the program name. `--flag value` and `--flag=value` both work.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut config = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--quiet" | "-q" => {
                config.quiet = true;
                continue;
            }
            _ => {}
        }
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => {
                let v = value()?;
                let ip: IpAddr = if v == "localhost" { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { v.parse().map_err(|_| format!("--host: not an IP address: {v}"))? };
                if !ip.is_loopback() {
                    return Err(format!("--host {ip}: the dev server only listens on loopback addresses"));
                }
                config.host = ip;
            }
            "--port" => config.port = parse_num(&flag, &value()?)?,
            "--storage-port" => config.storage_port = parse_num(&flag, &value()?)?,
            "--www" => config.www = Some(PathBuf::from(value()?)),
            "--pkg" => config.pkg = Some(PathBuf::from(value()?)),
            "--data-dir" => config.data_dir = PathBuf::from(value()?),
            "--token-ttl" => config.lifetimes.token_ttl = parse_secs(&flag, &value()?)?,
            "--url-ttl" => config.lifetimes.url_ttl = parse_secs(&flag, &value()?)?,
            "--part-size" => {
                let size: u64 = parse_num(&flag, &value()?)?;
                if size < MULTIPART_THRESHOLD {
                    return Err(format!("--part-size must be at least {MULTIPART_THRESHOLD} bytes (5 MiB)"));
                }
                config.part_size = size;
            }
            "--allow-origin" => {
                let v = value()?;
                check_origin_flag(&v).map_err(|e| format!("--allow-origin {v}: {e}"))?;
                config.allow_origins.push(v);
            }
            "--allowed-host" => {
                let v = value()?;
                check_host_flag(&v).map_err(|e| format!("--allowed-host {v}: {e}"))?;
                config.allowed_hosts.push(v);
            }
            "--scopes" => {
                let v = value()?;
                let scopes: Vec<String> = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
                if scopes.is_empty() {
                    return Err("--scopes: give at least one scope (comma-separated)".into());
                }
                config.scopes = scopes;
            }
            "--header-timeout" => config.timeouts.header = parse_timeout(&flag, &value()?)?,
            "--body-timeout" => config.timeouts.body = parse_timeout(&flag, &value()?)?,
            "--idle-timeout" => config.timeouts.idle = parse_timeout(&flag, &value()?)?,
            "--max-connections" => {
                let n: usize = parse_num(&flag, &value()?)?;
                if n == 0 {
                    return Err("--max-connections must be at least 1".into());
                }
                config.max_connections = n;
            }
            "--api-key" => config.api_key = Some(parse_credential(&flag, &value()?)?),
            "--api-secret" => config.api_secret = Some(parse_credential(&flag, &value()?)?),
            "--transcribe-cmd" => {
                let v = value()?;
                if v.trim().is_empty() {
                    return Err("--transcribe-cmd: give a command".into());
                }
                config.transcribe_cmd = Some(v);
            }
            "--transcribe-delay" => config.transcribe_delay = parse_delay(&flag, &value()?)?,
            "--webhook-backoff" => config.webhook_backoff = parse_delay(&flag, &value()?)?,
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    if config.port != 0 && config.port == config.storage_port {
        return Err("--port and --storage-port must differ (storage is another origin)".into());
    }
    Ok(Command::Run(Box::new(config)))
}

/// Zero to `MAX_TIMEOUT_SECS` seconds.
fn parse_delay(flag: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=MAX_TIMEOUT_SECS).contains(&s) => Ok(s),
        _ => Err(format!("{flag}: between 0 and {MAX_TIMEOUT_SECS} seconds, got {v}")),
    }
}

/// A value that can travel in a header as it is: visible ASCII, no spaces.
fn parse_credential(flag: &str, v: &str) -> Result<String, String> {
    if v.is_empty() || v.len() > 200 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("{flag}: 1 to 200 visible ASCII characters, no spaces"));
    }
    Ok(v.to_string())
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{flag}: not a number: {v}"))
}

/// A positive number of seconds.
fn parse_secs(flag: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("{flag}: expected a positive number of seconds, got {v}")),
    }
}

/// Between a millisecond and `MAX_TIMEOUT_SECS` seconds.
fn parse_timeout(flag: &str, v: &str) -> Result<Duration, String> {
    let secs = parse_secs(flag, v)?;
    if !(0.001..=MAX_TIMEOUT_SECS).contains(&secs) {
        return Err(format!("{flag}: between 0.001 and {MAX_TIMEOUT_SECS} seconds, got {v}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse_args(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(*c),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn defaults() {
        let c = run(&[]).unwrap();
        assert_eq!((c.port, c.storage_port, c.part_size), (8787, 8788, 5_242_880));
        assert_eq!(c.lifetimes, Lifetimes { token_ttl: 3600.0, url_ttl: 900.0 });
        assert_eq!(c.data_dir, PathBuf::from(".devserver-data"));
    }

    #[test]
    fn flags_in_both_spellings() {
        let c = run(&["--port=0", "--storage-port", "0", "--www", "www", "--pkg=pkg", "--token-ttl", "2", "--url-ttl=1.5", "--part-size", "6000000", "--host", "localhost", "--quiet"]).unwrap();
        assert_eq!((c.port, c.storage_port), (0, 0));
        assert_eq!(c.www, Some(PathBuf::from("www")));
        assert_eq!(c.pkg, Some(PathBuf::from("pkg")));
        assert_eq!(c.lifetimes, Lifetimes { token_ttl: 2.0, url_ttl: 1.5 });
        assert_eq!(c.part_size, 6_000_000);
        assert!(c.quiet);
    }

    #[test]
    fn bad_arguments_are_refused() {
        for args in [
            &["--part-size", "1000"][..],
            &["--host", "0.0.0.0"],
            &["--host", "192.168.1.2"],
            &["--port"],
            &["--token-ttl", "0"],
            &["--url-ttl", "-3"],
            &["--bogus"],
            &["--port", "8787", "--storage-port", "8787"],
        ] {
            assert!(run(args).is_err(), "{args:?}");
        }
        assert!(matches!(parse_args(["--help".to_string()]), Ok(Command::Help)));
    }

    #[test]
    fn the_new_flags_and_their_extremes() {
        let c = run(&[
            "--allow-origin",
            "https://a.test:1",
            "--allow-origin=null",
            "--allowed-host",
            ".example.test",
            "--scopes",
            "voice-api.upload, voice-api.read",
            "--header-timeout",
            "0.001",
            "--body-timeout=31536000",
            "--idle-timeout",
            "2.5",
            "--max-connections",
            "18446744073709551615",
        ])
        .unwrap();
        assert_eq!(c.allow_origins, ["https://a.test:1", "null"]);
        assert_eq!(c.allowed_hosts, [".example.test"]);
        assert_eq!(c.scopes, ["voice-api.upload", "voice-api.read"]);
        assert_eq!(c.timeouts, Timeouts { header: Duration::from_millis(1), body: Duration::from_secs(31_536_000), idle: Duration::from_millis(2500) });
        assert_eq!(c.max_connections, usize::MAX);
        let b = run(&["--api-key", "sk_test_a", "--api-secret=s3cret", "--transcribe-cmd", "cat", "--transcribe-delay", "0"]).unwrap();
        assert_eq!((b.api_key.as_deref(), b.api_secret.as_deref(), b.transcribe_cmd.as_deref(), b.transcribe_delay), (Some("sk_test_a"), Some("s3cret"), Some("cat"), 0.0));
        assert_eq!(run(&["--webhook-backoff", "0.05"]).unwrap().webhook_backoff, 0.05);
        let d = run(&[]).unwrap();
        assert_eq!((d.timeouts, d.max_connections, d.scopes.as_slice()), (Timeouts::default(), 128, &["voice-api.upload".to_string()][..]));
        assert!(d.allow_origins.is_empty() && d.allowed_hosts.is_empty());

        // The largest values every numeric flag takes.
        let max = f64::MAX.to_string();
        let c = run(&["--port", "65535", "--storage-port", "0", "--token-ttl", &max, "--url-ttl", "1e308", "--part-size", "18446744073709551615", "--max-connections", "1"]).unwrap();
        assert_eq!((c.port, c.lifetimes.token_ttl, c.part_size, c.max_connections), (65535, f64::MAX, u64::MAX, 1));

        for args in [
            &["--port", "65536"][..],
            &["--part-size", "18446744073709551616"],
            &["--token-ttl", "inf"],
            &["--token-ttl", "NaN"],
            &["--url-ttl", "1e309"],
            &["--header-timeout", "0"],
            &["--header-timeout", "0.0009"],
            &["--body-timeout", "31536001"],
            &["--idle-timeout", "-1"],
            &["--idle-timeout", "1e400"],
            &["--max-connections", "0"],
            &["--max-connections", "-1"],
            &["--max-connections", "18446744073709551616"],
            &["--scopes", " , "],
            &["--allow-origin", "evil.test"],
            &["--allow-origin", "http://a.test/path"],
            &["--allowed-host", "a.test:80"],
            &["--allowed-host"],
            &["--api-key", ""],
            &["--api-secret", "has space"],
            &["--transcribe-cmd", " "],
            &["--transcribe-delay", "-1"],
            &["--transcribe-delay", "NaN"],
            &["--webhook-backoff", "1e400"],
        ] {
            assert!(run(args).is_err(), "{args:?}");
        }
    }
}
