// The page's DOM helpers, shared by the app and by the SDK-less baseline (bare.js).
const $ = (id) => document.getElementById(id);
export const ui = { record: $('record'), state: $('state'), result: $('result'), error: $('error') };

export function showState(state) { ui.state.textContent = state; }

export function showResult(result) {
  ui.result.textContent = result.voicenote_id;
  ui.result.dataset.format = result.audio_format;
  ui.result.dataset.size = String(result.file_size);
}

// Shown as text, never as HTML.
export function showError(err) {
  ui.error.textContent = err.userMessage;
  ui.error.dataset.code = err.code;
}
