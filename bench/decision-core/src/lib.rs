//! What the wasm would weigh if JavaScript drove `getUserMedia`, `MediaRecorder`, `fetch` and
//! IndexedDB and asked Rust only for decisions: every pure `core` function the SDK uses, exported
//! with plain types (JSON strings where a value is structured). Not shipped and not tested: it
//! exists so `scripts/bench.sh` can measure the bundle budget's alternative (BENCHMARKS.md).
use vocafuse_wasm::core::{
    errors::*,
    json::{object, Value},
    *,
};
use wasm_bindgen::prelude::*;

fn err_json(e: &SdkError, messages: &Messages) -> String {
    let um = messages.user_message(e.code);
    object([
        ("code", Value::String(e.code.name().into())),
        ("message", Value::String(e.message.clone())),
        ("userMessage", Value::String(um.into())),
        ("status", e.status.map_or(Value::Null, |s| Value::Number(s as f64))),
        ("serverCode", e.server_code.map_or(Value::Null, |s| Value::Number(s as f64))),
        ("retryAfter", e.retry_after.map_or(Value::Null, Value::Number)),
        ("retryable", Value::Bool(e.retryable())),
        ("details", e.details.clone().unwrap_or(Value::Null)),
    ])
    .to_json()
}
fn res<T>(r: Result<T, SdkError>, f: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => f(v),
        Err(e) => err_json(&e, &Messages::default()),
    }
}
fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    flat.chunks(2).filter_map(|c| Some((c.first()?.clone(), c.get(1)?.clone()))).collect()
}

/// `core::response::error_from_response`, as a `VocaFuseError`'s JSON; `headers` and `messages` are flat name/value lists.
#[wasm_bindgen(js_name = errorFromResponse)]
pub fn error_from_response(status: u16, body: &str, headers: Vec<String>, now: f64, messages: Vec<String>) -> String {
    err_json(&response::error_from_response(status, body, &pairs(headers), now), &Messages(pairs(messages)))
}
/// `core::response::error_from_socket_message`, as JSON.
#[wasm_bindgen(js_name = errorFromSocketMessage)]
pub fn error_from_socket(data: &str, messages: Vec<String>) -> Option<String> {
    response::error_from_socket_message(data).map(|e| err_json(&e, &Messages(pairs(messages))))
}
/// The `ErrorCode` object's JSON.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> String {
    error_code_object_json()
}
/// An SDK error of a code's name, as JSON.
#[wasm_bindgen(js_name = localError)]
pub fn local_error(code: &str, message: &str, messages: Vec<String>) -> String {
    err_json(&SdkError::new(ErrorCode::from_name(code).unwrap_or(ErrorCode::UnknownError), message), &Messages(pairs(messages)))
}
/// The code of a `getUserMedia` exception's name.
#[wasm_bindgen(js_name = mediaExceptionCode)]
pub fn media_exception(name: &str) -> String {
    device::media_exception_code(name).name().into()
}
/// `core::config`'s checks of the SDK's options: the checked values, or the error, as JSON.
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(api: Option<String>, token: Option<String>, timeout: Option<f64>, retries: Option<f64>, offline: Option<f64>) -> String {
    let r = (|| -> Result<Value, SdkError> {
        Ok(object([
            ("apiBaseUrl", Value::String(config::api_base_url(api.as_deref())?)),
            ("tokenEndpoint", Value::String(config::token_endpoint(token.as_deref())?)),
            ("timeout", Value::Number(config::timeout_ms(timeout)?)),
            ("retries", Value::Number(config::retries(retries)? as f64)),
            ("offlineWait", Value::Number(config::offline_wait_ms(offline)?)),
        ]))
    })();
    res(r, |v| v.to_json())
}
/// The recorder's options checked and its format negotiated: the plan, or the error, as JSON.
#[wasm_bindgen(js_name = checkRecorder)]
pub fn check_recorder(
    max_duration: Option<f64>,
    max_size: Option<f64>,
    bps: Option<f64>,
    format: Option<String>,
    supported: Vec<String>,
    has_mr: bool,
    wav: bool,
) -> String {
    let r = (|| -> Result<Value, SdkError> {
        let l = limits::RecorderLimits::new(max_duration, max_size)?;
        let b = limits::bits_per_second(bps)?;
        let pref = format::FormatPreference::parse(format.as_deref())?;
        let is = |m: &str| supported.iter().any(|s| s == m);
        let plan = format::negotiate(pref, if has_mr { Some(&is) } else { None }, wav)?;
        Ok(object([
            ("maxDurationMs", Value::Number(l.max_duration_secs)),
            ("maxFileSize", Value::Number(l.max_file_size as f64)),
            ("bps", Value::Number(b as f64)),
            ("format", Value::String(plan.format.as_str().into())),
            ("mimeType", Value::String(plan.mime_type.into())),
        ]))
    })();
    res(r, |v| v.to_json())
}
/// `core::limits::SizeGuard`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Guard(limits::SizeGuard);
#[wasm_bindgen]
impl Guard {
    /// A guard for files of at most `max` bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(max: f64) -> Guard {
        Guard(limits::SizeGuard::new(max as u64))
    }
    /// The verdict on a chunk, as its enum index.
    pub fn offer(&mut self, size: f64) -> u8 {
        self.0.offer(size as u64) as u8
    }
    /// Bytes kept so far.
    pub fn kept(&self) -> f64 {
        self.0.kept() as f64
    }
}
/// `core::lifecycle::transition` of a phase and an event, by index: the next phase and the number of effects.
#[wasm_bindgen(js_name = nextState)]
pub fn next_state(phase: u8, event: u8, auto_upload: bool) -> String {
    use lifecycle::{Event::*, Phase};
    let phases = [
        Phase::Idle,
        Phase::Requesting,
        Phase::Recording,
        Phase::Paused,
        Phase::Stopping { upload: auto_upload },
        Phase::Finishing { upload: auto_upload },
        Phase::Stopped,
        Phase::Uploading,
        Phase::Waiting,
        Phase::Uploaded,
        Phase::Error { kept: true },
        Phase::Destroyed,
    ];
    let events = [Start, Stop, Pause, Resume, Cancel, Upload, Destroy, Opened, PageHidden, Flushed, Kept, Offline, Online, Uploaded];
    let (Some(p), Some(e)) = (phases.get(phase as usize), events.get(event as usize)) else {
        return String::new();
    };
    let shown = p.shown().unwrap_or(lifecycle::RecorderState::Recording);
    let seen = lifecycle::Seen { state: shown, input: lifecycle::InputStatus::Ok, network: vocafuse_wasm::core::network::NetworkStatus::Ok };
    res(lifecycle::transition(*p, seen, None, e.clone(), auto_upload), |(next, _, effects)| format!("{:?} {}", next, effects.len()))
}
/// `core::retry::RetryPolicy::delay_ms` for an error of a code's name.
#[wasm_bindgen(js_name = retryDelay)]
pub fn retry_delay(retries: u32, attempt: u32, code: &str, retry_after: Option<f64>, random: f64) -> Option<f64> {
    let mut e = SdkError::new(ErrorCode::from_name(code).unwrap_or(ErrorCode::UnknownError), "");
    e.retry_after = retry_after;
    retry::RetryPolicy::new(retries).delay_ms(attempt, &e, random)
}
/// `core::upload`'s preflight and the `POST /upload` body, or the error, as JSON.
#[wasm_bindgen(js_name = planUpload)]
pub fn plan_upload(format: &str, size: f64, duration: f64, bps: f64, created: f64) -> String {
    let spec = upload::UploadSpec {
        format: format::AudioFormat::from_mime(format).unwrap_or(format::AudioFormat::Webm),
        size: size as u64,
        duration_secs: duration,
        bits_per_second: bps as u64,
        created_at_ms: created,
    };
    res(upload::preflight(&spec), |_| upload::upload_request(&spec).to_json())
}
/// The grant of a `POST /upload` answer, as JSON.
#[wasm_bindgen(js_name = readGrant)]
pub fn read_grant(text: &str) -> Option<String> {
    protocol::UploadGrant::from_envelope(text).map(|g| g.to_value().to_json())
}
/// The token in a token endpoint's answer.
#[wasm_bindgen(js_name = readToken)]
pub fn read_token(text: &str) -> Option<String> {
    protocol::TokenResponse::from_json(text).and_then(|t| t.token().map(String::from))
}
/// The token request's body.
#[wasm_bindgen(js_name = tokenRequest)]
pub fn token_request() -> String {
    protocol::TokenRequest::default().to_json()
}
/// `core::upload::plan_parts`, flattened to start/end pairs.
#[wasm_bindgen(js_name = planParts)]
pub fn plan_parts(size: f64, part: f64) -> Vec<f64> {
    upload::plan_parts(size as u64, part as u64).into_iter().flat_map(|(a, b)| [a as f64, b as f64]).collect()
}
/// `core::upload::token_needs_refresh`.
#[wasm_bindgen(js_name = tokenNeedsRefresh)]
pub fn token_refresh(now: f64, issued: f64, expires: f64) -> bool {
    upload::token_needs_refresh(now, issued, expires)
}
/// `core::upload::Progress`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Prog(upload::Progress);
#[wasm_bindgen]
impl Prog {
    /// Progress of `total` bytes in `parts` parts.
    #[wasm_bindgen(constructor)]
    pub fn new(total: f64, parts: usize) -> Prog {
        Prog(upload::Progress::new(total as u64, parts))
    }
    /// The percentage to report after `bytes` of part `i`, if it moved.
    pub fn update(&mut self, i: usize, bytes: f64) -> Option<f64> {
        self.0.update(i, bytes as u64)
    }
}
/// `core::durable::StoredMeta`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Meta(durable::StoredMeta);
#[wasm_bindgen]
impl Meta {
    /// Reads stored metadata.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(t: &str) -> Option<Meta> {
        durable::StoredMeta::from_json(t).map(Meta)
    }
    /// Writes it.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Whether the confirmed metadata may go.
    pub fn expired(&self, now: f64) -> bool {
        self.0.expired(now)
    }
    /// The state a pending recording shows.
    pub fn pending(&self) -> Option<String> {
        self.0.pending_state().map(String::from)
    }
    /// The service confirmed the upload.
    pub fn confirm(&mut self, now: f64) {
        self.0.confirm(now);
    }
    /// A fresh presign answer (its JSON envelope).
    pub fn granted(&mut self, grant: &str, now: f64) {
        if let Some(g) = protocol::UploadGrant::from_envelope(grant) {
            self.0.upload.get_or_insert_with(Default::default).granted(g, now)
        }
    }
    /// Storage accepted part `n`.
    #[wasm_bindgen(js_name = partDone)]
    pub fn part_done(&mut self, n: u32) {
        if let Some(j) = self.0.upload.as_mut() {
            j.part_done(n)
        }
    }
    /// Whether storage has part `n`.
    #[wasm_bindgen(js_name = isDone)]
    pub fn is_done(&self, n: u32) -> bool {
        self.0.upload.as_ref().is_some_and(|j| j.is_done(n))
    }
    /// The stored grant while it is usable, as JSON.
    pub fn usable(&self, now: f64) -> Option<String> {
        self.0.upload.as_ref()?.usable(now).map(|g| g.to_value().to_json())
    }
    /// The upload body for the stored recording, or the error, as JSON.
    pub fn spec(&self, created: f64) -> String {
        res(self.0.spec(created).ok_or(SdkError::new(ErrorCode::UnknownError, "no spec")), |s| upload::upload_request(&s).to_json())
    }
}
/// `core::durable::probe_delay_ms`.
#[wasm_bindgen(js_name = probeDelay)]
pub fn probe(w: u32, now: f64, deadline: f64) -> Option<f64> {
    durable::probe_delay_ms(w, now, deadline)
}
/// `core::durable::kept_duration`.
#[wasm_bindgen(js_name = keptDuration)]
pub fn kept(s: f64) -> f64 {
    durable::kept_duration(s)
}
/// `core::durable::lock_name`.
#[wasm_bindgen(js_name = lockName)]
pub fn lock(id: &str) -> String {
    durable::lock_name(id)
}
/// `core::level::level`.
#[wasm_bindgen]
pub fn level(samples: &[f32]) -> f64 {
    level::level(samples)
}
/// `core::webm::patch_duration`'s new bytes.
#[wasm_bindgen(js_name = patchWebm)]
pub fn patch(header: &[u8], ms: f64) -> Option<Vec<u8>> {
    webm::patch_duration(header, ms).map(|p| p.bytes)
}
/// `core::webm::header_len_needed`.
#[wasm_bindgen(js_name = webmHeaderLen)]
pub fn header_len() -> usize {
    webm::header_len_needed()
}
/// `vocafuse_dsp::wav::WavStream`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Wav(wav::WavStream);
#[wasm_bindgen]
impl Wav {
    /// A stream from `rate` Hz input; `None` for a rate it cannot take.
    pub fn create(rate: u32) -> Option<Wav> {
        wav::WavStream::new(rate).ok().map(Wav)
    }
    /// Encodes `input`, returning the new bytes.
    pub fn push(&mut self, input: &[f32]) -> Vec<u8> {
        self.0.push(input)
    }
    /// The file's size so far, header included.
    pub fn projected(&self) -> f64 {
        self.0.projected_size() as f64
    }
    /// The rest of the bytes, then the header.
    pub fn finish(&mut self) -> Vec<u8> {
        let (mut b, h) = self.0.finish();
        b.extend_from_slice(&h);
        b
    }
    /// The most input samples at `rate` Hz that fit in `max` bytes.
    #[wasm_bindgen(js_name = maxInput)]
    pub fn max_input(rate: u32, max: f64) -> f64 {
        wav::max_input_samples(rate, max as u64) as f64
    }
}
