//! Durability in the browser: recordings written to IndexedDB as they are recorded, recovered
//! after a reload or a crash, their uploads resumed, by one tab at a time (Web Locks).
//!
//! `core::durable` decides what is stored; `js/platform.js` wraps IndexedDB and Web Locks in
//! promises. The audio stays in `Blob`s: chunks go to IndexedDB as the recorder produced them,
//! and a recovered recording is a `Blob` of the stored chunks (only a WebM's first 4 KB are
//! read into wasm, to write its Duration).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

use super::abort::controller;
use super::indexeddb::{self as idb, read, settle, Row};
use super::js::{error_from_js, quiet};
use super::locks::{busy, lock, Lock};
use super::sdk::SdkContext;
use super::upload::{upload_resumable, Journal, UploadObserver};
use crate::core::durable::{kept_duration, lock_name, StoredMeta, StoredState, UploadJournal, FLUSH_MS};
use crate::core::errors::{ErrorCode, SdkError};
use crate::core::format::AudioFormat;
use crate::core::network::NetworkNotice;
use crate::core::upload::UploadResult;
use crate::core::{resample, wav, webm};

/// The row of a recording a `PendingRecording` names, which may have been discarded since.
async fn read_kept(id: &str) -> Result<Row, SdkError> {
    read(id).await?.ok_or_else(|| SdkError::new(ErrorCode::InvalidState, "this recording was discarded"))
}

fn foreign_format(meta: &StoredMeta) -> SdkError {
    SdkError::new(ErrorCode::UnsupportedAudioFormat, format!("a stored recording is '{}'", meta.format))
}

// ---- the recorder's side: writing as it records ----

/// The stored copy of the recording a recorder is making or holds. Writes are queued in order
/// (IndexedDB runs transactions on the same stores in the order they were made) and never
/// awaited by the recorder; the first failure stops storing and is reported once.
pub struct Stored {
    id: String,
    created_at: f64,
    meta: RefCell<StoredMeta>,
    seq: Cell<u32>,
    /// WAV blocks not yet written (they come every few ms; they are written every `FLUSH_MS`).
    buffer: Array,
    last_flush: Cell<f64>,
    lock: RefCell<Option<Lock>>,
    on_failure: Box<dyn Fn(SdkError)>,
    me: Weak<Stored>,
}

impl Stored {
    /// Starts storing a new recording (`None` when the app turned `persist` off).
    pub fn begin(ctx: &SdkContext, created_at: f64, meta: StoredMeta, on_failure: Box<dyn Fn(SdkError)>) -> Option<Rc<Stored>> {
        if !ctx.config.persist {
            return None;
        }
        if !ctx.persistence_asked.replace(true) {
            quiet(&idb::persist_storage());
        }
        let stored = Stored::new(idb::new_id(), created_at, meta, on_failure);
        // Held from the first chunk until the upload is confirmed, the recording is discarded,
        // or the recorder lets go of it: other tabs leave it alone meanwhile.
        let me = Rc::downgrade(&stored);
        let id = stored.id.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let held = lock(&id).await;
            if let Some(s) = me.upgrade() {
                *s.lock.borrow_mut() = Some(held);
            }
        });
        stored.write_row();
        Some(stored)
    }

    fn new(id: String, created_at: f64, meta: StoredMeta, on_failure: Box<dyn Fn(SdkError)>) -> Rc<Stored> {
        Rc::new_cyclic(|me| Stored {
            id,
            created_at,
            meta: RefCell::new(meta),
            seq: Cell::new(0),
            buffer: Array::new(),
            last_flush: Cell::new(js_sys::Date::now()),
            lock: RefCell::new(None),
            on_failure,
            me: me.clone(),
        })
    }

    fn meta_json(&self) -> String {
        self.meta.borrow().to_json()
    }

    /// Queues a write; a failure marks the copy broken, removes it and tells the recorder once.
    fn write(&self, promise: Promise) {
        let me = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = settle(promise).await {
                if let Some(s) = me.upgrade() {
                    let first = s.meta.borrow_mut().set_broken();
                    if first {
                        quiet(&idb::remove_rows(&s.id));
                        (s.on_failure)(e);
                    }
                }
            }
        });
    }

    fn write_row(&self) {
        if self.state() != StoredState::Broken {
            self.write(idb::put_recording(&self.id, self.created_at, &self.meta_json()));
        }
    }

    pub fn state(&self) -> StoredState {
        self.meta.borrow().state
    }

    /// A chunk as the recorder kept it, with the recorded time and kept bytes so far.
    fn append(&self, data: &JsValue, duration: f64, size: u64) {
        {
            let mut m = self.meta.borrow_mut();
            m.duration = kept_duration(duration);
            m.size = size;
        }
        if self.state() == StoredState::Broken {
            return;
        }
        let seq = self.seq.get();
        self.seq.set(seq + 1);
        self.write(idb::put_chunk(&self.id, seq, data, self.created_at, &self.meta_json()));
        self.last_flush.set(js_sys::Date::now());
    }

    /// A slice of recorded data (a `MediaRecorder` Blob, or encoded WAV bytes): written with the
    /// others every `FLUSH_MS`.
    pub fn buffer(&self, block: &JsValue, duration: f64, size: u64) {
        self.buffer.push(block);
        if js_sys::Date::now() - self.last_flush.get() >= FLUSH_MS {
            self.flush(duration, size);
        }
    }

    /// Writes the buffered WAV blocks as one chunk.
    pub fn flush(&self, duration: f64, size: u64) {
        if self.buffer.length() == 0 {
            return;
        }
        let parts = self.buffer.slice(0, self.buffer.length());
        self.buffer.set_length(0);
        if let Ok(blob) = Blob::new_with_blob_sequence(&parts) {
            self.append(&blob, duration, size);
        }
    }

    /// The take's waveform so far: written with the next chunk, so a recovered note has it.
    pub fn set_waveform(&self, peaks: Vec<f64>) {
        self.meta.borrow_mut().waveform = peaks;
    }

    /// Recording ended: what the chunks make, and whether the WebM Duration is written into it.
    pub fn finished(&self, mime_type: &str, duration: f64, size: u64, patched: bool) {
        let changed = self.meta.borrow_mut().finish(mime_type, duration, size, patched);
        if changed {
            self.write_row();
        }
    }

    pub fn journal(&self) -> UploadJournal {
        self.meta.borrow().upload.clone().unwrap_or_default()
    }

    fn save_journal(&self, journal: &UploadJournal) {
        let changed = self.meta.borrow_mut().journal(journal);
        if changed {
            self.write_row();
        }
    }

    /// An upload journal that writes every change here.
    pub fn upload_journal(&self) -> Rc<Journal> {
        let me = self.me.clone();
        Rc::new(Journal::new(
            self.journal(),
            Some(Box::new(move |j: &UploadJournal| {
                if let Some(s) = me.upgrade() {
                    s.save_journal(j);
                }
            })),
        ))
    }

    /// The service has it: the audio goes; the result stays an hour for other tabs. The lock is
    /// let go once that is written. Nothing waits for storage here: an upload's result never
    /// depends on IndexedDB answering.
    pub fn confirmed(&self) {
        let changed = self.meta.borrow_mut().confirm(js_sys::Date::now());
        let held = self.lock.borrow_mut().take();
        // A broken copy's rows are gone: writing the confirmation would bring one back.
        let Some(written) = changed.then(|| idb::confirm_rows(&self.id, self.created_at, &self.meta_json())) else { return };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = settle(written).await;
            drop(held);
        });
    }

    /// Nothing of it is kept.
    pub fn discard(&self) {
        self.meta.borrow_mut().set_broken();
        quiet(&idb::remove_rows(&self.id));
    }
}

// ---- recovery: what is pending, rebuilt as a Blob, uploaded ----

/// Writes `duration` into a WebM's header, reading only the header bytes into wasm. `None`
/// when it cannot, or when the result would pass `max_size`.
pub async fn patch_webm(blob: &Blob, mime_type: &str, duration: f64, max_size: u64) -> Option<Blob> {
    let head: Blob = blob.slice_with_f64_and_f64(0.0, webm::header_len_needed() as f64).ok()?;
    let bytes = Uint8Array::new(&JsFuture::from(head.array_buffer()).await.ok()?).to_vec();
    let patch = webm::patch_duration(&bytes, duration * 1000.0)?;
    let parts = Array::new();
    parts.push(&Uint8Array::from(patch.bytes.as_slice()));
    let rest: Blob = blob.slice_with_f64(patch.replace_len as f64).ok()?;
    parts.push(&rest);
    let patched = blob_of(&parts, mime_type).ok()?;
    (patched.size() as u64 <= max_size).then_some(patched)
}

fn blob_of(parts: &Array, mime_type: &str) -> Result<Blob, SdkError> {
    let bag = BlobPropertyBag::new();
    bag.set_type(mime_type);
    Blob::new_with_blob_sequence_and_options(parts, &bag).map_err(|e| error_from_js(&e, ErrorCode::StorageUnavailable))
}

/// The recording a row describes, from its chunks. A recording the page lost while it was
/// still recording is finished here: its WAV header or WebM Duration is written and the row
/// says `recorded`. Returns the Blob and the row's metadata as it now stands.
pub async fn rebuild(row: &Row) -> Result<(Blob, StoredMeta), SdkError> {
    let mut meta = row.meta.clone();
    let chunks = idb::chunks(&row.id).await?;
    if chunks.length() == 0 {
        return Err(SdkError::new(ErrorCode::RecordingFailed, "nothing of this recording was stored"));
    }
    let format = meta.audio_format().ok_or_else(|| foreign_format(&meta))?;
    if format == AudioFormat::Wav {
        let data_len: f64 = chunks.iter().map(|c| c.unchecked_into::<Blob>().size()).sum();
        let header = wav::header(resample::OUTPUT_RATE, data_len.min(f64::from(u32::MAX)) as u32);
        chunks.unshift(&Uint8Array::from(&header[..]));
    }
    let mut blob = blob_of(&chunks, &meta.mime_type)?;
    let interrupted = meta.state == StoredState::Recording;
    if format == AudioFormat::Webm && (meta.patched || interrupted) {
        let limit = if meta.max_file_size > 0 { meta.max_file_size } else { u64::MAX };
        match patch_webm(&blob, &meta.mime_type, meta.duration, limit).await {
            Some(patched) => {
                blob = patched;
                meta.patched = true;
            }
            None => meta.patched = false,
        }
    }
    if interrupted {
        meta.state = StoredState::Recorded;
        meta.size = blob.size() as u64;
        settle(idb::put_recording(&row.id, row.created_at, &meta.to_json())).await?;
    }
    Ok((blob, meta))
}

/// Recordings kept and not confirmed that nobody is recording or uploading, oldest first. Rows
/// confirmed more than an hour ago are cleared on the way.
pub async fn pending() -> Result<Vec<Row>, SdkError> {
    let rows = idb::rows().await?;
    let busy = busy().await;
    let now = js_sys::Date::now();
    let mut out = Vec::new();
    for row in rows {
        if row.meta.expired(now) {
            let _ = settle(idb::remove_rows(&row.id)).await;
            continue;
        }
        if row.meta.pending_state().is_none() || busy.contains(&lock_name(&row.id)) {
            continue;
        }
        if row.meta.state == StoredState::Recording {
            // Finish it now, so what is listed is what will be uploaded.
            let held = lock(&row.id).await;
            let Some(fresh) = read(&row.id).await? else { continue };
            let meta = match rebuild(&fresh).await {
                Ok((_, meta)) => meta,
                // Nothing usable was stored (the page died before the first chunk).
                Err(e) if e.code == ErrorCode::RecordingFailed => {
                    let _ = settle(idb::remove_rows(&row.id)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            drop(held);
            out.push(Row { meta, ..fresh });
        } else {
            out.push(row);
        }
    }
    Ok(out)
}

/// A pending recording's upload has no recorder to report to. When the app awaits it
/// (`awaited`), the network's notice ends it (the core's rule), so the app hears why instead of
/// waiting for `offlineWaitMs`; the recording stays kept. `resumeOnInit`'s uploads, which nobody
/// awaits, keep waiting and probing.
struct Pending {
    awaited: bool,
    controller: web_sys::AbortController,
    notice: RefCell<Option<SdkError>>,
}

impl UploadObserver for Pending {
    fn progress(&self, _percent: f64) {}
    fn unreachable(&self, notice: NetworkNotice) {
        if self.awaited && notice.reason.ends_awaited_upload() && self.notice.borrow().is_none() {
            self.notice.replace(Some(notice.error()));
            self.controller.abort();
        }
    }
}

/// Uploads a pending recording: waits for its lock (another tab may be uploading it), then
/// resumes from what its journal says. If another tab confirmed it meanwhile, answers with that
/// tab's result. `awaited`: the app awaits the answer (see `Pending`).
pub async fn upload_pending(ctx: &SdkContext, id: &str, awaited: bool) -> Result<UploadResult, SdkError> {
    let held = lock(id).await;
    let row = read_kept(id).await?;
    if row.meta.state == StoredState::Uploaded {
        let spec = row.meta.spec(row.created_at).ok_or_else(|| foreign_format(&row.meta))?;
        let grant = row.meta.upload.as_ref().and_then(|j| j.grant.as_ref());
        return grant.map(|g| UploadResult::new(g, &spec)).ok_or_else(|| SdkError::new(ErrorCode::InvalidState, "this recording was uploaded"));
    }
    let (blob, meta) = rebuild(&row).await?;
    let spec = meta.spec(row.created_at).ok_or_else(|| foreign_format(&meta))?;
    let stored = Stored::new(row.id.clone(), row.created_at, meta.clone(), Box::new(|_| {}));
    *stored.lock.borrow_mut() = Some(held);
    let observer = Rc::new(Pending { awaited, controller: controller()?, notice: RefCell::new(None) });
    let signal = observer.controller.signal();
    let outcome = upload_resumable(ctx, &blob, &meta.mime_type, &spec, &signal, observer.clone(), &stored.upload_journal()).await;
    let result = outcome.map_err(|e| observer.notice.take().unwrap_or(e))?;
    stored.confirmed();
    Ok(result)
}

/// The stored recording as a Blob.
pub async fn pending_blob(id: &str) -> Result<Blob, SdkError> {
    let row = read_kept(id).await?;
    if row.meta.state == StoredState::Uploaded {
        return Err(SdkError::new(ErrorCode::InvalidState, "this recording was uploaded and is no longer kept"));
    }
    Ok(rebuild(&row).await?.0)
}

/// Forgets a pending recording (after any upload of it in another tab has settled).
pub async fn discard_pending(id: &str) -> Result<(), SdkError> {
    let _held = lock(id).await;
    settle(idb::remove_rows(id)).await.map(|_| ())
}
