// The SDK as an app installs it: `import … from 'vocafuse-wasm'`, bundled by Vite.
// The API origin is this page's origin (the dev server serves dist/), or ?api=<origin>.
import init, { VocaFuseSDK } from 'vocafuse-wasm';
import { ui, showResult, showError, showState } from './ui.js';

async function main() {
  const api = new URLSearchParams(location.search).get('api') || location.origin;
  await init();
  const sdk = new VocaFuseSDK({ tokenEndpoint: `${api}/api/token`, apiBaseUrl: api });
  await sdk.init();
  window.__ready = performance.now();
  window.__sdk = sdk;
  sdk.addVoiceNote('#record', {
    autoUpload: true,
    onStateChange: showState,
    onComplete: showResult,
    onError: showError,
  });
  showState('idle');
}

main().catch((err) => {
  console.error(err);
  showError(err && err.userMessage ? err : { code: 'STARTUP', userMessage: String(err) });
});
