//! The finished take: kept (assembled into one `Blob`), stored in IndexedDB, and uploaded.

use super::*;

impl Recorder {
    // ---- effects: a take ----

    /// The kept note and its result went with the phase that held them; its stored copy goes
    /// by the retake rule.
    pub(super) fn drop_kept(&self) {
        let stored = self.stored.borrow_mut().take();
        if let Some(old) = stored {
            if old.state().discarded_by_retake() {
                old.discard();
            }
        }
    }

    pub(super) fn persist(&self) {
        let (meta, created_at) = {
            let phased = self.phased.borrow();
            let Held::Take(take) = &phased.held else { return };
            let meta = StoredMeta {
                format: take.plan.format.as_str().to_string(),
                mime_type: take.plan.mime_type.to_string(),
                duration: 0.0,
                size: 0,
                state: StoredState::Recording,
                max_duration: self.options.limits.max_duration_secs,
                max_file_size: self.options.limits.max_file_size,
                bits_per_second: u64::from(self.options.bits_per_second),
                patched: false,
                upload: None,
                confirmed_at: None,
                waveform: Vec::new(),
            };
            (meta, take.created_at_ms)
        };
        let me = self.me.clone();
        let on_failure = Box::new(move |e: SdkError| {
            if let Some(r) = me.upgrade() {
                r.storage_failed(e);
            }
        });
        let stored = Stored::begin(&self.ctx, created_at, meta, on_failure);
        *self.stored.borrow_mut() = stored;
    }

    /// Storing failed (no IndexedDB, quota, private mode): recording goes on in memory, and the
    /// app hears of it once per SDK.
    pub(super) fn storage_failed(&self, err: SdkError) {
        if !self.ctx.storage_notice_sent.replace(true) {
            let notice = SdkError::new(ErrorCode::StorageUnavailable, format!("{}; the recording is kept in memory only", err.message));
            self.observer.failed(&SdkError { details: err.details, ..notice });
        }
    }

    // ---- effects: keeping and uploading ----

    /// Puts the take together (a WAV gets its header, a WebM its Duration, so it can be
    /// seeked); answers `Kept` or `KeepFailed`.
    pub(super) fn keep(&self) {
        let held = std::mem::replace(&mut self.phased.borrow_mut().held, Held::Nothing);
        let Held::Take(mut take) = held else {
            let _ = self.dispatch(Event::KeepFailed(SdkError::new(ErrorCode::RecordingFailed, "no audio was captured")));
            return;
        };
        let duration = kept_duration(take.clock.elapsed_ms(now_ms()) / 1000.0);
        let stored = self.stored.borrow().clone();
        finish_wav(&mut take, stored.as_deref());
        let assembled = assemble(&take, duration);
        if let Some(stored) = &stored {
            if let Ok(recording) = &assembled {
                stored.set_waveform(recording.waveform.clone());
            }
            stored.flush(duration, take.guard.kept());
        }
        let task = self.begin_task(None);
        let me = self.me.clone();
        let max_size = self.options.limits.max_file_size;
        wasm_bindgen_futures::spawn_local(async move {
            let result = match assembled {
                Ok(mut recording) => {
                    let mut patched = false;
                    if recording.format == AudioFormat::Webm {
                        if let Some(blob) = patch_webm(&recording.blob, &recording.mime_type, recording.duration, max_size).await {
                            recording.size = blob.size() as u64;
                            recording.blob = blob;
                            patched = true;
                        }
                    }
                    Ok((recording, patched))
                }
                Err(e) => Err(e),
            };
            let Some(r) = me.upgrade() else { return };
            match result {
                Ok((recording, patched)) => {
                    if task.strong_count() == 0 {
                        return; // cancelled or destroyed meanwhile: nothing is kept
                    }
                    if let Some(stored) = r.stored.borrow().as_ref() {
                        stored.finished(&recording.mime_type, recording.duration, recording.size, patched);
                    }
                    r.answer_with(&task, Event::Kept, Some(Held::Kept(recording)));
                }
                Err(e) => r.answer_of(&task, Event::KeepFailed(e)),
            }
        });
    }

    pub(super) fn begin_upload(&self) {
        let Some(recording) = self.recording() else {
            let _ = self.dispatch(Event::UploadFailed(SdkError::invalid_state("upload", "idle")));
            return;
        };
        let abort = match controller() {
            Ok(c) => c,
            Err(e) => {
                let _ = self.dispatch(Event::UploadFailed(e));
                return;
            }
        };
        let signal = abort.signal();
        let task = self.begin_task(Some(abort));
        let spec = UploadSpec {
            format: recording.format,
            size: recording.size,
            duration_secs: recording.duration,
            bits_per_second: u64::from(self.options.bits_per_second),
            created_at_ms: recording.created_at_ms,
        };
        let stored = self.stored.borrow().clone();
        let journal = match &stored {
            Some(s) => s.upload_journal(),
            None => Rc::new(Journal::new(UploadJournal::default(), None)),
        };
        let (me, ctx) = (self.me.clone(), self.ctx.clone());
        let observer = Rc::new(UploadEvents { recorder: self.me.clone(), task: task.clone() });
        wasm_bindgen_futures::spawn_local(async move {
            let result = upload_resumable(&ctx, &recording.blob, &recording.mime_type, &spec, &signal, observer, &journal).await;
            let Some(r) = me.upgrade() else { return };
            match result {
                Ok(result) => {
                    if let Some(stored) = &stored {
                        stored.confirmed();
                    }
                    if task.strong_count() == 0 {
                        return;
                    }
                    // Confirmed: the stored copy is done with.
                    let mine = r.stored.borrow().as_ref().zip(stored.as_ref()).is_some_and(|(a, b)| Rc::ptr_eq(a, b));
                    if mine {
                        let done = r.stored.borrow_mut().take();
                        drop(done);
                    }
                    r.answer_with(&task, Event::Uploaded, Some(Held::Uploaded(recording, result)));
                }
                Err(e) => r.answer_of(&task, Event::UploadFailed(e)),
            }
        });
    }
}

/// Hands upload progress to `onUploadProgress`, and waiting for the network to the lifecycle.
struct UploadEvents {
    recorder: Weak<Recorder>,
    task: Weak<()>,
}

impl UploadObserver for UploadEvents {
    fn progress(&self, percent: f64) {
        if let (Some(r), true) = (self.recorder.upgrade(), self.task.strong_count() > 0) {
            r.observer.upload_progress(percent);
        }
    }
    fn waiting(&self, waiting: bool) {
        if let (Some(r), true) = (self.recorder.upgrade(), self.task.strong_count() > 0) {
            let _ = r.dispatch(if waiting { Event::Offline } else { Event::Online });
        }
    }
    fn unreachable(&self, notice: NetworkNotice) {
        if let (Some(r), true) = (self.recorder.upgrade(), self.task.strong_count() > 0) {
            let _ = r.dispatch(Event::Unreachable(notice));
        }
    }
}

/// Ends a WAV take: the encoder's last data (if it fits), then the header, sized for exactly
/// the data kept, in front (the stored copy gets the tail; its header is made when it is rebuilt).
fn finish_wav(take: &mut Take, stored: Option<&Stored>) {
    if !take.wav() {
        return;
    }
    if let Some(tail) = take.tail.take().filter(|t| t.length() > 0) {
        if take.guard.offer(u64::from(tail.length())) != ChunkVerdict::DropAndStop {
            take.chunks.push(&tail);
            if let Some(stored) = stored {
                stored.buffer(&tail, take.clock.elapsed_ms(now_ms()) / 1000.0, take.guard.kept());
            }
        }
    }
    let header = wav::header(resample::OUTPUT_RATE, take.guard.kept().min(u64::from(u32::MAX)) as u32);
    take.chunks.unshift(&Uint8Array::from(&header[..]));
}

/// The take's chunks as the recording's `Blob`.
fn assemble(take: &Take, duration: f64) -> Result<Recording, SdkError> {
    let mime_type = if take.mime_type.is_empty() { take.plan.mime_type.to_string() } else { take.mime_type.clone() };
    let format = AudioFormat::from_mime(&mime_type)
        .ok_or_else(|| SdkError::new(ErrorCode::RecordingFailed, format!("the browser recorded {mime_type}, which the service does not accept")))?;
    let bag = BlobPropertyBag::new();
    bag.set_type(&mime_type);
    let blob = Blob::new_with_blob_sequence_and_options(&take.chunks, &bag).map_err(|e| error_from_js(&e, ErrorCode::RecordingFailed))?;
    let size = blob.size() as u64;
    if size == 0 {
        return Err(SdkError::new(ErrorCode::RecordingFailed, "no audio was captured"));
    }
    let waveform = take.waveform.peaks(duration * 1000.0);
    Ok(Recording { blob, mime_type, format, duration, size, created_at_ms: take.created_at_ms, settings: take.settings.clone(), waveform })
}
