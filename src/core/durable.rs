//! Durability, the decisions: what is kept in IndexedDB about a recording, how an interrupted
//! upload resumes, and how long an upload waits for the network. The browser side
//! (`web::durable`) only stores and reads what this module describes.
//!
//! Storage layout (documented in the README, so it is a contract): database `vocafuse`,
//! version 1; object store `recordings` (key `id`, value `{id, createdAt, meta}` where `meta`
//! is the JSON of [`StoredMeta`]) and `chunks` (key `[id, seq]`, value `{id, seq, data}`, the
//! recorded bytes in order). Tokens are never stored.

use super::format::AudioFormat;
use super::json::{Map, Value};
use super::protocol::UploadGrant;
use super::upload::UploadSpec;

/// How often what was recorded is written: at most this much (plus the slice in progress) is lost
/// if the page dies. Fewer, larger writes cost less main-thread time and storage.
pub const FLUSH_MS: f64 = 500.0;
/// A confirmed recording's metadata (never its audio) is kept this long, so another tab that
/// waited for it can answer with the same result.
pub const CONFIRMED_TTL_MS: f64 = 3_600_000.0;
/// The longest pause between two attempts while an upload waits for the network.
pub const MAX_PROBE_MS: f64 = 15_000.0;
/// `offlineWaitMs` by default: a day.
pub const DEFAULT_OFFLINE_WAIT_MS: f64 = 86_400_000.0;

/// Where a stored recording is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredState {
    /// Chunks are still arriving (or the page died while they were).
    Recording,
    /// Complete, not uploaded.
    Recorded,
    /// An upload began; `upload` says how far it got.
    Uploading,
    /// The service confirmed it; the audio is gone, the result stays a while.
    Uploaded,
    /// Storing failed or the copy was discarded: its rows are removed and nothing more is
    /// written (never stored itself; it is final).
    Broken,
}

impl StoredState {
    /// The name stored in `meta.state`.
    pub fn name(self) -> &'static str {
        match self {
            StoredState::Recording => "recording",
            StoredState::Recorded => "recorded",
            StoredState::Uploading => "uploading",
            StoredState::Uploaded => "uploaded",
            StoredState::Broken => "broken",
        }
    }

    /// Whether a stored copy goes when a new take replaces its recording: a retake discards one
    /// no upload of began; one whose upload began (and failed) stays pending.
    pub fn discarded_by_retake(self) -> bool {
        self == StoredState::Recorded
    }

    /// The state of a stored name; `None` for a name no version wrote (`broken` is never written).
    pub fn from_name(name: &str) -> Option<StoredState> {
        [StoredState::Recording, StoredState::Recorded, StoredState::Uploading, StoredState::Uploaded].into_iter().find(|s| s.name() == name)
    }
}

/// What `meta` holds: everything needed to rebuild the recording and resume its upload.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMeta {
    /// The format's wire name (`webm`, `ogg`, `wav`).
    pub format: String,
    /// The MIME type the recorder reported.
    pub mime_type: String,
    /// Recorded seconds (so far, while recording).
    pub duration: f64,
    /// Bytes of the finished recording (so far, while recording: the chunks, without a header).
    pub size: u64,
    /// Where the recording is in its life.
    pub state: StoredState,
    /// The take's `maxDuration`, in seconds.
    pub max_duration: f64,
    /// The take's `maxFileSize`, in bytes.
    pub max_file_size: u64,
    /// The encoder's bitrate, for the upload's `sdk_metadata`.
    pub bits_per_second: u64,
    /// The WebM Duration is written into the first bytes when the recording is rebuilt.
    pub patched: bool,
    /// How far its upload got, once one began.
    pub upload: Option<UploadJournal>,
    /// ms since the epoch, when the service confirmed the upload.
    pub confirmed_at: Option<f64>,
    /// The take's waveform (peaks 0..1), so far while recording; empty without a level meter.
    pub waveform: Vec<f64>,
}

impl StoredMeta {
    /// The format, `None` when `format` names none (a damaged record).
    pub fn audio_format(&self) -> Option<AudioFormat> {
        AudioFormat::from_name(&self.format)
    }

    /// The `state` a `PendingRecording` shows, or `None` when it is not pending any more.
    pub fn pending_state(&self) -> Option<&'static str> {
        match self.state {
            StoredState::Recording | StoredState::Recorded => Some("recorded"),
            StoredState::Uploading => Some("uploading"),
            StoredState::Uploaded | StoredState::Broken => None,
        }
    }

    /// Moves the copy on to `state`; `false` (nothing changes, nothing is to be written) once it
    /// is broken: a write after its rows were removed would bring a stray row back.
    fn advance(&mut self, state: StoredState) -> bool {
        if self.state == StoredState::Broken {
            return false;
        }
        self.state = state;
        true
    }

    /// Storing failed or the copy is discarded; `false` when it already was.
    pub fn set_broken(&mut self) -> bool {
        let was = self.state == StoredState::Broken;
        self.state = StoredState::Broken;
        !was
    }

    /// Recording ended: what the chunks make, and whether the WebM Duration is written into
    /// it; `false` when the copy is broken (nothing changes).
    pub fn finish(&mut self, mime_type: &str, duration: f64, size: u64, patched: bool) -> bool {
        if !self.advance(StoredState::Recorded) {
            return false;
        }
        self.mime_type = mime_type.to_string();
        self.duration = kept_duration(duration);
        self.size = size;
        self.patched = patched;
        true
    }

    /// How far the upload got; `false` when the copy is broken (nothing changes).
    pub fn journal(&mut self, journal: &UploadJournal) -> bool {
        if !self.advance(StoredState::Uploading) {
            return false;
        }
        self.upload = Some(journal.clone());
        true
    }

    /// The confirmed metadata may go.
    pub fn expired(&self, now_ms: f64) -> bool {
        self.confirmed_at.is_some_and(|at| now_ms - at > CONFIRMED_TTL_MS)
    }

    /// What an upload of this recording sends, `None` when its format is unknown.
    pub fn spec(&self, created_at_ms: f64) -> Option<UploadSpec> {
        Some(UploadSpec { format: self.audio_format()?, size: self.size, duration_secs: self.duration, bits_per_second: self.bits_per_second, created_at_ms })
    }

    /// The service has it: what stays (an hour) is the result, without the audio or any URL;
    /// `false` when the copy is broken (nothing changes, nothing is written).
    pub fn confirm(&mut self, now_ms: f64) -> bool {
        if !self.advance(StoredState::Uploaded) {
            return false;
        }
        self.confirmed_at = Some(now_ms);
        if let Some(grant) = self.upload.as_mut().and_then(|j| j.grant.as_mut()) {
            let multipart = grant.is_multipart();
            grant.upload_type = (if multipart { "multipart" } else { "single" }).to_string();
            grant.presigned_url = None;
            grant.upload_info = None;
        }
        true
    }

    /// `{"format", "mime_type", "duration", "size", "state", "max_duration", "max_file_size",
    /// "bits_per_second", "patched", "upload"?: {"grant"?, "expires_at", "done"}, "confirmed_at"?,
    /// "waveform"?: [peak, ...]}`
    pub fn to_json(&self) -> String {
        let mut m = Map::new();
        m.insert("format", self.format.as_str().into());
        m.insert("mime_type", self.mime_type.as_str().into());
        m.insert("duration", self.duration.into());
        m.insert("size", self.size.into());
        m.insert("state", self.state.name().into());
        m.insert("max_duration", self.max_duration.into());
        m.insert("max_file_size", self.max_file_size.into());
        m.insert("bits_per_second", self.bits_per_second.into());
        m.insert("patched", self.patched.into());
        if let Some(j) = &self.upload {
            let mut u = Map::new();
            if let Some(grant) = &j.grant {
                u.insert("grant", grant.to_value());
            }
            u.insert("expires_at", j.expires_at.into());
            u.insert("done", Value::Array(j.done.iter().map(|&n| n.into()).collect()));
            m.insert("upload", Value::Object(u));
        }
        if let Some(at) = self.confirmed_at {
            m.insert("confirmed_at", at.into());
        }
        if !self.waveform.is_empty() {
            m.insert("waveform", Value::Array(self.waveform.iter().map(|&p| p.into()).collect()));
        }
        Value::Object(m).to_json()
    }

    /// `None` for anything that is not a meta this SDK wrote (a foreign or damaged row): the
    /// first five fields must be there with their types.
    pub fn from_json(text: &str) -> Option<StoredMeta> {
        let v = Value::parse(text)?;
        let number = |key: &str| v.get(key)?.as_f64().filter(|n| n.is_finite() && *n >= 0.0);
        let upload = v.object_field("upload").map(|u| UploadJournal {
            grant: u.object_field("grant").map(UploadGrant::from_value),
            expires_at: u.f64_field("expires_at"),
            done: u.get("done").and_then(Value::as_array).map_or_else(Vec::new, |d| d.iter().filter_map(Value::as_u32).collect()),
        });
        Some(StoredMeta {
            format: v.get("format")?.as_str()?.to_string(),
            mime_type: v.get("mime_type")?.as_str()?.to_string(),
            duration: number("duration")?,
            size: number("size")? as u64,
            state: StoredState::from_name(v.get("state")?.as_str()?)?,
            max_duration: v.f64_field("max_duration"),
            max_file_size: v.u64_field("max_file_size"),
            bits_per_second: v.u64_field("bits_per_second"),
            patched: v.bool_field("patched"),
            upload,
            confirmed_at: v.get("confirmed_at").and_then(Value::as_f64),
            // Rows written before waveforms, or damaged ones, have none (never a bar out of 0..1).
            waveform: v
                .get("waveform")
                .and_then(Value::as_array)
                .map_or_else(Vec::new, |w| w.iter().filter_map(Value::as_f64).filter(|p| (0.0..=1.0).contains(p)).collect()),
        })
    }
}

/// How far an upload got: the presign answer and the parts storage accepted. Part numbers are
/// the server's; a single upload is part 1.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UploadJournal {
    /// The presign answer the parts belong to; `None` before one, or after it expired.
    pub grant: Option<UploadGrant>,
    /// ms since the epoch, when the grant's URLs stop working.
    pub expires_at: f64,
    /// Part numbers storage accepted, ascending.
    pub done: Vec<u32>,
}

impl UploadJournal {
    /// A fresh presign answer: nothing of it is sent yet.
    pub fn granted(&mut self, grant: UploadGrant, now_ms: f64) {
        // No `expires_in` means the server did not say: assume the common 15 minutes.
        let ttl_s = if grant.expires_in > 0 { grant.expires_in } else { 900 };
        self.expires_at = now_ms + ttl_s as f64 * 1000.0;
        self.grant = Some(grant);
        self.done.clear();
    }

    /// The stored grant if its URLs still have time to carry a request (a tenth of their life,
    /// at most 30 s, is kept as a margin); else a new presign is needed.
    pub fn usable(&self, now_ms: f64) -> Option<&UploadGrant> {
        let grant = self.grant.as_ref()?;
        let ttl_ms = if grant.expires_in > 0 { grant.expires_in as f64 * 1000.0 } else { 900_000.0 };
        let margin = (ttl_ms / 10.0).min(30_000.0);
        (now_ms < self.expires_at - margin).then_some(grant)
    }

    /// Storage refused the URLs (expired): the next attempt asks for a new presign, and parts
    /// sent under the old one do not count for the new upload.
    pub fn expire(&mut self) {
        self.grant = None;
        self.done.clear();
    }

    /// Storage accepted `part_number`.
    pub fn part_done(&mut self, part_number: u32) {
        // Kept in order by inserting in place (a sort would pull 3.5 KB of quicksort into the wasm).
        if let Err(at) = self.done.binary_search(&part_number) {
            self.done.insert(at, part_number);
        }
    }

    /// Whether storage already has `part_number` (a resumed upload skips it).
    pub fn is_done(&self, part_number: u32) -> bool {
        self.done.contains(&part_number)
    }
}

/// How long to wait before the next attempt while the network is gone: 1 s, doubling, at most
/// `MAX_PROBE_MS`, and never past the deadline. `None` when the budget is spent.
pub fn probe_delay_ms(waits_so_far: u32, now_ms: f64, deadline_ms: f64) -> Option<f64> {
    let left = deadline_ms - now_ms;
    if left <= 0.0 {
        return None;
    }
    let delay = (1000.0 * 2f64.powi(waits_so_far.min(16) as i32)).min(MAX_PROBE_MS);
    Some(delay.min(left))
}

/// Recorded seconds as they are kept, stored and written into a WebM header: whole
/// milliseconds, so the value survives the JSON in `meta` exactly and a recording rebuilt from
/// storage is byte for byte the one that was recorded.
pub fn kept_duration(seconds: f64) -> f64 {
    if seconds.is_finite() {
        (seconds * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// The Web Lock that whoever records or uploads a stored recording holds.
pub fn lock_name(id: &str) -> String {
    format!("vocafuse-recording:{id}")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::protocol::{PartInfo, UploadInfo};

    fn meta() -> StoredMeta {
        StoredMeta {
            format: "webm".into(),
            mime_type: "audio/webm;codecs=opus".into(),
            duration: 12.5,
            size: 200_000,
            state: StoredState::Recording,
            max_duration: 60.0,
            max_file_size: 25_000_000,
            bits_per_second: 32_000,
            patched: true,
            upload: None,
            confirmed_at: None,
            waveform: vec![0.0, 0.25, 0.875, 1.0],
        }
    }

    fn grant(expires_in: u64, parts: u32) -> UploadGrant {
        UploadGrant {
            voicenote_id: "vn".into(),
            upload_type: if parts > 0 { "multipart" } else { "single" }.into(),
            presigned_url: (parts == 0).then(|| "http://s/one".to_string()),
            expires_in,
            upload_info: (parts > 0).then(|| UploadInfo {
                upload_id: "u".into(),
                parts: (1..=parts)
                    .map(|n| PartInfo { part_number: n, presigned_url: format!("http://s/{n}"), start_byte: 0, end_byte: 0, content_length: 1 })
                    .collect(),
            }),
            ..UploadGrant::default()
        }
    }

    #[test]
    fn a_retake_discards_only_a_copy_no_upload_of_began() {
        let discarded: Vec<_> = [StoredState::Recording, StoredState::Recorded, StoredState::Uploading, StoredState::Uploaded]
            .into_iter()
            .filter(|s| s.discarded_by_retake())
            .collect();
        assert_eq!(discarded, [StoredState::Recorded], "a failed upload stays pending");
    }

    #[test]
    fn meta_round_trips_through_json_with_its_journal() {
        let mut m = meta();
        let mut j = UploadJournal::default();
        j.granted(grant(900, 3), 1_000.0);
        j.part_done(2);
        m.upload = Some(j);
        m.state = StoredState::Uploading;
        let back = StoredMeta::from_json(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert!(m.to_json().contains("\"state\":\"uploading\""));
    }

    #[test]
    fn the_documented_minimal_meta_parses() {
        let text = r#"{"format":"webm","mime_type":"audio/webm","duration":12.5,"size":12000000,"state":"recorded",
            "max_duration":60,"max_file_size":25000000,"bits_per_second":32000,"patched":false}"#;
        let m = StoredMeta::from_json(text).unwrap();
        assert_eq!(m.audio_format(), Some(AudioFormat::Webm));
        assert_eq!(m.pending_state(), Some("recorded"));
        assert_eq!(m.spec(5.0).unwrap().size, 12_000_000);
        assert!(m.upload.is_none());
        assert!(m.waveform.is_empty(), "a row from before waveforms has none");
    }

    #[test]
    fn foreign_or_damaged_meta_is_ignored_not_fatal() {
        for text in ["", "{", "null", "[]", "{\"format\":1}", "{\"state\":\"lost\"}"] {
            assert!(StoredMeta::from_json(text).is_none(), "{text}");
        }
        let mut m = meta();
        m.format = "mp4".into();
        assert!(m.spec(0.0).is_none());
    }

    #[test]
    fn a_confirmed_row_keeps_the_result_but_no_url() {
        for parts in [0, 3] {
            let mut m = meta();
            let mut j = UploadJournal::default();
            j.granted(grant(900, parts), 0.0);
            m.upload = Some(j);
            m.confirm(42.0);
            assert_eq!(m.state, StoredState::Uploaded);
            assert_eq!(m.confirmed_at, Some(42.0));
            let g = m.upload.as_ref().unwrap().grant.as_ref().unwrap();
            assert_eq!(g.is_multipart(), parts > 0);
            assert_eq!(g.voicenote_id, "vn");
            assert!(!m.to_json().contains("http"), "{}", m.to_json());
        }
    }

    #[test]
    fn a_broken_copy_is_final_and_writes_nothing() {
        let mut m = meta();
        m.state = StoredState::Uploading;
        assert!(m.set_broken(), "the first failure is reported");
        assert!(!m.set_broken(), "a second one is not");
        let j = UploadJournal { grant: Some(grant(900, 0)), expires_at: 1.0, done: vec![1] };
        // An upload that succeeds after storing failed must not bring the removed row back.
        assert!(!m.confirm(42.0));
        assert!(!m.finish("audio/webm", 2.0, 10, true));
        assert!(!m.journal(&j));
        assert_eq!(m.state, StoredState::Broken);
        assert_eq!((m.confirmed_at, m.upload.as_ref(), m.size), (None, None, meta().size));
        assert_eq!(m.pending_state(), None);
    }

    #[test]
    fn a_working_copy_moves_on() {
        let mut m = meta();
        assert!(m.finish("audio/webm;codecs=opus", 2.0, 10, true));
        assert_eq!((m.state, m.size, m.patched), (StoredState::Recorded, 10, true));
        assert!(m.journal(&UploadJournal::default()));
        assert_eq!(m.state, StoredState::Uploading);
        assert!(m.confirm(42.0));
        assert_eq!(m.state, StoredState::Uploaded);
    }

    #[test]
    fn pending_states() {
        let mut m = meta();
        assert_eq!(m.pending_state(), Some("recorded"), "an interrupted recording is recovered as recorded");
        m.state = StoredState::Uploading;
        assert_eq!(m.pending_state(), Some("uploading"));
        m.state = StoredState::Uploaded;
        assert_eq!(m.pending_state(), None);
    }

    #[test]
    fn confirmed_metadata_expires_after_an_hour() {
        let mut m = meta();
        assert!(!m.expired(1e15));
        m.confirmed_at = Some(1_000.0);
        assert!(!m.expired(1_000.0 + CONFIRMED_TTL_MS));
        assert!(m.expired(1_001.0 + CONFIRMED_TTL_MS));
    }

    #[test]
    fn a_grant_is_reused_until_close_to_expiry() {
        let mut j = UploadJournal::default();
        assert!(j.usable(0.0).is_none());
        j.granted(grant(900, 2), 0.0);
        assert!(j.usable(0.0).is_some());
        assert!(j.usable(869_999.0).is_some(), "30 s margin on 15 min");
        assert!(j.usable(870_000.0).is_none());
        // A 2 s lifetime keeps a 0.2 s margin, not 30 s.
        j.granted(grant(2, 2), 0.0);
        assert!(j.usable(1_700.0).is_some());
        assert!(j.usable(1_800.0).is_none());
        // No expires_in: 15 minutes.
        j.granted(grant(0, 0), 0.0);
        assert_eq!(j.expires_at, 900_000.0);
    }

    #[test]
    fn done_parts_are_kept_once_and_forgotten_with_the_grant() {
        let mut j = UploadJournal::default();
        j.granted(grant(900, 3), 0.0);
        j.part_done(3);
        j.part_done(1);
        j.part_done(3);
        assert_eq!(j.done, [1, 3]);
        assert!(j.is_done(1) && !j.is_done(2));
        j.expire();
        assert!(j.grant.is_none() && j.done.is_empty());
        j.granted(grant(900, 3), 0.0);
        j.part_done(2);
        j.granted(grant(900, 3), 5.0);
        assert!(j.done.is_empty(), "a new presign is a new upload");
    }

    #[test]
    fn probes_back_off_to_fifteen_seconds_within_the_budget() {
        let delays: Vec<f64> = (0..7).map(|n| probe_delay_ms(n, 0.0, 1e9).unwrap()).collect();
        assert_eq!(delays, [1000.0, 2000.0, 4000.0, 8000.0, 15000.0, 15000.0, 15000.0]);
        assert_eq!(probe_delay_ms(3, 9_000.0, 10_000.0), Some(1000.0), "never past the deadline");
        assert_eq!(probe_delay_ms(0, 10_000.0, 10_000.0), None);
        assert_eq!(probe_delay_ms(u32::MAX, 0.0, 1e9), Some(MAX_PROBE_MS));
    }

    #[test]
    fn kept_durations_survive_the_json_exactly() {
        assert_eq!(kept_duration(1.0045199999999983), 1.005);
        assert_eq!(kept_duration(f64::NAN), 0.0);
        let mut m = meta();
        for i in 0..20_000u32 {
            // Durations up to 60 s in odd steps, as a clock produces them.
            let d = kept_duration(f64::from(i) * 0.003_007 + 0.000_01);
            m.duration = d;
            let back = StoredMeta::from_json(&m.to_json()).unwrap();
            assert_eq!(back.duration.to_bits(), d.to_bits(), "{d}");
        }
    }

    #[test]
    fn lock_names_are_per_recording() {
        assert_eq!(lock_name("a"), "vocafuse-recording:a");
        assert_ne!(lock_name("a"), lock_name("b"));
    }
}
