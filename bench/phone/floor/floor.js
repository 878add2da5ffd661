// The floor: only what the protocol needs (PROTOCOL.md), no SDK, no checks, no retries: the token,
// getUserMedia, MediaRecorder at the SDK's mime and bitrate (src/core/format.rs, limits.rs) so both
// send the same bytes, POST /upload, the PUT. The fastest this network allows.
const API = '__VOCAFUSE_API__';
const mark = (name) => window.__benchMark?.(name);
const button = document.getElementById('record');
const message = document.getElementById('message');

const tokenAnswer = await fetch('/api/token', {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ scopes: ['voice-api.upload'] }), credentials: 'include',
}).then((r) => r.json());
const token = tokenAnswer.data.id_token || tokenAnswer.data.jwt_token;
mark('ready');

let media = null;
async function upload(blob, seconds) {
  const duration = Math.round(seconds * 100) / 100;
  const answer = await fetch(`${API}/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      file_name: `voicenote-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`, file_size: blob.size,
      audio_format: 'webm', duration_seconds: duration, use_multipart: false,
      sdk_metadata: { duration_seconds: duration, sample_rate: 48000, channels: 1, bit_rate: 32000, codec: 'webm', file_size_bytes: blob.size },
    }),
  }).then((r) => r.json());
  const put = await fetch(answer.data.presigned_url, { method: 'PUT', headers: { 'Content-Type': 'audio/webm' }, body: blob });
  if (!put.ok) throw new Error(`PUT answered ${put.status}`);
  await put.arrayBuffer(); // the answer whole, as the SDK's XHR reads it
  mark('state:uploaded');
  window.__result = { voicenote_id: answer.data.voicenote_id, file_size: blob.size };
}

button.onclick = async () => {
  if (media) { media.stop(); media = null; button.textContent = 'Record'; return; }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  });
  const recorder = new MediaRecorder(stream, { mimeType: 'audio/webm;codecs=opus', audioBitsPerSecond: 32000 });
  media = recorder;
  const chunks = [];
  let started = 0;
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.onstart = () => { started = performance.now(); mark('state:recording'); button.textContent = 'Stop'; };
  recorder.onstop = () => {
    stream.getTracks().forEach((t) => t.stop());
    upload(new Blob(chunks, { type: 'audio/webm' }), (performance.now() - started) / 1000)
      .catch((e) => { message.textContent = e.message; window.__benchError?.(e); });
  };
  recorder.start();
  mark('start-returned'); // when the SDK reports `recording`; the floor's figure waits for `start`
};
button.disabled = false;
