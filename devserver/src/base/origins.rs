//! Origins: which of the server's two origins a request came to, and which page origins and
//! `Host` names may use it (the rules; `middleware::access` applies them).
//!
//! As Vite's dev server does since CVE-2025-24010: by default only pages on loopback origins
//! (`http(s)://localhost`, `*.localhost`, `127.0.0.1`, `[::1]`, any port) can read answers, and a
//! request must name a loopback host, so a web page that rebinds its own DNS name to 127.0.0.1
//! is refused. `/__dev/*` is refused outright to any other origin: its calls change state, and a
//! form or a `text/plain` fetch needs no preflight.

use std::net::{IpAddr, Ipv6Addr};

/// Which listener a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Static files, the token endpoint, the API and `/__dev/`.
    Api,
    /// Presigned `PUT`s.
    Storage,
}

/// The origins and hosts allowed besides the loopback ones.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Lowercase `scheme://host[:port]`, or `null`.
    origins: Vec<String>,
    any_origin: bool,
    /// Lowercase names; a leading `.` allows the name and its subdomains.
    hosts: Vec<String>,
    any_host: bool,
}

impl Access {
    /// `origins` (`--allow-origin`) and `hosts` (`--allowed-host`) as given on the command line.
    pub fn new(origins: &[String], hosts: &[String]) -> Self {
        let lower = |v: &[String]| -> Vec<String> { v.iter().map(|s| s.trim().trim_end_matches('/').to_ascii_lowercase()).collect() };
        let (origins, hosts) = (lower(origins), lower(hosts));
        Access { any_origin: origins.iter().any(|o| o == "*"), any_host: hosts.iter().any(|h| h == "*"), origins, hosts }
    }

    /// Whether a page on `origin` (the `Origin` header's value) may read answers.
    pub fn origin_allowed(&self, origin: &[u8]) -> bool {
        let Ok(origin) = std::str::from_utf8(origin) else {
            return false;
        };
        let origin = origin.to_ascii_lowercase();
        self.any_origin || is_loopback_origin(&origin) || self.origins.contains(&origin)
    }

    /// Whether a request naming `host` (the `Host` header's value, port included) is served.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Some((name, _port)) = split_host_port(host) else {
            return false;
        };
        let name = name.to_ascii_lowercase();
        let name = name.strip_suffix('.').unwrap_or(&name);
        self.any_host
            || is_loopback_name(name)
            || self.hosts.iter().any(|h| match h.strip_prefix('.') {
                Some(parent) => name == parent || name.ends_with(h.as_str()),
                None => name == h,
            })
    }

    /// What start-up prints on stderr: `*` lets every web page in.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.any_origin {
            out.push("WARNING: --allow-origin '*': every web page you visit can read your recordings, mint tokens and script faults on this server".to_string());
        }
        if self.any_host {
            out.push("WARNING: --allowed-host '*': the Host check is off, so a site that rebinds its DNS name to this machine can use the server".to_string());
        }
        out
    }
}

/// `scheme://host[:port]` with a loopback host and an http(s) scheme.
fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    match split_host_port(rest) {
        Some((name, _)) => name == "localhost" || name.ends_with(".localhost") || name == "127.0.0.1" || name == "[::1]",
        None => false,
    }
}

/// `localhost`, `*.localhost`, `127.x.x.x` and `[::1]`.
fn is_loopback_name(name: &str) -> bool {
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback() && ip.is_ipv4())
}

/// `name[:port]` or `[v6][:port]`: the name (brackets kept) and the port. None when malformed.
pub(crate) fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if s.starts_with('[') {
        let end = s.find(']')? + 1;
        match &s[end..] {
            "" => (&s[..end], None),
            p => (&s[..end], Some(p.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (s, None),
        }
    };
    let valid_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b));
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    valid_name.then_some((name, port))
}

/// `--allow-origin`: `*`, `null`, or `http(s)://host[:port]`.
pub fn check_origin_flag(v: &str) -> Result<(), String> {
    if v == "*" || v == "null" {
        return Ok(());
    }
    let rest = v.strip_prefix("http://").or_else(|| v.strip_prefix("https://")).ok_or("expected http(s)://host[:port], `null` or `*`")?;
    match split_host_port(rest.trim_end_matches('/')) {
        Some(_) => Ok(()),
        None => Err("expected http(s)://host[:port] with no path".into()),
    }
}

/// `--allowed-host`: `*`, a name (`.name` for it and its subdomains) or an address, no port.
pub fn check_host_flag(v: &str) -> Result<(), String> {
    let name = v.strip_prefix('.').unwrap_or(v);
    if v == "*" || matches!(split_host_port(name), Some((_, None))) {
        Ok(())
    } else {
        Err("expected a host name or address without a port (`.example.test` for subdomains too)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_are_allowed_by_default() {
        let a = Access::default();
        for o in ["http://localhost:5173", "http://127.0.0.1:8787", "http://[::1]:3000", "https://localhost", "http://app.localhost:1", "HTTP://LOCALHOST:9"] {
            assert!(a.origin_allowed(o.as_bytes()), "{o}");
        }
        for o in [
            "null",
            "http://evil.test",
            "http://127.0.0.1.evil.test",
            "http://localhost.evil.test:80",
            "file://",
            "http://127.0.0.2:80",
            "ftp://localhost",
            "http://localhost:99999",
            "http://localhost/x",
            "*",
        ] {
            assert!(!a.origin_allowed(o.as_bytes()), "{o}");
        }
        let more = Access::new(&["https://app.example.test:8443/".into(), "null".into()], &[]);
        assert!(more.origin_allowed(b"https://app.example.test:8443") && more.origin_allowed(b"null"));
        assert!(!more.origin_allowed(b"https://app.example.test"));
        assert!(Access::new(&["*".into()], &[]).origin_allowed(b"http://anything.test"));
        assert_eq!(Access::new(&["*".into()], &[]).warnings().len(), 1);
    }

    #[test]
    fn loopback_hosts_are_allowed_by_default() {
        let a = Access::default();
        for h in ["localhost", "localhost:8787", "127.0.0.1:1", "127.8.9.10", "[::1]:80", "x.localhost", "LOCALHOST.:1"] {
            assert!(a.host_allowed(h), "{h}");
        }
        for h in ["evil.test", "evil.test:8787", "192.168.1.2:80", "0.0.0.0", "[::2]", "localhost:x", "", "localhost.evil.test", "a b"] {
            assert!(!a.host_allowed(h), "{h}");
        }
        let more = Access::new(&[], &["devbox".into(), ".example.test".into()]);
        assert!(more.host_allowed("devbox:8787") && more.host_allowed("example.test") && more.host_allowed("a.example.test:1"));
        assert!(!more.host_allowed("notexample.test") && !more.host_allowed("devbox.evil"));
    }

    #[test]
    fn flags_are_checked() {
        for ok in ["*", "null", "http://a.test", "https://a.test:1/"] {
            assert!(check_origin_flag(ok).is_ok(), "{ok}");
        }
        for bad in ["a.test", "http://", "http://a.test/path", "http://a.test:port"] {
            assert!(check_origin_flag(bad).is_err(), "{bad}");
        }
        for ok in ["*", "devbox", ".example.test", "10.0.0.2", "[fd00::1]"] {
            assert!(check_host_flag(ok).is_ok(), "{ok}");
        }
        for bad in ["devbox:80", "http://devbox", ""] {
            assert!(check_host_flag(bad).is_err(), "{bad}");
        }
    }
}
