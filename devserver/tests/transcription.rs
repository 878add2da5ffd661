//! Transcription: `processing` after upload, then `completed` (the command's stdout or the
//! labelled simulation) or `failed` (3003); 6002 until then; failures scripted via `/__dev/faults`.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use vocafuse_devserver::{start, Config};

const KEY: &str = "sk_test_t";
const SECRET: &str = "secret_t";

async fn with(cmd: Option<&str>, delay: f64) -> Dev {
    let cmd = cmd.map(str::to_string);
    dev_with(move |c| {
        c.api_key = Some(KEY.into());
        c.api_secret = Some(SECRET.into());
        c.transcribe_cmd = cmd;
        c.transcribe_delay = delay;
    })
    .await
}

async fn keyed_get(dev: &Dev, path: &str) -> (u16, Value) {
    let resp = dev.http.get(dev.api(path)).header("X-VocaFuse-API-Key", KEY).header("X-VocaFuse-API-Secret", SECRET).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// A stored single upload of `bytes`; returns its id.
async fn stored(dev: &Dev, bytes: &[u8]) -> String {
    let grant = dev.grant(bytes.len() as u64, "webm").await;
    assert_eq!(dev.put(grant["presigned_url"].as_str().unwrap(), bytes.to_vec(), "audio/webm").await.status(), 200);
    grant["voicenote_id"].as_str().unwrap().to_string()
}

/// Polls the transcription (every 20 ms, up to 10 s) until it is no longer 6002.
async fn settled(dev: &Dev, id: &str) -> (u16, Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = keyed_get(dev, &format!("/recordings/{id}/transcription")).await;
        if body["error"]["code"] != 6002 {
            return (status, body);
        }
        assert!(tokio::time::Instant::now() < deadline, "never transcribed: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulation_says_what_it_is_and_the_status_follows() {
    let dev = with(None, 0.0).await;
    let id = stored(&dev, b"0123456789").await;
    let (status, t) = settled(&dev, &id).await;
    assert_eq!((status, t["object"].clone(), t["data"]["voicenote_id"].clone(), t["data"]["source"].clone()), (200, json!("transcription"), json!(id), json!("simulation")));
    let text = t["data"]["text"].as_str().unwrap();
    assert!(text.starts_with("[simulated transcript") && text.contains("voicenote.webm (webm, 3.5 s, 10 bytes)"), "{text}");
    // The keyless demo route and the Node spelling serve the same text.
    let demo: Value = dev.http.get(dev.api(&format!("/voicenotes/{id}/transcription"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(demo["data"]["text"], text);
    assert_eq!(keyed_get(&dev, &format!("/voicenotes/{id}")).await.1["data"]["status"], "completed");
    for status in ["completed", "transcribed"] {
        assert_eq!(keyed_get(&dev, &format!("/recordings?status={status}")).await.1["pagination"]["total"], 1, "{status}");
    }
    assert_eq!(dev.record(&id).await["transcription"]["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_is_6002_and_a_pending_note_is_not_transcribed() {
    let dev = with(None, 3600.0).await;
    let id = stored(&dev, b"abc").await;
    let (status, t) = keyed_get(&dev, &format!("/recordings/{id}/transcription")).await;
    assert_eq!((status, t["error"].clone()), (404, json!({"code": 6002, "message": "Transcription not found", "details": {"voicenote_id": id}})));
    assert_eq!(keyed_get(&dev, &format!("/recordings/{id}")).await.1["data"]["status"], "processing");
    let pending = dev.grant(10, "webm").await["voicenote_id"].as_str().unwrap().to_string();
    assert_eq!(keyed_get(&dev, &format!("/recordings/{pending}")).await.1["data"]["status"], "pending");
    assert_eq!(dev.record(&pending).await["transcription"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_gets_the_stored_file_and_its_stdout_is_the_text() {
    let dev = with(Some("wc -c <"), 0.0).await;
    let id = stored(&dev, b"twelve bytes").await;
    let (status, t) = settled(&dev, &id).await;
    assert_eq!((status, t["data"]["text"].clone(), t["data"]["source"].clone()), (200, json!("12"), json!("command")));

    let failing = with(Some("echo 'no model here' >&2; exit 3; true"), 0.0).await;
    let id = stored(&failing, b"x").await;
    let (status, t) = settled(&failing, &id).await;
    assert_eq!((status, t["error"]["code"].clone(), t["error"]["message"].clone()), (500, json!(3003), json!("Failed to transcribe audio")));
    let reason = t["error"]["details"]["reason"].as_str().unwrap();
    assert!(reason.contains("exit status: 3") && reason.ends_with("no model here"), "{reason}");
    assert_eq!(keyed_get(&failing, &format!("/recordings/{id}")).await.1["data"]["status"], "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_scripted_in_order() {
    let dev = with(None, 0.0).await;
    for bad in [json!({"route": "transcription", "responses": [{"kind": "explode"}]}), json!({"route": "transcription", "responses": [{"kind": "fail", "extra": 1}]})] {
        assert_eq!(dev.http.post(dev.api("/__dev/faults")).json(&bad).send().await.unwrap().status(), 400);
    }
    let queued = dev.control(Method::POST, "/__dev/faults", Some(json!({"route": "transcription", "responses": [{"kind": "fail", "reason": "noisy"}, {"kind": "fail"}, {"kind": "pass"}]}))).await;
    assert_eq!(queued, json!({"route": "transcription", "queued": 3}));
    assert_eq!(dev.control(Method::GET, "/__dev/faults", None).await["scripts"]["transcription"][0], json!({"kind": "fail", "reason": "noisy"}));
    let ids = [stored(&dev, b"a").await, stored(&dev, b"b").await, stored(&dev, b"c").await, stored(&dev, b"d").await];
    let mut outcomes = Vec::new();
    for id in &ids {
        let (status, t) = settled(&dev, id).await;
        outcomes.push((status, t["error"]["details"]["reason"].clone()));
    }
    assert_eq!(outcomes, [(500, json!("noisy")), (500, json!("Audio quality too low")), (200, Value::Null), (200, Value::Null)]);
    dev.control(Method::POST, "/__dev/faults", Some(json!({"route": "transcription", "responses": [{"kind": "fail"}]}))).await;
    dev.control(Method::DELETE, "/__dev/faults", None).await;
    assert_eq!(dev.control(Method::GET, "/__dev/faults", None).await["scripts"]["transcription"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcription_left_unfinished_runs_again_on_the_next_start() {
    let dev = with(None, 3600.0).await;
    let id = stored(&dev, b"abc").await;
    // The next start over the same data directory (the first server never finishes it).
    let mut config = Config::ephemeral(&dev.dir);
    (config.api_key, config.api_secret, config.transcribe_delay) = (Some(KEY.into()), Some(SECRET.into()), 0.0);
    let next = Dev { server: start(config).await.unwrap(), http: dev.http.clone(), dir: dev.dir.clone() };
    let (status, t) = settled(&next, &id).await;
    assert_eq!((status, t["data"]["voicenote_id"].clone()), (200, json!(id)));
}
