// The core entry the way the README's quick start writes it, on the fast path of API.md's
// "Loading": VocaFuseSDK.load overlaps the wasm's download with the first token request.
// window.__benchMark is the phone bench's (scripts/phone-bench.mjs); without it nothing is marked.
import { VocaFuseSDK } from '/pkg/index.js';

const mark = (name) => window.__benchMark?.(name);
const button = document.getElementById('record');
const message = document.getElementById('message');

const sdk = await VocaFuseSDK.load({ tokenEndpoint: '/api/token', apiBaseUrl: '__VOCAFUSE_API__' });
mark('ready');
const recorder = sdk.createRecorder({
  maxDuration: 60,
  onStateChange: (state) => { button.dataset.state = state; button.textContent = state === 'recording' ? 'Stop' : 'Record'; mark(`state:${state}`); },
  onComplete: (result) => { window.__result = result; },
  onError: (error) => { message.textContent = error.userMessage; window.__benchError?.(error); },
});
button.onclick = () => (recorder.isRecording ? recorder.stop() : recorder.start()).catch(() => {});
button.disabled = false;
