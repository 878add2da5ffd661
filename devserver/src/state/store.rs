//! Voice notes on disk: `<data-dir>/<id>.json` (the record) and `<id>.<ext>` (the bytes, once
//! every byte has arrived); multipart parts wait in `<id>.parts/<n>.part`.
//!
//! Every file is written to a temporary name in the same directory and renamed into place, so a
//! crash never leaves a half-written file under a real name. The record says `"uploaded"` only
//! after the bytes are in place. A part can be sent again at any time; the voice note is
//! reassembled from the parts each time all of them are present (the parts are kept).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use vocafuse_wasm::core::format::AudioFormat;
use vocafuse_wasm::core::protocol::{VoiceNote, UPLOAD_MULTIPART};

use crate::base::clock::now_ms;

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_UPLOADED: &str = "uploaded";

/// What `<id>.json` holds, and what `GET /__dev/voicenotes/{id}` returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub id: String,
    /// `pending` until every byte is stored, then `uploaded`.
    pub status: String,
    pub file_name: String,
    /// The size the upload request declared.
    pub file_size: u64,
    pub audio_format: String,
    pub duration_seconds: f64,
    pub created_at: String,
    pub created_at_ms: f64,
    pub s3_key: String,
    /// `single` or `multipart`.
    pub upload_type: String,
    pub tenant_id: String,
    pub upload_id: Option<String>,
    pub parts: Vec<PartRecord>,
    /// The MIME type the format implies.
    pub mime_type: String,
    /// The `Content-Type` the bytes arrived with (the first part's, for multipart).
    pub content_type: Option<String>,
    /// Hex SHA-256 of the stored bytes, once uploaded.
    pub sha256: Option<String>,
    pub bytes_stored: u64,
    /// `<id>.<ext>` in the data directory, once uploaded.
    pub file: Option<String>,
    pub uploaded_at: Option<String>,
    /// Accepted PUTs, retries included.
    pub put_count: u32,
    pub sdk_metadata: Option<Value>,
    /// The `sub` of the token it was uploaded with: a backend's `user_id`.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Once uploaded: the transcription's progress and result.
    #[serde(default)]
    pub transcription: Option<Transcript>,
}

/// A voice note's transcription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// `processing`, `completed` or `failed`.
    pub status: String,
    pub text: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// `command` (`--transcribe-cmd`) or `simulation`.
    pub source: String,
    pub started_at: String,
    pub completed_at: Option<String>,
}

pub const TRANSCRIPT_PROCESSING: &str = "processing";
pub const TRANSCRIPT_COMPLETED: &str = "completed";
pub const TRANSCRIPT_FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartRecord {
    pub part_number: u32,
    pub start_byte: u64,
    /// Inclusive.
    pub end_byte: u64,
    pub content_length: u64,
    pub received: bool,
    pub sha256: Option<String>,
    pub put_count: u32,
}

/// A stored format's MIME type (the core's table; anything else is bytes).
fn mime_of(format: &str) -> &'static str {
    AudioFormat::from_name(format).map_or("application/octet-stream", AudioFormat::mime)
}

impl NoteRecord {
    /// The stored file's extension: the format's own (the core's table).
    pub fn ext(&self) -> &str {
        AudioFormat::from_name(&self.audio_format).map_or(&self.audio_format, |f| f.extension())
    }

    /// The public view, for `GET /voicenotes/{id}`.
    pub fn view(&self, api_base: &str) -> VoiceNote {
        VoiceNote {
            id: self.id.clone(),
            status: self.status.clone(),
            file_name: self.file_name.clone(),
            file_size: self.file_size,
            audio_format: self.audio_format.clone(),
            duration_seconds: self.duration_seconds,
            created_at: self.created_at.clone(),
            s3_key: self.s3_key.clone(),
            upload_type: self.upload_type.clone(),
            content_type: self.content_type.clone(),
            audio_url: (self.status == STATUS_UPLOADED).then(|| format!("{api_base}/voicenotes/{}/audio", self.id)),
        }
    }

    /// What `/voicenotes/{id}/audio` is served with.
    pub fn served_content_type(&self) -> String {
        match &self.content_type {
            Some(ct) if ct.starts_with("audio/") => ct.clone(),
            _ => mime_of(&self.audio_format).to_string(),
        }
    }
}

pub struct Store {
    dir: PathBuf,
    notes: Mutex<HashMap<String, Arc<tokio::sync::Mutex<NoteRecord>>>>,
}

impl Store {
    /// Opens (creating) the data directory, removes leftover temporary files and loads every record.
    pub async fn open(dir: &Path) -> io::Result<Store> {
        tokio::fs::create_dir_all(dir).await?;
        let mut notes = HashMap::new();
        let mut entries = tokio::fs::read_dir(dir).await?;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().to_string();
            if is_temp(&name) {
                let _ = tokio::fs::remove_file(entry.path()).await;
            } else if name.ends_with(".parts") {
                let mut parts = tokio::fs::read_dir(entry.path()).await?;
                while let Some(p) = parts.next_entry().await? {
                    if is_temp(&p.file_name().to_string_lossy()) {
                        let _ = tokio::fs::remove_file(p.path()).await;
                    }
                }
            } else if name.ends_with(".json") {
                let text = tokio::fs::read(entry.path()).await?;
                match serde_json::from_slice::<NoteRecord>(&text) {
                    Ok(rec) => {
                        notes.insert(rec.id.clone(), Arc::new(tokio::sync::Mutex::new(rec)));
                    }
                    Err(e) => eprintln!("vocafuse-devserver: skipping {name}: {e}"),
                }
            }
        }
        Ok(Store { dir: dir.to_path_buf(), notes: Mutex::new(notes) })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn handle(&self, id: &str) -> Option<Arc<tokio::sync::Mutex<NoteRecord>>> {
        self.notes.lock().unwrap().get(id).cloned()
    }

    pub async fn create(&self, rec: NoteRecord) -> io::Result<()> {
        write_atomic(&self.dir.join(format!("{}.json", rec.id)), &record_json(&rec)).await?;
        self.notes.lock().unwrap().insert(rec.id.clone(), Arc::new(tokio::sync::Mutex::new(rec)));
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Option<NoteRecord> {
        Some(self.handle(id)?.lock().await.clone())
    }

    /// Newest first.
    pub async fn list(&self) -> Vec<NoteRecord> {
        let handles: Vec<_> = self.notes.lock().unwrap().values().cloned().collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.lock().await.clone());
        }
        out.sort_by(|a, b| b.created_at_ms.total_cmp(&a.created_at_ms));
        out
    }

    /// Forgets a voice note and removes its files: the record first, so a crash half-way leaves
    /// no record pointing at missing bytes (leftover bytes are harmless). `None` if unknown.
    pub async fn delete(&self, id: &str) -> io::Result<Option<NoteRecord>> {
        let Some(handle) = self.handle(id) else { return Ok(None) };
        let rec = handle.lock().await;
        tokio::fs::remove_file(self.dir.join(format!("{id}.json"))).await?;
        self.notes.lock().unwrap().remove(id);
        let _ = tokio::fs::remove_file(self.audio_path(&rec)).await;
        let _ = tokio::fs::remove_dir_all(self.parts_dir(id)).await;
        Ok(Some(rec.clone()))
    }

    /// Sets the transcription of an uploaded voice note (written before it is visible).
    pub async fn set_transcription(&self, id: &str, transcript: Transcript) -> io::Result<Option<NoteRecord>> {
        let Some(handle) = self.handle(id) else { return Ok(None) };
        let mut rec = handle.lock().await;
        // Deleted while we waited for the lock: writing now would bring its record back.
        if !self.notes.lock().unwrap().contains_key(id) {
            return Ok(None);
        }
        let mut next = rec.clone();
        next.transcription = Some(transcript);
        write_atomic(&self.dir.join(format!("{id}.json")), &record_json(&next)).await?;
        *rec = next.clone();
        Ok(Some(next))
    }

    pub fn audio_path(&self, rec: &NoteRecord) -> PathBuf {
        self.dir.join(format!("{}.{}", rec.id, rec.ext()))
    }

    fn parts_dir(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.parts"))
    }

    /// Stores a single upload's bytes (replacing earlier ones). Returns the hex SHA-256.
    pub async fn put_single(&self, id: &str, bytes: &[u8], content_type: Option<String>) -> io::Result<String> {
        let handle = self.handle(id).ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such voice note"))?;
        let mut rec = handle.lock().await;
        let sha = hex::encode(Sha256::digest(bytes));
        write_atomic(&self.audio_path(&rec), bytes).await?;
        let mut next = rec.clone();
        next.content_type = content_type.or(next.content_type);
        next.put_count += 1;
        self.mark_uploaded(&mut next, sha.clone(), bytes.len() as u64);
        write_atomic(&self.dir.join(format!("{id}.json")), &record_json(&next)).await?;
        *rec = next;
        Ok(sha)
    }

    /// Stores one part (replacing an earlier copy) and assembles the voice note when every part
    /// is present. Returns the part's hex SHA-256.
    pub async fn put_part(&self, id: &str, part_number: u32, bytes: &[u8], content_type: Option<String>) -> io::Result<String> {
        let handle = self.handle(id).ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such voice note"))?;
        let mut rec = handle.lock().await;
        let index = rec.parts.iter().position(|p| p.part_number == part_number).ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such part"))?;
        let parts_dir = self.parts_dir(id);
        tokio::fs::create_dir_all(&parts_dir).await?;
        let sha = hex::encode(Sha256::digest(bytes));
        write_atomic(&parts_dir.join(format!("{part_number}.part")), bytes).await?;

        let mut next = rec.clone();
        if next.content_type.is_none() || part_number == 1 {
            next.content_type = content_type.or(next.content_type);
        }
        let part = &mut next.parts[index];
        part.received = true;
        part.sha256 = Some(sha.clone());
        part.put_count += 1;
        next.put_count += 1;
        if next.parts.iter().all(|p| p.received) {
            let (whole_sha, size) = self.assemble(&next).await?;
            self.mark_uploaded(&mut next, whole_sha, size);
        } else {
            next.bytes_stored = next.parts.iter().filter(|p| p.received).map(|p| p.content_length).sum();
        }
        write_atomic(&self.dir.join(format!("{id}.json")), &record_json(&next)).await?;
        *rec = next;
        Ok(sha)
    }

    fn mark_uploaded(&self, rec: &mut NoteRecord, sha: String, size: u64) {
        rec.status = STATUS_UPLOADED.into();
        rec.sha256 = Some(sha);
        rec.bytes_stored = size;
        rec.file = Some(format!("{}.{}", rec.id, rec.ext()));
        rec.uploaded_at = Some(crate::base::clock::rfc3339(now_ms()));
    }

    /// Concatenates the parts into `<id>.<ext>`; returns its SHA-256 and size.
    async fn assemble(&self, rec: &NoteRecord) -> io::Result<(String, u64)> {
        let target = self.audio_path(rec);
        let tmp = temp_name(&target);
        let result = async {
            let mut out = tokio::fs::File::create(&tmp).await?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            for p in &rec.parts {
                let bytes = tokio::fs::read(self.parts_dir(&rec.id).join(format!("{}.part", p.part_number))).await?;
                hasher.update(&bytes);
                size += bytes.len() as u64;
                out.write_all(&bytes).await?;
            }
            out.sync_all().await?;
            drop(out);
            tokio::fs::rename(&tmp, &target).await?;
            Ok((hex::encode(hasher.finalize()), size))
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }
}

fn record_json(rec: &NoteRecord) -> Vec<u8> {
    serde_json::to_vec_pretty(rec).expect("records serialize")
}

fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

fn temp_name(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    target.with_file_name(format!(".{name}.tmp-{:016x}", fastrand::u64(..)))
}

/// Writes `bytes` to `target` through a temporary file in the same directory and a rename.
pub async fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_name(target);
    let result = async {
        let mut f = tokio::fs::File::create(&tmp).await?;
        f.write_all(bytes).await?;
        f.sync_all().await?;
        drop(f);
        tokio::fs::rename(&tmp, target).await
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

/// A new record for an accepted `POST /upload`.
pub struct NewNote<'a> {
    pub id: String,
    pub file_name: &'a str,
    pub file_size: u64,
    pub audio_format: &'a str,
    pub duration_seconds: f64,
    pub s3_key: String,
    pub tenant_id: &'a str,
    pub upload: Option<(String, Vec<(u64, u64)>)>,
    pub sdk_metadata: Option<Value>,
    pub user_id: Option<&'a str>,
}

impl NewNote<'_> {
    pub fn record(self) -> NoteRecord {
        // Whole milliseconds: a fraction does not survive the JSON metadata file exactly.
        let now = now_ms().floor();
        let (upload_type, upload_id, parts) = match self.upload {
            Some((upload_id, ranges)) => {
                let parts = ranges
                    .iter()
                    .enumerate()
                    .map(|(i, &(s, e))| PartRecord { part_number: i as u32 + 1, start_byte: s, end_byte: e, content_length: e - s + 1, received: false, sha256: None, put_count: 0 })
                    .collect();
                (UPLOAD_MULTIPART.to_string(), Some(upload_id), parts)
            }
            None => ("single".to_string(), None, Vec::new()),
        };
        NoteRecord {
            id: self.id,
            status: STATUS_PENDING.into(),
            file_name: self.file_name.to_string(),
            file_size: self.file_size,
            audio_format: self.audio_format.to_string(),
            duration_seconds: self.duration_seconds,
            created_at: crate::base::clock::rfc3339(now),
            created_at_ms: now,
            s3_key: self.s3_key,
            upload_type,
            tenant_id: self.tenant_id.to_string(),
            upload_id,
            parts,
            mime_type: mime_of(self.audio_format).to_string(),
            content_type: None,
            sha256: None,
            bytes_stored: 0,
            file: None,
            uploaded_at: None,
            put_count: 0,
            sdk_metadata: self.sdk_metadata,
            user_id: self.user_id.map(str::to_string),
            transcription: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocafuse_wasm::core::upload::plan_parts;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vf-store-{tag}-{:x}", fastrand::u64(..)));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn note(id: &str, size: u64, multipart: bool) -> NoteRecord {
        NewNote {
            id: id.into(),
            file_name: "a.webm",
            file_size: size,
            audio_format: "webm",
            duration_seconds: 3.0,
            s3_key: format!("voicenotes/t/{id}.webm"),
            tenant_id: "t",
            upload: multipart.then(|| ("u".to_string(), plan_parts(size, 5_242_880))),
            sdk_metadata: None,
            user_id: Some("u"),
        }
        .record()
    }

    #[tokio::test]
    async fn parts_in_any_order_with_retries_assemble_byte_identical() {
        let dir = temp_dir("parts");
        let store = Store::open(&dir).await.unwrap();
        let size = 12_000_000u64;
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        store.create(note("n1", size, true)).await.unwrap();
        let ranges = plan_parts(size, 5_242_880);
        let slice = |n: usize| &data[ranges[n].0 as usize..=ranges[n].1 as usize];
        store.put_part("n1", 3, slice(2), Some("audio/webm".into())).await.unwrap();
        store.put_part("n1", 1, &vec![0u8; slice(0).len()], Some("audio/webm".into())).await.unwrap();
        assert_eq!(store.get("n1").await.unwrap().status, STATUS_PENDING);
        store.put_part("n1", 1, slice(0), Some("audio/webm".into())).await.unwrap(); // the retry wins
        store.put_part("n1", 2, slice(1), Some("audio/webm".into())).await.unwrap();
        let rec = store.get("n1").await.unwrap();
        assert_eq!(rec.status, STATUS_UPLOADED);
        assert_eq!(rec.sha256.as_deref(), Some(hex::encode(Sha256::digest(&data)).as_str()));
        assert_eq!(rec.put_count, 4);
        assert_eq!(std::fs::read(store.audio_path(&rec)).unwrap(), data);

        // A late retry of a part after assembly reassembles to the same bytes.
        store.put_part("n1", 2, slice(1), None).await.unwrap();
        let again = store.get("n1").await.unwrap();
        assert_eq!(again.sha256, rec.sha256);

        // Reopening finds the record; no temporary files are left behind.
        std::fs::write(dir.join(".n1.webm.tmp-dead"), b"half").unwrap();
        let reopened = Store::open(&dir).await.unwrap();
        assert_eq!(reopened.get("n1").await.unwrap().sha256, rec.sha256);
        assert!(std::fs::read_dir(&dir).unwrap().all(|e| !is_temp(&e.unwrap().file_name().to_string_lossy())));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn single_upload_is_stored_with_its_hash() {
        let dir = temp_dir("single");
        let store = Store::open(&dir).await.unwrap();
        store.create(note("s1", 5, false)).await.unwrap();
        store.put_single("s1", b"hello", Some("audio/webm;codecs=opus".into())).await.unwrap();
        let rec = store.get("s1").await.unwrap();
        assert_eq!(rec.status, STATUS_UPLOADED);
        assert_eq!(rec.sha256.as_deref(), Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
        assert_eq!(rec.served_content_type(), "audio/webm;codecs=opus");
        assert_eq!(std::fs::read(dir.join("s1.webm")).unwrap(), b"hello");
        let on_disk: NoteRecord = serde_json::from_slice(&std::fs::read(dir.join("s1.json")).unwrap()).unwrap();
        assert_eq!(on_disk, rec);

        let t = Transcript { status: TRANSCRIPT_COMPLETED.into(), text: Some("hi".into()), error: None, source: "simulation".into(), started_at: "x".into(), completed_at: None };
        store.set_transcription("s1", t.clone()).await.unwrap();
        let reopened = Store::open(&dir).await.unwrap();
        assert_eq!(reopened.get("s1").await.unwrap().transcription, Some(t));
        assert_eq!(reopened.delete("s1").await.unwrap().map(|r| r.id), Some("s1".to_string()));
        assert!(reopened.get("s1").await.is_none() && reopened.delete("s1").await.unwrap().is_none());
        assert!(!dir.join("s1.webm").exists() && !dir.join("s1.json").exists());
        assert!(Store::open(&dir).await.unwrap().get("s1").await.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
