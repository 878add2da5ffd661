//! The VocaFuse wire format (PROTOCOL.md): the JSON the SDK sends and receives. The SDK and the
//! development server both use these types; what goes into them is decided in `core::upload`.
//!
//! Response types are lenient: a missing or `null` field takes its default, so the SDK keeps
//! working against a server that omits something it doesn't need.
//!
//! The SDK reads and writes these with [`super::json`] (the `from_json` / `to_json` methods here);
//! the `serde` feature adds serde derives with the same field names and the same leniency, for
//! the development server.

#[cfg(feature = "serde")]
use serde::{Deserialize, Deserializer};
#[cfg(feature = "serde")]
use serde_json::Value;

use super::json::{object, Map, Value as Json};

/// The scope the SDK asks for.
pub const UPLOAD_SCOPE: &str = "voice-api.upload";

#[cfg(feature = "serde")]
/// `null` and absent both become the type's default.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(feature = "serde")]
/// A count of seconds or bytes that some servers send as `3600.0` or `"3600"`.
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)).unwrap_or(0),
        Some(Value::String(s)) => crate::core::text::parse_decimal(&s).filter(|f| *f >= 0.0).map(|f| f as u64).unwrap_or(0),
        _ => 0,
    })
}

/// `POST {tokenEndpoint}` body.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenRequest {
    /// The scopes asked for; the SDK asks for [`UPLOAD_SCOPE`].
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub scopes: Vec<String>,
}

impl Default for TokenRequest {
    fn default() -> Self {
        TokenRequest { scopes: vec![UPLOAD_SCOPE.to_string()] }
    }
}

/// The token endpoint's answer.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenResponse {
    /// Whether the backend issued a token.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub success: bool,
    /// The backend's words about it.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub message: String,
    /// The token and what it is good for.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub data: TokenData,
}

/// The `data` of the token endpoint's answer.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TokenData {
    /// What the official server libraries return.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub jwt_token: Option<String>,
    /// What the official browser client uses.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub id_token: Option<String>,
    /// How the token is sent (`Bearer`, the default when absent).
    #[cfg_attr(feature = "serde", serde(default = "bearer", deserialize_with = "null_bearer"))]
    pub token_type: String,
    /// Seconds the token stays valid; 0 when the server didn't say.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub expires_in: u64,
    /// The tenant the token belongs to.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub tenant_id: String,
    /// The scopes the token grants.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub scopes: Vec<String>,
}

fn bearer() -> String {
    "Bearer".to_string()
}

#[cfg(feature = "serde")]
fn null_bearer<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).unwrap_or_else(bearer))
}

impl Default for TokenData {
    fn default() -> Self {
        TokenData { jwt_token: None, id_token: None, token_type: bearer(), expires_in: 0, tenant_id: String::new(), scopes: Vec::new() }
    }
}

impl TokenResponse {
    /// The token to send: `id_token` when present (as the official browser client does), else
    /// `jwt_token`. Empty strings count as absent.
    pub fn token(&self) -> Option<&str> {
        self.data.token()
    }
}

impl TokenData {
    /// The token to send: `id_token`, else `jwt_token`; empty strings count as absent.
    pub fn token(&self) -> Option<&str> {
        fn non_empty(t: &Option<String>) -> Option<&str> {
            t.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        non_empty(&self.id_token).or_else(|| non_empty(&self.jwt_token))
    }
}

/// `POST {apiBaseUrl}/upload` body, built in `core::upload` (`UploadRequest::new`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UploadRequest {
    /// `voicenote-<time>.<ext>`.
    pub file_name: String,
    /// Bytes to be sent.
    pub file_size: u64,
    /// The format's wire name.
    pub audio_format: String,
    /// Recorded seconds, two decimals.
    pub duration_seconds: f64,
    /// Whether the bytes go in parts (above 5 MiB).
    #[cfg_attr(feature = "serde", serde(default))]
    pub use_multipart: bool,
    /// What the SDK knows of the recording.
    #[cfg_attr(feature = "serde", serde(default))]
    pub sdk_metadata: SdkMetadata,
}

/// `sdk_metadata`: how the recording was made.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SdkMetadata {
    /// Recorded seconds.
    #[cfg_attr(feature = "serde", serde(default))]
    pub duration_seconds: f64,
    /// The capture's sample rate, in Hz.
    #[cfg_attr(feature = "serde", serde(default))]
    pub sample_rate: u32,
    /// Channels recorded (1).
    #[cfg_attr(feature = "serde", serde(default))]
    pub channels: u32,
    /// The encoder's bitrate, in bit/s.
    #[cfg_attr(feature = "serde", serde(default))]
    pub bit_rate: u64,
    /// The format's wire name.
    #[cfg_attr(feature = "serde", serde(default))]
    pub codec: String,
    /// Bytes to be sent.
    #[cfg_attr(feature = "serde", serde(default))]
    pub file_size_bytes: u64,
}

/// `{"object": "…", "data": {…}, "request_id": "…"}`
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Envelope<T> {
    /// What `data` is (`"upload"`, `"voicenote"`).
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub object: String,
    /// The answer itself.
    pub data: T,
    /// The service's id of the request, for support.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub request_id: String,
}

/// `upload_type` of a grant for one `PUT`.
pub const UPLOAD_SINGLE: &str = "single";
/// `upload_type` of a grant in parts.
pub const UPLOAD_MULTIPART: &str = "multipart";

/// The `data` of a successful `POST /upload`: where to send the bytes.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UploadGrant {
    /// The service's id for the voice note.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub voicenote_id: String,
    /// `"single"` or `"multipart"`.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub upload_type: String,
    /// Single uploads only.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub presigned_url: Option<String>,
    /// Where storage keeps the file.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub s3_key: String,
    /// Seconds the presigned URLs stay valid.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub expires_in: u64,
    /// How the service will process the recording.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub processing_strategy: String,
    /// Whether the service counts it as processed by the client.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub client_processed: bool,
    /// The service's words about the grant.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub message: String,
    /// Multipart uploads only.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub upload_info: Option<UploadInfo>,
}

impl UploadGrant {
    /// Multipart when the server says so, or when it sent parts without saying.
    pub fn is_multipart(&self) -> bool {
        self.upload_type == UPLOAD_MULTIPART || (self.upload_type != UPLOAD_SINGLE && self.upload_info.is_some())
    }
}

/// Where the parts of a multipart upload go.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UploadInfo {
    /// Storage's id of the multipart upload.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub upload_id: String,
    /// The parts, each with its URL and byte range.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub parts: Vec<PartInfo>,
}

/// One part of a multipart upload: bytes `start_byte..=end_byte` go to `presigned_url`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartInfo {
    /// 1-based, as storage numbers parts.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub part_number: u32,
    /// Where this part's bytes are `PUT`.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub presigned_url: String,
    /// The part's first byte in the file.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub start_byte: u64,
    /// Inclusive.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub end_byte: u64,
    /// The part's size in bytes; 0 when the server left it out.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub content_length: u64,
}

impl PartInfo {
    /// The byte count of the part: `content_length`, or the range when that is missing.
    pub fn len(&self) -> u64 {
        if self.content_length > 0 {
            self.content_length
        } else {
            (self.end_byte + 1).saturating_sub(self.start_byte)
        }
    }
    /// Whether the part has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ---- reading and writing with `super::json` (what the SDK uses) ----

fn strings(v: &Json, key: &str) -> Vec<String> {
    v.get(key).and_then(Json::as_array).map_or_else(Vec::new, |a| a.iter().filter_map(Json::as_str).map(str::to_string).collect())
}

fn string_array(items: &[String]) -> Json {
    Json::Array(items.iter().map(|s| Json::from(s.as_str())).collect())
}

impl TokenRequest {
    /// The JSON body to send.
    pub fn to_json(&self) -> String {
        object([("scopes", string_array(&self.scopes))]).to_json()
    }
}

impl TokenResponse {
    /// The token endpoint's answer: `None` when it is not a JSON object at all; missing, `null`
    /// or mistyped fields take their defaults.
    pub fn from_json(text: &str) -> Option<TokenResponse> {
        let v = Json::parse(text).filter(Json::is_object)?;
        let data = v.get("data").map_or_else(TokenData::default, |d| TokenData {
            jwt_token: d.opt_str_field("jwt_token"),
            id_token: d.opt_str_field("id_token"),
            token_type: Some(d.str_field("token_type")).filter(|t| !t.is_empty()).unwrap_or_else(bearer),
            expires_in: d.u64_field("expires_in"),
            tenant_id: d.str_field("tenant_id"),
            scopes: strings(d, "scopes"),
        });
        Some(TokenResponse { success: v.bool_field("success"), message: v.str_field("message"), data })
    }
}

impl UploadRequest {
    /// The JSON body to send.
    pub fn to_json(&self) -> String {
        let m = &self.sdk_metadata;
        object([
            ("file_name", self.file_name.as_str().into()),
            ("file_size", self.file_size.into()),
            ("audio_format", self.audio_format.as_str().into()),
            ("duration_seconds", self.duration_seconds.into()),
            ("use_multipart", self.use_multipart.into()),
            (
                "sdk_metadata",
                object([
                    ("duration_seconds", m.duration_seconds.into()),
                    ("sample_rate", m.sample_rate.into()),
                    ("channels", m.channels.into()),
                    ("bit_rate", m.bit_rate.into()),
                    ("codec", m.codec.as_str().into()),
                    ("file_size_bytes", m.file_size_bytes.into()),
                ]),
            ),
        ])
        .to_json()
    }
}

impl UploadGrant {
    /// The `data` of a `POST /upload` answer (`{"object", "data", "request_id"}`); `None` unless
    /// the body is JSON with a `data` object.
    pub fn from_envelope(text: &str) -> Option<UploadGrant> {
        Json::parse(text)?.object_field("data").map(UploadGrant::from_value)
    }

    /// The grant in a parsed `data` object; missing or mistyped fields take their defaults.
    pub fn from_value(v: &Json) -> UploadGrant {
        UploadGrant {
            voicenote_id: v.str_field("voicenote_id"),
            upload_type: v.str_field("upload_type"),
            presigned_url: v.opt_str_field("presigned_url"),
            s3_key: v.str_field("s3_key"),
            expires_in: v.u64_field("expires_in"),
            processing_strategy: v.str_field("processing_strategy"),
            client_processed: v.bool_field("client_processed"),
            message: v.str_field("message"),
            upload_info: v.object_field("upload_info").map(|i| UploadInfo {
                upload_id: i.str_field("upload_id"),
                parts: i.get("parts").and_then(Json::as_array).map_or_else(Vec::new, |parts| parts.iter().map(PartInfo::from_value).collect()),
            }),
        }
    }

    /// The grant as JSON, with the names of the wire (what is stored for a resumed upload).
    pub fn to_value(&self) -> Json {
        let mut m = Map::new();
        m.insert("voicenote_id", self.voicenote_id.as_str().into());
        m.insert("upload_type", self.upload_type.as_str().into());
        if let Some(url) = &self.presigned_url {
            m.insert("presigned_url", url.as_str().into());
        }
        m.insert("s3_key", self.s3_key.as_str().into());
        m.insert("expires_in", self.expires_in.into());
        m.insert("processing_strategy", self.processing_strategy.as_str().into());
        m.insert("client_processed", self.client_processed.into());
        m.insert("message", self.message.as_str().into());
        if let Some(info) = &self.upload_info {
            let parts = info.parts.iter().map(PartInfo::to_value).collect();
            m.insert("upload_info", object([("upload_id", info.upload_id.as_str().into()), ("parts", Json::Array(parts))]));
        }
        Json::Object(m)
    }
}

impl PartInfo {
    fn from_value(v: &Json) -> PartInfo {
        PartInfo {
            part_number: v.get("part_number").and_then(Json::as_u32).unwrap_or(0),
            presigned_url: v.str_field("presigned_url"),
            start_byte: v.u64_field("start_byte"),
            end_byte: v.u64_field("end_byte"),
            content_length: v.u64_field("content_length"),
        }
    }

    fn to_value(&self) -> Json {
        object([
            ("part_number", self.part_number.into()),
            ("presigned_url", self.presigned_url.as_str().into()),
            ("start_byte", self.start_byte.into()),
            ("end_byte", self.end_byte.into()),
            ("content_length", self.content_length.into()),
        ])
    }
}

/// `{"error": {"code": 2004, "message": "…", "details": {…}}}` (the development server's; the SDK
/// reads error bodies with `response`).
#[cfg(feature = "serde")]
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiError,
}

/// The `error` of an [`ApiErrorBody`].
#[cfg(feature = "serde")]
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ApiError {
    /// The documented number (`2004`).
    pub code: i64,
    /// The technical message.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub message: String,
    /// What the code's documentation says it carries.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub details: Option<Value>,
}

#[cfg(feature = "serde")]
impl ApiErrorBody {
    /// A body for `code` with `message` and `details`.
    pub fn new(code: i64, message: impl Into<String>, details: Option<Value>) -> Self {
        ApiErrorBody { error: ApiError { code, message: message.into(), details } }
    }
}

/// A voice note as `GET /voicenotes/{id}` describes it.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VoiceNote {
    /// The service's id for the voice note.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub id: String,
    /// `"pending"` until every byte has arrived, then `"uploaded"`.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub status: String,
    /// The name the upload declared.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub file_name: String,
    /// The size the upload declared, in bytes.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "lenient_u64"))]
    pub file_size: u64,
    /// The format's wire name.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub audio_format: String,
    /// The duration the upload declared, in seconds.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub duration_seconds: f64,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub created_at: String,
    /// Where storage keeps the file.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub s3_key: String,
    /// `single` or `multipart`.
    #[cfg_attr(feature = "serde", serde(default, deserialize_with = "null_default"))]
    pub upload_type: String,
    /// The `Content-Type` the bytes arrived with.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub content_type: Option<String>,
    /// Where the stored bytes can be fetched (the development server sets it).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub audio_url: Option<String>,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
