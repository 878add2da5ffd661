// The framework entries' snapshot object (API.md, "Framework entries"). Rust decides every value
// (src/facade/snapshot.rs) and passes them in this order; only the field names live here, which
// keeps them out of the wasm.
const NO_WAVEFORM = Object.freeze([]);

export function snapshot(state, capturing, busy, hasRecording, duration, level, uploadProgress, inputStatus,
  networkStatus, error, recording, result, supported, press, label) {
  // The kept recording's peaks, once the recorder measures them.
  const waveform = recording && Array.isArray(recording.waveform) ? recording.waveform : NO_WAVEFORM;
  return Object.freeze({
    state, capturing, busy, hasRecording, duration, level, uploadProgress, inputStatus, networkStatus,
    waveform, gesture: 'idle', error, recording, result, supported, press, label,
  });
}
