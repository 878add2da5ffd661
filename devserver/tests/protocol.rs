//! The dev server speaks PROTOCOL.md: tokens, upload requests and their refusals, presigned
//! single and multipart uploads, reads.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use vocafuse_wasm::core::protocol::{Envelope, TokenResponse, UploadGrant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_answers_the_documented_shape_with_real_jwts() {
    let dev = dev().await;
    let resp = dev.http.post(dev.api("/api/token")).json(&json!({"scopes": ["voice-api.upload"]})).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["success"], true);
    assert!(v["message"].is_string());
    let data = &v["data"];
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["expires_in"], 3600);
    assert_eq!(data["tenant_id"], "tenant_dev");
    assert_eq!(data["scopes"], json!(["voice-api.upload"]));
    let parsed: TokenResponse = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(parsed.token(), data["id_token"].as_str());

    for key in ["jwt_token", "id_token"] {
        let jwt = data[key].as_str().unwrap();
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
        let claims = dev.server.app.tokens.verify(jwt).unwrap();
        assert_eq!(claims.tenant_id, "tenant_dev");
        assert_eq!(claims.scopes, vec!["voice-api.upload"]);
        assert!(claims.exp >= claims.iat + 3600 && !claims.sub.is_empty());
        // Either token is accepted by the API.
        assert_eq!(dev.upload_request(jwt, &upload_body(100, "webm", 1.0)).await.status(), 201);
    }
    // An empty body asks for the upload scope.
    let v: Value = dev.http.post(dev.api("/api/token")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["data"]["scopes"], json!(["voice-api.upload"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_expired_tokens_are_refused() {
    let dev = dev().await;
    let body = upload_body(100, "webm", 1.0);
    let resp = dev.http.post(dev.api("/upload")).json(&body).send().await.unwrap();
    assert_eq!(api_error(resp, 401).await["code"], 1001);
    for bad in ["garbage", "a.b.c"] {
        assert_eq!(api_error(dev.upload_request(bad, &body).await, 401).await["code"], 1001);
    }
    let resp = dev.http.post(dev.api("/upload")).header("authorization", "Token abc").json(&body).send().await.unwrap();
    assert_eq!(api_error(resp, 401).await["code"], 1001);

    // 1-second tokens: valid at once, 1002 once the second has passed.
    let cfg = dev.control(Method::POST, "/__dev/config", Some(json!({"token_ttl": 1}))).await;
    assert_eq!(cfg["token_ttl"], 1.0);
    let token = dev.token().await;
    assert_eq!(dev.upload_request(&token, &body).await.status(), 201);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = api_error(dev.upload_request(&token, &body).await, 401).await;
    assert_eq!(err, json!({"code": 1002, "message": "Token has expired"}));
    let log = dev.log().await;
    let auths: Vec<&str> = log.iter().filter(|l| l["route"] == "upload").map(|l| l["auth"].as_str().unwrap()).collect();
    assert_eq!(auths, ["missing", "invalid", "invalid", "invalid", "id", "expired"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_validation_code_with_its_details() {
    let dev = dev().await;
    let token = dev.token().await;
    let send_raw = |body: &'static str| {
        let req = dev.http.post(dev.api("/upload")).bearer_auth(&token).header("content-type", "application/json").body(body);
        async move { req.send().await.unwrap() }
    };
    let e = api_error(send_raw("{not json").await, 400).await;
    assert_eq!((e["code"].as_i64(), e["message"].as_str()), (Some(2001), Some("Request body is malformed")));

    let mut missing = upload_body(100, "webm", 1.0);
    missing.as_object_mut().unwrap().remove("audio_format");
    let e = api_error(dev.upload_request(&token, &missing).await, 400).await;
    assert_eq!(e, json!({"code": 2002, "message": "Required field missing", "details": {"field": "audio_format"}}));

    let mut negative = upload_body(100, "webm", 1.0);
    negative["file_size"] = json!(-1);
    let e = api_error(dev.upload_request(&token, &negative).await, 400).await;
    assert_eq!(e["code"], 2003);
    assert_eq!((e["details"]["field"].as_str(), e["details"]["value"].as_i64()), (Some("file_size"), Some(-1)));
    assert!(e["details"]["reason"].is_string());
    let mut wrong_type = upload_body(100, "webm", 1.0);
    wrong_type["duration_seconds"] = json!("long");
    assert_eq!(api_error(dev.upload_request(&token, &wrong_type).await, 400).await["details"]["field"], "duration_seconds");

    let e = api_error(dev.upload_request(&token, &upload_body(30_000_000, "webm", 1.0)).await, 400).await;
    assert_eq!(e, json!({"code": 2004, "message": "File size exceeds maximum limit", "details": {"max_size": "25MB", "actual_size": "30MB"}}));
    let e = api_error(dev.upload_request(&token, &upload_body(100, "mp4", 1.0)).await, 400).await;
    assert_eq!(e, json!({"code": 2005, "message": "Audio format not supported", "details": {"format": "mp4", "supported_formats": ["webm", "wav", "ogg"]}}));
    let e = api_error(dev.upload_request(&token, &upload_body(100, "ogg", 75.0)).await, 400).await;
    assert_eq!(e, json!({"code": 2006, "message": "Recording exceeds maximum duration", "details": {"max_duration": 60, "actual_duration": 75.0}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_upload_round_trip_is_byte_identical() {
    let dev = dev().await;
    let bytes = pattern(300_000);
    let grant = dev.grant(bytes.len() as u64, "webm").await;
    let typed: UploadGrant = serde_json::from_value(grant.clone()).unwrap();
    assert_eq!(typed.upload_type, "single");
    assert!(typed.upload_info.is_none() && grant.get("upload_info").is_none());
    assert_eq!(typed.expires_in, 900);
    assert!(typed.client_processed);
    let url = typed.presigned_url.unwrap();
    assert!(url.starts_with(dev.server.storage_url()), "{url}");
    let id = typed.voicenote_id;

    let note: Value = dev.http.get(dev.api(&format!("/voicenotes/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(note["data"]["status"], "pending");

    let resp = dev.put(&url, bytes.clone(), "audio/webm;codecs=opus").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("etag"));

    let rec = dev.record(&id).await;
    assert_eq!(rec["sha256"], sha256_hex(&bytes));
    assert_eq!((rec["status"].as_str(), rec["bytes_stored"].as_u64()), (Some("uploaded"), Some(300_000)));
    assert_eq!(rec["content_type"], "audio/webm;codecs=opus");
    assert_eq!(std::fs::read(dev.dir.join(format!("{id}.webm"))).unwrap(), bytes);
    assert!(dev.dir.join(format!("{id}.json")).exists());

    let env: Envelope<vocafuse_wasm::core::protocol::VoiceNote> = dev.http.get(dev.api(&format!("/voicenotes/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!((env.object.as_str(), env.data.status.as_str(), env.data.file_size), ("voicenote", "uploaded", 300_000));
    assert!(env.request_id.starts_with("req_"));
    let audio_url = env.data.audio_url.unwrap();
    let audio = dev.http.get(&audio_url).send().await.unwrap();
    assert_eq!(audio.headers()["content-type"], "audio/webm;codecs=opus");
    assert_eq!(audio.bytes().await.unwrap().to_vec(), bytes);
    let part = dev.http.get(&audio_url).header("range", "bytes=10-19").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/300000");
    assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[10..20].to_vec());

    // A second note is listed first.
    let second = dev.grant(10, "wav").await;
    let list: Value = dev.http.get(dev.api("/voicenotes")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"][0]["id"], second["voicenote_id"]);
    assert_eq!(list["data"][1]["id"], id.as_str());

    let t = dev.http.get(dev.api(&format!("/voicenotes/{id}/transcription"))).send().await.unwrap();
    assert_eq!(api_error(t, 404).await["code"], 6002);
    let unknown = dev.http.get(dev.api("/voicenotes/6f1c1d2e-0000-4000-8000-000000000000")).send().await.unwrap();
    assert_eq!(api_error(unknown, 404).await["code"], 6001);
    let not_uuid = dev.http.get(dev.api("/voicenotes/rec_123")).send().await.unwrap();
    assert_eq!(api_error(not_uuid, 400).await["details"]["reason"], "must be a valid UUID");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_upload_assembles_parts_and_accepts_retries() {
    let dev = dev().await;
    let bytes = pattern(12_000_000);
    let grant: UploadGrant = serde_json::from_value(dev.grant(bytes.len() as u64, "ogg").await).unwrap();
    assert!(grant.is_multipart() && grant.presigned_url.is_none());
    let info = grant.upload_info.unwrap();
    let ranges: Vec<(u64, u64, u64)> = info.parts.iter().map(|p| (p.start_byte, p.end_byte, p.content_length)).collect();
    assert_eq!(ranges, vec![(0, 5_242_879, 5_242_880), (5_242_880, 10_485_759, 5_242_880), (10_485_760, 11_999_999, 1_514_240)]);
    assert_eq!(info.parts.iter().map(|p| p.part_number).collect::<Vec<_>>(), [1, 2, 3]);
    let slice = |i: usize| bytes[info.parts[i].start_byte as usize..=info.parts[i].end_byte as usize].to_vec();

    // Out of order, a part sent to another part's URL is refused, and part 1 is sent twice.
    assert_eq!(dev.put(&info.parts[2].presigned_url, slice(2), "audio/ogg").await.status(), 200);
    assert_eq!(dev.put(&info.parts[1].presigned_url, slice(2), "audio/ogg").await.status(), 400);
    assert_eq!(dev.put(&info.parts[0].presigned_url, slice(0), "audio/ogg").await.status(), 200);
    assert_eq!(dev.record(&grant.voicenote_id).await["status"], "pending");
    assert_eq!(dev.put(&info.parts[0].presigned_url, slice(0), "audio/ogg").await.status(), 200);
    assert_eq!(dev.put(&info.parts[1].presigned_url, slice(1), "audio/ogg").await.status(), 200);

    let rec = dev.record(&grant.voicenote_id).await;
    assert_eq!(rec["status"], "uploaded");
    assert_eq!(rec["sha256"], sha256_hex(&bytes));
    assert_eq!(rec["put_count"], 4);
    assert_eq!(rec["parts"][0]["put_count"], 2);
    let audio = dev.http.get(dev.api(&format!("/voicenotes/{}/audio", grant.voicenote_id))).send().await.unwrap();
    assert_eq!(audio.headers()["content-type"], "audio/ogg");
    assert_eq!(sha256_hex(&audio.bytes().await.unwrap()), sha256_hex(&bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_size_follows_the_flag() {
    let dev = dev_with(|c| c.part_size = 8_000_000).await;
    let grant: UploadGrant = serde_json::from_value(dev.grant(20_000_000, "wav").await).unwrap();
    let lens: Vec<u64> = grant.upload_info.unwrap().parts.iter().map(|p| p.content_length).collect();
    assert_eq!(lens, [8_000_000, 8_000_000, 4_000_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tampered_and_short_storage_requests_are_refused() {
    let dev = dev().await;
    let grant = dev.grant(1000, "webm").await;
    let url = grant["presigned_url"].as_str().unwrap().to_string();
    let short = dev.put(&url, vec![1; 999], "audio/webm").await;
    assert_eq!(short.status(), 400);
    let xml = short.text().await.unwrap();
    assert!(xml.contains("<Code>IncompleteBody</Code>") && xml.contains("<ReceivedBytes>999</ReceivedBytes>"), "{xml}");
    assert_eq!(dev.put(&url, vec![1; 1001], "audio/webm").await.status(), 400);
    let tampered = url.replace("X-Dev-Signature=", "X-Dev-Signature=00");
    let resp = dev.put(&tampered, vec![1; 1000], "audio/webm").await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
    assert_eq!(dev.record(grant["voicenote_id"].as_str().unwrap()).await["status"], "pending");

    // URLs that live 0.3 s.
    dev.control(Method::POST, "/__dev/config", Some(json!({"url_ttl": 0.3}))).await;
    let grant = dev.grant(1000, "webm").await;
    assert_eq!(grant["expires_in"], 1);
    let url = grant["presigned_url"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(350)).await;
    let resp = dev.put(&url, vec![1; 1000], "audio/webm").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    let xml = resp.text().await.unwrap();
    assert!(xml.contains("<Code>AccessDenied</Code>") && xml.contains("Request has expired"), "{xml}");
    assert_eq!(dev.record(grant["voicenote_id"].as_str().unwrap()).await["status"], "pending");

    // A new POST /upload is the remedy.
    dev.control(Method::POST, "/__dev/config", Some(json!({"url_ttl": 900}))).await;
    let again = dev.grant(1000, "webm").await;
    assert_eq!(dev.put(again["presigned_url"].as_str().unwrap(), vec![1; 1000], "audio/webm").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_and_the_package_are_served_uncached() {
    let www = std::env::temp_dir().join(format!("vf-www-{:x}", fastrand::u64(..)));
    let pkg = www.join("pkgsrc");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(pkg.join("vocafuse_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("index.js"), "export default 1;").unwrap();
    let (w, p) = (www.clone(), pkg.clone());
    let dev = dev_with(move |c| {
        c.www = Some(w);
        c.pkg = Some(p);
    })
    .await;
    let index = dev.http.get(dev.api("/")).send().await.unwrap();
    assert_eq!(index.headers()["cache-control"], "no-store");
    assert_eq!(index.text().await.unwrap(), "<h1>demo</h1>");
    let wasm = dev.http.get(dev.api("/pkg/vocafuse_wasm_bg.wasm")).send().await.unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], "no-store");
    let js = dev.http.get(dev.api("/pkg/index.js")).send().await.unwrap();
    assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));
    std::fs::remove_dir_all(&www).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_announces_itself_and_stops_on_sigterm() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("vf-bin-{:x}", fastrand::u64(..)));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vocafuse-devserver"))
        .args(["--port", "0", "--storage-port", "0", "--data-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let urls: Value = serde_json::from_str(&line).unwrap();
    let (api, storage, token) = (urls["api"].as_str().unwrap(), urls["storage"].as_str().unwrap(), urls["token_endpoint"].as_str().unwrap());
    assert!(api.starts_with("http://127.0.0.1:") && storage.starts_with("http://127.0.0.1:") && api != storage);
    assert_eq!(token, format!("{api}/api/token"));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    assert_eq!(http.post(token).send().await.unwrap().status(), 200);

    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(exit.success(), "{exit:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
