//! The request head, read before hyper sees the connection.
//!
//! hyper answers a head it cannot take (a URI or headers too large, a bad `Content-Length`, a
//! malformed line) itself, with an empty body and none of our headers. So the accept loop reads
//! the head first, with the same parser hyper uses (httparse) and stricter limits, within the
//! header timeout; a head hyper would refuse never reaches it. A refused head becomes a request
//! carrying a `HeadRefusal`, which the router's guard answers like every other error (documented
//! JSON or S3 XML, CORS, request id, logged).

use std::time::Duration;

use axum::http::{request, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, Version};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

/// The whole head (request line and headers) at most.
pub const MAX_HEAD_BYTES: usize = 64 << 10;
/// The request target at most.
pub const MAX_URI_BYTES: usize = 8 << 10;
/// Headers at most (hyper's own limit).
pub const MAX_HEADERS: usize = 100;
/// A `Content-Length` hyper could not represent.
const MAX_CONTENT_LENGTH: u64 = 1 << 62;

/// Why the server refuses a request whose head it read; answered by `middleware::access::guard`.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadRefusal {
    pub status: StatusCode,
    pub reason: String,
}

fn refusal(status: StatusCode, reason: impl Into<String>) -> HeadRefusal {
    HeadRefusal { status, reason: reason.into() }
}

/// How reading the head went.
#[derive(Debug)]
pub enum Head {
    /// A complete head hyper will take: these bytes (the head and whatever followed it) first.
    Complete(Vec<u8>),
    /// Nothing to answer: the client sent nothing before the deadline, or went away.
    Closed,
    /// Answer `HeadRefusal`; the request holds what could be read of the head.
    Refused(Request<()>),
}

/// Reads until the head is complete, refused, or `deadline` passes.
pub async fn read<S: AsyncRead + Unpin>(stream: &mut S, deadline: Instant, timeout: Duration) -> Head {
    let mut buf = Vec::with_capacity(1024);
    loop {
        match tokio::time::timeout_at(deadline, stream.read_buf(&mut buf)).await {
            Err(_) if buf.iter().all(u8::is_ascii_whitespace) => return Head::Closed,
            Err(_) => {
                let why = format!("the request head did not arrive within {} s", timeout.as_secs_f64());
                return Head::Refused(request(&buf, refusal(StatusCode::REQUEST_TIMEOUT, why)));
            }
            Ok(Ok(0)) | Ok(Err(_)) => return Head::Closed,
            Ok(Ok(_)) => {}
        }
        match check(&buf) {
            Ok(true) => return Head::Complete(buf),
            Ok(false) => {}
            Err(r) => return Head::Refused(request(&buf, r)),
        }
        if buf.capacity() - buf.len() < 1024 {
            buf.reserve(buf.len().min(MAX_HEAD_BYTES));
        }
    }
}

/// Ok(true): a complete head hyper will take; Ok(false): more bytes needed.
pub fn check(buf: &[u8]) -> Result<bool, HeadRefusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let parsed = req.parse(buf);
    if req.path.is_some_and(|p| p.len() > MAX_URI_BYTES) || (req.path.is_none() && req.method.is_some() && buf.len() > MAX_URI_BYTES + 64) {
        return Err(refusal(StatusCode::URI_TOO_LONG, format!("the request target is longer than {MAX_URI_BYTES} bytes")));
    }
    match parsed {
        Ok(httparse::Status::Complete(len)) if len > MAX_HEAD_BYTES => Err(too_large()),
        Ok(httparse::Status::Complete(_)) => validate(&req).map(|()| true),
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => Err(too_large()),
        Ok(httparse::Status::Partial) => Ok(false),
        Err(httparse::Error::TooManyHeaders) => Err(refusal(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, format!("more than {MAX_HEADERS} headers"))),
        Err(e) => Err(refusal(StatusCode::BAD_REQUEST, format!("malformed request head: {e}"))),
    }
}

fn too_large() -> HeadRefusal {
    refusal(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, format!("the request head is larger than {MAX_HEAD_BYTES} bytes"))
}

/// What hyper refuses in a complete head (`proto/h1/role.rs`), refused here first.
fn validate(req: &httparse::Request) -> Result<(), HeadRefusal> {
    let bad = |why: &str| Err(refusal(StatusCode::BAD_REQUEST, why));
    if Method::from_bytes(req.method.unwrap_or("").as_bytes()).is_err() {
        return bad("malformed method");
    }
    if Uri::try_from(req.path.unwrap_or("")).is_err() {
        return bad("malformed request target");
    }
    // In order, as hyper does: a Transfer-Encoding drops the Content-Length seen before it and
    // makes later ones ignored; the last Transfer-Encoding must end with chunked.
    let (mut te, mut chunked, mut length) = (false, false, None::<u64>);
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            if req.version == Some(0) {
                return bad("HTTP/1.0 cannot have Transfer-Encoding");
            }
            te = true;
            length = None;
            chunked = std::str::from_utf8(h.value).ok().and_then(|s| s.rsplit(',').next()).is_some_and(|e| e.trim().eq_ignore_ascii_case("chunked"));
        } else if h.name.eq_ignore_ascii_case("content-length") && !te {
            let n = std::str::from_utf8(h.value).ok().filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).and_then(|s| s.parse::<u64>().ok());
            match (n, length) {
                (None, _) => return bad("Content-Length is not a number"),
                (Some(n), Some(prev)) if n != prev => return bad("Content-Length headers disagree"),
                (Some(n), _) if n > MAX_CONTENT_LENGTH => return Err(refusal(StatusCode::PAYLOAD_TOO_LARGE, "Content-Length is too large")),
                (Some(n), _) => length = Some(n),
            }
        }
    }
    if te && !chunked {
        return bad("Transfer-Encoding must end with chunked");
    }
    Ok(())
}

/// The request as far as it can be read from `buf`, carrying `why`.
pub fn request(buf: &[u8], why: HeadRefusal) -> Request<()> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let _ = req.parse(buf);
    let mut parts = Request::new(()).into_parts().0;
    parts.method = req.method.and_then(|m| Method::from_bytes(m.as_bytes()).ok()).unwrap_or(Method::GET);
    parts.uri = req.path.filter(|p| p.len() <= MAX_URI_BYTES).and_then(|p| Uri::try_from(p).ok()).unwrap_or_else(|| Uri::from_static("/"));
    parts.version = if req.version == Some(0) { Version::HTTP_10 } else { Version::HTTP_11 };
    copy_headers(&req, &mut parts);
    parts.extensions.insert(why);
    Request::from_parts(parts, ())
}

fn copy_headers(req: &httparse::Request, parts: &mut request::Parts) {
    for h in req.headers.iter().take_while(|h| !h.name.is_empty()) {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(h.name.as_bytes()), HeaderValue::from_bytes(h.value)) {
            parts.headers.append(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(head: &str) -> Result<bool, StatusCode> {
        check(head.as_bytes()).map_err(|r| r.status)
    }

    #[test]
    fn heads_hyper_would_refuse_are_refused_first() {
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Ok(true));
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a\r\n"), Ok(false));
        assert_eq!(status("\r\nPOST /upload HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"), Ok(true));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n"), Err(StatusCode::PAYLOAD_TOO_LARGE));
        assert_eq!(status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: x\r\n\r\n"), Ok(true));
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: x\r\nTransfer-Encoding: chunked\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("GET /a b HTTP/1.1\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(status("G\0T / HTTP/1.1\r\n\r\n"), Err(StatusCode::BAD_REQUEST));
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI_BYTES));
        assert_eq!(status(&long), Err(StatusCode::URI_TOO_LONG));
        let longer = format!("GET /{}", "a".repeat(MAX_URI_BYTES + 100));
        assert_eq!(status(&longer), Err(StatusCode::URI_TOO_LONG), "before the line ends");
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert_eq!(status(&format!("GET / HTTP/1.1\r\n{many}\r\n")), Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(status(&big), Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
    }

    #[tokio::test]
    async fn a_refused_head_keeps_what_could_be_read() {
        let mut wire: &[u8] = b"PUT /storage/x HTTP/1.1\r\nOrigin: http://localhost:1\r\nContent-Length: nope\r\n\r\n";
        let deadline = Instant::now() + Duration::from_secs(5);
        let Head::Refused(req) = read(&mut wire, deadline, Duration::from_secs(5)).await else { panic!("not refused") };
        assert_eq!((req.method(), req.uri().path()), (&Method::PUT, "/storage/x"));
        assert_eq!(req.headers()["origin"], "http://localhost:1");
        assert_eq!(req.extensions().get::<HeadRefusal>().unwrap().status, StatusCode::BAD_REQUEST);
        let mut nothing: &[u8] = b"";
        assert!(matches!(read(&mut nothing, deadline, Duration::from_secs(5)).await, Head::Closed));
    }
}
