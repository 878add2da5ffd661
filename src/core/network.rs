//! Online but unreachable: when a request's retries are spent on network errors, why (the
//! browser is offline, nothing answers, or the origin answers but not to this page), and the
//! `NETWORK_ERROR` notice that says so, naming the host and what to check.

use super::errors::{ErrorCode, SdkError};
use super::json::object;

/// `recorder.networkStatus`: how the upload in flight reaches the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkStatus {
    /// Requests are answered (or none is in flight).
    Ok,
    /// The browser says it is offline.
    Offline,
    /// The browser says it is online, and the origin does not answer this page.
    Unreachable,
}

impl NetworkStatus {
    /// The name API.md gives the status.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkStatus::Ok => "ok",
            NetworkStatus::Offline => "offline",
            NetworkStatus::Unreachable => "unreachable",
        }
    }
}

/// `details.reason` of the notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The browser said it is offline.
    Offline,
    /// Nothing answered.
    Unreachable,
    /// The origin answers, but not to this page: its CORS rules leave the page's origin out.
    Cors,
}

impl Reason {
    /// The name API.md gives the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Offline => "offline",
            Reason::Unreachable => "unreachable",
            Reason::Cors => "cors",
        }
    }

    /// Whether an upload the app awaits with no recorder to report to (a pending recording's
    /// `upload()`, `resumePending()`) settles with the notice instead of waiting: the notice is
    /// the only way the app hears of it. Offline still waits, as the browser will say when the
    /// network is back; the recording stays kept either way.
    pub fn ends_awaited_upload(self) -> bool {
        self != Reason::Offline
    }

    /// The `networkStatus` the reason puts the recorder in.
    pub fn status(self) -> NetworkStatus {
        match self {
            Reason::Offline => NetworkStatus::Offline,
            Reason::Unreachable | Reason::Cors => NetworkStatus::Unreachable,
        }
    }
}

/// What the browser could tell after the failing request: whether it says it is online, and
/// how two probes of the failing origin went, one CORS request and one `no-cors` (opaque) one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probes {
    /// `navigator.onLine`.
    pub online: bool,
    /// A CORS `GET` of the origin got an answer this page may read.
    pub cors_answered: bool,
    /// A `no-cors` `GET` of the origin got an (opaque) answer.
    pub opaque_answered: bool,
}

/// Why requests that failed as network errors failed. Only an origin that answers an opaque
/// request and refuses a readable one is a CORS refusal; an origin that answers both has lost
/// the requests some other way (dropped connections), which is "nothing answered" too.
pub fn classify(p: Probes) -> Reason {
    match p {
        Probes { online: false, .. } => Reason::Offline,
        Probes { cors_answered: false, opaque_answered: true, .. } => Reason::Cors,
        _ => Reason::Unreachable,
    }
}

/// Where the host starts in `url` (after `://`). Byte-wise: a `str` pattern search would pull
/// the two-way searcher into the wasm for this one use.
fn host_start(url: &str) -> Option<usize> {
    url.as_bytes().windows(3).position(|w| w == b"://").map(|i| i + 3)
}

/// `scheme://host[:port]` of `url`, or `url` itself when it has no scheme (a relative URL).
pub fn origin_of(url: &str) -> String {
    let Some(start) = host_start(url) else { return url.to_string() };
    let len = url.as_bytes()[start..].iter().position(|c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(url.len() - start);
    url.get(..start + len).unwrap_or(url).to_string()
}

/// The host (and port) of `origin`, for messages a person reads.
fn host_of(origin: &str) -> &str {
    host_start(origin).and_then(|start| origin.get(start..)).unwrap_or(origin)
}

/// The notice: `reason` for `origin` (the failing request's), after `attempts` tries, as this
/// page (`page`, its origin) sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkNotice {
    /// Why.
    pub reason: Reason,
    /// The origin the failing requests went to.
    pub origin: String,
    /// How many times they were tried.
    pub attempts: u32,
    /// The page's origin (`location.origin`), which CORS rules must allow.
    pub page: String,
}

impl NetworkNotice {
    /// `NETWORK_ERROR` (retryable) with `details: { reason, origin, attempts }`, a `userMessage`
    /// naming the host, and a technical message saying what to check.
    // One format for every reason (static pieces around the host and the page): each
    // `format!` is code in the wasm.
    #[inline(never)]
    pub fn error(&self) -> SdkError {
        // (before, after) the host for the userMessage, and the page's origin for the message.
        let ((user_before, user_after), (check_before, check_after), named) = match self.reason {
            Reason::Offline => (
                ("You're offline. Your voice note is saved and will upload when you're back online.", ""),
                ("the browser says it is offline", ""),
                false,
            ),
            Reason::Unreachable => (
                ("We can't reach ", " right now. Your voice note is saved and will upload when it can."),
                (
                    "nothing answered: check the URL (apiBaseUrl for the API), that the server is up, that its port is not blocked by a firewall or proxy, that an https page does not call an http URL (mixed content), and, where the browser could not tell (a cross-origin-isolated page), that its CORS rules allow the origin ",
                    "",
                ),
                true,
            ),
            Reason::Cors => (
                ("", " is refusing uploads from this page. Your voice note is saved and will upload once this is fixed."),
                (
                    "it answers, but not to this page: its CORS rules must allow the origin ",
                    " (for storage: AllowedOrigins with it, AllowedMethods PUT, AllowedHeaders Content-Type, ExposeHeaders ETag)",
                ),
                true,
            ),
        };
        let (host, page) = if named { (host_of(&self.origin), self.page.as_str()) } else { ("", "") };
        let user = format!("{user_before}{host}{user_after}");
        let message = format!(
            "requests to {} failed {} times while the browser is online; {check_before}{page}{check_after}; the upload keeps waiting and retrying",
            self.origin, self.attempts
        );
        let mut e = SdkError::new(ErrorCode::NetworkError, message).with_details(object([
            ("reason", self.reason.as_str().into()),
            ("origin", self.origin.as_str().into()),
            ("attempts", self.attempts.into()),
        ]));
        e.user_message = Some(user);
        e
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn probes(online: bool, cors_answered: bool, opaque_answered: bool) -> Probes {
        Probes { online, cors_answered, opaque_answered }
    }

    #[test]
    fn offline_wins_then_an_opaque_answer_without_a_readable_one_is_cors() {
        for (c, o) in [(false, false), (false, true), (true, true), (true, false)] {
            assert_eq!(classify(probes(false, c, o)), Reason::Offline, "{c} {o}");
        }
        assert_eq!(classify(probes(true, false, true)), Reason::Cors);
        assert_eq!(classify(probes(true, false, false)), Reason::Unreachable, "a closed port, a host down, mixed content");
        assert_eq!(classify(probes(true, true, true)), Reason::Unreachable, "answers both: the requests were lost some other way");
        assert_eq!(classify(probes(true, true, false)), Reason::Unreachable);
    }

    #[test]
    fn reasons_map_to_the_network_status() {
        assert_eq!(Reason::Offline.status(), NetworkStatus::Offline);
        assert_eq!(Reason::Unreachable.status(), NetworkStatus::Unreachable);
        assert_eq!(Reason::Cors.status(), NetworkStatus::Unreachable);
        assert_eq!([NetworkStatus::Ok, NetworkStatus::Offline, NetworkStatus::Unreachable].map(NetworkStatus::as_str), ["ok", "offline", "unreachable"]);
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(origin_of("https://bucket.s3.amazonaws.com/key?X-Amz-Signature=1"), "https://bucket.s3.amazonaws.com");
        assert_eq!(origin_of("http://127.0.0.1:1/upload"), "http://127.0.0.1:1");
        assert_eq!(origin_of("http://127.0.0.1:8788"), "http://127.0.0.1:8788");
        assert_eq!(origin_of("http://h#x"), "http://h");
        assert_eq!(origin_of("/api"), "/api");
    }

    #[test]
    fn the_notice_is_a_retryable_network_error_naming_the_host_and_what_to_check() {
        let n = NetworkNotice { reason: Reason::Cors, origin: "https://b.example:9000".into(), attempts: 4, page: "https://app.example".into() };
        let e = n.error();
        assert_eq!(e.code, ErrorCode::NetworkError);
        assert!(e.retryable());
        assert_eq!(e.details.as_ref().unwrap().to_json(), r#"{"reason":"cors","origin":"https://b.example:9000","attempts":4}"#);
        assert!(e.user_message.as_deref().unwrap().contains("b.example:9000"), "{:?}", e.user_message);
        assert!(e.message.contains("failed 4 times") && e.message.contains("CORS") && e.message.contains("https://app.example"), "{}", e.message);

        let e = NetworkNotice { reason: Reason::Unreachable, ..n.clone() }.error();
        assert!(e.message.contains("apiBaseUrl") && e.message.contains("mixed content") && e.message.contains("port"), "{}", e.message);
        assert!(e.user_message.as_deref().unwrap().contains("can't reach b.example:9000"));
        assert_eq!(e.details.as_ref().unwrap().to_json(), r#"{"reason":"unreachable","origin":"https://b.example:9000","attempts":4}"#);
    }

    #[test]
    fn the_apps_messages_override_the_notices_own_user_message() {
        use crate::core::errors::Messages;
        let e = NetworkNotice { reason: Reason::Unreachable, origin: "http://127.0.0.1:1".into(), attempts: 2, page: "http://p".into() }.error();
        assert!(Messages::default().for_error(&e).contains("127.0.0.1:1"));
        let app = Messages(vec![("NETWORK_ERROR".into(), "Pas de réseau".into())]);
        assert_eq!(app.for_error(&e), "Pas de réseau");
        assert_eq!(Messages::default().for_error(&SdkError::new(ErrorCode::NetworkError, "x")), ErrorCode::NetworkError.info().user_message);
    }

    #[test]
    fn an_awaited_pending_upload_ends_with_the_notice_unless_the_browser_is_offline() {
        assert!(Reason::Unreachable.ends_awaited_upload());
        assert!(Reason::Cors.ends_awaited_upload());
        assert!(!Reason::Offline.ends_awaited_upload(), "offline waits for the network, as before");
    }
}
