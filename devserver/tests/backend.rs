//! The backend API the official server SDKs call: API key and secret on every route, `/token`
//! for a user, voice notes listed, read and deleted under both spellings.

mod common;

use common::*;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

const KEY: &str = "sk_test_backend";
const SECRET: &str = "secret_backend";

async fn backend() -> Dev {
    dev_with(|c| {
        c.api_key = Some(KEY.into());
        c.api_secret = Some(SECRET.into());
    })
    .await
}

trait Keyed {
    fn keyed(self) -> Self;
}

impl Keyed for RequestBuilder {
    fn keyed(self) -> Self {
        self.header("X-VocaFuse-API-Key", KEY).header("X-VocaFuse-API-Secret", SECRET)
    }
}

async fn mint(dev: &Dev, body: Value) -> reqwest::Response {
    dev.http.post(dev.api("/token")).keyed().json(&body).send().await.unwrap()
}

/// Uploads `bytes` as a note of `user`'s, through a token minted for them; returns its id.
async fn upload_as(dev: &Dev, user: &str, bytes: Option<Vec<u8>>) -> String {
    let v: Value = mint(dev, json!({"user_id": user, "scopes": ["voice-api.upload_recording"]})).await.json().await.unwrap();
    let token = v["data"]["jwt_token"].as_str().unwrap();
    let size = bytes.as_ref().map_or(100, |b| b.len() as u64);
    let resp = dev.upload_request(token, &upload_body(size, "webm", 2.0)).await;
    assert_eq!(resp.status(), 201);
    let grant: Value = resp.json().await.unwrap();
    if let Some(b) = bytes {
        assert_eq!(dev.put(grant["data"]["presigned_url"].as_str().unwrap(), b, "audio/webm").await.status(), 200);
    }
    grant["data"]["voicenote_id"].as_str().unwrap().to_string()
}

async fn get_json(dev: &Dev, path: &str) -> (u16, Value) {
    let resp = dev.http.get(dev.api(path)).keyed().send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_backend_route_refuses_a_missing_or_wrong_key() {
    let dev = backend().await;
    let id = upload_as(&dev, "u1", None).await;
    let routes = [
        (Method::POST, "/token".to_string()),
        (Method::GET, "/recordings".into()),
        (Method::GET, format!("/recordings/{id}")),
        (Method::DELETE, format!("/recordings/{id}")),
        (Method::GET, format!("/recordings/{id}/transcription")),
        (Method::DELETE, format!("/voicenotes/{id}")),
        (Method::GET, "/webhooks".into()),
        (Method::POST, "/webhooks".into()),
        (Method::GET, "/webhooks/wh_1".into()),
        (Method::PUT, "/webhooks/wh_1".into()),
        (Method::DELETE, "/webhooks/wh_1".into()),
    ];
    for (method, path) in routes {
        for (key, secret, reason) in [
            (None, None, "missing X-VocaFuse-API-Key header"),
            (Some(KEY), None, "missing X-VocaFuse-API-Secret header"),
            (Some(KEY), Some("wrong"), "unknown API key or wrong API secret"),
            (Some("sk_test_other"), Some(SECRET), "unknown API key or wrong API secret"),
        ] {
            let mut req = dev.http.request(method.clone(), dev.api(&path)).json(&json!({"user_id": "u1"}));
            if let Some(k) = key {
                req = req.header("X-VocaFuse-API-Key", k);
            }
            if let Some(s) = secret {
                req = req.header("X-VocaFuse-API-Secret", s);
            }
            let err = api_error(req.send().await.unwrap(), 401).await;
            assert_eq!(err, json!({"code": 1001, "message": "Invalid or malformed token", "details": {"reason": reason}}), "{method} {path}");
        }
    }
    // A key header on the demo's routes makes them backend calls, checked the same way.
    for path in ["/voicenotes".to_string(), format!("/voicenotes/{id}"), format!("/voicenotes/{id}/transcription")] {
        let resp = dev.http.get(dev.api(&path)).header("X-VocaFuse-API-Key", "nope").send().await.unwrap();
        assert_eq!(api_error(resp, 401).await["code"], 1001, "{path}");
    }
    // Nothing was deleted by the refused calls.
    assert_eq!(get_json(&dev, &format!("/recordings/{id}")).await.0, 200);
    assert!(dev.log().await.iter().any(|l| l["route"] == "backend" && l["auth"] == "invalid_key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_minted_for_a_user_uploads_as_that_user() {
    let dev = backend().await;
    let resp = mint(&dev, json!({"user_id": "user_123", "expires_in": 120, "scopes": ["voice-api.upload_voicenote"]})).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!((v["success"].clone(), v["data"]["expires_in"].clone(), v["data"]["token_type"].clone()), (json!(true), json!(120), json!("Bearer")));
    assert_eq!(v["data"]["scopes"], json!(["voice-api.upload_voicenote"]));
    let claims = dev.server.app.tokens.verify(v["data"]["jwt_token"].as_str().unwrap()).unwrap();
    // Whole seconds: `iat` is rounded down and `exp` up.
    assert_eq!(claims.sub, "user_123");
    assert!((120..=121).contains(&(claims.exp - claims.iat)), "{claims:?}");
    // With no scopes the token is the browser SDK's upload scope; it uploads, and the note is the user's.
    let id = upload_as(&dev, "user_123", Some(b"voice".to_vec())).await;
    let (status, note) = get_json(&dev, &format!("/voicenotes/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!((note["object"].clone(), note["data"]["user_id"].clone(), note["data"]["status"].clone()), (json!("voicenote"), json!("user_123"), json!("processing")));
    assert_eq!(dev.record(&id).await["user_id"], "user_123");
    let default: Value = mint(&dev, json!({"user_id": "u"})).await.json().await.unwrap();
    assert_eq!((default["data"]["scopes"].clone(), default["data"]["expires_in"].clone()), (json!(["voice-api.upload"]), json!(3600)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_refuses_bad_bodies_in_the_documented_shape() {
    let dev = backend().await;
    let raw = |body: &'static str| dev.http.post(dev.api("/token")).keyed().header("content-type", "application/json").body(body).send();
    assert_eq!(api_error(raw("{").await.unwrap(), 400).await["code"], 2001);
    assert_eq!(api_error(raw("[1]").await.unwrap(), 400).await["code"], 2001);
    assert_eq!(api_error(raw("").await.unwrap(), 400).await["code"], 2001);
    let cases = [
        (json!({}), 2002, json!({"field": "user_id"})),
        (json!({"user_id": null}), 2002, json!({"field": "user_id"})),
        (json!({"user_id": 7}), 2003, json!({"field": "user_id", "value": 7, "reason": "must be a non-empty string of at most 256 characters"})),
        (json!({"user_id": " "}), 2003, json!({"field": "user_id", "value": " ", "reason": "must be a non-empty string of at most 256 characters"})),
        (json!({"user_id": "u", "expires_in": 59}), 2003, json!({"field": "expires_in", "value": 59, "reason": "must be an integer between 60 and 86400"})),
        (json!({"user_id": "u", "expires_in": 86401}), 2003, json!({"field": "expires_in", "value": 86401, "reason": "must be an integer between 60 and 86400"})),
        (json!({"user_id": "u", "expires_in": "60"}), 2003, json!({"field": "expires_in", "value": "60", "reason": "must be an integer between 60 and 86400"})),
        (json!({"user_id": "u", "scopes": "voice-api.upload"}), 2003, json!({"field": "scopes", "value": "voice-api.upload", "reason": "must be an array of strings"})),
    ];
    for (body, code, details) in cases {
        let err = api_error(mint(&dev, body.clone()).await, 400).await;
        assert_eq!((err["code"].clone(), err["details"].clone()), (json!(code), details), "{body}");
    }
    let err = api_error(mint(&dev, json!({"user_id": "u", "scopes": ["admin"]})).await, 400).await;
    assert_eq!((err["code"].clone(), err["details"]["field"].clone()), (json!(2003), json!("scopes")));
    assert!(err["details"]["reason"].as_str().unwrap().contains("admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_listed_filtered_and_paged_under_both_spellings() {
    let dev = backend().await;
    let a1 = upload_as(&dev, "alice", Some(b"one".to_vec())).await;
    let b1 = upload_as(&dev, "bob", None).await;
    let a2 = upload_as(&dev, "alice", Some(b"two".to_vec())).await;

    for base in ["/recordings", "/voicenotes"] {
        let (status, all) = get_json(&dev, base).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = all["data"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [a2.as_str(), b1.as_str(), a1.as_str()], "{base}: newest first");
        assert_eq!(all["pagination"], json!({"page": 0, "limit": 50, "total": 3, "has_more": false}));

        let (_, page) = get_json(&dev, &format!("{base}?page=0&limit=2")).await;
        assert_eq!((page["data"].as_array().unwrap().len(), page["pagination"]["has_more"].clone()), (2, json!(true)));
        let (_, last) = get_json(&dev, &format!("{base}?page=1&limit=2")).await;
        assert_eq!((last["data"][0]["id"].clone(), last["pagination"]["has_more"].clone()), (json!(a1), json!(false)));

        let (_, alice) = get_json(&dev, &format!("{base}?user_id=alice&status=processing")).await;
        assert_eq!(alice["pagination"]["total"], 2);
        let (_, pending) = get_json(&dev, &format!("{base}?status=pending")).await;
        assert_eq!(pending["data"][0]["id"], json!(b1));
        let (_, done) = get_json(&dev, &format!("{base}?status=completed")).await;
        assert_eq!(done["pagination"]["total"], 0);
        let (_, today) = get_json(&dev, &format!("{base}?date_from=2000-01-01&date_to=2999-12-31T23:59:59Z")).await;
        assert_eq!(today["pagination"]["total"], 3);
        let (_, future) = get_json(&dev, &format!("{base}?date_from=2999-01-01")).await;
        assert_eq!(future["data"], json!([]));

        for (query, field) in [("page=-1", "page"), ("limit=0", "limit"), ("limit=101", "limit"), ("status=done", "status"), ("date_from=yesterday", "date_from"), ("date_to=2026-02-30", "date_to")] {
            let resp = dev.http.get(dev.api(&format!("{base}?{query}"))).keyed().send().await.unwrap();
            let err = api_error(resp, 400).await;
            assert_eq!((err["code"].clone(), err["details"]["field"].clone()), (json!(2003), json!(field)), "{base}?{query}");
        }
    }
    // The demo's keyless list is unchanged: every note, no pagination block.
    let demo: Value = dev.http.get(dev.api("/voicenotes")).send().await.unwrap().json().await.unwrap();
    assert_eq!((demo["data"].as_array().unwrap().len(), demo.get("pagination")), (3, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_read_and_deleted_one_by_one() {
    let dev = backend().await;
    let keep = upload_as(&dev, "u", Some(b"keep".to_vec())).await;
    let gone = upload_as(&dev, "u", Some(b"gone".to_vec())).await;
    for base in ["/recordings", "/voicenotes"] {
        let (status, one) = get_json(&dev, &format!("{base}/{keep}")).await;
        assert_eq!((status, one["data"]["id"].clone(), one["data"]["file_size"].clone()), (200, json!(keep), json!(4)));
        let (status, t) = get_json(&dev, &format!("{base}/{keep}/transcription")).await;
        assert_eq!((status, t["error"]["code"].clone(), t["error"]["message"].clone()), (404, json!(6002), json!("Transcription not found")));
        let (status, bad) = get_json(&dev, &format!("{base}/rec_123")).await;
        assert_eq!((status, bad["error"]["code"].clone(), bad["error"]["details"]["field"].clone()), (400, json!(2003), json!("voicenote_id")));
        let (status, unknown) = get_json(&dev, &format!("{base}/6f1c1d2e-0000-4000-8000-000000000000")).await;
        assert_eq!((status, unknown["error"]["code"].clone()), (404, json!(6001)));
    }
    // Ids and queries that do not decode are refused in the documented shape, as sent.
    let (status, raw) = get_json(&dev, "/recordings/%FF/transcription").await;
    assert_eq!((status, raw["error"]["code"].clone(), raw["error"]["details"]["value"].clone()), (400, json!(2003), json!("%FF")));
    let (status, raw) = get_json(&dev, "/recordings?page=%ZZ").await;
    assert_eq!((status, raw["error"]["details"]["field"].clone(), raw["error"]["details"]["value"].clone()), (400, json!("page"), json!("%ZZ")));
    let (status, raw) = get_json(&dev, "/webhooks/%FF").await;
    assert_eq!((status, raw["error"]["code"].clone()), (400, json!(9400)));

    let del = dev.http.delete(dev.api(&format!("/recordings/{gone}"))).keyed().send().await.unwrap();
    assert_eq!(del.status(), 204);
    assert!(del.bytes().await.unwrap().is_empty());
    assert!(!dev.dir.join(format!("{gone}.json")).exists() && !dev.dir.join(format!("{gone}.webm")).exists());
    for base in ["/recordings", "/voicenotes"] {
        let again = dev.http.delete(dev.api(&format!("{base}/{gone}"))).keyed().send().await.unwrap();
        assert_eq!(api_error(again, 404).await["details"], json!({"voicenote_id": gone}));
        let bad = dev.http.delete(dev.api(&format!("{base}/not-a-uuid"))).keyed().send().await.unwrap();
        assert_eq!(api_error(bad, 400).await["code"], 2003);
    }
    let (_, list) = get_json(&dev, "/voicenotes").await;
    assert_eq!(list["data"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect::<Vec<_>>(), [json!(keep)]);
    assert_eq!(dev.http.delete(dev.api(&format!("/voicenotes/{keep}"))).keyed().send().await.unwrap().status(), 204);
    assert_eq!(get_json(&dev, "/recordings").await.1["pagination"]["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_made_key_is_kept_in_the_data_directory() {
    let dev = dev().await;
    let made = dev.server.app.credentials.clone();
    assert!(made.api_key.starts_with("sk_test_"));
    let stored: Value = serde_json::from_slice(&std::fs::read(dev.dir.join("api-key.json")).unwrap()).unwrap();
    assert_eq!((stored["api_key"].as_str(), stored["api_secret"].as_str()), (Some(made.api_key.as_str()), Some(made.api_secret.as_str())));
    let resp = dev.http.get(dev.api("/recordings")).header("X-VocaFuse-API-Key", &made.api_key).header("X-VocaFuse-API-Secret", &made.api_secret).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // Served nowhere else: /__dev/info does not carry the secret.
    let info = dev.control(Method::GET, "/__dev/info", None).await;
    assert!(!info.to_string().contains(&made.api_secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_the_key_once_at_start_and_never_per_request() {
    use std::io::{BufRead, Read};
    let dir = std::env::temp_dir().join(format!("vf-bin-key-{:x}", fastrand::u64(..)));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vocafuse-devserver"))
        .args(["--port", "0", "--storage-port", "0", "--api-key", KEY, "--api-secret", SECRET, "--data-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let api = serde_json::from_str::<Value>(&line).unwrap()["api"].as_str().unwrap().to_string();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..2 {
        let resp = http.get(format!("{api}/recordings")).header("X-VocaFuse-API-Key", KEY).header("X-VocaFuse-API-Secret", SECRET).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().code(), Some(0));
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
    // One line names both; the two request lines name neither.
    assert_eq!(stderr.lines().filter(|l| l.contains(SECRET)).count(), 1, "{stderr}");
    let announced = stderr.lines().find(|l| l.contains(SECRET)).unwrap();
    assert!(announced.contains(KEY) && announced.contains("X-VocaFuse-API-Key"), "{announced}");
    assert_eq!(stderr.lines().filter(|l| l.contains("GET /recordings 200")).count(), 2, "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains(KEY)).count(), 1, "{stderr}");
}
