// The demo: one record toggle, a timer against the limit, a level meter, upload progress, the
// list of uploaded notes, and a chaos switch that makes the dev server misbehave.
import init, { VocaFuseSDK, ErrorCode } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const ui = {
  record: $('record'), label: document.querySelector('#record .label'), elapsed: $('elapsed'),
  timeFill: $('time-fill'), level: $('level'), levelFill: $('level-fill'), uploadBar: $('upload-bar'), uploadFill: $('upload-fill'),
  status: $('status'), error: $('error'), pause: $('pause'), cancel: $('cancel'), retry: $('retry'),
  chaos: $('chaos'), preview: $('preview'), notes: $('notes'), empty: $('notes-empty'),
  mic: $('mic'), inputStatus: $('input-status'), notice: $('notice'),
};
const MAX = 60;
const api = location.origin;

const fmt = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const say = (text) => { ui.status.textContent = text; };
// Server text is shown as text, never as HTML.
const showError = (err) => { ui.error.textContent = err.userMessage; ui.error.hidden = false; };
const clearError = () => { ui.error.hidden = true; ui.error.textContent = ''; };
// The level meter: its bar, and its value for assistive technology (role="meter").
const showLevel = (level) => {
  const percent = Math.round(level * 100);
  ui.levelFill.style.width = `${percent}%`;
  ui.level.setAttribute('aria-valuenow', String(percent));
};
// Notices: the recording goes on (or is kept and sent); the person should still know.
const NOTICES = [ErrorCode.DURATION_EXCEEDED, ErrorCode.FILE_SIZE_EXCEEDED, ErrorCode.NO_AUDIO_INPUT,
  ErrorCode.MICROPHONE_UNAVAILABLE, ErrorCode.STORAGE_UNAVAILABLE];
const notify = (err) => { ui.notice.textContent = err.userMessage; ui.notice.hidden = false; };
const INPUT = { ok: 'Input: ok', muted: 'Input: muted', silent: 'Input: silent' };
const showInput = (status) => { ui.inputStatus.dataset.status = status; ui.inputStatus.textContent = INPUT[status]; };

/** The microphone picker: labels appear once the microphone was granted (after the first take). */
async function listMicrophones(sdk) {
  let mics = [];
  try { mics = await sdk.listMicrophones(); } catch { return; }
  const chosen = ui.mic.value;
  const options = mics.filter((m) => m.deviceId).map((m, i) => {
    const o = document.createElement('option');
    o.value = m.isDefault ? '' : m.deviceId;
    o.textContent = m.label || `Microphone ${i + 1}${m.isDefault ? ' (default)' : ''}`;
    return o;
  });
  if (!options.some((o) => o.value === '')) {
    const d = document.createElement('option');
    d.value = '';
    d.textContent = 'Default microphone';
    options.unshift(d);
  }
  ui.mic.replaceChildren(...options);
  ui.mic.value = options.some((o) => o.value === chosen) ? chosen : '';
}

const STATUS = {
  idle: 'Press record and speak.', requesting: 'Waiting for the microphone…', recording: 'Recording… press again to send.',
  paused: 'Paused.', stopped: 'Recorded.', uploading: 'Sending…', waiting: 'Waiting for the network…',
  uploaded: 'Sent. Record another?', error: '',
};

async function main() {
  await init();
  const sdk = new VocaFuseSDK({ tokenEndpoint: `${api}/api/token`, apiBaseUrl: api });
  if (!sdk.isVoicenoteSupported()) {
    ui.record.disabled = true;
    showError({ userMessage: "This browser can't record voice notes here. Try a recent Chrome, Firefox or Edge." });
    return;
  }
  sdk.init().catch(showError);
  const recorder = sdk.createRecorder({
    onStateChange(state) {
      ui.record.dataset.state = state;
      ui.mic.disabled = ['requesting', 'recording', 'paused'].includes(state);
      showInput(recorder.inputStatus);
      if (state === 'recording') { ui.notice.hidden = true; listMicrophones(sdk); }
      ui.record.setAttribute('aria-pressed', String(state === 'recording' || state === 'paused'));
      ui.record.disabled = state === 'uploading' || state === 'waiting' || state === 'requesting';
      ui.label.textContent = state === 'recording' || state === 'paused' ? 'Send' : 'Record';
      ui.pause.disabled = !(state === 'recording' || state === 'paused');
      ui.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
      ui.cancel.disabled = !(state === 'recording' || state === 'paused' || state === 'uploading' || state === 'waiting');
      ui.uploadBar.hidden = !(state === 'uploading' || state === 'waiting');
      ui.retry.hidden = !(state === 'error' && recorder.recording);
      if (state === 'recording') clearError();
      if (state !== 'recording') showLevel(0);
      say(STATUS[state]);
    },
    onRecordProgress(seconds) {
      showInput(recorder.inputStatus);
      ui.elapsed.textContent = fmt(seconds);
      ui.timeFill.style.width = `${Math.min(100, (seconds / MAX) * 100)}%`;
    },
    onLevel: showLevel,
    onUploadProgress(percent) { ui.uploadFill.style.width = `${percent}%`; },
    onComplete() { loadNotes(); },
    onError(err) {
      showInput(recorder.inputStatus);
      if (NOTICES.includes(err.code)) notify(err);
      else showError(err);
    },
  });
  ui.mic.addEventListener('change', () => {
    try { recorder.setDevice(ui.mic.value || null); } catch (err) { showError(err); }
  });
  sdk.onMicrophonesChange(() => listMicrophones(sdk));
  listMicrophones(sdk);

  ui.record.addEventListener('click', async () => {
    clearError();
    try {
      if (recorder.state === 'recording' || recorder.state === 'paused') {
        await recorder.stop();
      } else {
        await recorder.start();
      }
    } catch { /* shown through onError */ }
    const kept = recorder.recording;
    if (kept && ui.preview.dataset.blob !== String(kept.size)) {
      if (ui.preview.src) URL.revokeObjectURL(ui.preview.src);
      ui.preview.src = URL.createObjectURL(kept.blob);
      ui.preview.dataset.blob = String(kept.size);
      ui.preview.hidden = false;
    }
  });
  ui.pause.addEventListener('click', () => {
    try { recorder.state === 'paused' ? recorder.resume() : recorder.pause(); } catch { /* onError */ }
  });
  ui.cancel.addEventListener('click', () => recorder.cancel().catch(() => {}));
  ui.retry.addEventListener('click', () => { clearError(); recorder.upload().catch(() => {}); });
  ui.chaos.addEventListener('change', async () => {
    await fetch(`${api}/__dev/chaos`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: ui.chaos.checked, rate: 0.5 }),
    }).catch(() => {});
    say(ui.chaos.checked ? 'Chaos on: the server now fails on purpose. Watch the SDK retry.' : STATUS[recorder.state]);
  });
  loadNotes();
}

async function loadNotes() {
  let notes = [];
  try {
    const res = await fetch(`${api}/voicenotes`);
    if (res.ok) {
      const body = await res.json();
      notes = Array.isArray(body) ? body : (body.data || []);
    }
  } catch { /* the list is a nicety */ }
  ui.notes.replaceChildren(...notes.map((n) => {
    const li = document.createElement('li');
    const title = document.createElement('strong');
    title.textContent = `Voice note · ${Number(n.duration_seconds || 0).toFixed(1)} s`;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${n.audio_format} · ${Math.round((n.file_size || 0) / 1024)} KB · ${n.id || n.voicenote_id}`;
    const audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'metadata';
    audio.src = `${api}/voicenotes/${encodeURIComponent(n.id || n.voicenote_id)}/audio`;
    li.append(title, meta, audio);
    return li;
  }));
  ui.empty.hidden = notes.length > 0;
}

main().catch((err) => {
  console.error(err);
  showError(err && err.userMessage ? err : { userMessage: 'The recorder could not start on this page.' });
});
