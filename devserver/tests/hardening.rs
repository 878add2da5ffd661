//! Issue 16: a dev server a developer can leave running. Origins and hosts, scopes, timeouts and
//! the connection cap, errors in the documented shape everywhere, no panics at the extremes of
//! the flags, and uploads that survive a restart.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vocafuse_devserver::{start, Config};

const EVIL: &str = "http://evil.test";
const LOCAL_PAGE: &str = "http://localhost:5173";

/// A raw answer: status, headers (lowercase names) and body.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// Everything the server sends until it closes, within 5 s.
async fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await.expect("the server closes the connection");
    out
}

fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head in {text:?}"));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    Raw { status, headers, body: body.to_string() }
}

/// Sends `request` as bytes and reads the whole answer.
async fn raw(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    parse(&read_all(&mut stream).await)
}

fn cors_of(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string())
}

// 1. Origins and hosts.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_origin_cannot_read_voicenotes() {
    let dev = dev().await;
    dev.grant(10, "webm").await;
    let list = |origin: &'static str| dev.http.get(dev.api("/voicenotes")).header("origin", origin).send();
    for origin in [EVIL, "null", "http://127.0.0.1.evil.test:8787", "http://localhost.evil.test"] {
        let resp = list(origin).await.unwrap();
        assert_eq!(cors_of(&resp), None, "{origin} must not be allowed to read");
        assert!(resp.headers().get("access-control-allow-credentials").is_none());
        assert!(resp.headers()["vary"].to_str().unwrap().to_ascii_lowercase().contains("origin"));
    }
    for origin in [LOCAL_PAGE, "http://127.0.0.1:9999", "http://[::1]:8080", "https://localhost"] {
        assert_eq!(cors_of(&list(origin).await.unwrap()).as_deref(), Some(origin));
    }

    // Private network access: only for allowed origins.
    let preflight = |origin: &'static str| {
        dev.http
            .request(Method::OPTIONS, dev.api("/voicenotes"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-private-network", "true")
            .send()
    };
    let evil = preflight(EVIL).await.unwrap();
    assert_eq!(cors_of(&evil), None);
    assert!(evil.headers().get("access-control-allow-private-network").is_none());
    let local = preflight(LOCAL_PAGE).await.unwrap();
    assert_eq!(local.headers()["access-control-allow-private-network"], "true");

    // The storage origin follows the same rules.
    let grant = dev.grant(4, "webm").await;
    let put = dev.http.put(grant["presigned_url"].as_str().unwrap()).header("origin", EVIL).body(vec![1u8; 4]).send().await.unwrap();
    assert_eq!(cors_of(&put), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_endpoints_refuse_other_origins() {
    let dev = dev().await;
    dev.script("upload", json!([{"preset": "internal"}])).await;
    // A form post or a text/plain fetch needs no preflight: it must be refused, not just unreadable.
    for (method, path) in [(Method::POST, "/__dev/reset"), (Method::GET, "/__dev/log"), (Method::POST, "/__dev/faults"), (Method::DELETE, "/__dev/faults")] {
        let resp = dev.http.request(method.clone(), dev.api(path)).header("origin", EVIL).header("content-type", "text/plain").body("{}").send().await.unwrap();
        assert!(resp.headers()["x-request-id"].to_str().unwrap().starts_with("req_"));
        let e = api_error(resp, 403).await;
        assert_eq!((e["code"].as_i64(), e["details"]["origin"].as_str()), (Some(9403), Some(EVIL)), "{method} {path}");
    }
    let e = api_error(dev.http.get(dev.api("/__dev/info")).header("origin", "null").send().await.unwrap(), 403).await;
    assert_eq!(e["code"], 9403);
    // Nothing was changed: the scripted fault is still queued.
    let faults = dev.control(Method::GET, "/__dev/faults", None).await;
    assert_eq!(faults["scripts"]["upload"].as_array().unwrap().len(), 1);
    // Loopback pages (the demo, the browser suites) keep using them.
    let ok = dev.http.post(dev.api("/__dev/reset")).header("origin", LOCAL_PAGE).send().await.unwrap();
    assert_eq!((ok.status().as_u16(), cors_of(&ok).as_deref()), (200, Some(LOCAL_PAGE)));
    assert_eq!(dev.control(Method::GET, "/__dev/faults", None).await["scripts"]["upload"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_origin_adds_an_origin() {
    let dev = dev_with(|c| c.allow_origins = vec!["https://app.example.test:8443".into()]).await;
    let resp = dev.http.get(dev.api("/__dev/log")).header("origin", "https://app.example.test:8443").send().await.unwrap();
    assert_eq!((resp.status().as_u16(), cors_of(&resp).as_deref()), (200, Some("https://app.example.test:8443")));
    let other = dev.http.get(dev.api("/voicenotes")).header("origin", "https://app.example.test").send().await.unwrap();
    assert_eq!(cors_of(&other), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebinding_host_is_refused() {
    let dev = dev().await;
    let api = dev.server.api_addr;
    let port = api.port();
    // What a page on evil.test, its name rebound to 127.0.0.1, sends: its own name as Host.
    for host in [format!("evil.test:{port}"), "evil.test".to_string(), format!("192.168.1.10:{port}")] {
        let r = raw(api, format!("GET /voicenotes HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\r\n").as_bytes()).await;
        assert_eq!(r.status, 403, "{host}");
        let e = r.json()["error"].clone();
        assert_eq!((e["code"].as_i64(), e["details"]["host"].as_str()), (Some(9403), Some(host.as_str())));
        assert!(r.header("x-request-id").unwrap().starts_with("req_"));
        assert_eq!(r.header("access-control-allow-origin"), None);
    }
    let no_host = raw(api, b"GET /voicenotes HTTP/1.1\r\n\r\n").await;
    assert_eq!((no_host.status, no_host.json()["error"]["code"].as_i64()), (400, Some(9400)));
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        assert_eq!(raw(api, format!("GET /voicenotes HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).await.status, 200, "{host}");
    }
    // Storage too, in its own dialect.
    let r = raw(dev.server.storage_addr, b"PUT /storage/voicenotes/t/x.webm HTTP/1.1\r\nHost: evil.test\r\nContent-Length: 3\r\n\r\nabc").await;
    assert_eq!((r.status, r.header("content-type")), (403, Some("application/xml")));
    assert!(r.body.contains("<Code>AccessDenied</Code>"), "{}", r.body);
    // Refusals are logged like any request, and use up no fault.
    dev.script("voicenotes", json!([{"preset": "internal"}])).await;
    assert_eq!(raw(api, b"GET /voicenotes HTTP/1.1\r\nHost: evil.test\r\n\r\n").await.status, 403);
    assert_eq!(dev.http.get(dev.api("/voicenotes")).send().await.unwrap().status(), 500);
    let log = dev.log().await;
    assert!(log.iter().any(|l| l["route"] == "voicenotes" && l["status"] == 403));

    let allowed = dev_with(|c| c.allowed_hosts = vec!["devbox".into()]).await;
    let r = raw(allowed.server.api_addr, format!("GET /voicenotes HTTP/1.1\r\nHost: devbox:{}\r\n\r\n", allowed.server.api_addr.port()).as_bytes()).await;
    assert_eq!(r.status, 200);
}

// 2. Scopes.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_carry_granted_scopes_and_upload_needs_its_scope() {
    let dev = dev_with(|c| c.scopes = vec!["voice-api.upload".into(), "voice-api.read".into()]).await;
    let refused = dev.http.post(dev.api("/api/token")).json(&json!({"scopes": ["voice-api.admin"]})).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let v: Value = refused.json().await.unwrap();
    assert_eq!(v["success"], false);
    assert!(v["message"].as_str().unwrap().contains("voice-api.admin"), "{v}");

    let read: Value = dev.http.post(dev.api("/api/token")).json(&json!({"scopes": ["voice-api.read"]})).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["data"]["scopes"], json!(["voice-api.read"]));
    let token = read["data"]["id_token"].as_str().unwrap();
    let e = api_error(dev.upload_request(token, &upload_body(100, "webm", 1.0)).await, 403).await;
    assert_eq!(e["code"], 9403);
    assert_eq!((e["details"]["required_scope"].as_str(), &e["details"]["scopes"]), (Some("voice-api.upload"), &json!(["voice-api.read"])));
    assert_eq!(dev.log().await.iter().filter(|l| l["route"] == "upload").map(|l| l["status"].as_u64().unwrap()).collect::<Vec<_>>(), [403]);
    // A token that has it (the default request) is served.
    assert_eq!(dev.upload_request(&dev.token().await, &upload_body(100, "webm", 1.0)).await.status(), 201);

    // The default configuration grants the upload scope only.
    let plain = dev_with(|_| {}).await;
    assert_eq!(plain.http.post(plain.api("/api/token")).json(&json!({"scopes": ["voice-api.read"]})).send().await.unwrap().status(), 403);
}

// 3. Timeouts and limits.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_times_out_and_a_new_one_is_served_meanwhile() {
    let dev = dev_with(|c| c.timeouts.header = Duration::from_millis(600)).await;
    let started = Instant::now();
    let mut half = TcpStream::connect(dev.server.api_addr).await.unwrap();
    half.write_all(b"GET /voicenotes HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:5173\r\n").await.unwrap();
    let mut silent = TcpStream::connect(dev.server.api_addr).await.unwrap();

    let served = dev.http.get(dev.api("/voicenotes")).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(600), "served meanwhile, not after the timeout");

    let r = parse(&read_all(&mut half).await);
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(r.status, 408);
    assert_eq!(r.json()["error"]["code"], 9408);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:5173"));
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    // A connection that sent nothing is closed without a word.
    assert!(read_all(&mut silent).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_times_out() {
    let dev = dev_with(|c| c.timeouts.body = Duration::from_millis(400)).await;
    let token = dev.token().await;
    let mut stream = TcpStream::connect(dev.server.api_addr).await.unwrap();
    let head = format!("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"file_name\"");
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let r = parse(&read_all(&mut stream).await);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!((r.status, r.json()["error"]["code"].as_i64()), (408, Some(9408)));
    let log = dev.log().await;
    let upload = log.iter().find(|l| l["route"] == "upload").unwrap();
    assert_eq!((upload["status"].as_u64(), upload["bytes_received"].as_u64()), (Some(408), Some(12)));

    // On storage, in S3's words.
    let grant = dev.grant(100, "webm").await;
    let url = reqwest::Url::parse(grant["presigned_url"].as_str().unwrap()).unwrap();
    let mut stream = TcpStream::connect(dev.server.storage_addr).await.unwrap();
    stream.write_all(format!("PUT {}?{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc", url.path(), url.query().unwrap()).as_bytes()).await.unwrap();
    let r = parse(&read_all(&mut stream).await);
    assert_eq!(r.status, 408);
    assert!(r.body.contains("<Code>RequestTimeout</Code>"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_the_client_does_not_read_is_abandoned() {
    let dev = dev_with(|c| c.timeouts.idle = Duration::from_millis(400)).await;
    let bytes = pattern(8_000_000);
    let grant = dev.grant(bytes.len() as u64, "wav").await;
    for part in grant["upload_info"]["parts"].as_array().unwrap() {
        let (s, e) = (part["start_byte"].as_u64().unwrap() as usize, part["end_byte"].as_u64().unwrap() as usize);
        assert_eq!(dev.put(part["presigned_url"].as_str().unwrap(), bytes[s..=e].to_vec(), "audio/wav").await.status(), 200);
    }
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut reader = socket.connect(dev.server.api_addr).await.unwrap();
    reader.write_all(format!("GET /voicenotes/{}/audio HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", grant["voicenote_id"].as_str().unwrap()).as_bytes()).await.unwrap();
    // The server gives up on the write; its connection count falls back to none.
    let deadline = Instant::now() + Duration::from_secs(5);
    tokio::time::sleep(Duration::from_millis(100)).await;
    while dev.server.app.gate.open() > 0 {
        assert!(Instant::now() < deadline, "the unread response still holds its connection");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = read_all(&mut reader).await;
    assert!(got.starts_with(b"HTTP/1.1 200") && got.len() < bytes.len(), "{} bytes", got.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_past_the_cap_never_block_a_new_request() {
    // The header timeout is long: only the cap can make room.
    let dev = dev_with(|c| {
        c.max_connections = 8;
        c.timeouts.header = Duration::from_secs(30);
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(dev.server.api_addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        idle.push(s);
    }
    let started = Instant::now();
    let resp = dev.http.get(dev.api("/voicenotes")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The oldest idle connections were closed to make room, without an answer.
    assert!(read_all(&mut idle[0]).await.is_empty());
    assert!(dev.server.app.gate.open() <= 8 + 1, "{}", dev.server.app.gate.open());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_with_every_connection_busy_the_answer_is_503() {
    let dev = dev_with(|c| c.max_connections = 2).await;
    dev.script("voicenotes", json!([{"kind": "stall"}, {"kind": "stall"}])).await;
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(dev.server.api_addr).await.unwrap();
        s.write_all(b"GET /voicenotes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        stalled.push(s);
    }
    // Watched in-process: an HTTP call would itself be past the cap.
    let deadline = Instant::now() + Duration::from_secs(5);
    while dev.server.app.log.lines().iter().filter(|l| l.in_flight).count() < 2 {
        assert!(Instant::now() < deadline, "the two stalls never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = raw(dev.server.api_addr, b"GET /voicenotes HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:5173\r\n\r\n").await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));
    assert_eq!(r.json()["error"]["code"], 5002);
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:5173"));
    drop(stalled);
    // Once they are gone, requests are served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while dev.server.app.gate.open() > 0 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(dev.http.get(dev.api("/voicenotes")).send().await.unwrap().status(), 200);
}

// 4. Every error in the documented shape, with CORS and a request id.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_with_cors_and_a_request_id() {
    let dev = dev().await;
    let (api, storage) = (dev.server.api_addr, dev.server.storage_addr);
    let o = "Origin: http://localhost:5173\r\n";
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}\r\n", "a".repeat(9000));
    let many_headers = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}{}\r\n", (0..120).map(|i| format!("X-{i}: 1\r\n")).collect::<String>());
    let cases: Vec<(String, u16, i64)> = vec![
        (format!("GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}\r\n"), 404, 9404),
        (format!("DELETE /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}\r\n"), 405, 9405),
        (long_uri, 414, 9414),
        (many_headers, 431, 9431),
        (format!("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}Content-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400, 9400),
        (format!("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}Content-Length: abc\r\n\r\n"), 400, 9400),
        (format!("GET /voicenotes/%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}\r\n"), 400, 2003),
        (format!("POST /__dev/config HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}Transfer-Encoding: chunked\r\n\r\nzz\r\n"), 400, 9400),
    ];
    for (request, status, code) in cases {
        let r = raw(api, request.as_bytes()).await;
        let what = &request[..request.find('\r').unwrap().min(60)];
        assert_eq!((r.status, r.header("content-type")), (status, Some("application/json")), "{what}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], code, "{what}");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:5173"), "{what}");
        assert!(r.header("x-request-id").is_some_and(|id| id.starts_with("req_")), "{what}");
    }
    let r = raw(api, b"GET /voicenotes/%FF HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    assert_eq!(r.json()["error"]["details"], json!({"field": "voicenote_id", "value": "%FF", "reason": "must be a valid UUID"}));

    // The token endpoint answers in its own shape; an oversized body is 413 there.
    let r = dev.http.post(dev.api("/api/token")).header("origin", LOCAL_PAGE).body(vec![b' '; 3_000_000]).send().await.unwrap();
    assert_eq!((r.status().as_u16(), cors_of(&r).as_deref()), (413, Some(LOCAL_PAGE)));
    assert_eq!(r.json::<Value>().await.unwrap()["success"], false);

    // Storage answers S3 XML for what the HTTP layer refuses.
    for (request, status, s3) in [
        ("GET /storage/voicenotes/t/a.webm HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 405, "MethodNotAllowed"),
        ("PUT /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 404, "NoSuchKey"),
        ("PUT /storage/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n", 400, "BadRequest"),
    ] {
        let r = raw(storage, request.as_bytes()).await;
        assert_eq!((r.status, r.header("content-type")), (status, Some("application/xml")), "{request}");
        assert!(r.body.contains(&format!("<Code>{s3}</Code>")), "{}", r.body);
        assert!(r.header("x-request-id").is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_body_limit_comes_after_auth_and_is_2004() {
    let dev = dev().await;
    let big = vec![b' '; 3_000_000];
    let anonymous = dev.http.post(dev.api("/upload")).body(big.clone()).send().await.unwrap();
    assert_eq!(api_error(anonymous, 401).await["code"], 1001);
    let token = dev.token().await;
    let resp = dev.http.post(dev.api("/upload")).bearer_auth(&token).header("origin", LOCAL_PAGE).body(big).send().await.unwrap();
    assert_eq!(cors_of(&resp).as_deref(), Some(LOCAL_PAGE));
    let e = api_error(resp, 400).await;
    assert_eq!((e["code"].as_i64(), e["details"]["max_size"].as_str(), e["details"]["actual_size"].as_str()), (Some(2004), Some("2MB"), Some("3MB")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voicenote_ids_are_case_insensitive_and_unsatisfiable_ranges_are_json() {
    let dev = dev().await;
    let grant = dev.grant(10, "webm").await;
    let id = grant["voicenote_id"].as_str().unwrap();
    let upper = dev.http.get(dev.api(&format!("/voicenotes/{}", id.to_ascii_uppercase()))).send().await.unwrap();
    assert_eq!(upper.status(), 200);
    assert_eq!(upper.json::<Value>().await.unwrap()["data"]["id"], id);
    let braced = dev.http.get(dev.api(&format!("/voicenotes/{}", id.replace('-', "")))).send().await.unwrap();
    assert_eq!(api_error(braced, 400).await["code"], 2003);
    assert_eq!(dev.put(grant["presigned_url"].as_str().unwrap(), vec![7; 10], "audio/webm").await.status(), 200);
    let r = dev.http.get(dev.api(&format!("/voicenotes/{id}/audio"))).header("range", "bytes=50-").send().await.unwrap();
    assert_eq!(r.headers()["content-range"], "bytes */10");
    assert_eq!(api_error(r, 416).await["code"], 9416);
}

// 5. No panics at the extremes of the flags.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extremes_of_every_flag_serve_without_panicking() {
    let year = Duration::from_secs_f64(vocafuse_devserver::config::MAX_TIMEOUT_SECS);
    let dev = dev_with(|c| {
        c.lifetimes.token_ttl = f64::MAX;
        c.lifetimes.url_ttl = f64::MAX;
        c.part_size = u64::MAX;
        c.timeouts = vocafuse_devserver::Timeouts { header: year, body: year, idle: year };
        c.max_connections = usize::MAX;
        c.scopes = vec!["voice-api.upload".into(); 1000];
        c.allow_origins = vec!["*".into()];
        c.allowed_hosts = vec!["*".into()];
    })
    .await;
    let bytes = pattern(6_000_000);
    let grant = dev.grant(bytes.len() as u64, "ogg").await;
    let parts = grant["upload_info"]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(dev.put(parts[0]["presigned_url"].as_str().unwrap(), bytes.clone(), "audio/ogg").await.status(), 200);
    assert_eq!(dev.record(grant["voicenote_id"].as_str().unwrap()).await["sha256"], sha256_hex(&bytes));
    let r = dev.http.get(dev.api("/voicenotes")).header("origin", EVIL).header("host", "anything.test").send().await.unwrap();
    assert_eq!((r.status().as_u16(), cors_of(&r).as_deref()), (200, Some(EVIL)));

    // One connection: a request is served, or told to come back (the previous connection may
    // not have been counted out yet), never left hanging.
    let one = dev_with(|c| c.max_connections = 1).await;
    for _ in 0..5 {
        let status = one.http.get(one.api("/voicenotes")).send().await.unwrap().status().as_u16();
        assert!(status == 200 || status == 503, "{status}");
    }

    // The lifetimes the probe found: ~2e16 s overflowed `exp * 1000`; then every request died.
    let plain = common::dev().await;
    for ttl in [2e16, u64::MAX as f64 / 1000.0, 1e300, f64::MAX] {
        plain.control(Method::POST, "/__dev/config", Some(json!({"token_ttl": ttl, "url_ttl": ttl}))).await;
        let token = plain.token().await;
        assert_eq!(plain.upload_request(&token, &upload_body(10, "webm", 1.0)).await.status(), 201, "{ttl}");
    }
    assert_eq!(plain.http.get(plain.api("/voicenotes")).send().await.unwrap().status(), 200);
}

// 6. Restarts keep working.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_between_presign_and_put_still_stores_the_note() {
    let dir = std::env::temp_dir().join(format!("vf-restart-{:016x}", fastrand::u64(..)));
    let first = start(Config::ephemeral(&dir)).await.unwrap();
    let (api_port, storage_port) = (first.api_addr.port(), first.storage_addr.port());
    let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap();
    let token: Value = http.post(first.token_endpoint()).send().await.unwrap().json().await.unwrap();
    let token = token["data"]["id_token"].as_str().unwrap().to_string();
    let ask = |size: u64| http.post(format!("{}/upload", first.api_url())).bearer_auth(&token).json(&upload_body(size, "webm", 2.0)).send();
    let single: Value = ask(1000).await.unwrap().json().await.unwrap();
    let multi: Value = ask(6_000_000).await.unwrap().json().await.unwrap();
    let bytes = pattern(6_000_000);
    let parts = multi["data"]["upload_info"]["parts"].as_array().unwrap().clone();
    let slice = |p: &Value| bytes[p["start_byte"].as_u64().unwrap() as usize..=p["end_byte"].as_u64().unwrap() as usize].to_vec();
    assert_eq!(http.put(parts[0]["presigned_url"].as_str().unwrap()).body(slice(&parts[0])).send().await.unwrap().status(), 200);
    let key = std::fs::read_to_string(dir.join("devserver.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("devserver.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    first.shutdown().await;

    // The same data dir and ports, as `scripts/demo.sh` or a developer restarts it.
    let mut config = Config::ephemeral(&dir);
    (config.port, config.storage_port) = (api_port, storage_port);
    let second = start(config).await.unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("devserver.key")).unwrap(), key, "the key is kept");
    let put = http.put(single["data"]["presigned_url"].as_str().unwrap()).body(vec![9u8; 1000]).send().await.unwrap();
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    assert_eq!(http.put(parts[1]["presigned_url"].as_str().unwrap()).body(slice(&parts[1])).send().await.unwrap().status(), 200);
    for (id, sha) in [(&single["data"]["voicenote_id"], sha256_hex(&[9u8; 1000])), (&multi["data"]["voicenote_id"], sha256_hex(&bytes))] {
        let rec: Value = http.get(format!("{}/__dev/voicenotes/{}", second.api_url(), id.as_str().unwrap())).send().await.unwrap().json().await.unwrap();
        assert_eq!((rec["status"].as_str(), rec["sha256"].as_str()), (Some("uploaded"), Some(sha.as_str())));
    }
    // The token from before the restart still works, and the key is never shown.
    assert_eq!(http.post(format!("{}/upload", second.api_url())).bearer_auth(&token).json(&upload_body(10, "wav", 1.0)).send().await.unwrap().status(), 201);
    let info = http.get(format!("{}/__dev/info", second.api_url())).send().await.unwrap().text().await.unwrap();
    assert!(!info.contains(key.trim()));
    second.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
