//! Transcription: once a voice note's bytes are all stored it is `processing`, then `completed`
//! with a text or `failed` with a reason.
//!
//! The text comes from `--transcribe-cmd` (run through `sh` with the stored file's path as its
//! last argument; its stdout is the text, a non-zero exit is a failure), or by default from a
//! simulation that says plainly it is one (which file, how long, which format) after
//! `--transcribe-delay` seconds. `/__dev/faults` with `"route": "transcription"` queues outcomes
//! (`fail` with a reason, or `pass`) for the next notes, in order.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::base::clock::{now_ms, rfc3339};
use crate::state::store::{NoteRecord, Transcript, STATUS_UPLOADED, TRANSCRIPT_COMPLETED, TRANSCRIPT_FAILED, TRANSCRIPT_PROCESSING};
use crate::state::App;

/// The longest a `--transcribe-cmd` may run before it is killed and the note fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// `--transcribe-cmd` processes running at once; the rest wait their turn (a restart over many notes, a burst
/// of uploads), so a heavy recogniser never runs once per note in parallel.
pub const CONCURRENT: usize = 2;
/// A failure's reason when the script gives none: the error page's example.
pub const DEFAULT_FAILURE: &str = "Audio quality too low";

/// One scripted outcome (`/__dev/faults`, route `transcription`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptionFault {
    pub kind: TranscriptionFaultKind,
    /// Why it failed (`fail` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptionFaultKind {
    /// The note fails with `reason`.
    Fail,
    /// Transcribed as usual (to let one note through a queue of failures).
    Pass,
}

#[derive(Debug)]
pub struct Transcriber {
    cmd: Option<String>,
    delay: Duration,
    script: Mutex<VecDeque<TranscriptionFault>>,
    turns: tokio::sync::Semaphore,
}

impl Transcriber {
    pub fn new(cmd: Option<String>, delay_secs: f64) -> Self {
        Transcriber { cmd, delay: Duration::from_secs_f64(delay_secs), script: Mutex::default(), turns: tokio::sync::Semaphore::new(CONCURRENT) }
    }

    /// Appends outcomes; returns how many are queued now.
    pub fn script(&self, faults: Vec<TranscriptionFault>) -> usize {
        let mut s = self.script.lock().unwrap();
        s.extend(faults);
        s.len()
    }

    pub fn scripted(&self) -> Vec<TranscriptionFault> {
        self.script.lock().unwrap().iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.script.lock().unwrap().clear();
    }

    fn source(&self) -> &'static str {
        if self.cmd.is_some() {
            "command"
        } else {
            "simulation"
        }
    }

    /// The text for a stored file, or why there is none.
    async fn transcribe(&self, rec: &NoteRecord, file: &Path) -> Result<String, String> {
        let Some(cmd) = &self.cmd else {
            tokio::time::sleep(self.delay).await;
            return Ok(simulated(rec));
        };
        let _turn = self.turns.acquire().await;
        let mut command = tokio::process::Command::new("sh");
        command.arg("-c").arg(format!("{cmd} \"$1\"")).arg("vocafuse-transcribe").arg(file).kill_on_drop(true);
        command.stdin(std::process::Stdio::null());
        let output = match tokio::time::timeout(COMMAND_TIMEOUT, command.output()).await {
            Err(_) => return Err(format!("--transcribe-cmd ran longer than {} s", COMMAND_TIMEOUT.as_secs())),
            Ok(Err(e)) => return Err(format!("--transcribe-cmd could not start: {e}")),
            Ok(Ok(o)) => o,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
            return Err(format!("--transcribe-cmd failed ({}): {last}", output.status));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }
}

/// What the simulation says: plainly not a transcript, and about which recording.
pub fn simulated(rec: &NoteRecord) -> String {
    format!(
        "[simulated transcript: no recogniser ran; start the dev server with --transcribe-cmd for real text] {} ({}, {:.1} s, {} bytes)",
        rec.file_name, rec.audio_format, rec.duration_seconds, rec.bytes_stored
    )
}

/// Starts transcribing `id` if its bytes are all in and it is not done (again, if a previous
/// run left it unfinished). `done` gets the record once it is `completed` or `failed`, unless
/// the note was deleted. True when this is the note's first start.
pub async fn start<F>(app: &Arc<App>, id: &str, done: F) -> bool
where
    F: FnOnce(Arc<App>, NoteRecord) + Send + 'static,
{
    let Some(rec) = app.store.get(id).await else { return false };
    if rec.status != STATUS_UPLOADED || rec.transcription.as_ref().is_some_and(|t| t.status != TRANSCRIPT_PROCESSING) {
        return false;
    }
    let first = rec.transcription.is_none();
    let transcriber = &app.transcriber;
    let started_at = rfc3339(now_ms());
    let processing = Transcript { status: TRANSCRIPT_PROCESSING.into(), text: None, error: None, source: transcriber.source().into(), started_at: started_at.clone(), completed_at: None };
    if !matches!(app.store.set_transcription(id, processing.clone()).await, Ok(Some(_))) {
        return false;
    }
    let fault = transcriber.script.lock().unwrap().pop_front();
    let app = app.clone();
    let file = app.store.audio_path(&rec);
    tokio::spawn(async move {
        let outcome = match fault {
            Some(TranscriptionFault { kind: TranscriptionFaultKind::Fail, reason }) => Err(reason.unwrap_or_else(|| DEFAULT_FAILURE.into())),
            _ => app.transcriber.transcribe(&rec, &file).await,
        };
        let (status, text, error) = match outcome {
            Ok(text) => (TRANSCRIPT_COMPLETED, Some(text), None),
            Err(why) => (TRANSCRIPT_FAILED, None, Some(why)),
        };
        let finished = Transcript { status: status.into(), text, error, completed_at: Some(rfc3339(now_ms())), ..processing };
        // Deleted meanwhile: nothing to record, nothing to announce.
        if app.store.get(&rec.id).await.is_none() {
            return;
        }
        match app.store.set_transcription(&rec.id, finished).await {
            Ok(Some(rec)) => done(app.clone(), rec),
            Ok(None) => {}
            Err(e) => eprintln!("vocafuse-devserver: cannot record the transcription of {}: {e}", rec.id),
        }
    });
    first
}
