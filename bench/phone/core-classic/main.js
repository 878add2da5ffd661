// The core entry loaded the way it was before issue 19 (and still works): init(), then the
// SDK, then its first token, one after the other, with no preload hints in the page.
// window.__benchMark is the phone bench's (scripts/phone-bench.mjs); without it nothing is marked.
import init, { VocaFuseSDK } from '/pkg/index.js';

const mark = (name) => window.__benchMark?.(name);
const button = document.getElementById('record');
const message = document.getElementById('message');

await init();
const sdk = new VocaFuseSDK({ tokenEndpoint: '/api/token', apiBaseUrl: '__VOCAFUSE_API__' });
await sdk.init();
mark('ready');
const recorder = sdk.createRecorder({
  maxDuration: 60,
  onStateChange: (state) => { button.dataset.state = state; button.textContent = state === 'recording' ? 'Stop' : 'Record'; mark(`state:${state}`); },
  onComplete: (result) => { window.__result = result; },
  onError: (error) => { message.textContent = error.userMessage; window.__benchError?.(error); },
});
button.onclick = () => (recorder.isRecording ? recorder.stop() : recorder.start()).catch(() => {});
button.disabled = false;
